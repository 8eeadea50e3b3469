// StepLR, CosineAnnealingLR and ReduceLROnPlateau against PyTorch 1.13's lr sequences (fixtures
// from scripts/make-optim-fixtures.py: two param groups, lr 0.1 and 0.02), plus state round
// trips and errors.
import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../lib/index.js';
import { thrown } from '../helpers.js';
import { closeTo, loadCases, type SchedulerCase } from './fixtures.js';

const cases = loadCases<SchedulerCase>('schedulers.json');
const { StepLR, CosineAnnealingLR, ReduceLROnPlateau } = optim.lrScheduler;

function twoGroups(): optim.SGD {
  return new optim.SGD(
    [
      { params: [tensor([0, 0], [2])], lr: 0.1 },
      { params: [tensor([0, 0], [2])], lr: 0.02 },
    ],
    { lr: 0.1, momentum: 0.9 },
  );
}

type AnyScheduler = { step(metric?: number): void; getLastLr(): number[]; stateDict(): optim.lrScheduler.SchedulerStateDict; loadStateDict(s: optim.lrScheduler.SchedulerStateDict): void };

function make(c: SchedulerCase, opt: optim.SGD): AnyScheduler {
  if (c.kind === 'StepLR') return new StepLR(opt, c.options as unknown as optim.lrScheduler.StepLROptions);
  if (c.kind === 'CosineAnnealingLR') return new CosineAnnealingLR(opt, c.options as unknown as optim.lrScheduler.CosineAnnealingLROptions);
  return new ReduceLROnPlateau(opt, c.options) as AnyScheduler;
}

const lrsOf = (opt: optim.SGD): number[] => opt.paramGroups.map((g) => g.lr);

describe('schedulers match PyTorch 1.13 lr sequences', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.kind} ${JSON.stringify(c.options)}`, () => {
      const opt = twoGroups();
      const sched = make(c, opt);
      closeTo(lrsOf(opt), c.lrs[0], `${c.name} after construction`, 1e-12);
      closeTo(sched.getLastLr(), c.lrs[0], `${c.name} getLastLr after construction`, 1e-12);
      for (let s = 1; s < c.lrs.length; s++) {
        sched.step(c.metrics?.[s - 1]);
        closeTo(lrsOf(opt), c.lrs[s], `${c.name} after step ${s}`, 1e-12);
        closeTo(sched.getLastLr(), c.lrs[s], `${c.name} getLastLr after step ${s}`, 1e-12);
      }
    });

    it(`${c.name}: optimizer + scheduler state saved halfway and loaded into fresh ones continue the same sequence`, () => {
      const opt = twoGroups();
      const sched = make(c, opt);
      const half = Math.floor(c.lrs.length / 2);
      for (let s = 1; s <= half; s++) sched.step(c.metrics?.[s - 1]);
      const saved = { opt: opt.stateDict(), sched: JSON.parse(JSON.stringify(sched.stateDict())) };
      const opt2 = twoGroups();
      const sched2 = make(c, opt2);
      opt2.loadStateDict(saved.opt);
      sched2.loadStateDict(saved.sched);
      for (let s = half + 1; s < c.lrs.length; s++) {
        sched2.step(c.metrics?.[s - 1]);
        closeTo(lrsOf(opt2), c.lrs[s], `${c.name} resumed, after step ${s}`, 1e-12);
      }
    });
  }

  it("the lecture's recipe: divide by 10 when validation accuracy stops rising", () => {
    const opt = new optim.SGD([tensor([0], [1])], { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
    const sched = new ReduceLROnPlateau(opt, { mode: 'max', factor: 0.1, patience: 1 });
    for (const acc of [0.5, 0.6, 0.6, 0.6]) sched.step(acc);
    closeTo(sched.getLastLr(), [0.001], 'plateau hand');
  });

  it('CosineAnnealingLR by the closed form: etaMin + (base - etaMin)(1 + cos(pi t/T))/2', () => {
    const opt = new optim.SGD([tensor([0], [1])], { lr: 1 });
    const sched = new CosineAnnealingLR(opt, { tMax: 10, etaMin: 0.1 });
    for (let t = 1; t <= 10; t++) {
      sched.step();
      closeTo(sched.getLastLr(), [0.1 + 0.9 * (1 + Math.cos((Math.PI * t) / 10)) / 2], `cosine t=${t}`, 1e-12);
    }
  });
});

describe('scheduler errors', () => {
  const opt = (): optim.SGD => new optim.SGD([tensor([0], [1])], { lr: 1 });
  const table: [string, () => unknown, RegExp][] = [
    ['StepLR without stepSize', () => new StepLR(opt(), {} as { stepSize: number }), /^StepLR: options\.stepSize: expected an integer >= 1, got undefined/],
    ['StepLR on a non-optimizer', () => new StepLR({} as optim.SGD, { stepSize: 1 }), /^StepLR: optimizer: expected an optimizer/],
    ['Cosine tMax 0', () => new CosineAnnealingLR(opt(), { tMax: 0 }), /^CosineAnnealingLR: options\.tMax: expected an integer >= 1, got 0/],
    ['Plateau factor 1', () => new ReduceLROnPlateau(opt(), { factor: 1 }), /^ReduceLROnPlateau: options\.factor: expected a number in \[0, 1\), got 1/],
    ['Plateau bad mode', () => new ReduceLROnPlateau(opt(), { mode: 'up' as 'max' }), /^ReduceLROnPlateau: options\.mode: expected 'min' or 'max', got "up"/],
    ['Plateau minLr per group count', () => new ReduceLROnPlateau(opt(), { minLr: [0, 0] }), /^ReduceLROnPlateau: options\.minLr: expected one value per param group \(1\), got 2 values/],
    ['Plateau step without a metric', () => new ReduceLROnPlateau(opt()).step(undefined as unknown as number), /^ReduceLROnPlateau\.step: metric: expected a number/],
    ['unknown option', () => new StepLR(opt(), { stepSize: 1, gama: 0.5 } as { stepSize: number }), /^StepLR: options\.gama: expected one of the options stepSize, gamma/],
  ];
  for (const [name, fn, re] of table) it(name, () => expect(thrown(fn).message).toMatch(re));
});
