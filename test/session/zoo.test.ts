// Every zoo family compiled by InferenceSession gives its eager forward within 1e-4 of max|out|
// (batch norm folded, ReLUs fused, buffers reused). VGG is left out only for its build time
// (102M classifier weights to draw); its layers are the ones ResNet and AlexNet already cover.
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';

/** Non-trivial batch-norm statistics and affine terms, so folding is really exercised. */
function perturbBatchNorms(model: cn.nn.Module, seed: number): void {
  const gen = new cn.Generator(seed);
  for (const [name, t] of model.namedBuffers()) {
    if (name.endsWith('running_mean')) t.data.forEach((_, i) => (t.data[i] = (gen.uniform() - 0.5) * 0.2));
    if (name.endsWith('running_var')) t.data.forEach((_, i) => (t.data[i] = 0.5 + gen.uniform()));
  }
  for (const [, m] of model.namedModules()) {
    if (!(m instanceof cn.nn.BatchNorm2d)) continue;
    for (const [, t] of m.namedParameters()) t.data.forEach((_, i) => (t.data[i] = 0.5 + gen.uniform()));
  }
}

const cases: [string, () => cn.nn.Module, number[]][] = [
  ['lenet5', () => cn.models.lenet5({ seed: 1 }), [2, 1, 32, 32]],
  ['alexnet-original', () => cn.models.alexnet({ variant: 'original', seed: 2, numClasses: 10 }), [1, 3, 227, 227]],
  ['resnet18', () => cn.models.resnet18({ seed: 4, numClasses: 10 }), [2, 3, 64, 64]],
  ['resnet50', () => cn.models.resnet50({ seed: 5, numClasses: 10 }), [1, 3, 64, 64]],
  ['googlenet', () => cn.models.googlenet({ seed: 6, numClasses: 10 }), [1, 3, 64, 64]],
  ['mobilenetV2', () => cn.models.mobilenetV2({ seed: 7, numClasses: 10 }), [1, 3, 64, 64]],
  ['squeezenet1_1', () => cn.models.squeezenet1_1({ seed: 8, numClasses: 10 }), [1, 3, 64, 64]],
];

describe('InferenceSession on the zoo', () => {
  for (const [name, build, shape] of cases) {
    it(`${name} ${JSON.stringify(shape)}: plan == eager within 1e-4 x max|out|`, async () => {
      const threads = cn.getNumThreads();
      cn.setNumThreads(1);
      try {
        const model = build();
        perturbBatchNorms(model, 11);
        model.eval();
        const x = cn.randn(shape, { seed: 12 });
        const eager = cn.noGrad(() => model.forward(x));
        const session = await cn.InferenceSession.create(model, { inputShape: shape });
        const planned = await session.run(x);
        expect(planned.shape).toEqual(eager.shape);
        let maxAbs = 0;
        let maxDiff = 0;
        for (let i = 0; i < eager.size; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(eager.data[i]));
          maxDiff = Math.max(maxDiff, Math.abs(eager.data[i] - planned.data[i]));
        }
        expect(maxAbs).toBeGreaterThan(0);
        expect(maxDiff, `${name}: max diff ${maxDiff}, max |out| ${maxAbs}`).toBeLessThanOrEqual(1e-4 * maxAbs);
      } finally {
        cn.setNumThreads(threads);
      }
    });
  }
});
