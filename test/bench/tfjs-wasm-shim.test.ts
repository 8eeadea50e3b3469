// The bench's Conv2DBackpropFilter for tfjs-wasm (bench/training/tfjs-wasm-shim.ts) computes
// what tfjs's own cpu kernel computes, so the wasm rows of `npm run bench:train` time a correct
// training step.
import { describe, expect, it } from 'vitest';
import { tf, useBackend } from '../../bench/training/tfjs.js';

async function filterGrad(backend: 'cpu' | 'wasm', strides: number, pad: 'valid' | 'same', size: number, k: number): Promise<Float32Array> {
  await useBackend(backend);
  const x = tf.tensor4d(Array.from({ length: 2 * size * size * 3 }, (_, i) => Math.sin(i * 0.37)), [2, size, size, 3]);
  const outSize = pad === 'same' ? Math.ceil(size / strides) : Math.floor((size - k) / strides) + 1;
  const dy = tf.tensor4d(Array.from({ length: 2 * outSize * outSize * 4 }, (_, i) => Math.cos(i * 0.11)), [2, outSize, outSize, 4]);
  const w = tf.tensor4d(Array.from({ length: k * k * 3 * 4 }, (_, i) => Math.sin(i)), [k, k, 3, 4]);
  // d/dw of sum(conv2d(x, w) * dy) is the filter gradient for upstream dy: tfjs runs its
  // Conv2DBackpropFilter kernel for it (the shim, on wasm).
  const dw = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, strides, pad), dy)))(w);
  const out = dw.dataSync() as Float32Array;
  tf.dispose([x, dy, w, dw]);
  return Float32Array.from(out);
}

describe('tfjs-wasm Conv2DBackpropFilter shim', () => {
  // Stride 1 goes through Conv3DBackpropFilterV2, stride 2 through the dilated convolution; the
  // 10x10 'valid' case leaves a last row no output reads (x is cut), 7x7 / 1x1 are ResNet's stem
  // and shortcut kernels.
  const cases = [[1, 'valid', 9, 3], [1, 'same', 9, 3], [2, 'same', 9, 3], [2, 'valid', 9, 3], [2, 'valid', 10, 3], [2, 'same', 12, 7], [2, 'valid', 8, 1]] as const;
  for (const [strides, pad, size, k] of cases) {
    it(`matches tfjs-cpu: ${size}x${size} input, ${k}x${k} kernel, stride ${strides}, padding ${pad}`, async () => {
      const want = await filterGrad('cpu', strides, pad, size, k);
      const got = await filterGrad('wasm', strides, pad, size, k);
      expect(got.length).toBe(k * k * 3 * 4);
      let maxErr = 0;
      for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
      expect(maxErr).toBeLessThan(1e-4);
      expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.1); // not a comparison of zeros
    });
  }

  it('leaks no tensors over training steps', async () => {
    const { tfjsStep } = await import('../../bench/training/tfjs.js');
    await useBackend('wasm');
    const step = tfjsStep('lenet5', 4);
    step.run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step.run();
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(step.lastLoss())).toBe(true);
    step.dispose();
  });
});
