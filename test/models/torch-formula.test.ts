/**
 * Whole torchvision models, end to end: every state-dict entry of both the torch model and the
 * convnode model is filled from the same closed formula (by key order, which zoo.test.ts checks
 * is torchvision's), so the fixture holds only torch's output (scripts/make-zoo-fixtures.py,
 * formula_values). Matching outputs prove the wiring (residual joins, concat order, ceil-mode
 * pools, functional ReLUs, flatten) and not just the parameter names.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';

// One OpenMP thread per vitest worker (two run at once on a 2-core machine).
cn.setNumThreads(1);

const m = cn.models;

/**
 * The script's formula_values: entry i of the k-th state-dict tensor from
 * u = ((7919 i + 104729 k) mod 2003)/1001 - 1 (exact integers, so the same doubles as torch's).
 */
function fillByFormula(model: cn.nn.Module): void {
  Object.entries(model.stateDict()).forEach(([name, t], k) => {
    const d = t.data;
    const fanIn = t.shape.slice(1).reduce((a, b) => a * b, 1);
    const [mul, add] = name.endsWith('num_batches_tracked') ? [0, 0]
      : name.endsWith('running_mean') ? [0.1, 0]
      : name.endsWith('running_var') ? [0.25, 0.75]
      : name.endsWith('bias') ? [0.1, 0]
      : t.ndim === 1 ? [0.2, 1]
      : [Math.sqrt(3 / fanIn), 0];
    for (let i = 0; i < d.length; i++) d[i] = add + mul * (((i * 7919 + k * 104729) % 2003) / 1001 - 1);
  });
}

/** The script's formula_input. */
function formulaInput(shape: number[]): cn.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return cn.tensor(Float32Array.from({ length: size }, (_, i) => ((i * 3571) % 1999) / 999 - 1), shape);
}

const cases: [string, () => cn.nn.Module][] = [
  ['resnet18', () => m.resnet18()],
  ['resnet50', () => m.resnet50({ numClasses: 10 })],
  ['googlenet', () => m.googlenet({ numClasses: 10 })],
  ['mobilenet_v2', () => m.mobilenetV2({ numClasses: 10 })],
  ['squeezenet1_1', () => m.squeezenet1_1({ numClasses: 10 })],
  ['alexnet_original', () => m.alexnet({ variant: 'original' })],
];

describe('whole models with formula weights give torchvision\'s outputs', () => {
  it.each(cases)('%s', (name, build) => {
    const fx = JSON.parse(readFileSync(new URL(`../fixtures/zoo/formula/${name}.json`, import.meta.url), 'utf8')) as {
      inputShape: number[];
      outputShape: number[];
      output: number[];
    };
    const model = cn.nn.skipInit(build);
    fillByFormula(model);
    model.eval();
    const y = model.forward(formulaInput(fx.inputShape));
    expect(y.shape).toEqual(fx.outputShape);
    const scale = Math.max(...fx.output.map(Math.abs));
    let worst = 0;
    let at = -1;
    fx.output.forEach((v, i) => {
      const d = Math.abs(y.data[i] - v);
      if (d > worst) [worst, at] = [d, i];
    });
    expect(worst / scale, `${name}: worst |convnode - torch| = ${worst} at output ${at} (torch ${fx.output[at]}, scale ${scale})`)
      .toBeLessThan(1e-4);
    // Not a constant output: the formula input really reaches the logits.
    expect(Math.max(...fx.output) - Math.min(...fx.output)).toBeGreaterThan(1e-3 * scale);
  });
});
