/** Shared test helpers: seeded random tensors and a closeness check that prints the case. */
import { expect } from 'vitest';
import { Generator, Tensor, tensor } from '../lib/index.js';

export function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  const gen = new Generator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (gen.uniform() * 2 - 1) * scale;
  return tensor(data, shape);
}

/**
 * Asserts same shape and |a - e| <= tol * (1 + max|e|) elementwise; on failure the message
 * carries the whole configuration and the first mismatch.
 */
export function expectClose(actual: Tensor, expected: Tensor, config: unknown, tol = 1e-5): void {
  const where = JSON.stringify(config);
  expect(actual.shape, `shape mismatch for ${where}`).toEqual(expected.shape);
  let maxAbs = 0;
  for (const v of expected.data) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  const bound = tol * (1 + maxAbs);
  const a = actual.data;
  const e = expected.data;
  for (let i = 0; i < e.length; i++) {
    const bothNaN = Number.isNaN(a[i]) && Number.isNaN(e[i]);
    const same = a[i] === e[i];
    if (!bothNaN && !same && !(Math.abs(a[i] - e[i]) <= bound)) {
      throw new Error(`mismatch at flat index ${i}: got ${a[i]}, expected ${e[i]} (bound ${bound}) for ${where}`);
    }
  }
}

/** Runs `fn` and returns the error it throws (fails the test when nothing is thrown). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, none was thrown');
}
