import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { fmaIsas, measureLimits } from '../../bench/machine.js';

// No speed assertions: only that the loops run, count correctly and reject bad arguments.
describe('bench machine limits (native PeakFma / StreamTriad)', () => {
  it.each(fmaIsas().map((isa) => ({ isa })))('PeakFma $isa returns one timing per pass', ({ isa }) => {
    const r = native.PeakFma(isa, 1000, 3);
    expect(r.seconds).toHaveLength(3);
    for (const s of r.seconds) expect(s).toBeGreaterThan(0);
    expect(r.threads).toBeGreaterThanOrEqual(1);
    expect(r.flopsPerPass).toBe(1000 * 12 * (isa === 'avx512' ? 16 : 8) * 2 * r.threads);
  });

  it('PeakFma honours setNumThreads', () => {
    const before = cn.getNumThreads();
    try {
      cn.setNumThreads(1);
      expect(native.PeakFma(fmaIsas()[0] ?? 'avx2', 100, 1).threads).toBe(1);
    } finally {
      cn.setNumThreads(before);
    }
  });

  it('StreamTriad computes a = b + 3c on every element (check = 3 x 7)', () => {
    const r = native.StreamTriad(1001, 2);
    expect(r.check).toBe(21);
    expect(r.bytesPerPass).toBe(3 * 1001 * 4);
    expect(r.seconds).toHaveLength(2);
  });

  it.each([
    { call: () => native.PeakFma('sse' as 'avx2', 10, 1), message: /PeakFma: isa: expected 'avx512' or 'avx2'/ },
    { call: () => native.PeakFma('avx2', 0, 1), message: /PeakFma: iterations/ },
    { call: () => native.PeakFma('avx2', 10, 0), message: /PeakFma: passes/ },
    { call: () => native.StreamTriad(0, 1), message: /StreamTriad: elements/ },
    { call: () => native.StreamTriad(2 ** 40, 1), message: /StreamTriad: elements/ },
  ])('rejects bad arguments: $message', ({ call, message }) => {
    expect(call).toThrow(message);
  });

  it('measureLimits reports fma per ISA and triad per thread count', () => {
    const limits = measureLimits([1], { passes: 2, passMs: 2, triadPasses: 2, triadBytes: 1 << 20 });
    expect(limits.map((l) => `${l.kind}/${l.isa}`)).toEqual([...fmaIsas().map((i) => `fma/${i}`), 'triad/-']);
    for (const l of limits) expect(l.median).toBeGreaterThan(0);
  });
});
