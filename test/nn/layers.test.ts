import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { maxAbsDiff } from '../helpers/zoo-fixtures.js';

const { nn, reference: ref } = cn;

/**
 * Every layer: forward on a real input must have exactly the shape that shape inference
 * (outputShape, used by summary) predicts. A table of configurations, each printed on failure.
 */
const cases: [string, () => cn.nn.Module, number[]][] = [
  ['Conv2d 3->8 k3 p1', () => new nn.Conv2d(3, 8, 3, { padding: 1, seed: 0 }), [2, 3, 9, 9]],
  ['Conv2d k[3,5] s[2,1] p[1,2]', () => new nn.Conv2d(2, 4, [3, 5], { stride: [2, 1], padding: [1, 2], seed: 0 }), [1, 2, 8, 7]],
  ['Conv2d same s2', () => new nn.Conv2d(2, 4, 3, { stride: 2, padding: 'same', seed: 0 }), [1, 2, 7, 7]],
  ['Conv2d depthwise dil2', () => new nn.Conv2d(4, 4, 3, { groups: 4, dilation: 2, padding: 2, seed: 0 }), [1, 4, 6, 6]],
  ['Conv2d asym pad', () => new nn.Conv2d(1, 2, 2, { padding: [0, 1, 1, 0], bias: false, seed: 0 }), [1, 1, 4, 4]],
  ['Linear', () => new nn.Linear(6, 3, { seed: 0 }), [5, 6]],
  ['Linear 3-D', () => new nn.Linear(6, 3, { bias: false, seed: 0 }), [2, 4, 6]],
  ['MaxPool2d 3/2 p1', () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }), [1, 2, 7, 7]],
  ['MaxPool2d 3/2 ceil', () => new nn.MaxPool2d(3, { stride: 2, ceilMode: true }), [1, 2, 8, 8]],
  ['MaxPool2d dil2', () => new nn.MaxPool2d(2, { stride: 1, dilation: 2 }), [1, 1, 5, 5]],
  ['AvgPool2d 2', () => new nn.AvgPool2d(2), [2, 3, 5, 5]],
  ['AvgPool2d 3/2 p1 noPad', () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), [1, 1, 6, 6]],
  ['LPPool2d p2 k2', () => new nn.LPPool2d(2, 2), [1, 2, 6, 5]],
  ['LPPool2d p3 k3 s1', () => new nn.LPPool2d(3, 3, { stride: 1 }), [1, 1, 5, 5]],
  ['AdaptiveAvgPool2d [3,2]', () => new nn.AdaptiveAvgPool2d([3, 2]), [1, 2, 7, 5]],
  ['AdaptiveAvgPool2d up', () => new nn.AdaptiveAvgPool2d(4), [1, 2, 2, 2]],
  ['AdaptiveMaxPool2d 1', () => new nn.AdaptiveMaxPool2d(1), [2, 3, 4, 4]],
  ['BatchNorm2d', () => new nn.BatchNorm2d(3).eval(), [2, 3, 4, 4]],
  ['LocalResponseNorm', () => new nn.LocalResponseNorm(3, { k: 2 }), [1, 5, 3, 3]],
  ['Dropout eval', () => new nn.Dropout(0.3).eval(), [2, 7]],
  ['Dropout train', () => new nn.Dropout(0.3, { seed: 4 }), [2, 7]],
  ['ReLU', () => new nn.ReLU(), [2, 3]],
  ['ReLU6', () => new nn.ReLU6(), [1, 2, 2, 2]],
  ['Tanh', () => new nn.Tanh(), [3]],
  ['Sigmoid', () => new nn.Sigmoid(), [3]],
  ['LeakyReLU', () => new nn.LeakyReLU(0.2), [3]],
  ['Flatten', () => new nn.Flatten(), [2, 3, 4, 5]],
  ['Flatten 2..3', () => new nn.Flatten(2, 3), [2, 3, 4, 5]],
  ['Identity', () => new nn.Identity(), [2, 3]],
];

describe('nn layers: shape inference equals the real forward', () => {
  it.each(cases)('%s on %j', (_name, build, shape) => {
    const layer = build();
    const x = cn.randn(shape, { seed: 11 });
    const y = layer.forward(x);
    expect(layer.outputShape(shape)).toEqual([...y.shape]);
  });
});

describe('nn layers: values against the pure-TS reference ops', () => {
  it('Conv2d (stride, padding, dilation, groups, bias) matches reference.conv2d with its own weights', () => {
    const conv = new nn.Conv2d(4, 6, 3, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2, seed: 5 });
    const x = cn.randn([2, 4, 7, 8], { seed: 6 });
    const want = ref.conv2d(x, conv.weight, conv.bias, { stride: [2, 1], padding: [1, 1, 2, 2], dilation: [1, 2], groups: 2 });
    const got = conv.forward(x);
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
  });

  it('Linear matches reference.linear', () => {
    const fc = new nn.Linear(7, 5, { seed: 1 });
    const x = cn.randn([3, 7], { seed: 2 });
    expect(maxAbsDiff(fc.forward(x), ref.linear(x, fc.weight, fc.bias))).toBeLessThan(1e-5);
  });

  it('BatchNorm2d in eval uses running statistics (reference.batchNorm2d)', () => {
    const bn = new nn.BatchNorm2d(3, { eps: 1e-3 });
    bn.runningMean.data.set([0.5, -1, 2]);
    bn.runningVar.data.set([4, 0.25, 1]);
    bn.weight!.data.set([1, 2, -1]);
    bn.bias!.data.set([0, 0.5, 1]);
    bn.eval();
    const x = cn.randn([2, 3, 2, 2], { seed: 3 });
    const want = ref.batchNorm2d(x, bn.runningMean, bn.runningVar, bn.weight, bn.bias, 1e-3);
    expect(maxAbsDiff(bn.forward(x), want)).toBeLessThan(1e-5);
  });

  it('Dropout: identity in eval; in training zeroes about p and scales the rest by 1/(1-p)', () => {
    const drop = new nn.Dropout(0.25, { seed: 9 });
    const x = cn.ones([1, 4000]);
    const y = drop.forward(x);
    const zeros = y.toArray().filter((v) => v === 0).length;
    expect(zeros / 4000).toBeGreaterThan(0.2);
    expect(zeros / 4000).toBeLessThan(0.3);
    expect(y.toArray().filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    drop.eval();
    expect(drop.forward(x)).toBe(x);
  });
});

