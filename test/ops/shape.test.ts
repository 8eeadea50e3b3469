import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { expectClose, randomTensor } from '../helpers.js';

describe('add / sub / mul / div with broadcasting', () => {
  it('agree with the reference on broadcast shapes (over N, over C, scalars)', () => {
    const shapePair = fc
      .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
      .chain((out) =>
        fc.tuple(
          fc.constant(out),
          fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
          fc.integer({ min: 0, max: out.length }),
        ),
      )
      .map(([out, ones, drop]) => [out, out.map((d, i) => (ones[i] ? 1 : d)).slice(drop)] as const);
    fc.assert(
      fc.property(shapePair, fc.boolean(), fc.nat(), ([sa, sb], swap, seed) => {
        const a = randomTensor([...(swap ? sb : sa)], seed);
        const b = randomTensor([...(swap ? sa : sb)], seed + 1);
        expectClose(cn.add(a, b), cn.reference.add(a, b), { sa, sb, swap }, 1e-6);
        expectClose(cn.sub(a, b), cn.reference.sub(a, b), { sa, sb, swap }, 1e-6);
        expectClose(cn.mul(a, b), cn.reference.mul(a, b), { sa, sb, swap }, 1e-6);
      }),
      { numRuns: 150 },
    );
  });

  it('adds a residual and a per-channel bias (hand values)', () => {
    const x = cn.tensor([1, 2, 3, 4], [1, 2, 1, 2]);
    expect(Array.from(cn.add(x, x).data)).toEqual([2, 4, 6, 8]);
    expect(Array.from(cn.add(x, cn.tensor([10, 20], [2, 1, 1])).data)).toEqual([11, 12, 23, 24]);
    expect(Array.from(cn.div(x, cn.tensor([2])).data)).toEqual([0.5, 1, 1.5, 2]);
  });
});

describe('concat / flatten / dropout', () => {
  it('concat agrees with the reference along any dim', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), (shape, sizes, dimSeed, seed) => {
        const dim = dimSeed % shape.length;
        const parts = sizes.map((s, i) => randomTensor(shape.map((d, j) => (j === dim ? s : d)), seed + i));
        expectClose(cn.concat(parts, dim), cn.reference.concat(parts, dim), { shape, sizes, dim }, 0);
      }),
      { numRuns: 100 },
    );
  });

  it('flatten is a zero-copy view with merged dims', () => {
    const x = randomTensor([2, 3, 4, 5], 1);
    const f = cn.flatten(x, 1);
    expect(f.shape).toEqual([2, 60]);
    expect(f.data).toBe(x.data);
    expect(cn.flatten(x, 0, 1).shape).toEqual([6, 4, 5]);
    expectClose(f, cn.reference.flatten(x, 1), 'flatten', 0);
  });

  it('dropout is the identity at eval and zeroes about p of the elements in training', () => {
    const x = cn.ones([10000]);
    expect(cn.dropout(x, { p: 0.5 })).toBe(x);
    const y = cn.dropout(x, { p: 0.3, training: true, seed: 7 });
    let zeros = 0;
    for (const v of y.data) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.7, 6);
    }
    expect(zeros / 10000).toBeGreaterThan(0.27);
    expect(zeros / 10000).toBeLessThan(0.33);
    // Same seed, same mask; another seed, another mask.
    expect(Array.from(cn.dropout(x, { p: 0.3, training: true, seed: 7 }).data)).toEqual(Array.from(y.data));
    expect(Array.from(cn.dropout(x, { p: 0.3, training: true, seed: 8 }).data)).not.toEqual(Array.from(y.data));
  });
});
