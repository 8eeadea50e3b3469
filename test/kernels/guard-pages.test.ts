/**
 * No kernel reads outside its inputs: every op family, forward and backward, plus a compiled
 * session (which reads its input in place), runs on inputs that end right before an
 * inaccessible page, and again on inputs that start right after one (native
 * GuardedFloat32Array), once per ISA in a child process
 * (CONVNODE_ISA), so an over-read is a SIGSEGV of the child and fails the case. This catches
 * what AddressSanitizer cannot: reads the compiler itself adds to the optimized build (GCC 12
 * vectorized the generic shifted-view adjoint into 8-byte reads past the weights; with that
 * code this test dies in "conv2d 3x3 s1 p1, 90 taps, 5 out backward").
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { ISAS } from './helpers.js';

const script = path.join(import.meta.dirname, '..', 'fixtures', 'scripts', 'guard-pages.mjs');
const guarded = typeof native.GuardedFloat32Array === 'function';

describe.skipIf(!guarded)('inputs ending at an inaccessible page', () => {
  it.each(ISAS.flatMap((isa) => [[isa, 'end'], [isa, 'start']]))('every op family reads only its inputs (CONVNODE_ISA=%s, guard at the %s)', (isa, at) => {
    const child = spawnSync(process.execPath, [script, at], { env: { ...process.env, CONVNODE_ISA: isa }, encoding: 'utf8' });
    const lines = child.stdout.trim().split('\n');
    // On a crash: the last case that passed, and the signal.
    expect({ signal: child.signal, status: child.status, last: lines.at(-1), stderr: child.stderr.slice(-400) }).toEqual({ signal: null, status: 0, last: 'done', stderr: '' });
    expect(lines.filter((l) => l.startsWith('ok ')).length).toBeGreaterThan(50);
  });

  it('the guarded array ends right before the guard page and rejects bad sizes', () => {
    const a = native.GuardedFloat32Array!(5);
    expect(a.length).toBe(5);
    a.set([1, 2, 3, 4, 5]);
    expect(Array.from(a)).toEqual([1, 2, 3, 4, 5]);
    // 5 floats end at a page boundary: the first starts 20 bytes before one, 44 mod 64.
    expect(native.DataAddressMod64(a)).toBe(44);
    const b = native.GuardedFloat32Array!(5, true); // starts on a page boundary
    expect(native.DataAddressMod64(b)).toBe(0);
    b.set([5, 4, 3, 2, 1]);
    expect(Array.from(b)).toEqual([5, 4, 3, 2, 1]);
    expect(() => native.GuardedFloat32Array!(0)).toThrow(/guardedFloat32Array: n: expected an integer >= 1, got 0/);
    expect(() => native.GuardedFloat32Array!(2 ** 29)).toThrow(/guardedFloat32Array: n: expected at most 2\^28 floats/);
  });
});
