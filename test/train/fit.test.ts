// cn.train.fit and evaluate on tiny synthetic problems: what they compute, what they leave
// unchanged, and how they reject bad options.
import { describe, expect, it } from 'vitest';
import { data, nn, optim, tensor, train } from '../../lib/index.js';

/** Two linearly separable classes: class 1 has a bright first pixel. */
function toyData(n: number, seed = 0): data.TensorDataset {
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  let s = seed + 1;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = rand() - 0.5;
    x[i * 4] += y[i] ? 1.5 : -1.5;
  }
  return new data.TensorDataset(tensor(x, [n, 1, 2, 2]), y);
}

const model = (seed = 0) => new nn.Sequential(new nn.Flatten(), new nn.Linear(4, 2, { seed }));

describe('cn.train.fit', () => {
  it('learns a separable problem; reports per-epoch loss, accuracy, lr and throughput', async () => {
    const net = model();
    const opt = new optim.SGD(net.parameters(), { lr: 0.5 });
    const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    const seen: number[] = [];
    const history = await train.fit(net, {
      trainLoader: new data.DataLoader(toyData(200), { batchSize: 20, shuffle: true, seed: 1 }),
      testLoader: new data.DataLoader(toyData(100, 7), { batchSize: 50 }),
      optimizer: opt as never, scheduler: sched, epochs: 3,
      onEpoch: (r) => void seen.push(r.epoch),
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(history.map((h) => h.lr)).toEqual([0.5, 0.25, 0.125]);
    expect(history.map((h) => h.batchLosses.length)).toEqual([10, 10, 10]);
    expect(history[2].trainLoss).toBeLessThan(history[0].trainLoss);
    expect(history[2].testAccuracy).toBeGreaterThan(0.95);
    for (const h of history) {
      expect(h.imagesPerSecond).toBeGreaterThan(0);
      // trainLoss is the sample-weighted mean of the batch losses (equal batches here).
      expect(h.trainLoss).toBeCloseTo(h.batchLosses.reduce((a, b) => a + b, 0) / h.batchLosses.length, 6);
    }
  });

  it('starts at startEpoch, stops after stopAfter, caps batches with maxBatches, calls onBatch per batch', async () => {
    const net = model();
    const loader = new data.DataLoader(toyData(100), { batchSize: 10, shuffle: true });
    const batches: string[] = [];
    const history = await train.fit(net, {
      trainLoader: loader, optimizer: new optim.SGD(net.parameters(), { lr: 0.1 }) as never,
      epochs: 5, startEpoch: 1, stopAfter: 3, maxBatches: 4,
      onBatch: (p) => void batches.push(`${p.epoch}:${p.batch}/${p.batches}`),
    });
    expect(history.map((h) => h.epoch)).toEqual([2, 3]);
    expect(batches).toEqual(['2:1/4', '2:2/4', '2:3/4', '2:4/4', '3:1/4', '3:2/4', '3:3/4', '3:4/4']);
    expect(Number.isNaN(history[0].testAccuracy)).toBe(true); // no test loader
  });

  it('passes the test accuracy to ReduceLROnPlateau', async () => {
    const net = model();
    const opt = new optim.SGD(net.parameters(), { lr: 0 }); // never improves after the first epoch
    const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, { mode: 'max', patience: 0 });
    await train.fit(net, {
      trainLoader: new data.DataLoader(toyData(40), { batchSize: 20 }), testLoader: new data.DataLoader(toyData(40, 3), { batchSize: 20 }),
      optimizer: opt as never, scheduler: sched, epochs: 2,
    });
    expect(sched.best).toBe(train.evaluate(net, new data.DataLoader(toyData(40, 3), { batchSize: 20 })).accuracy);
    expect(sched.numBadEpochs).toBe(0); // reset by the reduction after the second, equal, epoch
  });

  it('rejects bad options, naming them', async () => {
    const net = model();
    const trainLoader = new data.DataLoader(toyData(10));
    const optimizer = new optim.SGD(net.parameters(), { lr: 0.1 }) as never;
    await expect(train.fit(net, { trainLoader, optimizer, epochs: 0 })).rejects.toThrow('fit: options.epochs: expected an integer >= 1, got 0');
    await expect(train.fit(net, { trainLoader, optimizer, epochs: 2, startEpoch: 3 })).rejects.toThrow('fit: options.startEpoch: expected an integer in [0, epochs = 2], got 3');
    await expect(train.fit(net, { trainLoader, optimizer: {} as never, epochs: 1 })).rejects.toThrow(/fit: options.optimizer: expected an optimizer/);
    await expect(train.fit(net, { trainLoader, optimizer, epochs: 1, lr: 0.1 } as never)).rejects.toThrow(/fit: options.lr: expected one of trainLoader, .*got an unknown option "lr"/);
    await expect(train.fit({} as never, { trainLoader, optimizer, epochs: 1 })).rejects.toThrow(/fit: model: expected a Module/);
  });
});

describe('cn.train.evaluate', () => {
  it('counts correct predictions in eval mode, restores the mode and the loader epoch', () => {
    const net = model();
    const loader = new data.DataLoader(toyData(30), { batchSize: 7, shuffle: true });
    loader.setEpoch(4);
    net.train();
    const r = train.evaluate(net, loader);
    expect(r.total).toBe(30);
    const logits = net.forward(toyData(30).images);
    const pred = train.argmaxRows(logits);
    const labels = toyData(30).labels;
    expect(r.correct).toBe(pred.filter((p, i) => p === labels[i]).length);
    expect(r.accuracy).toBe(r.correct / 30);
    expect(net.training).toBe(true);
    expect(loader.epoch).toBe(4);
    expect(train.evaluate(net, loader, { maxBatches: 2 }).total).toBe(14);
  });

  it('argmaxRows takes the first of equal maxima', () => {
    expect(Array.from(train.argmaxRows(tensor([1, 3, 3, -1, -2, -3], [2, 3])))).toEqual([1, 0]);
  });
});

describe('cn.train models', () => {
  it("lenet5 is the anchor's (no padding, 44,426 parameters) with torchvision's names", () => {
    const net = train.lenet5Train();
    expect(net.numParameters()).toBe(44_426);
    expect(Object.keys(net.stateDict())).toEqual([
      'features.0.weight', 'features.0.bias', 'features.3.weight', 'features.3.bias',
      'classifier.0.weight', 'classifier.0.bias', 'classifier.2.weight', 'classifier.2.bias', 'classifier.4.weight', 'classifier.4.bias',
    ]);
    expect(net.stateDict()['classifier.0.weight'].shape).toEqual([120, 256]);
    expect(net.forward(tensor(new Float32Array(2 * 784), [2, 1, 28, 28])).shape).toEqual([2, 10]);
    expect(train.lenet5Train({ seed: 1 }).stateDict()['features.0.weight'].data).not.toEqual(net.stateDict()['features.0.weight'].data);
  });

  it('lenet5-bn has batch norm after each conv and takes 28x28', () => {
    const net = train.lenet5Bn();
    expect(Object.keys(net.stateDict())).toContain('features.1.running_mean');
    expect(net.forward(tensor(new Float32Array(3 * 784).fill(0.5), [3, 1, 28, 28])).shape).toEqual([3, 10]);
    expect(() => train.trainModel('vgg')).toThrow('train: model: expected one of lenet5, lenet5-bn, resnet18, got "vgg"');
  });
});

describe('cn.train.datasetStats', () => {
  it('is the mean and population std of the pixels in [0, 1], per channel', () => {
    const px = Uint8Array.from([0, 255, 0, 255, 51, 51, 51, 51]);
    const ds = new data.ImageDataset(px, [1, 2, 2, 2], [0]);
    const s = train.datasetStats(ds);
    expect(s.mean[0]).toBeCloseTo(0.5, 12);
    expect(s.std[0]).toBeCloseTo(0.5, 12);
    expect(s.mean[1]).toBeCloseTo(0.2, 12);
    expect(s.std[1]).toBeCloseTo(0, 6);
  });
});
