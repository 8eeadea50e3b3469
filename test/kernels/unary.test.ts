/** Vectorized activations (call-free exp for sigmoid/tanh) against Math, incl. extremes and NaN. */
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';

const special = [0, -0, 1e-30, -1e-30, 1e-8, -1e-8, 0.01, -0.039, 0.04, 0.0401, 0.5, -0.5, 1, -1, 3, -3, 8.9, 9.1, -15, 15, 30, -30, 87, -87, 88, -88.5, 100, -100, 1e30, -1e30, Infinity, -Infinity, NaN];

function inputs(): Float32Array {
  const xs = new Float32Array(200_000 + special.length);
  xs.set(special);
  for (let i = special.length; i < xs.length; i++) xs[i] = (i / xs.length - 0.5) * 60; // -30..30, all lanes and tails
  return xs;
}

describe(`activations (isa=${native.CpuInfo().isa}; other ISAs: isa-env.test.ts)`, () => {
  const x = inputs();
  it.each([
    ['sigmoid', (d: Float32Array) => native.Sigmoid(d), (v: number) => 1 / (1 + Math.exp(-v))],
    ['tanh', (d: Float32Array) => native.Tanh(d), Math.tanh],
    ['relu', (d: Float32Array) => native.Relu(d), (v: number) => (Number.isNaN(v) ? v : Math.max(0, v))],
    ['relu6', (d: Float32Array) => native.Relu6(d), (v: number) => (Number.isNaN(v) ? v : Math.min(6, Math.max(0, v)))],
    ['leakyRelu', (d: Float32Array) => native.LeakyRelu(d, 0.1), (v: number) => (v > 0 ? v : v * 0.1)],
  ] as const)('%s: abs error <= 1e-6 and relative <= 1e-5 (|y| > 1e-30), NaN kept', (name, f, ref) => {
    const y = f(x);
    for (let i = 0; i < x.length; i++) {
      const want = ref(x[i]);
      if (Number.isNaN(want)) {
        expect(Number.isNaN(y[i]), `${name}(${x[i]})`).toBe(true);
        continue;
      }
      if (y[i] === Math.fround(want)) continue;
      const err = Math.abs(y[i] - want);
      const ok = err <= 1e-6 && (Math.abs(want) < 1e-30 || err <= 1e-5 * Math.abs(want) || err <= 1e-37);
      if (!ok) throw new Error(`${name}(${x[i]}) = ${y[i]}, want ${want} (i=${i})`);
    }
  });
});

describe('softmax rows (vectorized when the softmax axis is contiguous)', () => {
  it.each([1, 7, 16, 33, 1000])('softmax / logSoftmax over %i classes match the reference', async (c) => {
    const cn = await import('../../lib/index.js');
    const x = cn.randn([5, c], { seed: c });
    x.data[0] = -Infinity;
    if (c > 3) x.data[c + 2] = 40; // a dominant logit
    for (const log of [false, true]) {
      const got = log ? cn.logSoftmax(x, 1) : cn.softmax(x, 1);
      const want = cn.reference.softmax(x, 1, log);
      for (let i = 0; i < want.data.length; i++) {
        const w = want.data[i], g = got.data[i];
        if (w === g || (Number.isNaN(w) && Number.isNaN(g))) continue;
        if (!(Math.abs(g - w) <= 2e-6 * Math.max(1, Math.abs(w)))) {
          throw new Error(`${log ? 'logSoftmax' : 'softmax'} c=${c} i=${i}: got ${g}, want ${w}`);
        }
      }
    }
    const allNegInf = cn.tensor(new Float32Array(c).fill(-Infinity), [1, c]);
    const want = cn.reference.softmax(allNegInf, 1, false).data;
    expect(Array.from(cn.softmax(allNegInf, 1).data).map(Number.isNaN)).toEqual(Array.from(want).map(Number.isNaN));
  });
});
