/** torchvision's initialization schemes, checked by their statistics; seeds make builds reproducible. */
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';

const m = cn.models;

/** Mean, std, min, max of the first 2M elements (plenty for these checks, fast on 100M). */
function stats(t: cn.Tensor): { mean: number; std: number; min: number; max: number } {
  const d = t.data.subarray(0, 2_000_000);
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    s += d[i];
    if (d[i] < min) min = d[i];
    if (d[i] > max) max = d[i];
  }
  const mean = s / d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / d.length), min, max };
}

const param = (model: cn.nn.Module, name: string): cn.Tensor => {
  const found = model.namedParameters().find(([k]) => k === name);
  if (!found) throw new Error(`no parameter ${name}`);
  return found[1];
};

const near = (got: number, want: number, rel = 0.05): void => {
  expect(Math.abs(got / want - 1), `${got} vs ${want}`).toBeLessThan(rel);
};

describe('torchvision initialization schemes', () => {
  it('ResNet: convs He-normal over fan_out, BN weight 1 / bias 0, fc PyTorch default', () => {
    const net = m.resnet18();
    near(stats(param(net, 'layer3.0.conv1.weight')).std, Math.sqrt(2 / (256 * 9)));
    near(stats(param(net, 'conv1.weight')).std, Math.sqrt(2 / (64 * 49)));
    expect(param(net, 'layer1.0.bn1.weight').toArray().every((v) => v === 1)).toBe(true);
    expect(param(net, 'layer1.0.bn1.bias').toArray().every((v) => v === 0)).toBe(true);
    const fc = stats(param(net, 'fc.weight'));
    expect(fc.max).toBeLessThanOrEqual(1 / Math.sqrt(512));
    near(fc.max, 1 / Math.sqrt(512));
  });

  it('VGG: convs He-normal (fan_out), zero conv bias, linear N(0, 0.01) with zero bias', () => {
    const net = m.vgg11({ numClasses: 10 });
    near(stats(param(net, 'features.3.weight')).std, Math.sqrt(2 / (128 * 9)));
    expect(param(net, 'features.0.bias').toArray().every((v) => v === 0)).toBe(true);
    near(stats(param(net, 'classifier.0.weight')).std, 0.01, 0.01);
    expect(Math.abs(stats(param(net, 'classifier.0.weight')).mean)).toBeLessThan(1e-4);
    expect(param(net, 'classifier.6.bias').toArray().every((v) => v === 0)).toBe(true);
  });

  it('GoogLeNet: conv and fc weights N(0, 0.01) truncated to [-2, 2]; fc bias default', () => {
    const net = m.googlenet();
    near(stats(param(net, 'inception4a.branch2.1.conv.weight')).std, 0.01, 0.02);
    near(stats(param(net, 'fc.weight')).std, 0.01, 0.02);
    const bias = stats(param(net, 'fc.bias'));
    expect(bias.max).toBeLessThanOrEqual(1 / Math.sqrt(1024));
    expect(bias.max).toBeGreaterThan(0.8 / Math.sqrt(1024));
    expect(param(net, 'conv1.bn.weight').toArray().every((v) => v === 1)).toBe(true);
  });

  it('MobileNetV2: convs He-normal (fan_out; depthwise fan_out = C x 9), linear N(0, 0.01)', () => {
    const net = m.mobilenetV2();
    near(stats(param(net, 'features.17.conv.0.0.weight')).std, Math.sqrt(2 / 960));
    near(stats(param(net, 'features.17.conv.1.0.weight')).std, Math.sqrt(2 / (960 * 9)));
    near(stats(param(net, 'classifier.1.weight')).std, 0.01, 0.02);
    expect(param(net, 'classifier.1.bias').toArray().every((v) => v === 0)).toBe(true);
  });

  it('SqueezeNet: final conv N(0, 0.01), other convs He-uniform (fan_in), all biases 0', () => {
    const net = m.squeezenet1_1();
    near(stats(param(net, 'classifier.1.weight')).std, 0.01, 0.05);
    const sq = stats(param(net, 'features.12.expand3x3.weight'));
    const bound = Math.sqrt(6 / (64 * 9));
    expect(sq.max).toBeLessThanOrEqual(bound);
    near(sq.max, bound);
    expect(param(net, 'features.3.squeeze.bias').toArray().every((v) => v === 0)).toBe(true);
  });

  it('the same seed builds the same weights; another seed, others', () => {
    const a = param(m.resnet18({ seed: 5, numClasses: 10 }), 'layer1.0.conv1.weight').toArray();
    expect(param(m.resnet18({ seed: 5, numClasses: 10 }), 'layer1.0.conv1.weight').toArray()).toEqual(a);
    expect(param(m.resnet18({ seed: 6, numClasses: 10 }), 'layer1.0.conv1.weight').toArray()).not.toEqual(a);
  });
});

describe('model options and input errors', () => {
  it('numClasses and inChannels shape the first and last layers', () => {
    const net = cn.nn.skipInit(() => m.resnet18({ numClasses: 7, inChannels: 1 }));
    expect(param(net, 'conv1.weight').shape).toEqual([64, 1, 7, 7]);
    expect(param(net, 'fc.weight').shape).toEqual([7, 512]);
    expect(net.outputShape([2, 1, 64, 64])).toEqual([2, 7]);
    expect(cn.nn.skipInit(() => m.lenet5({ inChannels: 3 })).outputShape([1, 3, 32, 32])).toEqual([1, 10]);
  });

  it.each([
    [() => m.resnet18().forward(cn.zeros([1, 1, 32, 32])), 'resnet18: input: expected [N, 3, H, W] (inChannels = 3), got shape [1, 1, 32, 32]'],
    [() => m.lenet5().forward(cn.zeros([1, 1, 28, 28])), 'lenet5: input: expected [N, 1, 32, 32] (inChannels = 1), got shape [1, 1, 28, 28]'],
    [() => m.squeezenet1_1().forward(cn.zeros([3, 64, 64])), 'squeezenet1_1: input: expected [N, 3, H, W] (inChannels = 3, H and W >= 17), got shape [3, 64, 64]'],
    [() => m.alexnet({ variant: 'original' }).forward(cn.zeros([1, 3, 64, 64])), 'alexnet: input: expected [N, 3, H, W] (inChannels = 3, H and W >= 67), got shape [1, 3, 64, 64]'],
    [() => cn.nn.skipInit(() => m.vgg16({ batchNorm: true })).outputShape([1, 3, 16, 16]), 'vgg16_bn: input: expected [N, 3, H, W] (inChannels = 3, H and W >= 32), got shape [1, 3, 16, 16]'],
    [() => m.googlenet().forward('x' as never), 'googlenet: input: expected a Tensor, got "x"'],
    [() => m.alexnet({ variant: 'paper' as never }), `alexnet: options.variant: expected 'torchvision' or 'original', got "paper"`],
    [() => m.mobilenetV2({ numClasses: 0 }), 'mobilenetV2: options.numClasses: expected an integer >= 1, got 0'],
    [() => m.resnet50({ classes: 10 } as never), /resnet50: options.classes: expected one of numClasses, inChannels, seed/],
    [() => m.lenet5({ inputSize: 30 as never }), 'lenet5: options.inputSize: expected 32 or 28, got 30'],
    [() => m.vgg11({ dropout: 2 }), 'vgg11: options.dropout: expected a number in [0, 1], got 2'],
  ] as const)('%#', (fn, message) => {
    expect(fn).toThrow(message);
  });
});
