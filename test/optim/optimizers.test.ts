// SGD, Adam and AdamW against PyTorch 1.13 (fixtures from scripts/make-optim-fixtures.py): the
// parameters after each of 5 steps from the same gradients, the state after the last step,
// and a stateDict round trip that resumes mid-run; plus hand-computed single steps and errors.
import { describe, expect, it } from 'vitest';
import { optim, Tensor, tensor } from '../../lib/index.js';
import { thrown } from '../helpers.js';
import { closeTo, loadCases, type OptimizerCase } from './fixtures.js';

const cases = loadCases<OptimizerCase>('optimizers.json');

const STATE_KEYS: Record<string, string> = {
  momentum_buffer: 'momentumBuffer',
  exp_avg: 'expAvg',
  exp_avg_sq: 'expAvgSq',
  max_exp_avg_sq: 'maxExpAvgSq',
  step: 'step',
};

function build(c: OptimizerCase): { params: Tensor[]; opt: optim.Optimizer<{ lr: number }> } {
  const params = c.initial.map((d, i) => {
    const t = tensor(Float32Array.from(d), c.shapes[i]);
    t.requiresGrad = true;
    return t;
  });
  const arg = c.groups === null ? params : c.groups.map((g) => ({ params: g.params.map((i) => params[i]), ...g.options }));
  const Ctor = optim[c.optimizer] as unknown as new (p: unknown, o: unknown) => optim.Optimizer<{ lr: number }>;
  return { params, opt: new Ctor(arg, c.defaults) };
}

function setGrads(c: OptimizerCase, params: Tensor[], step: number): void {
  params.forEach((p, i) => {
    const g = c.grads[step][i];
    p.grad = g === null ? null : tensor(Float32Array.from(g), c.shapes[i]);
  });
}

