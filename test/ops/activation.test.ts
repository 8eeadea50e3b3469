import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { expectClose, randomTensor } from '../helpers.js';

const shapes = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 });

describe('activations', () => {
  const cases: [string, (x: cn.Tensor) => cn.Tensor, (x: cn.Tensor) => cn.Tensor][] = [
    ['relu', cn.relu, cn.reference.relu],
    ['relu6', cn.relu6, cn.reference.relu6],
    ['leakyRelu(0.2)', (x) => cn.leakyRelu(x, 0.2), (x) => cn.reference.leakyRelu(x, 0.2)],
    ['sigmoid', cn.sigmoid, cn.reference.sigmoid],
    ['tanh', cn.tanh, cn.reference.tanh],
  ];
  for (const [name, op, ref] of cases) {
    it(`${name} agrees with the reference on random shapes and large magnitudes`, () => {
      fc.assert(
        fc.property(shapes, fc.nat(), (shape, seed) => {
          const x = randomTensor(shape, seed, 20);
          expectClose(op(x), ref(x), { name, shape, seed }, 1e-6);
        }),
        { numRuns: 50 },
      );
    });
  }

  it('sigmoid does not overflow at extreme inputs', () => {
    const y = cn.sigmoid(cn.tensor([-1000, 1000, 0]));
    expect(Array.from(y.data)).toEqual([0, 1, 0.5]);
  });
});

describe('softmax / logSoftmax', () => {
  it('agree with the reference along every dim, negative dims included', () => {
    fc.assert(
      fc.property(shapes, fc.nat(), fc.integer({ min: -4, max: 3 }), (shape, seed, rawDim) => {
        const dim = ((rawDim % shape.length) + shape.length) % shape.length - (rawDim < 0 ? shape.length : 0);
        const x = randomTensor(shape, seed, 30);
        expectClose(cn.softmax(x, dim), cn.reference.softmax(x, dim), { shape, dim }, 1e-6);
        expectClose(cn.logSoftmax(x, dim), cn.reference.logSoftmax(x, dim), { shape, dim }, 1e-6);
      }),
      { numRuns: 100 },
    );
  });

  it('is stable for huge logits and rows sum to 1', () => {
    const y = cn.softmax(cn.tensor([1000, 1000, -1000, 5000, 4999, 0], [2, 3]), 1);
    expect(y.data[0]).toBeCloseTo(0.5, 6);
    expect(y.data[3]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    const l = cn.logSoftmax(cn.tensor([1000, 0]), 0);
    expect(l.data[1]).toBeCloseTo(-1000, 3);
  });
});
