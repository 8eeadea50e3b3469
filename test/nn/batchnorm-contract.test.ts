/**
 * BatchNorm2d hands the op exactly what PyTorch's F.batch_norm gets: the running-stat tensors
 * (updated in place by the op in training), training = module.training, momentum and eps;
 * momentum null means a cumulative average, 1/num_batches_tracked. The op is spied on, so this
 * holds whatever the op's training mode does.
 */
import { describe, expect, it, vi } from 'vitest';

const calls: { training: unknown; momentum: unknown; eps: unknown; same: boolean }[] = [];

vi.mock('../../lib/ops/norm.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../lib/ops/norm.js')>();
  return {
    ...real,
    batchNorm2d: (...args: Parameters<typeof real.batchNorm2d>) => {
      const [x, mean, variance, weight, bias, options] = args;
      calls.push({ ...(options as object), same: mean === lastBn?.runningMean && variance === lastBn?.runningVar && weight === lastBn?.weight && bias === lastBn?.bias } as never);
      return real.batchNorm2d(x, mean, variance, weight, bias, { ...options, training: false });
    },
  };
});

const cn = await import('../../lib/index.js');
let lastBn: InstanceType<typeof cn.nn.BatchNorm2d> | undefined;

describe('BatchNorm2d -> batchNorm2d op contract', () => {
  it('passes training, momentum, eps and its own running-stat tensors; counts training batches', () => {
    const bn = new cn.nn.BatchNorm2d(3, { eps: 1e-3, momentum: 0.2 });
    lastBn = bn;
    const x = cn.randn([2, 3, 2, 2], { seed: 1 });
    bn.forward(x);
    bn.forward(x);
    bn.eval().forward(x);
    expect(calls).toEqual([
      { training: true, momentum: 0.2, eps: 1e-3, same: true },
      { training: true, momentum: 0.2, eps: 1e-3, same: true },
      { training: false, momentum: 0.2, eps: 1e-3, same: true },
    ]);
    expect(bn.numBatchesTracked.item()).toBe(2);
  });

  it('momentum null: cumulative average 1/n for the n-th training batch', () => {
    calls.length = 0;
    const bn = new cn.nn.BatchNorm2d(2, { momentum: null });
    lastBn = bn;
    const x = cn.randn([1, 2, 2, 2], { seed: 2 });
    for (let i = 0; i < 3; i++) bn.forward(x);
    expect(calls.map((c) => c.momentum)).toEqual([1, 1 / 2, 1 / 3]);
  });
});