describe('optimizers match PyTorch 1.13 step by step', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.optimizer} ${JSON.stringify(c.defaults)} groups=${JSON.stringify(c.groups)}`, () => {
      const { params, opt } = build(c);
      for (let s = 0; s < c.after.length; s++) {
        setGrads(c, params, s);
        opt.step();
        params.forEach((p, i) => closeTo(p.data, c.after[s][i], `${c.name} step ${s + 1} param ${i}`));
      }
      const sd = opt.stateDict();
      expect(Object.keys(sd.state).sort(), c.name).toEqual(Object.keys(c.state).sort());
      for (const [i, entry] of Object.entries(c.state)) {
        const ours = sd.state[i];
        expect(Object.keys(ours).sort(), `${c.name} state ${i}`).toEqual(Object.keys(entry).map((k) => STATE_KEYS[k]).sort());
        for (const [k, v] of Object.entries(entry)) {
          const mine = ours[STATE_KEYS[k]];
          if (typeof v === 'number') expect(mine, `${c.name} state ${i}.${k}`).toBe(v);
          else closeTo((mine as Tensor).data, v, `${c.name} state ${i}.${k}`);
        }
      }
    });
  }

  for (const c of cases) {
    it(`${c.name}: stateDict after 2 steps, loaded into a fresh optimizer, gives the same 3 last steps`, () => {
      const first = build(c);
      for (let s = 0; s < 2; s++) {
        setGrads(c, first.params, s);
        first.opt.step();
      }
      const saved = first.opt.stateDict();
      // Later steps of the first optimizer must not change the snapshot.
      setGrads(c, first.params, 2);
      first.opt.step();
      const second = build(c);
      second.params.forEach((p, i) => p.data.set(c.after[1][i]));
      second.opt.loadStateDict(saved);
      for (let s = 2; s < c.after.length; s++) {
        setGrads(c, second.params, s);
        second.opt.step();
        second.params.forEach((p, i) => closeTo(p.data, c.after[s][i], `${c.name} resumed step ${s + 1} param ${i}`));
      }
    });
  }
});

describe('hand-computed steps', () => {
  it('SGD momentum: the buffer starts at the first gradient, then b = m b + g', () => {
    const p = tensor([1, -2], [2]);
    const opt = new optim.SGD([p], { lr: 0.5, momentum: 0.9 });
    p.grad = tensor([2, 4], [2]);
    opt.step(); // b = [2, 4]; p = [1 - 1, -2 - 2]
    expect(Array.from(p.data)).toEqual([0, -4]);
    p.grad = tensor([1, 0], [2]);
    opt.step(); // b = [2.8, 3.6]; p = [-1.4, -5.8]
    closeTo(p.data, [-1.4, -5.8], 'sgd momentum step 2');
  });

  it('SGD weight decay is added to the gradient before momentum', () => {
    const p = tensor([10], [1]);
    const opt = new optim.SGD([p], { lr: 0.1, weightDecay: 0.5 });
    p.grad = tensor([1], [1]);
    opt.step(); // g = 1 + 5 = 6 -> 10 - 0.6
    closeTo(p.data, [9.4], 'sgd wd');
  });

  it('Adam: the first step moves each weight by about lr against the sign of its gradient', () => {
    const p = tensor([0, 0, 0], [3]);
    const opt = new optim.Adam([p], { lr: 0.01 });
    p.grad = tensor([3, -0.001, 0], [3]);
    opt.step(); // m^ = g, v^ = g^2 -> step = lr * g / (|g| + eps)
    closeTo(p.data, [-0.01, 0.01 * (0.001 / (0.001 + 1e-8)), 0], 'adam step 1');
  });

  it('AdamW decays the weights by lr * weightDecay even with a zero gradient', () => {
    const p = tensor([2], [1]);
    const opt = new optim.AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    p.grad = tensor([0], [1]);
    opt.step();
    closeTo(p.data, [2 * (1 - 0.05)], 'adamw decay');
  });

  it('a parameter without a gradient is left alone and gets no state', () => {
    const a = tensor([1], [1]);
    const b = tensor([1], [1]);
    const opt = new optim.SGD([a, b], { lr: 1, momentum: 0.9 });
    a.grad = tensor([1], [1]);
    opt.step();
    expect(b.data[0]).toBe(1);
    expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
  });

  it('paramGroups[i].lr is mutable and used by the next step', () => {
    const p = tensor([1], [1]);
    const opt = new optim.SGD([p], { lr: 1 });
    opt.paramGroups[0].lr = 0.25;
    p.grad = tensor([1], [1]);
    opt.step();
    expect(p.data[0]).toBe(0.75);
  });

  it('zeroGrad sets grads to null by default, or fills them with 0', () => {
    const p = tensor([1], [1]);
    const opt = new optim.Adam([p]);
    p.grad = tensor([3], [1]);
    const g = p.grad;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(g.data[0]).toBe(0);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('groups inherit the defaults they leave out', () => {
    const a = tensor([1], [1]);
    const b = tensor([1], [1]);
    const opt = new optim.AdamW([{ params: [a] }, { params: [b], lr: 0.5, betas: [0.5, 0.6] }]);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, betas: [0.5, 0.6], weightDecay: 0.01 });
  });
});

describe('errors name the optimizer, the argument, what was expected and what came', () => {
  const p = (): Tensor => tensor([1, 2], [2]);
  const table: [string, () => unknown, RegExp][] = [
    ['SGD without lr', () => new optim.SGD([p()], {} as { lr: number }), /^SGD: options\.lr: expected a learning rate/],
    ['negative lr', () => new optim.SGD([p()], { lr: -1 }), /^SGD: options\.lr: expected a finite number >= 0, got -1/],
    ['lr as a string', () => new optim.Adam([p()], { lr: '0.1' as unknown as number }), /^Adam: options\.lr: expected a finite number >= 0, got "0\.1"/],
    ['unknown option', () => new optim.SGD([p()], { lr: 1, momentun: 0.9 } as { lr: number }), /^SGD: options\.momentun: expected one of the options lr, momentum.*got an unknown option "momentun"/],
    ['nesterov without momentum', () => new optim.SGD([p()], { lr: 1, nesterov: true }), /^SGD: paramGroups\[0\]\.nesterov: expected momentum > 0 and dampening 0/],
    ['bad betas', () => new optim.Adam([p()], { betas: [0.9, 1] }), /^Adam: options\.betas: expected a pair \[beta1, beta2\] of numbers in \[0, 1\), got \[0\.9, 1\]/],
    ['empty params', () => new optim.AdamW([]), /^AdamW: params: expected at least one parameter, got an empty list/],
    ['params not iterable', () => new optim.SGD(5 as unknown as Tensor[], { lr: 1 }), /^SGD: params: expected an iterable of Tensors or of param groups/],
    ['a parameter twice', () => { const t = p(); return new optim.SGD([{ params: [t] }, { params: [t] }], { lr: 1 }); }, /^SGD: params\[1\]\.params\[0\]: expected each parameter in one group only/],
    ['group option out of range', () => new optim.SGD([{ params: [p()], momentum: -0.1 }], { lr: 1 }), /^SGD: params\[0\]\.momentum: expected a finite number >= 0, got -0\.1/],
  ];
  for (const [name, fn, re] of table) {
    it(name, () => expect(thrown(fn).message).toMatch(re));
  }

  it('a gradient of the wrong shape', () => {
    const w = tensor([1, 2, 3, 4], [2, 2]);
    const opt = new optim.SGD([w], { lr: 1 });
    w.grad = tensor([1, 2], [2]);
    expect(thrown(() => opt.step()).message).toBe('SGD.step: paramGroups[0].params[0].grad: expected shape [2, 2] (as the parameter), got shape [2]');
  });

  it('loadStateDict with other groups or other shapes', () => {
    const a = new optim.SGD([p()], { lr: 1, momentum: 0.9 });
    const b = new optim.SGD([{ params: [p()] }, { params: [p()] }], { lr: 1, momentum: 0.9 });
    expect(thrown(() => a.loadStateDict(b.stateDict())).message).toBe('SGD.loadStateDict: stateDict.paramGroups: expected 1 groups, got 2');
    const c = new optim.SGD([tensor([1, 2, 3], [3])], { lr: 1, momentum: 0.9 });
    c.paramGroups[0].params[0].grad = tensor([1, 1, 1], [3]);
    c.step();
    expect(thrown(() => a.loadStateDict(c.stateDict())).message).toBe('SGD.loadStateDict: stateDict.state[0].momentumBuffer: expected shape [2] (as parameter 0), got shape [3]');
  });
});
