import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';

const vgg16 = cn.nn.skipInit(() => cn.models.vgg16());

/**
 * The lecture's VGG-16 table (CS231n), by hand: [output C, H (= W), params] of each conv/pool
 * layer in order. Params = 3*3*Cin*Cout + Cout for a conv.
 */
const LECTURE_VGG16: [string, number, number, number][] = [
  ['CONV3-64', 64, 224, 1_792], ['CONV3-64', 64, 224, 36_928], ['POOL2', 64, 112, 0],
  ['CONV3-128', 128, 112, 73_856], ['CONV3-128', 128, 112, 147_584], ['POOL2', 128, 56, 0],
  ['CONV3-256', 256, 56, 295_168], ['CONV3-256', 256, 56, 590_080], ['CONV3-256', 256, 56, 590_080], ['POOL2', 256, 28, 0],
  ['CONV3-512', 512, 28, 1_180_160], ['CONV3-512', 512, 28, 2_359_808], ['CONV3-512', 512, 28, 2_359_808], ['POOL2', 512, 14, 0],
  ['CONV3-512', 512, 14, 2_359_808], ['CONV3-512', 512, 14, 2_359_808], ['CONV3-512', 512, 14, 2_359_808], ['POOL2', 512, 7, 0],
];

describe('cn.summary on VGG-16 at 224x224 (the lecture table)', () => {
  const s = cn.summary(vgg16, [3, 224, 224]);

  it('has the lecture\'s per-layer output shapes, memory and parameters', () => {
    const layers = s.rows.filter((r) => r.type === 'Conv2d' || r.type === 'MaxPool2d');
    expect(layers.length).toBe(LECTURE_VGG16.length);
    layers.forEach((r, i) => {
      const [what, c, hw, params] = LECTURE_VGG16[i];
      const context = `${r.name} (${what})`;
      expect(r.outputShape, context).toEqual([1, c, hw, hw]);
      expect(r.activationBytes, context).toBe(c * hw * hw * 4);
      expect(r.params, context).toBe(params);
    });
    const fcs = s.rows.filter((r) => r.type === 'Linear');
    expect(fcs.map((r) => [r.outputShape, r.params])).toEqual([
      [[1, 4096], 7 * 7 * 512 * 4096 + 4096],
      [[1, 4096], 4096 * 4096 + 4096],
      [[1, 1000], 4096 * 1000 + 1000],
    ]);
  });

  it('totals: 138M parameters, 15.47 GMACs, and the forward activation count', () => {
    expect(s.totals.params).toBe(138_357_544);
    expect(s.totals.paramBytes).toBe(138_357_544 * 4);
    expect(s.totals.macs).toBe(15_470_264_320);
    // The lecture lists input + every conv, pool and FC output (ReLUs in place). Summing its
    // own per-layer list gives 15.2M (its "24M" total is an addition slip); torchvision's
    // identity adaptive pool (7x7 -> 7x7) adds one 25,088 map.
    const input = 3 * 224 * 224;
    const convs = 2 * 64 * 224 * 224 + 2 * 128 * 112 * 112 + 3 * 256 * 56 * 56 + 3 * 512 * 28 * 28 + 3 * 512 * 14 * 14;
    const pools = 64 * 112 * 112 + 128 * 56 * 56 + 256 * 28 * 28 + 512 * 14 * 14 + 512 * 7 * 7;
    const avgpool = 512 * 7 * 7;
    const fcs = 4096 + 4096 + 1000;
    expect(s.totals.activations).toBe(input + convs + pools + avgpool + fcs);
    expect(s.totals.activations).toBe(15_262_696);
    expect(s.totals.activationBytes).toBe(15_262_696 * 4);
    expect(s.rows.filter((r) => r.inPlace).map((r) => r.type).sort()).toEqual([...new Array(15).fill('ReLU'), ...new Array(2).fill('Dropout')].sort());
  });

  it('receptive field and jump: conv5_3 sees 196x196, pool5 212x212 (lecture values)', () => {
    const byName = new Map(s.rows.map((r) => [r.name, r]));
    expect([byName.get('features.0')!.receptiveField, byName.get('features.0')!.jump]).toEqual([3, 1]);
    expect([byName.get('features.2')!.receptiveField, byName.get('features.2')!.jump]).toEqual([5, 1]); // ReLU keeps it
    expect([byName.get('features.4')!.receptiveField, byName.get('features.4')!.jump]).toEqual([6, 2]); // pool1
    expect([byName.get('features.28')!.receptiveField, byName.get('features.28')!.jump]).toEqual([196, 16]); // conv5_3
    expect([byName.get('features.30')!.receptiveField, byName.get('features.30')!.jump]).toEqual([212, 32]); // pool5
    // Each conv/pool row agrees with cn.arch's product formula over the layers so far.
    const geometry: cn.arch.LayerGeometry[] = [];
    for (const r of s.rows.filter((x) => x.type === 'Conv2d' || x.type === 'MaxPool2d')) {
      geometry.push(r.type === 'Conv2d' ? { kernelSize: 3, stride: 1 } : { kernelSize: 2, stride: 2 });
      expect(r.receptiveField, r.name).toBe(cn.arch.receptiveField(geometry));
    }
  });

  it('prints a table with one line per layer and the totals', () => {
    const text = s.toString();
    const lines = text.split('\n');
    expect(lines[0]).toBe('VGG summary, input [1, 3, 224, 224]');
    expect(text).toMatch(/^features\.0\s+Conv2d\s+\[1, 64, 224, 224\]\s+3,211,264\s+1,792\s+86,704,128\s+3\s+1$/m);
    expect(text).toMatch(/^features\.30\s+MaxPool2d\s+\[1, 512, 7, 7\]\s+25,088\s+0\s+0\s+212\s+32$/m);
    expect(text).toMatch(/^features\.1\s+ReLU\s+\[1, 64, 224, 224\]\s+3,211,264\*/m);
    expect(text).toContain('Total params: 138,357,544 (527.8 MB)');
    expect(text).toContain('Total MACs: 15,470,264,320');
    expect(text).toContain('Forward activations: 15,262,696 = 58.2 MB / image');
    expect(lines.length).toBe(s.rows.length + 9);
  });

  it('runs from shapes alone: milliseconds, no kernel', () => {
    const t0 = performance.now();
    cn.summary(vgg16, [3, 224, 224]);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

describe('cn.summary: batches, other models, errors', () => {
  it('scales MACs and activations with the batch, not the parameters', () => {
    const net = cn.nn.skipInit(() => cn.models.resnet18());
    const one = cn.summary(net, [3, 224, 224]);
    const two = cn.summary(net, [2, 3, 224, 224]);
    expect(two.totals.macs).toBe(2 * one.totals.macs);
    expect(two.totals.activations).toBe(2 * one.totals.activations);
    expect(two.totals.params).toBe(one.totals.params);
    expect(two.outputShape).toEqual([2, 1000]);
    expect(two.toString()).toContain('for the batch of 2');
  });

  it('a residual join takes the larger receptive field of its branches', () => {
    const net = cn.nn.skipInit(() => cn.models.resnet18());
    const s = cn.summary(net, [3, 224, 224]);
    const rows = s.rows.filter((r) => r.name.startsWith('layer2.0.'));
    const conv2 = rows.find((r) => r.name === 'layer2.0.conv2')!;
    const shortcut = rows.find((r) => r.name === 'layer2.0.downsample.0')!;
    expect(conv2.receptiveField).toBeGreaterThan(shortcut.receptiveField);
    const lastRelu = rows.filter((r) => r.name === 'layer2.0.relu').at(-1)!;
    expect(lastRelu.receptiveField).toBe(conv2.receptiveField);
    expect(lastRelu.jump).toBe(8);
  });

  it.each([
    [() => cn.summary({} as never, [3, 224, 224]), 'summary: model: expected a cn.nn.Module, got an object'],
    [() => cn.summary(vgg16, [224, 224]), 'summary: inputShape: expected [C, H, W] or [N, C, H, W], got [224, 224]'],
    [() => cn.summary(vgg16, [3, 0, 224]), /summary: inputShape: expected \[C, H, W\] or \[N, C, H, W\] of positive integers, got \[3, 0, 224\]/],
    [() => cn.summary(vgg16, [1, 224, 224]), 'vgg16: input: expected [N, 3, H, W] (inChannels = 3, H and W >= 32), got shape [1, 1, 224, 224]'],
    [() => cn.summary(new (class Custom extends cn.nn.Module { forward(x: cn.Tensor) { return x; } })(), [3, 8, 8]),
      'Custom: traceShape: expected a module that implements inferTrace, got one that does not'],
  ] as const)('error %#', (fn, message) => {
    expect(fn).toThrow(message);
  });
});
