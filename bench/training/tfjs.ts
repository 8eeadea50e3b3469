/**
 * The same training steps in @tensorflow/tfjs 4.22 (layers API, NHWC), on its 'cpu' backend
 * (pure JS) or its 'wasm' backend (SIMD, one thread), with SGD 0.01 / 0.9 and softmax
 * cross-entropy on one fixed random batch, as the anchors measured them.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmConv2dBackpropFilter } from './tfjs-wasm-shim.js';

export type TfBackend = 'cpu' | 'wasm';

/** Switches backend; for wasm, registers the missing kernel. Returns notes for the output. */
export async function useBackend(backend: TfBackend): Promise<string[]> {
  const notes: string[] = [];
  if (backend === 'wasm') {
    // What an unpatched tfjs does: the first training step throws.
    await tf.setBackend('wasm');
    await tf.ready();
    if (registerWasmConv2dBackpropFilter(tf)) {
      notes.push("tfjs-wasm 4.22 has no Conv2DBackpropFilter kernel (training throws \"Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'\"); the bench registers one (bench/training/tfjs-wasm-shim.ts): its Conv3DBackpropFilterV2 with depth 1 for stride 1, and for strides > 1, where that kernel is itself wrong in 4.22, a dilated Conv2D of the transposed input and gradient");
    }
    return notes;
  }
  await tf.setBackend(backend);
  await tf.ready();
  return notes;
}

/** Whether an unpatched wasm backend fails a LeNet step (checked before the shim is registered). */
export async function wasmFailsWithoutShim(): Promise<string | null> {
  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return null;
  try {
    const step = tfjsStep('lenet5', 2);
    step.run();
    step.dispose();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function lenet5(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'relu' }),
      tf.layers.dense({ units: 84, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** torchvision's ResNet-18 (7x7/2 stem, 3x3/2 max pool, four stages of two basic blocks), NHWC. */
function resnet18(): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  const convBn = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number): tf.SymbolicTensor =>
    tf.layers.batchNormalization().apply(tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor): tf.SymbolicTensor => tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  let x = relu(convBn(input, 64, 7, 2));
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  let channels = 64;
  for (const [stage, filters] of [64, 128, 256, 512].entries()) {
    for (let block = 0; block < 2; block++) {
      const strides = stage > 0 && block === 0 ? 2 : 1;
      const shortcut = strides !== 1 || channels !== filters ? convBn(x, filters, 1, strides) : x;
      const y = convBn(relu(convBn(x, filters, 3, strides)), filters, 3, 1);
      x = relu(tf.layers.add().apply([y, shortcut]) as tf.SymbolicTensor);
      channels = filters;
    }
  }
  const out = tf.layers.dense({ units: 10 }).apply(tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

export interface TfStep {
  run(): void;
  lastLoss(): number;
  dispose(): void;
}

/** One training step (forward, loss, gradients, momentum update) of `model` on a fixed batch. */
export function tfjsStep(model: 'lenet5' | 'resnet18', batch: number): TfStep {
  const net = model === 'lenet5' ? lenet5() : resnet18();
  const shape: [number, number, number, number] = model === 'lenet5' ? [batch, 28, 28, 1] : [batch, 32, 32, 3];
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const opt = tf.train.momentum(0.01, 0.9);
  let loss = NaN;
  return {
    run() {
      const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, net.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
      // dataSync waits for the step to finish, as a training loop that logs its loss does.
      loss = l.dataSync()[0];
      l.dispose();
    },
    lastLoss: () => loss,
    dispose() {
      x.dispose();
      y.dispose();
      opt.dispose();
      net.dispose();
    },
  };
}

export { tf };
