// cn.data + cn.optim + cn.save/load together, on the shipped Fashion-MNIST subset, with a
// softmax-regression model whose gradient is written out by hand (no autograd needed):
// the pipeline learns (images and labels stay paired through shuffling and augmentation), and
// a run resumed from a checkpoint (model, optimizer, scheduler, loader epoch) reproduces the
// uninterrupted run's losses exactly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { data, load, optim, save, type Tensor, tensor } from '../../lib/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-loop-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const D = 28 * 28;
const K = 10;
const { train, test } = data.loadFashionMnist();

class SoftmaxRegression {
  w = tensor(new Float32Array(K * D), [K, D]);
  b = tensor(new Float32Array(K), [K]);

  logits(x: Float32Array, n: number): Float64Array {
    const out = new Float64Array(n * K);
    const w = this.w.data;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) {
        let s = this.b.data[k];
        for (let j = 0; j < D; j++) s += w[k * D + j] * x[i * D + j];
        out[i * K + k] = s;
      }
    }
    return out;
  }

  /** Mean cross-entropy of a batch; leaves its gradient in w.grad and b.grad. */
  lossAndGrad(x: Tensor, y: Int32Array): number {
    const n = y.length;
    const z = this.logits(x.data, n);
    const gw = new Float32Array(K * D);
    const gb = new Float32Array(K);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, z[i * K + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(z[i * K + k] - max);
      loss += (Math.log(sum) + max - z[i * K + y[i]]) / n;
      for (let k = 0; k < K; k++) {
        const d = (Math.exp(z[i * K + k] - max) / sum - (k === y[i] ? 1 : 0)) / n;
        gb[k] += d;
        for (let j = 0; j < D; j++) gw[k * D + j] += d * x.data[i * D + j];
      }
    }
    this.w.grad = tensor(gw, [K, D]);
    this.b.grad = tensor(gb, [K]);
    return loss;
  }

  accuracy(loader: data.DataLoader): number {
    let right = 0;
    let n = 0;
    for (const { x, y } of loader) {
      const z = this.logits(x.data, y.length);
      y.forEach((label, i) => {
        let best = 0;
        for (let k = 1; k < K; k++) if (z[i * K + k] > z[i * K + best]) best = k;
        if (best === label) right++;
        n++;
      });
    }
    return right / n;
  }
}

const normalizeT = data.transforms.normalize({ mean: 0.286, std: 0.353 });

describe('a training loop over cn.data and cn.optim', () => {
  it('one epoch of softmax regression with SGD + momentum reaches > 75% test accuracy', () => {
    const model = new SoftmaxRegression();
    const opt = new optim.SGD([model.w, model.b], { lr: 0.01, momentum: 0.9 });
    const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, transform: normalizeT });
    let first = 0;
    let last = 0;
    let step = 0;
    for (const { x, y } of loader) {
      opt.zeroGrad();
      const loss = model.lossAndGrad(x, y);
      opt.step();
      if (step++ === 0) first = loss;
      last = loss;
    }
    expect(first).toBeCloseTo(Math.log(10), 5); // zero weights: uniform predictions
    expect(last).toBeLessThan(1);
    const acc = model.accuracy(new data.DataLoader(test, { batchSize: 500, transform: normalizeT }));
    expect(acc).toBeGreaterThan(0.75); // 0.79 when written
  });

  it('resuming from a checkpoint (model, AdamW, cosine schedule, loader epoch) reproduces the losses exactly', () => {
    const subset = train.subset(Array.from({ length: 640 }, (_, i) => i * 7));
    const transform = data.transforms.compose([data.transforms.randomCrop({ size: 28, padding: 2 }), data.transforms.randomHorizontalFlip(), normalizeT]);
    const setup = () => {
      const model = new SoftmaxRegression();
      const opt = new optim.AdamW([model.w, model.b], { lr: 0.01 });
      const sched = new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 3 });
      const loader = new data.DataLoader(subset, { batchSize: 64, shuffle: true, seed: 5, transform });
      return { model, opt, sched, loader };
    };
    const epoch = (s: ReturnType<typeof setup>): number[] => {
      const losses: number[] = [];
      for (const { x, y } of s.loader) {
        s.opt.zeroGrad();
        losses.push(s.model.lossAndGrad(x, y));
        s.opt.step();
      }
      s.sched.step();
      return losses;
    };

    const ref = setup();
    const refLosses = [epoch(ref), epoch(ref), epoch(ref)].flat();

    const a = setup();
    const losses = [epoch(a), epoch(a)].flat();
    const file = path.join(tmp, 'loop.safetensors');
    save(file, { model: { weight: a.model.w, bias: a.model.b }, optimizer: a.opt.stateDict(), scheduler: a.sched.stateDict(), epoch: 2 });

    const b = setup();
    const ckpt = load(file);
    b.model.w.data.set(ckpt.model.weight.data);
    b.model.b.data.set(ckpt.model.bias.data);
    b.opt.loadStateDict(ckpt.optimizer);
    b.sched.loadStateDict(ckpt.scheduler);
    b.loader.setEpoch(ckpt.epoch);
    losses.push(...epoch(b));
    expect(losses).toEqual(refLosses);
  });
});