describe('nn initialization (PyTorch defaults, seeded)', () => {
  it('Conv2d and Linear draw weight and bias from U(+-1/sqrt(fan_in)), filling the range', () => {
    for (const [layer, fanIn] of [
      [new nn.Conv2d(16, 32, 3, { seed: 1 }), 16 * 9],
      [new nn.Conv2d(16, 32, 3, { groups: 4, seed: 1 }), 4 * 9],
      [new nn.Linear(300, 200, { seed: 1 }), 300],
    ] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      for (const p of [layer.weight, layer.bias!]) {
        const v = p.toArray();
        expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
        expect(Math.max(...v)).toBeGreaterThan(bound * 0.8);
        expect(Math.min(...v)).toBeLessThan(-bound * 0.8);
      }
      // U(-b, b) has variance b^2/3.
      const w = layer.weight.toArray();
      const variance = w.reduce((s, x) => s + x * x, 0) / w.length;
      expect(variance / (bound * bound / 3)).toBeGreaterThan(0.9);
      expect(variance / (bound * bound / 3)).toBeLessThan(1.1);
    }
  });

  it('the same seed gives the same weights, another seed other weights', () => {
    const a = new nn.Conv2d(3, 4, 3, { seed: 7 }).weight.toArray();
    expect(new nn.Conv2d(3, 4, 3, { seed: 7 }).weight.toArray()).toEqual(a);
    expect(new nn.Conv2d(3, 4, 3, { seed: 8 }).weight.toArray()).not.toEqual(a);
  });

  it('normal and truncNormal have the asked mean and deviation; truncNormal stays in [a, b]', () => {
    const g = new cn.Generator(3);
    const t = cn.nn.init.normal(cn.zeros([100000]), g, 2, 0.5).toArray();
    const mean = t.reduce((s, x) => s + x, 0) / t.length;
    const sd = Math.sqrt(t.reduce((s, x) => s + (x - mean) ** 2, 0) / t.length);
    expect(Math.abs(mean - 2)).toBeLessThan(0.01);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.01);
    const tn = cn.nn.init.truncNormal(cn.zeros([20000]), g, 0, 1, -0.5, 1).toArray();
    expect(Math.min(...tn)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...tn)).toBeLessThanOrEqual(1);
    expect(Math.max(...tn)).toBeGreaterThan(0.95);
  });

  it('kaimingNormal(fanOut, relu) has std sqrt(2 / fan_out); skipInit leaves zeros', () => {
    const w = cn.nn.init.kaimingNormal(cn.zeros([64, 32, 3, 3]), new cn.Generator(1), { mode: 'fanOut', nonlinearity: 'relu' }).toArray();
    const sd = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    expect(Math.abs(sd / Math.sqrt(2 / (64 * 9)) - 1)).toBeLessThan(0.02);
    const conv = cn.nn.skipInit(() => new nn.Conv2d(3, 4, 3, { seed: 1 }));
    expect(conv.weight.toArray().every((v) => v === 0)).toBe(true);
  });
});

describe('nn layers: errors name the layer, the argument, what was expected and what came', () => {
  it.each([
    [() => new nn.Conv2d(3, 8, 3).forward(cn.zeros([1, 4, 8, 8])), 'Conv2d: input: expected [N, 3, H, W] (inChannels = 3), got shape [1, 4, 8, 8]'],
    [() => new nn.Conv2d(3, 8, 3).outputShape([1, 3, 2, 2]), /Conv2d: input: expected a map of at least the kernel's extent/],
    [() => new nn.Conv2d(3, 8, 3, { groups: 2 }), 'Conv2d: groups: expected a divisor of inChannels (3), got 2'],
    [() => new nn.Conv2d(3, 8, 3, { padding: 'full' as never }), /Conv2d: padding: expected an integer >= 0/],
    [() => new nn.Conv2d(3, 8, 3, { strid: 2 } as never), /Conv2d: options.strid: expected one of stride/],
    [() => new nn.Linear(4, 2).forward(cn.zeros([2, 5])), 'Linear: input: expected [..., 4] (inFeatures = 4), got shape [2, 5]'],
    [() => new nn.BatchNorm2d(4).forward(cn.zeros([1, 3, 2, 2])), 'BatchNorm2d: input: expected [N, 4, H, W] (numFeatures = 4), got shape [1, 3, 2, 2]'],
    [() => new nn.MaxPool2d(3, { padding: 2 }), 'MaxPool2d: padding: expected at most half the kernel size, got [2,2]'],
    [() => new nn.Dropout(1.5), 'Dropout: p: expected a number in [0, 1], got 1.5'],
    [() => new nn.AdaptiveAvgPool2d('7' as never), 'AdaptiveAvgPool2d: outputSize: expected an integer >= 1 or [oh, ow], got "7"'],
  ] as const)('%#', (fn, message) => {
    expect(fn).toThrow(message);
  });
});
