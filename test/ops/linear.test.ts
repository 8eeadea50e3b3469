import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { expectClose, randomTensor } from '../helpers.js';

describe('linear', () => {
  it('agrees with the reference on random shapes, with and without bias', () => {
    fc.assert(
      fc.property(
        fc.record({ rows: fc.integer({ min: 1, max: 9 }), inF: fc.integer({ min: 1, max: 40 }), outF: fc.integer({ min: 1, max: 20 }), bias: fc.boolean(), seed: fc.nat() }),
        (c) => {
          const x = randomTensor([c.rows, c.inF], c.seed);
          const w = randomTensor([c.outF, c.inF], c.seed + 1);
          const b = c.bias ? randomTensor([c.outF], c.seed + 2) : null;
          expectClose(cn.linear(x, w, b), cn.reference.linear(x, w, b), c);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('computes x W^T + b (hand values) over leading dims', () => {
    const x = cn.tensor([1, 2, 3, 4], [2, 1, 2]);
    const w = cn.tensor([1, 0, 0, 1, 1, 1], [3, 2]);
    const y = cn.linear(x, w, cn.tensor([10, 20, 30]));
    expect(y.shape).toEqual([2, 1, 3]);
    expect(Array.from(y.data)).toEqual([11, 22, 33, 13, 24, 37]);
  });
});

describe('matmul', () => {
  it('agrees with the reference for 2-D and batched 3-D (with a broadcast batch)', () => {
    fc.assert(
      fc.property(
        fc.record({ batch: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 17 }), n: fc.integer({ min: 1, max: 9 }), bcast: fc.constantFrom('none', 'a', 'b', '2d'), seed: fc.nat() }),
        (c) => {
          const aShape = c.bcast === '2d' ? [c.m, c.k] : [c.bcast === 'a' ? 1 : c.batch, c.m, c.k];
          const bShape = c.bcast === '2d' ? [c.k, c.n] : [c.bcast === 'b' ? 1 : c.batch, c.k, c.n];
          const a = randomTensor(aShape, c.seed);
          const b = randomTensor(bShape, c.seed + 1);
          expectClose(cn.matmul(a, b), cn.reference.matmul(a, b), c);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('follows PyTorch for 1-D operands and broadcasts batch dims', () => {
    const v = cn.tensor([1, 2, 3]);
    expect(cn.matmul(v, v).shape).toEqual([]);
    expect(cn.matmul(v, v).item()).toBe(14);
    const m = cn.tensor([1, 0, 0, 1, 1, 1], [3, 2]);
    expect(Array.from(cn.matmul(v, m).data)).toEqual([4, 5]);
    expect(cn.matmul(cn.zeros([2, 1, 4, 3]), cn.zeros([5, 3, 6])).shape).toEqual([2, 5, 4, 6]);
    expect(cn.matmul(m, cn.tensor([1, 1])).shape).toEqual([3]);
  });
});
