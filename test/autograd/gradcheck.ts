/**
 * Gradient checking: the analytic gradient from backward() against central finite differences
 * of the naive reference op. The loss is L = sum(out * r) with a fixed random r, accumulated in
 * float64. Inputs are multiples of 2^-10 and eps is 2^-7, so x +- eps is exact in float32.
 */
import { expect } from 'vitest';
import { Generator, Tensor, tensor } from '../../lib/index.js';

export const EPS = 2 ** -7;

/** Random values on a 2^-10 grid in [-scale, scale], optionally kept away from zero / positive. */
export function gridTensor(shape: number[], seed: number, opts: { scale?: number; minAbs?: number; positive?: boolean } = {}): Tensor {
  const gen = new Generator(seed);
  const scale = opts.scale ?? 1;
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let v: number;
    do {
      v = Math.round((gen.uniform() * 2 - 1) * scale * 1024) / 1024;
      if (opts.positive) v = Math.abs(v) + (opts.minAbs ?? 0);
    } while (opts.minAbs !== undefined && Math.abs(v) < opts.minAbs);
    data[i] = v;
  }
  return tensor(data, shape);
}

/** Distinct values spaced 4*eps apart (max pooling needs a unique, stable maximum). */
export function distinctTensor(shape: number[], seed: number): Tensor {
  const gen = new Generator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => (i - size / 2) * 4 * EPS);
  for (let i = size - 1; i > 0; i--) {
    const j = gen.integer(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return tensor(Float32Array.from(values), shape);
}

function weightedSum(out: Tensor, r: Float32Array): number {
  let s = 0;
  for (let i = 0; i < out.size; i++) s += out.data[i] * r[i];
  return s;
}

export interface GradCheckCase {
  config: unknown;
  /** Inputs to differentiate (requiresGrad is set here). */
  inputs: Tensor[];
  /** The op under test (native path, records the graph). */
  run: (...inputs: Tensor[]) => Tensor;
  /** The naive reference computing the same function. */
  reference: (...inputs: Tensor[]) => Tensor;
  /** Check at most this many elements per input (all by default). */
  maxElements?: number;
  tol?: number;
}

export function gradCheck(c: GradCheckCase): void {
  const tol = c.tol ?? 2e-3;
  for (const t of c.inputs) {
    t.requiresGrad = true;
    t.grad = null;
  }
  const out = c.run(...c.inputs);
  const gen = new Generator(12345);
  const r = new Float32Array(out.size).map(() => Math.round((gen.uniform() * 2 - 1) * 256) / 256);
  out.backward(tensor(r, [...out.shape]));
  c.inputs.forEach((input, which) => {
    const analytic = input.grad;
    expect(analytic, `no gradient for input ${which} of ${JSON.stringify(c.config)}`).not.toBeNull();
    const count = Math.min(input.size, c.maxElements ?? input.size);
    const stride = Math.max(1, Math.floor(input.size / count));
    for (let i = 0; i < input.size; i += stride) {
      const saved = input.data[i];
      input.data[i] = saved + EPS;
      const plus = weightedSum(c.reference(...c.inputs), r);
      input.data[i] = saved - EPS;
      const minus = weightedSum(c.reference(...c.inputs), r);
      input.data[i] = saved;
      const numeric = (plus - minus) / (2 * EPS);
      const got = analytic!.data[i];
      if (!(Math.abs(got - numeric) <= tol * (1 + Math.abs(numeric)))) {
        throw new Error(`gradient mismatch: input ${which}, element ${i}: analytic ${got}, numeric ${numeric} for ${JSON.stringify(c.config)}`);
      }
    }
  });
}
