// DataLoader: batching, seeded shuffling (epoch e = Generator(seed + e)), transforms, labels,
// and errors, on a dataset made from hand-written IDX bytes.
import { describe, expect, it } from 'vitest';
import { data, Generator, Tensor, tensor } from '../../lib/index.js';
import { thrown } from '../helpers.js';
import { imagesAndLabels } from './idx-bytes.js';

const N = 23;
const { images, labels, pixel } = imagesAndLabels(N, 4, 5);
const ds = data.loadIdxDataset({ images, labels });

/** An independent Fisher-Yates from the documented seed rule. */
function expectedOrder(seed: number, epoch: number, n: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const g = new Generator(seed + epoch);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(g.uniform() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

const indicesOf = (loader: data.DataLoader): number[] => [...loader].flatMap((b) => Array.from(b.indices));

describe('DataLoader', () => {
  it('batches in dataset order: shapes, pixels / 255, labels, a smaller last batch', () => {
    const loader = new data.DataLoader(ds, { batchSize: 5 });
    const batches = [...loader];
    expect(loader.length).toBe(5);
    expect(batches.map((b) => b.x.shape)).toEqual([[5, 1, 4, 5], [5, 1, 4, 5], [5, 1, 4, 5], [5, 1, 4, 5], [3, 1, 4, 5]]);
    const b = batches[1];
    expect(b.x).toBeInstanceOf(Tensor);
    expect(Array.from(b.indices)).toEqual([5, 6, 7, 8, 9]);
    expect(Array.from(b.y)).toEqual([5, 6, 7, 8, 9]);
    expect(b.x.data[(2 * 4 + 3) * 5 + 4]).toBe(Math.fround(pixel(7, 3, 4) / 255));
  });

  it('dropLast drops the short batch', () => {
    const loader = new data.DataLoader(ds, { batchSize: 5, dropLast: true });
    expect(loader.length).toBe(4);
    expect([...loader].length).toBe(4);
  });

  it('shuffle: epoch e is the permutation of new Generator(seed + e); each epoch covers every sample once', () => {
    const loader = new data.DataLoader(ds, { batchSize: 4, shuffle: true, seed: 42 });
    const epochs = [0, 1, 2].map(() => indicesOf(loader));
    epochs.forEach((order, e) => {
      expect(order, `epoch ${e}`).toEqual(expectedOrder(42, e, N));
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    });
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(loader.epoch).toBe(3);
  });

  it('reproducible: same seed, same batches and augmentation; setEpoch replays one epoch alone', () => {
    const transform = data.transforms.compose([data.transforms.randomCrop({ size: [4, 5], padding: 1 }), data.transforms.randomHorizontalFlip()]);
    const make = (): data.DataLoader => new data.DataLoader(ds, { batchSize: 6, shuffle: true, seed: 3, transform });
    const a = make();
    [...a]; // epoch 0
    const epoch1 = [...a].map((b) => Array.from(b.x.data));
    const b = make();
    b.setEpoch(1);
    expect([...b].map((x) => Array.from(x.x.data))).toEqual(epoch1);
    const c = new data.DataLoader(ds, { batchSize: 6, shuffle: true, seed: 4, transform });
    c.setEpoch(1);
    expect([...c].map((x) => Array.from(x.x.data))).not.toEqual(epoch1);
  });

  it('labels follow their images through the shuffle', () => {
    const loader = new data.DataLoader(ds, { batchSize: 7, shuffle: true, seed: 9 });
    for (const { x, y, indices } of loader) {
      indices.forEach((i, k) => {
        expect(y[k]).toBe(i % 10);
        expect(x.data[k * 20]).toBe(Math.fround(pixel(i, 0, 0) / 255));
      });
    }
  });

  it('works with a TensorDataset of float images and a transform to normalize', () => {
    const x = tensor(Float32Array.from({ length: 3 * 2 * 2 }, (_, i) => i), [3, 1, 2, 2]);
    const tds = new data.TensorDataset(x, [2, 0, 1]);
    const loader = new data.DataLoader(tds, { batchSize: 3, transform: data.transforms.normalize({ mean: 1, std: 2 }) });
    const [b] = [...loader];
    expect(Array.from(b.x.data)).toEqual(Array.from(x.data, (v) => (v - 1) / 2));
    expect(Array.from(b.y)).toEqual([2, 0, 1]);
  });

  it('ImageDataset.subset keeps the chosen samples and their labels', () => {
    const sub = ds.subset([4, 0, 22]);
    expect(sub.shape).toEqual([3, 1, 4, 5]);
    expect(Array.from(sub.labels)).toEqual([4, 0, 2]);
    expect(sub.get(2).x[0]).toBe(pixel(22, 0, 0));
  });

  it('errors name the option, what was expected and what came', () => {
    expect(thrown(() => new data.DataLoader(ds, { batchSize: 0 })).message).toBe('DataLoader: options.batchSize: expected an integer >= 1, got 0');
    expect(thrown(() => new data.DataLoader(ds, { batchsize: 4 } as data.DataLoaderOptions)).message).toMatch(/^DataLoader: options\.batchsize: expected one of the options batchSize, shuffle, seed, dropLast, transform/);
    expect(thrown(() => new data.DataLoader([] as unknown as data.Dataset)).message).toBe('DataLoader: dataset: expected a Dataset { length, get(i) }, got []');
    expect(thrown(() => new data.DataLoader(ds, { seed: 1.5 })).message).toBe('DataLoader: options.seed: expected an integer, got 1.5');
    expect(thrown(() => ds.get(N)).message).toBe(`ImageDataset.get: index: expected an integer in [0, ${N}), got ${N}`);
    expect(thrown(() => new data.TensorDataset(tensor([1, 2], [2, 1]), [1])).message).toBe('TensorDataset: labels: expected 2 labels (one per sample), got 1');
    let k = 0;
    const ragged = { length: 2, get: () => ({ x: new Float32Array(k++ === 0 ? 4 : 6), shape: k === 1 ? [1, 2, 2] : [1, 2, 3], y: 0 }) };
    expect(thrown(() => [...new data.DataLoader(ragged, { batchSize: 2 })]).message).toBe('DataLoader: sample 1: expected shape [1, 2, 2] (as the batch\'s first sample), got shape [1, 2, 3]');
  });
});
