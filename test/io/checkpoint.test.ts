// cn.save / cn.load: a checkpoint of model weights, optimizer state, scheduler state and plain
// values survives a round trip, resuming from it reproduces an uninterrupted run exactly, its
// weights are plain safetensors (readable by any reader), and misuse gives clear errors.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, io, load, optim, save, Tensor, tensor } from '../../lib/index.js';
import { thrown } from '../helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-ckpt-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * A tiny model trained by hand: loss = mean over a seeded batch of (w . x + b - y)^2, with the
 * gradient written out, so the test needs no autograd.
 */
class Toy {
  w = tensor(Float32Array.from([0.3, -0.2, 0.1]), [3]);
  b = tensor(Float32Array.from([0]), [1]);
  parameters(): Tensor[] {
    return [this.w, this.b];
  }
  stateDict(): Record<string, Tensor> {
    return { 'fc.weight': this.w, 'fc.bias': this.b };
  }
  loadStateDict(sd: Record<string, Tensor>): void {
    this.w.data.set(sd['fc.weight'].data);
    this.b.data.set(sd['fc.bias'].data);
  }
  /** One step on batch `step` (the batch depends on the seed and step only); returns the loss. */
  trainStep(opt: optim.Optimizer<{ lr: number }>, step: number): number {
    const gen = new Generator(1000 + step);
    const gw = new Float32Array(3);
    let gb = 0;
    let loss = 0;
    const n = 8;
    for (let i = 0; i < n; i++) {
      const x = [gen.normal(), gen.normal(), gen.normal()];
      const y = 2 * x[0] - x[1] + 0.5 + 0.1 * gen.normal();
      const err = this.w.data[0] * x[0] + this.w.data[1] * x[1] + this.w.data[2] * x[2] + this.b.data[0] - y;
      loss += (err * err) / n;
      for (let j = 0; j < 3; j++) gw[j] += (2 * err * x[j]) / n;
      gb += (2 * err) / n;
    }
    opt.zeroGrad();
    this.w.grad = tensor(gw, [3]);
    this.b.grad = tensor([gb], [1]);
    opt.step();
    return loss;
  }
}

const makeOpt = {
  SGD: (m: Toy) => new optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
  Adam: (m: Toy) => new optim.Adam(m.parameters(), { lr: 0.05, amsgrad: true }),
  AdamW: (m: Toy) => new optim.AdamW([{ params: [m.w] }, { params: [m.b], weightDecay: 0 }], { lr: 0.05 }),
};

