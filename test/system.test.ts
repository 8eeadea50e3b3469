import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import * as cn from '../lib/index.js';
import { expectClose, randomTensor } from './helpers.js';

describe('cpuInfo', () => {
  it('reports the ISA in use, what the CPU offers, and the cores', () => {
    const info = cn.cpuInfo();
    expect(['generic', 'avx2', 'avx512']).toContain(info.isa);
    expect(info.availableIsas).toContain('generic');
    expect(info.availableIsas).toContain(info.isa);
    expect(info.cores).toBeGreaterThanOrEqual(1);
    expect(info.cores).toBeLessThanOrEqual(os.cpus().length);
    // /proc/cpuinfo is an independent witness of the CPU's flags.
    if (process.platform === 'linux' && process.arch === 'x64') {
      const flags = execFileSync('grep', ['-m1', '^flags', '/proc/cpuinfo'], { encoding: 'utf8' });
      expect(info.features.avx2).toBe(/\bavx2\b/.test(flags));
      expect(info.features.avx512f).toBe(/\bavx512f\b/.test(flags));
    }
  });

  it('CONVNODE_ISA forces each supported ISA, and an unsupported request falls back', () => {
    const script = "import('./dist/index.js').then((cn) => console.log(JSON.stringify(cn.cpuInfo())))";
    for (const isa of cn.cpuInfo().availableIsas) {
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, CONVNODE_ISA: isa }, encoding: 'utf8' }));
      expect(out.isa).toBe(isa);
      expect(out.requestedIsa).toBe(isa);
    }
    const bogus = JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, CONVNODE_ISA: 'sse9' }, encoding: 'utf8' }));
    expect(bogus.isa).toBe(bogus.bestIsa);
  });
});

describe('threads', () => {
  it('defaults to the cores available and honors setNumThreads', () => {
    const initial = cn.getNumThreads();
    expect(initial).toBe(cn.cpuInfo().openmp ? cn.cpuInfo().cores : 1);
    try {
      cn.setNumThreads(1);
      expect(cn.getNumThreads()).toBe(1);
      const x = randomTensor([2, 8, 20, 20], 1);
      const w = randomTensor([16, 8, 3, 3], 2);
      const one = cn.conv2d(x, w, null, { padding: 1 });
      cn.setNumThreads(3);
      expect(cn.getNumThreads()).toBe(cn.cpuInfo().openmp ? 3 : 1);
      expectClose(cn.conv2d(x, w, null, { padding: 1 }), one, 'threads 1 vs 3');
    } finally {
      cn.setNumThreads(initial);
    }
  });
});
