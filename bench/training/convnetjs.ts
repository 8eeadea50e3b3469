/**
 * LeNet-5 in convnetjs 0.3.0 (pure JS, Float64, one sample at a time; its Trainer accumulates
 * gradients over batch_size samples before each momentum SGD update).
 */
import { createRequire } from 'node:module';

interface Vol {
  w: Float64Array;
}
interface ConvnetJs {
  Net: new () => { makeLayers(defs: object[]): void };
  Trainer: new (net: object, options: object) => { train(x: Vol, y: number): { loss: number; cost_loss: number } };
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
}

const convnetjs = createRequire(import.meta.url)('convnetjs') as ConvnetJs;

export interface ConvnetjsStep {
  run(): void;
  lastLoss(): number;
}

/** One batch of `batch` samples (convnetjs trains per sample; the update happens once per batch). */
export function convnetjsLenetStep(batch: number): ConvnetjsStep {
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
    { type: 'conv', sx: 5, filters: 6, stride: 1, pad: 0, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 0, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'fc', num_neurons: 120, activation: 'relu' },
    { type: 'fc', num_neurons: 84, activation: 'relu' },
    { type: 'softmax', num_classes: 10 },
  ]);
  const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: 0.01, momentum: 0.9, batch_size: batch, l2_decay: 0 });
  const samples = Array.from({ length: batch }, (_, i) => {
    const v = new convnetjs.Vol(28, 28, 1, 0);
    for (let j = 0; j < v.w.length; j++) v.w[j] = Math.sin(i * 7919 + j * 104729); // fixed pseudo-random pixels
    return v;
  });
  let loss = NaN;
  return {
    run() {
      let sum = 0;
      samples.forEach((v, i) => (sum += trainer.train(v, i % 10).cost_loss));
      loss = sum / batch;
    },
    lastLoss: () => loss,
  };
}
