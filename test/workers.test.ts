import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as cn from '../lib/index.js';
import { expectClose, randomTensor } from './helpers.js';

const script = path.join(import.meta.dirname, 'fixtures', 'scripts', 'worker-ops.mjs');

function reference(x: cn.Tensor, w: cn.Tensor): cn.Tensor {
  const r = cn.reference;
  const y = r.conv2d(x, w, null, { stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 });
  const p = r.maxPool2d(r.relu(y), { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false });
  return r.softmax(r.flatten(p, 1), 1);
}

describe('worker_threads', () => {
  it('the addon loads in 4 workers at once and each computes its own correct result', async () => {
    const jobs = [0, 1, 2, 3].map((i) => {
      const x = randomTensor([1, 3, 16, 16], 100 + i);
      const w = randomTensor([4, 3, 3, 3], 200 + i);
      const worker = new Worker(script, { workerData: { x: x.data, w: w.data, rounds: 50 } });
      const result = new Promise<{ out: Float32Array; shape: number[] }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      return { x, w, result, worker };
    });
    for (const job of jobs) {
      const { out, shape } = await job.result;
      expectClose(cn.tensor(out, shape), reference(job.x, job.w), 'worker');
      await job.worker.terminate();
    }
  });
});

describe('InferenceSession in a worker_thread', () => {
  it('runs sync and async runs from 3 workers at once at 2 threads, each with its own correct result', async () => {
    const script = path.join(import.meta.dirname, 'fixtures', 'scripts', 'worker-session-sync.mjs');
    const jobs = [0, 1, 2].map((i) => {
      const x = randomTensor([1, 4, 20, 20], 300 + i);
      const w = randomTensor([8, 4, 3, 3], 310 + i, 0.5);
      const w2 = randomTensor([8, 8, 3, 3], 320 + i, 0.3);
      const worker = new Worker(script, { workerData: { x: x.data, w: w.data, w2: w2.data, rounds: 20 } });
      const result = new Promise<{ out: Float32Array; shape: number[] }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      return { x, w, w2, result, worker };
    });
    for (const job of jobs) {
      const { out, shape } = await job.result;
      const r = cn.reference;
      const conv = (x: cn.Tensor, w: cn.Tensor) => r.relu(r.conv2d(x, w, null, { stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 }));
      expectClose(cn.tensor(out, shape), conv(conv(job.x, job.w), job.w2), 'worker sync run', 1e-4);
      await job.worker.terminate();
    }
  });

  it('survives the worker being terminated while runs are queued and in flight', async () => {
    const script = path.join(import.meta.dirname, 'fixtures', 'scripts', 'worker-session-run.mjs');
    for (let round = 0; round < 3; round++) {
      const worker = new Worker(script);
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      await worker.terminate();
    }
    // The process is still healthy: a session on the main thread still runs correctly.
    const w = randomTensor([4, 3, 3, 3], 5);
    const net = (x: cn.Tensor): cn.Tensor => cn.relu(cn.conv2d(x, w, null, { padding: 1 }));
    const session = await cn.InferenceSession.create(net, { inputShape: [1, 3, 8, 8] });
    const x = randomTensor([1, 3, 8, 8], 6);
    expectClose(await session.run(x), net(x), 'after terminated workers', 1e-5);
  });
});
