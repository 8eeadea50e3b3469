/** Loads the PyTorch-made fixtures under test/fixtures/optim (see scripts/make-optim-fixtures.py). */
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = path.resolve(import.meta.dirname, '..', 'fixtures', 'optim');

export interface OptimizerCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  defaults: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  shapes: number[][];
  initial: number[][];
  grads: (number[] | null)[][];
  after: number[][][];
  state: Record<string, Record<string, number | number[]>>;
}

export interface SchedulerCase {
  name: string;
  kind: 'StepLR' | 'CosineAnnealingLR' | 'ReduceLROnPlateau';
  options: Record<string, unknown>;
  initialLrs: number[];
  metrics: number[] | null;
  lrs: number[][];
}

export function loadCases<T>(file: string): T[] {
  return (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { cases: T[] }).cases;
}

/** |a - e| <= tol * max(1, |e|) for every element; the message names the case and the index. */
export function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, where: string, tol = 1e-6): void {
  if (actual.length !== expected.length) throw new Error(`${where}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const bound = tol * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
      throw new Error(`${where}: index ${i}: got ${actual[i]}, expected ${expected[i]} (bound ${bound})`);
    }
  }
}
