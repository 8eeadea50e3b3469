/** convnode's training step (eager ops + autograd + SGD), as `convnode train` runs it. */
import * as cn from '../../lib/index.js';

export interface Step {
  run(): void;
  /** The loss of the last step (to check that it trains). */
  lastLoss(): number;
}

/** LeNet-5 (the anchor's, 28x28) or ResNet-18 (3x32x32) with SGD 0.01 / 0.9 on one fixed random batch. */
export function convnodeStep(model: 'lenet5' | 'resnet18', batch: number): Step {
  const net = model === 'lenet5' ? cn.train.lenet5Train({ seed: 0 }) : cn.models.resnet18({ numClasses: 10, inChannels: 3, seed: 0 });
  net.train();
  const shape = model === 'lenet5' ? [batch, 1, 28, 28] : [batch, 3, 32, 32];
  const x = cn.randn(shape, { seed: 1 });
  const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const opt = new cn.optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  let loss = NaN;
  return {
    run() {
      opt.zeroGrad();
      const l = cn.crossEntropy(net.forward(x), y);
      l.backward();
      opt.step();
      loss = l.item();
    },
    lastLoss: () => loss,
  };
}
