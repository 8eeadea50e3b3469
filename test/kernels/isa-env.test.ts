/**
 * CONVNODE_ISA is read once per process, so the in-process tests pass `isa` explicitly to the
 * native entries (see helpers.ts). This file checks the environment route itself: a child node
 * process per supported ISA must report that ISA in cpuInfo() and compute the same conv and
 * GEMM results (within rounding) as the reference, through the default (active-ISA) dispatch.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ISAS } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = `
import * as cn from './lib/index.ts';
const x = cn.randn([1, 16, 20, 20], { seed: 1 });
const w = cn.randn([16, 16, 3, 3], { seed: 2 });
const w1 = cn.randn([8, 16, 1, 1], { seed: 3 });
const ref = cn.reference.conv2d(x, w, null, { stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 });
const ref1 = cn.reference.conv2d(x, w1, null, { stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 });
const err = (a, b) => { let e = 0; for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i])); return e; };
const out = { isa: cn.cpuInfo().isa, errs: {} };
for (const algo of ['auto', 'im2col', 'winograd', 'direct']) out.errs[algo] = err(cn.conv2d(x, w, null, { padding: 1, algo }).data, ref.data);
out.errs.gemm1x1 = err(cn.conv2d(x, w1, null, { algo: 'gemm1x1' }).data, ref1.data);
const a = cn.randn([33, 47], { seed: 4 }), b = cn.randn([47, 29], { seed: 5 });
out.errs.matmul = err(cn.matmul(a, b).data, cn.reference.matmul(a, b).data);
console.log(JSON.stringify(out));
`;

describe('CONVNODE_ISA selects the kernels in a fresh process', () => {
  it.each(ISAS)('CONVNODE_ISA=%s', (isa) => {
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, CONVNODE_ISA: isa },
      encoding: 'utf8',
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() as string) as { isa: string; errs: Record<string, number> };
    expect(result.isa).toBe(isa);
    for (const [algo, e] of Object.entries(result.errs)) expect(e, `${isa} ${algo}`).toBeLessThan(1e-3);
  });
});
