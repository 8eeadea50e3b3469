import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { expectClose, randomTensor } from '../helpers.js';

describe('lrn', () => {
  it('agrees with the reference (odd and even sizes, channel edges)', () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 9 }), h: fc.integer({ min: 1, max: 5 }), size: fc.integer({ min: 1, max: 6 }), seed: fc.nat() }),
        (c) => {
          const x = randomTensor([c.n, c.c, c.h, c.h], c.seed, 3);
          const p = { size: c.size, alpha: 1e-2, beta: 0.75, k: 2 };
          expectClose(cn.lrn(x, p), cn.reference.lrn(x, p), c);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("matches AlexNet's formula by hand for one channel", () => {
    // size 5 on 1 channel: y = x / (k + alpha/5 * x^2)^beta
    const y = cn.lrn(cn.tensor([2], [1, 1, 1, 1]), { size: 5, alpha: 1e-4, beta: 0.75, k: 2 });
    expect(y.data[0]).toBeCloseTo(2 / Math.pow(2 + (1e-4 / 5) * 4, 0.75), 6);
  });
});

describe('batchNorm2d (inference)', () => {
  it('agrees with the reference for 4-D and 2-D inputs, with and without affine', () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 6 }), hw: fc.integer({ min: 0, max: 4 }), affine: fc.boolean(), seed: fc.nat() }),
        (c) => {
          const x = randomTensor(c.hw === 0 ? [c.n, c.c] : [c.n, c.c, c.hw, c.hw + 1], c.seed);
          const mean = randomTensor([c.c], c.seed + 1);
          const variance = cn.tensor(randomTensor([c.c], c.seed + 2).data.map((v) => Math.abs(v) + 0.5), [c.c]);
          const gamma = c.affine ? randomTensor([c.c], c.seed + 3) : null;
          const beta = c.affine ? randomTensor([c.c], c.seed + 4) : null;
          const y = cn.batchNorm2d(x, mean, variance, gamma, beta, { eps: 1e-3 });
          expectClose(y, cn.reference.batchNorm2d(x, mean, variance, gamma, beta, 1e-3), c);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('normalizes a hand example', () => {
    const y = cn.batchNorm2d(cn.tensor([1, 3], [1, 2]), cn.tensor([1, 1]), cn.tensor([4, 4]), cn.tensor([2, 2]), cn.tensor([0, 1]), { eps: 0 });
    expect(Array.from(y.data)).toEqual([0, 3]);
  });
});
