import { describe, expect, it } from 'vitest';
import {
  CONV_LAYERS, GEMM_SHAPES, POOL_LAYERS, QUICK_GEMM_LABELS, QUICK_LAYER_IDS, QUICK_POOL_IDS, convFlops, type ModelName,
} from '../../bench/layers.js';

describe('bench layer lists', () => {
  // Conv FLOPs per image: the anchors' per-model totals (peers-native.md section 3) minus the
  // fully connected layers (2 x in x out each).
  it.each([
    { model: 'vgg16', gflops: 30.9405 - 2 * (25088 * 4096 + 4096 * 4096 + 4096 * 1000) / 1e9, distinct: 9 },
    { model: 'alexnet', gflops: 1.4284 - 2 * (9216 * 4096 + 4096 * 4096 + 4096 * 1000) / 1e9, distinct: 5 },
    { model: 'resnet50', gflops: 8.1784 - (2 * 2048 * 1000) / 1e9, distinct: 23 },
    { model: 'mobilenet_v2', gflops: 0.6015 - (2 * 1280 * 1000) / 1e9, distinct: 30 },
  ])('$model: $distinct distinct layers whose counted FLOPs match the anchors', ({ model, gflops, distinct }) => {
    const layers = CONV_LAYERS.filter((l) => l.model === (model as ModelName));
    expect(layers).toHaveLength(distinct);
    const total = layers.reduce((s, l) => s + l.count * convFlops(l), 0) / 1e9;
    expect(Math.abs(total - gflops)).toBeLessThan(5e-4);
  });

  it('has unique ids, whole groups and positive output sizes', () => {
    const ids = new Set(CONV_LAYERS.map((l) => l.id));
    expect(ids.size).toBe(CONV_LAYERS.length);
    for (const l of CONV_LAYERS) {
      expect(l.cin % l.groups, l.id).toBe(0);
      expect(l.cout % l.groups, l.id).toBe(0);
      expect(l.outH, l.id).toBeGreaterThan(0);
    }
  });

  it('the quick subsets name existing rows', () => {
    for (const id of QUICK_LAYER_IDS) expect(CONV_LAYERS.some((l) => l.id === id), id).toBe(true);
    for (const id of QUICK_POOL_IDS) expect(POOL_LAYERS.some((p) => p.id === id), id).toBe(true);
    for (const label of QUICK_GEMM_LABELS) expect(GEMM_SHAPES.some((g) => g.label === label), label).toBe(true);
  });

  it('pool output sizes follow the models (ResNet 112 -> 56, AlexNet 55 -> 27 -> 13 -> 6, VGG halves)', () => {
    expect(POOL_LAYERS.map((p) => p.outH)).toEqual([56, 27, 13, 6, 112, 56, 28, 14, 7]);
  });
});
