import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as cn from '../lib/index.js';
import { native } from '../lib/native.js';
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

describe('thread team placement', () => {
  // The process's CPUs: taskset is util-linux (essential on Debian); skip where it is missing.
  const cpus = (() => {
    if (process.platform !== 'linux') return [];
    try {
      const list = execFileSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' }).split(':')[1].trim();
      return list.split(',').flatMap((r) => {
        const [a, b = a] = r.split('-').map(Number);
        return Array.from({ length: b - a + 1 }, (_, i) => a + i);
      });
    } catch {
      return [];
    }
  })();

  it.skipIf(cpus.length < 2 || !cn.cpuInfo().openmp)('moves a team thread off a CPU it shares with another (native/core/threading.cc)', () => {
    const script = path.join(import.meta.dirname, 'fixtures', 'scripts', 'spread-team.mjs');
    const [a, b] = cpus;
    const out = JSON.parse(execFileSync('taskset', ['-c', String(a), process.execPath, script, `${a},${b}`, String(b)], { encoding: 'utf8' })) as { pinned: number[]; moved: number; masks: string[]; maxDiff: number };
    expect(out.pinned).toEqual([a, a]); // started on one CPU, the team shares it
    expect(out.moved).toBe(1); // the worker moved to the other
    expect(out.masks).toEqual([b === a + 1 ? `${a}-${b}` : `${a},${b}`]); // every mask restored (the kernel's list format)
    expect(out.maxDiff).toBeLessThan(1e-4);
    // Three threads on two CPUs: one free CPU, so one mover (two movers would share it).
    const three = JSON.parse(execFileSync('taskset', ['-c', String(a), process.execPath, script, `${a},${b}`, String(b), '3'], { encoding: 'utf8' })) as { pinned: number[]; moved: number; maxDiff: number };
    expect(three.pinned).toEqual([a, a, a]);
    expect(three.moved).toBe(1);
    expect(three.maxDiff).toBeLessThan(1e-4);
  });

  it('teamCpus reports one CPU per team member and rejects a bad count', () => {
    const n = Math.min(2, cn.cpuInfo().cores);
    const team = native.TeamCpus(n);
    expect(team).toHaveLength(n);
    if (process.platform === 'linux') for (const c of team) expect(c).toBeGreaterThanOrEqual(0);
    expect(() => native.TeamCpus(0)).toThrow(/teamCpus: threads: expected an integer >= 1, got 0/);
    expect(() => native.TeamCpus(65)).toThrow(/teamCpus: threads: expected an integer in \[1, 64\], got 65/);
    expect(() => native.SpreadTeam(1.5)).toThrow(/spreadTeam: threads/);
    expect(native.SpreadTeam(1)).toBe(0); // one thread: nothing to spread
  });
});
