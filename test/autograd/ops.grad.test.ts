// Every differentiable op: backward() against central finite differences of lib/reference.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { distinctTensor, gradCheck, gridTensor } from './gradcheck.js';

const ref = cn.reference;

describe('conv2d gradients (input, weight, bias)', () => {
  it('match finite differences for random stride / padding / dilation / groups', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 2 }), cinG: fc.integer({ min: 1, max: 2 }), coutG: fc.integer({ min: 1, max: 2 }),
          k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), p: fc.nat(1), h: fc.integer({ min: 3, max: 7 }), seed: fc.nat(),
        }).filter((c) => cn.convOutputSize(c.h, c.k, c.s, c.p, c.p, c.d) >= 1),
        (c) => {
          const params = { stride: [c.s, c.s] as [number, number], padding: [c.p, c.p, c.p, c.p] as [number, number, number, number], dilation: [c.d, c.d] as [number, number], groups: c.groups };
          gradCheck({
            config: c,
            inputs: [gridTensor([c.n, c.groups * c.cinG, c.h, c.h + 1], c.seed), gridTensor([c.groups * c.coutG, c.cinG, c.k, c.k], c.seed + 1), gridTensor([c.groups * c.coutG], c.seed + 2)],
            run: (x, w, b) => cn.conv2d(x, w, b, { stride: c.s, padding: c.p, dilation: c.d, groups: c.groups }),
            reference: (x, w, b) => ref.conv2d(x, w, b, params),
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('pooling gradients', () => {
  it('maxPool2d (padding, ceil mode)', () => {
    for (const [k, s, p, ceil] of [[2, 2, 0, false], [3, 2, 1, false], [3, 2, 1, true], [2, 1, 0, false]] as const) {
      const pp = { kernel: [k, k] as [number, number], stride: [s, s] as [number, number], padding: [p, p] as [number, number], dilation: [1, 1] as [number, number], ceilMode: ceil };
      gradCheck({
        config: { k, s, p, ceil },
        inputs: [distinctTensor([2, 2, 7, 6], k * 10 + s)],
        run: (x) => cn.maxPool2d(x, { kernelSize: k, stride: s, padding: p, ceilMode: ceil }),
        reference: (x) => ref.maxPool2d(x, pp),
      });
    }
  });

  it('avgPool2d (countIncludePad both ways, ceil mode)', () => {
    for (const [k, s, p, ceil, cip] of [[2, 2, 0, false, true], [3, 2, 1, true, true], [3, 2, 1, false, false], [3, 3, 1, true, false]] as const) {
      gradCheck({
        config: { k, s, p, ceil, cip },
        inputs: [gridTensor([1, 2, 7, 8], k + s)],
        run: (x) => cn.avgPool2d(x, { kernelSize: k, stride: s, padding: p, ceilMode: ceil, countIncludePad: cip }),
        reference: (x) => ref.avgPool2d(x, { kernel: [k, k], stride: [s, s], padding: [p, p], ceilMode: ceil, countIncludePad: cip }),
      });
    }
  });

  it('lpPool2d (p = 2 and 3, positive inputs)', () => {
    for (const p of [2, 3]) {
      gradCheck({
        config: { p },
        inputs: [gridTensor([1, 2, 6, 6], p, { positive: true, minAbs: 0.1 })],
        run: (x) => cn.lpPool2d(x, { p, kernelSize: 2, stride: 2 }),
        reference: (x) => ref.lpPool2d(x, { p, kernel: [2, 2], stride: [2, 2], ceilMode: false }),
      });
    }
  });

  it('adaptive and global pooling', () => {
    const x = () => gridTensor([2, 2, 7, 5], 3);
    gradCheck({ config: 'adaptiveAvg', inputs: [x()], run: (t) => cn.adaptiveAvgPool2d(t, [3, 2]), reference: (t) => ref.adaptiveAvgPool2d(t, 3, 2) });
    gradCheck({ config: 'adaptiveMax', inputs: [distinctTensor([2, 2, 7, 5], 4)], run: (t) => cn.adaptiveMaxPool2d(t, [3, 2]), reference: (t) => ref.adaptiveMaxPool2d(t, 3, 2) });
    gradCheck({ config: 'globalAvg', inputs: [x()], run: (t) => cn.globalAvgPool2d(t), reference: (t) => ref.globalAvgPool2d(t) });
    gradCheck({ config: 'globalMax', inputs: [distinctTensor([2, 3, 4, 4], 5)], run: (t) => cn.globalMaxPool2d(t), reference: (t) => ref.globalMaxPool2d(t) });
  });
});

describe('linear / matmul gradients', () => {
  it('linear (x, weight, bias) over leading dims', () => {
    gradCheck({
      config: 'linear',
      inputs: [gridTensor([2, 3, 5], 1), gridTensor([4, 5], 2), gridTensor([4], 3)],
      run: (x, w, b) => cn.linear(x, w, b),
      reference: (x, w, b) => ref.linear(x, w, b),
    });
  });

  it('matmul 2-D, batched, and with a broadcast batch', () => {
    for (const [sa, sb] of [[[3, 4], [4, 2]], [[2, 3, 4], [2, 4, 5]], [[1, 3, 4], [3, 4, 2]], [[2, 3, 4], [4, 2]]] as const) {
      gradCheck({
        config: { sa, sb },
        inputs: [gridTensor([...sa], 7), gridTensor([...sb], 8)],
        run: (a, b) => cn.matmul(a, b),
        reference: (a, b) => (b.ndim === 2 && a.ndim === 3 ? ref.matmul(a, b.reshape(1, ...b.shape)) : ref.matmul(a, b)),
      });
    }
  });
});

describe('activation, softmax and normalization gradients', () => {
  const cases: [string, (x: cn.Tensor) => cn.Tensor, (x: cn.Tensor) => cn.Tensor][] = [
    ['relu', cn.relu, ref.relu],
    ['relu6', cn.relu6, ref.relu6],
    ['leakyRelu', (x) => cn.leakyRelu(x, 0.1), (x) => ref.leakyRelu(x, 0.1)],
    ['sigmoid', cn.sigmoid, ref.sigmoid],
    ['tanh', cn.tanh, ref.tanh],
    ['softmax(1)', (x) => cn.softmax(x, 1), (x) => ref.softmax(x, 1)],
    ['logSoftmax(-1)', (x) => cn.logSoftmax(x, -1), (x) => ref.logSoftmax(x, -1)],
    ['lrn', (x) => cn.lrn(x, { size: 3, alpha: 0.5, beta: 0.75, k: 1 }), (x) => ref.lrn(x, { size: 3, alpha: 0.5, beta: 0.75, k: 1 })],
  ];
  for (const [name, run, reference] of cases) {
    it(name, () => {
      // Values kept away from relu/relu6 kinks (0 and 6) by scaling in [-8, 8] with |x| >= 2 eps.
      gradCheck({ config: name, inputs: [gridTensor([2, 5, 3, 2], 11, { scale: 3, minAbs: 1 / 32 })], run, reference });
    });
  }

  it('batchNorm2d in training mode (batch statistics) and at eval', () => {
    const stats = { mean: cn.tensor([0.1, -0.2, 0.3]), variance: cn.tensor([0.5, 1.5, 2]) };
    gradCheck({
      config: 'batchNorm2d training',
      inputs: [gridTensor([3, 3, 2, 2], 21), gridTensor([3], 22), gridTensor([3], 23)],
      run: (x, g, b) => cn.batchNorm2d(x, null, null, g, b, { training: true, eps: 1e-3 }),
      reference: (x, g, b) => {
        // Batch statistics computed naively, then the reference (inference) formula.
        const [n, c, h, w] = x.shape;
        const mean = new Float32Array(c);
        const variance = new Float32Array(c);
        for (let ch = 0; ch < c; ch++) {
          const vals: number[] = [];
          for (let i = 0; i < n; i++) for (let j = 0; j < h * w; j++) vals.push(x.data[(i * c + ch) * h * w + j]);
          const m = vals.reduce((a, v) => a + v, 0) / vals.length;
          mean[ch] = m;
          variance[ch] = vals.reduce((a, v) => a + (v - m) ** 2, 0) / vals.length;
        }
        return ref.batchNorm2d(x, cn.tensor(mean), cn.tensor(variance), g, b, 1e-3);
      },
    });
    gradCheck({
      config: 'batchNorm2d eval',
      inputs: [gridTensor([2, 3, 2, 2], 24), gridTensor([3], 25), gridTensor([3], 26)],
      run: (x, g, b) => cn.batchNorm2d(x, stats.mean, stats.variance, g, b, { eps: 1e-3 }),
      reference: (x, g, b) => ref.batchNorm2d(x, stats.mean, stats.variance, g, b, 1e-3),
    });
  });
});

describe('arithmetic, shape and loss gradients', () => {
  it('add / sub / mul / div with broadcasting (residual, per-channel, scalar)', () => {
    const shapes: [number[], number[]][] = [[[2, 3, 2, 2], [2, 3, 2, 2]], [[2, 3, 2, 2], [3, 1, 1]], [[2, 3], [1]], [[3, 1], [1, 4]]];
    const ops: [string, (a: cn.Tensor, b: cn.Tensor) => cn.Tensor, (a: cn.Tensor, b: cn.Tensor) => cn.Tensor][] = [
      ['add', cn.add, ref.add], ['sub', cn.sub, ref.sub], ['mul', cn.mul, ref.mul], ['div', cn.div, ref.div],
    ];
    for (const [sa, sb] of shapes) {
      for (const [name, run, reference] of ops) {
        gradCheck({ config: { name, sa, sb }, inputs: [gridTensor(sa, 31), gridTensor(sb, 32, { positive: true, minAbs: 0.5 })], run, reference });
      }
    }
  });

  it('concat, flatten and reshape', () => {
    gradCheck({
      config: 'concat',
      inputs: [gridTensor([2, 1, 3], 41), gridTensor([2, 2, 3], 42), gridTensor([2, 3, 3], 43)],
      run: (a, b, c) => cn.concat([a, b, c], 1),
      reference: (a, b, c) => ref.concat([a, b, c], 1),
    });
    gradCheck({
      config: 'flatten + reshape',
      inputs: [gridTensor([2, 3, 2], 44)],
      run: (x) => cn.mul(cn.flatten(x, 1), cn.tensor([1, 2, 3, 4, 5, 6])).reshape(3, 4),
      reference: (x) => ref.mul(ref.flatten(x, 1), cn.tensor([1, 2, 3, 4, 5, 6])).reshape(3, 4),
    });
  });

  it('dropout routes the gradient through its mask', () => {
    const x = gridTensor([100], 51);
    x.requiresGrad = true;
    const y = cn.dropout(x, { p: 0.5, training: true, seed: 3 });
    y.backward(cn.ones([100]));
    for (let i = 0; i < 100; i++) {
      const expected = y.data[i] === 0 && x.data[i] !== 0 ? 0 : 2;
      if (x.data[i] !== 0 && x.grad!.data[i] !== expected) throw new Error(`element ${i}: grad ${x.grad!.data[i]} vs ${expected}`);
    }
  });

  it('crossEntropy (mean, sum, none, label smoothing, ignoreIndex) and mseLoss', () => {
    const labels = new Int32Array([2, 0, 4, 1]);
    const refCe = (smoothing: number, ignore = -100, reduction: 'mean' | 'sum' = 'mean') => (z: cn.Tensor): cn.Tensor => {
      const lp = ref.logSoftmax(z, 1);
      const [n, c] = z.shape;
      let total = 0;
      let counted = 0;
      for (let i = 0; i < n; i++) {
        if (labels[i] === ignore) continue;
        counted++;
        for (let j = 0; j < c; j++) total -= ((j === labels[i] ? 1 - smoothing : 0) + smoothing / c) * lp.data[i * c + j];
      }
      return cn.tensor([reduction === 'mean' ? total / counted : total], []);
    };
    for (const [smoothing, ignore, reduction] of [[0, -100, 'mean'], [0.1, -100, 'mean'], [0, 4, 'sum'], [0.2, 0, 'mean']] as const) {
      gradCheck({
        config: { smoothing, ignore, reduction },
        inputs: [gridTensor([4, 5], 61, { scale: 3 })],
        run: (z) => cn.crossEntropy(z, labels, { labelSmoothing: smoothing, ignoreIndex: ignore, reduction }),
        reference: refCe(smoothing, ignore, reduction),
      });
    }
    gradCheck({
      config: 'mseLoss',
      inputs: [gridTensor([3, 4], 62), gridTensor([3, 4], 63)],
      run: (a, b) => cn.mseLoss(a, b),
      reference: (a, b) => {
        const d = ref.sub(a, b);
        return cn.tensor([d.data.reduce((s, v) => s + v * v, 0) / d.size], []);
      },
    });
  });
});
