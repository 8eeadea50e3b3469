/**
 * Every number of issue 3, asserted from cn.summary on freshly built models, with a per-layer
 * diff against torchvision (test/fixtures/zoo, from scripts/make-zoo-fixtures.py) on mismatch.
 * Models are built under skipInit: counting needs shapes, not random draws (init has its own tests).
 */
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { modelFixture, rowDiff } from '../helpers/zoo-fixtures.js';

const m = cn.models;

/** [fixture, builder, params (issue 3), MACs at the fixture's input (issue 3 where it gives one)] */
const zoo: [string, () => cn.nn.Module, number, number | null][] = [
  ['lenet5', () => m.lenet5(), 61_706, null],
  ['lenet5_28', () => m.lenet5({ inputSize: 28 }), 61_706, null],
  ['alexnet_original', () => m.alexnet({ variant: 'original' }), 62_378_344, null],
  ['alexnet', () => m.alexnet(), 61_100_840, 714_188_480],
  ['vgg11', () => m.vgg11(), 132_863_336, null],
  ['vgg13', () => m.vgg13(), 133_047_848, null],
  ['vgg16', () => m.vgg16(), 138_357_544, 15_470_264_320],
  ['vgg19', () => m.vgg19(), 143_667_240, null],
  ['vgg16_bn', () => m.vgg16({ batchNorm: true }), 138_365_992, 15_470_264_320],
  ['googlenet', () => m.googlenet(), 6_624_904, 1_498_376_192],
  ['resnet18', () => m.resnet18(), 11_689_512, 1_814_073_344],
  ['resnet34', () => m.resnet34(), 21_797_672, null],
  ['resnet50', () => m.resnet50(), 25_557_032, 4_089_184_256],
  ['resnet101', () => m.resnet101(), 44_549_160, null],
  ['resnet152', () => m.resnet152(), 60_192_808, null],
  ['mobilenet_v2', () => m.mobilenetV2(), 3_504_872, 300_774_272],
  ['squeezenet1_1', () => m.squeezenet1_1(), 1_235_496, null],
];

describe('model zoo: parameters and MACs (issue 3) from cn.summary, per-layer diff against torchvision', () => {
  it.each(zoo)('%s', (name, build, params, macs) => {
    const fx = modelFixture(name);
    const model = cn.nn.skipInit(build);
    const s = cn.summary(model, fx.inputShape);
    const diff = rowDiff(s.rows, fx.rows);
    const context = `${name} at ${JSON.stringify(fx.inputShape)}: params ${s.totals.params} (issue ${params}, torch ${fx.params}), ` +
      `MACs ${s.totals.macs} (issue ${macs ?? '-'}, torch ${fx.macs})\nper-layer diff vs torchvision:\n${diff || '  (rows agree)'}`;
    expect(s.totals.params, context).toBe(params);
    expect(s.totals.params, context).toBe(model.numParameters());
    expect(fx.params, 'the fixture agrees with the issue').toBe(params);
    if (macs !== null) expect(s.totals.macs, context).toBe(macs);
    expect(s.totals.macs, context).toBe(fx.macs);
    expect(diff, context).toBe('');
    expect(s.outputShape).toEqual(fx.outputShape);
  });

  it.each(zoo)('%s: state dict keys and shapes are torchvision\'s, in order', (name, build) => {
    const fx = modelFixture(name);
    const sd = cn.nn.skipInit(build).stateDict();
    expect(Object.entries(sd).map(([k, t]) => [k, [...t.shape]])).toEqual(fx.stateDict);
  });

  it('the per-layer diff names the layer that disagrees (the check can fail)', () => {
    const fx = modelFixture('alexnet');
    const wrong = cn.nn.skipInit(() => m.alexnet({ numClasses: 10 }));
    const diff = rowDiff(cn.summary(wrong, fx.inputShape).rows, fx.rows);
    expect(diff).toContain('row 20:');
    expect(diff).toContain('convnode: classifier.6 Linear [1,10] params=40970 macs=40960');
    expect(diff).toContain('torch:    classifier.6 Linear [1,1000] params=4097000 macs=4096000');
  });

  it('VGG-11 with batch norm adds 2 parameters per conv channel', () => {
    const plain = cn.nn.skipInit(() => m.vgg11()).numParameters();
    const bn = cn.nn.skipInit(() => m.vgg11({ batchNorm: true })).numParameters();
    expect(bn - plain).toBe(2 * (64 + 128 + 256 * 2 + 512 * 4));
  });
});
