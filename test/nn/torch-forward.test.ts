/**
 * Semantics carry over from PyTorch: load torch's state dict (by torch's names) into the
 * convnode module and compare the eval-mode outputs (fixtures from scripts/make-zoo-fixtures.py,
 * BN running statistics randomized there so that eval BN really runs).
 */
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { forwardFixture, maxAbsDiff } from '../helpers/zoo-fixtures.js';

const { nn, models } = cn;

const cases: [string, () => cn.nn.Module][] = [
  ['lenet5', () => models.lenet5()],
  ['resnet_basic_block', () => new models.BasicBlock(8, 16, 2, new nn.Sequential(new nn.Conv2d(8, 16, 1, { stride: 2, bias: false }), new nn.BatchNorm2d(16)))],
  ['resnet_bottleneck', () => new models.Bottleneck(16, 8, 1, new nn.Sequential(new nn.Conv2d(16, 32, 1, { bias: false }), new nn.BatchNorm2d(32)))],
  ['googlenet_inception', () => new models.Inception(12, 4, 6, 8, 2, 4, 4)],
  ['mobilenet_inverted_residual', () => new models.InvertedResidual(8, 8, 1, 6)],
  ['squeezenet_fire', () => new models.Fire(8, 4, 6, 6)],
];

describe('torch weights load by name and give torch outputs (within 1e-4)', () => {
  it.each(cases)('%s', (name, build) => {
    const fx = forwardFixture(name);
    const module = build();
    expect(Object.keys(module.stateDict())).toEqual(Object.keys(fx.stateDict));
    module.loadStateDict(fx.stateDict);
    module.eval();
    const y = module.forward(fx.input);
    expect(y.shape).toEqual(fx.output.shape);
    expect(maxAbsDiff(y, fx.output)).toBeLessThan(1e-4);
    // The fixture is not trivial: outputs vary, and another weight set would not pass.
    expect(Math.max(...fx.output.toArray().map(Math.abs))).toBeGreaterThan(0.01);
  });

  it('fails the comparison with the default (unloaded) weights: the check can fail', () => {
    const fx = forwardFixture('lenet5');
    const y = models.lenet5({ seed: 3 }).eval().forward(fx.input);
    expect(maxAbsDiff(y, fx.output)).toBeGreaterThan(1e-3);
  });
});
