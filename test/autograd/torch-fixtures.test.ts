// Forward values and gradients against PyTorch 1.13 (fixtures from scripts/make-grad-fixtures.py).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { expectClose } from '../helpers.js';

interface Stored { shape: number[]; data: number[] }
interface Fixture {
  name: string;
  options: Record<string, unknown>;
  inputs: Record<string, Stored>;
  output: Stored;
  upstream: Stored;
  grads: Record<string, Stored>;
  [extra: string]: unknown;
}

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'torch-grad');
const load = (name: string): Fixture => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Fixture;
const toTensor = (s: Stored): cn.Tensor => cn.tensor(Float32Array.from(s.data), s.shape);

type Runner = (inputs: Record<string, cn.Tensor>, f: Fixture) => cn.Tensor;

const runners: Record<string, Runner> = {
  conv2d_grouped_dilated: ({ x, w, b }, f) => cn.conv2d(x, w, b, f.options as cn.Conv2dOptions),
  conv2d_depthwise_5x5_s2: ({ x, w, b }, f) => cn.conv2d(x, w, b, f.options as cn.Conv2dOptions),
  max_pool2d_ceil: ({ x }, f) => cn.maxPool2d(x, f.options as unknown as cn.MaxPool2dOptions),
  avg_pool2d_exclude_pad: ({ x }, f) => cn.avgPool2d(x, f.options as unknown as cn.AvgPool2dOptions),
  lp_pool2d_p2: ({ x }, f) => cn.lpPool2d(x, f.options as unknown as cn.LpPool2dOptions),
  adaptive_avg_pool2d: ({ x }) => cn.adaptiveAvgPool2d(x, [3, 2]),
  local_response_norm: ({ x }, f) => cn.lrn(x, f.options as unknown as cn.LrnOptions),
  linear: ({ x, w, b }) => cn.linear(x, w, b),
  log_softmax: ({ x }) => cn.logSoftmax(x, 1),
  cross_entropy_smoothing: ({ z }, f) => cn.crossEntropy(z, f.options.labels as number[], { labelSmoothing: f.options.labelSmoothing as number }),
  batch_norm_train: ({ x, g, b }, f) => {
    const rm = toTensor(f.runningMeanBefore as Stored);
    const rv = toTensor(f.runningVarBefore as Stored);
    const y = cn.batchNorm2d(x, rm, rv, g, b, { training: true, momentum: 0.1, eps: 1e-5 });
    expectClose(rm, toTensor(f.runningMeanAfter as Stored), 'running mean', 1e-5);
    expectClose(rv, toTensor(f.runningVarAfter as Stored), 'running var', 1e-5);
    return y;
  },
};

describe('forward and backward match PyTorch', () => {
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
  it('has a runner for every fixture', () => {
    expect(names.sort()).toEqual(Object.keys(runners).sort());
  });
  for (const name of names) {
    it(name, () => {
      const f = load(name);
      const inputs = Object.fromEntries(Object.entries(f.inputs).map(([k, v]) => [k, toTensor(v).requiresGrad_()]));
      const out = runners[name](inputs, f);
      expectClose(out, toTensor(f.output), { name, what: 'output' }, 1e-5);
      out.backward(toTensor(f.upstream));
      for (const [k, g] of Object.entries(f.grads)) expectClose(inputs[k].grad!, toTensor(g), { name, grad: k }, 1e-5);
    });
  }
});