describe('cn.save / cn.load', () => {
  for (const [name, make] of Object.entries(makeOpt)) {
    it(`${name}: resuming from a checkpoint reproduces the uninterrupted run's losses exactly`, () => {
      const steps = 12;
      const cut = 5;
      const ref = new Toy();
      const refOpt = make(ref);
      const refSched = new optim.lrScheduler.StepLR(refOpt, { stepSize: 4, gamma: 0.5 });
      const refLosses: number[] = [];
      for (let s = 0; s < steps; s++) {
        refLosses.push(ref.trainStep(refOpt, s));
        refSched.step();
      }

      const a = new Toy();
      const aOpt = make(a);
      const aSched = new optim.lrScheduler.StepLR(aOpt, { stepSize: 4, gamma: 0.5 });
      const losses: number[] = [];
      for (let s = 0; s < cut; s++) {
        losses.push(a.trainStep(aOpt, s));
        aSched.step();
      }
      const file = path.join(tmp, `resume-${name}.safetensors`);
      save(file, { model: a.stateDict(), optimizer: aOpt.stateDict(), scheduler: aSched.stateDict(), step: cut, seed: 1000 });

      // A fresh process would start from here: new model, optimizer and scheduler.
      const b = new Toy();
      b.w.data.fill(9);
      const bOpt = make(b);
      const bSched = new optim.lrScheduler.StepLR(bOpt, { stepSize: 4, gamma: 0.5 });
      const ckpt = load(file);
      b.loadStateDict(ckpt.model);
      bOpt.loadStateDict(ckpt.optimizer);
      bSched.loadStateDict(ckpt.scheduler);
      expect(ckpt.step).toBe(cut);
      for (let s = ckpt.step as number; s < steps; s++) {
        losses.push(b.trainStep(bOpt, s));
        bSched.step();
      }
      expect(losses).toEqual(refLosses);
      expect(Array.from(b.w.data)).toEqual(Array.from(ref.w.data));
    });
  }

  it('round-trips nested values: tensors, raw tensors, numbers incl. Infinity and NaN, strings, null, arrays', () => {
    const file = path.join(tmp, 'values.safetensors');
    const value = {
      model: { 'conv1.weight': tensor([1, 2, 3, 4], [1, 1, 2, 2]) },
      history: [{ loss: 0.5, acc: 0.9 }, { loss: Infinity, acc: NaN }],
      best: -Infinity,
      name: 'lenet5',
      done: false,
      nothing: null,
      counts: { dtype: 'I64', shape: [2], data: BigInt64Array.from([3n, 4n]) },
    };
    save(file, value);
    const back = load(file);
    expect(back.model['conv1.weight']).toBeInstanceOf(Tensor);
    expect(Array.from(back.model['conv1.weight'].data)).toEqual([1, 2, 3, 4]);
    expect(back.model['conv1.weight'].shape).toEqual([1, 1, 2, 2]);
    expect(back.history).toEqual([{ loss: 0.5, acc: 0.9 }, { loss: Infinity, acc: NaN }]);
    expect(back.best).toBe(-Infinity);
    expect([back.name, back.done, back.nothing]).toEqual(['lenet5', false, null]);
    expect(back.counts).toEqual({ dtype: 'I64', shape: [2], data: BigInt64Array.from([3n, 4n]) });
  });

  it('stores weights as named F32 tensors any safetensors reader sees, state as metadata JSON', () => {
    const file = path.join(tmp, 'plain.safetensors');
    const m = new Toy();
    const opt = makeOpt.SGD(m);
    m.trainStep(opt, 0);
    save(file, { model: m.stateDict(), optimizer: opt.stateDict() });
    const raw = io.loadSafetensors(file);
    expect(Object.keys(raw.tensors).sort()).toEqual(['model.fc.bias', 'model.fc.weight', 'optimizer.state.0.momentumBuffer', 'optimizer.state.1.momentumBuffer']);
    expect(raw.metadata.format).toBe('convnode');
    const skeleton = JSON.parse(raw.metadata['convnode.checkpoint']);
    expect(skeleton.optimizer.paramGroups[0]).toMatchObject({ lr: 0.05, momentum: 0.9, nesterov: true, params: [0, 1] });
  });

  it('a safetensors file from elsewhere loads as a flat state dict of float32 Tensors', () => {
    const flat = load(path.resolve(import.meta.dirname, '..', 'fixtures', 'io', 'python-made.safetensors'));
    for (const t of Object.values(flat)) expect(t).toBeInstanceOf(Tensor);
    expect(flat['conv1.weight'].shape).toEqual([2, 1, 2, 2]);
    expect(flat['bn.num_batches_tracked'].shape).toEqual([]);
    expect(flat['bn.num_batches_tracked'].data[0]).toBe(Math.fround(123456789012345));
    expect(Array.from(flat['half.f16'].data)).toEqual([1, -2]); // F16 bits 0x3C00, 0xC000
    expect(Array.from(flat['mask.bool'].data)).toEqual([1, 0, 1]);
    expect(Array.from(flat['scale.f64'].data)).toEqual([Math.fround(1 / 3), Math.fround(-2.5e-300)]);
    expect(Array.from(flat['counts.i32'].data)).toEqual([1, -2, 3, -(2 ** 31)]);
  });

  it('toFloat32Tensor decodes F16 (normal, subnormal, inf, nan) and BF16 by hand values', () => {
    const f16 = io.toFloat32Tensor({ dtype: 'F16', shape: [6], data: Uint16Array.from([0x3555, 0x0001, 0x7c00, 0xfc00, 0x7e00, 0x8000]) });
    expect(Array.from(f16.data)).toEqual([Math.fround(0.333251953125), Math.fround(2 ** -24), Infinity, -Infinity, NaN, -0]);
    const bf16 = io.toFloat32Tensor({ dtype: 'BF16', shape: [2], data: Uint16Array.from([0x3f80, 0xc0a0]) });
    expect(Array.from(bf16.data)).toEqual([1, -5]);
  });

  it('errors name the path in the checkpoint', () => {
    const file = path.join(tmp, 'bad.safetensors');
    expect(thrown(() => save(file, { model: { w: new Map() } })).message).toBe('save: checkpoint.model.w: expected a Tensor, RawTensor, number, string, boolean, null, array or plain object, got a Map');
    expect(thrown(() => save(file, [] as unknown as Record<string, unknown>)).message).toMatch(/^save: checkpoint: expected a plain object/);
    expect(thrown(() => save(file, { x: { $tensor: 'y' } })).message).toMatch(/^save: checkpoint\.x\.\$tensor: expected keys other than "\$tensor" and "\$number"/);
    expect(fs.existsSync(file)).toBe(false);
  });
});
