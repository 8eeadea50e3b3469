/**
 * Learning-rate schedulers, as PyTorch's torch.optim.lr_scheduler (1.13 semantics): each one
 * rewrites `lr` in every param group of an optimizer when its `step()` is called (once per
 * epoch, after the epoch's optimizer steps). Construction records each group's `initialLr` and
 * counts as step 0, exactly as in PyTorch.
 */
import { describeValue, rangeError, typeError } from '../errors.js';

/** What a scheduler needs of an optimizer: its groups' learning rates. */
export interface HasParamGroups {
  paramGroups: { lr: number; initialLr?: number }[];
}

/** A scheduler's snapshot: plain numbers, for checkpoints (cn.save puts it in the metadata). */
export type SchedulerStateDict = Record<string, number | number[] | string | null>;

function checkOptimizer(op: string, optimizer: unknown): HasParamGroups {
  const groups = (optimizer as HasParamGroups | null)?.paramGroups;
  if (!Array.isArray(groups) || groups.length === 0 || !groups.every((g) => typeof g?.lr === 'number')) {
    throw typeError(op, 'optimizer', 'an optimizer (with paramGroups[].lr)', describeValue(optimizer));
  }
  return optimizer as HasParamGroups;
}

function checkNumber(op: string, arg: string, v: unknown, ok: (x: number) => boolean, expected: string): number {
  if (typeof v !== 'number') throw typeError(op, arg, expected, describeValue(v));
  if (!ok(v)) throw rangeError(op, arg, expected, describeValue(v));
  return v;
}

function checkOptions(op: string, options: unknown, known: string[]): Record<string, unknown> {
  if (options === null || typeof options !== 'object') throw typeError(op, 'options', 'an object', describeValue(options));
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw rangeError(op, `options.${k}`, `one of the options ${known.join(', ')}`, `an unknown option ${JSON.stringify(k)}`);
  }
  return options as Record<string, unknown>;
}

/** A scheduler that sets each group's lr from the epoch count (StepLR, CosineAnnealingLR). */
export abstract class EpochScheduler {
  /** Steps taken; 0 after construction. */
  lastEpoch = -1;
  /** Each group's lr when the first scheduler was attached (its `initialLr`). */
  readonly baseLrs: number[];
  protected lastLr: number[] = [];

  protected constructor(readonly optimizer: HasParamGroups) {
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** The lr of every group for the current `lastEpoch`, from the groups' current lrs. */
  protected abstract computeLr(): number[];

  /**
   * Advances one epoch and writes the new lrs into the optimizer's groups.
   * @example for (let e = 0; e < epochs; e++) { trainOneEpoch(); scheduler.step(); }
   */
  step(): void {
    this.lastEpoch += 1;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = lrs;
  }

  /** The lrs the last step set, one per group. @example scheduler.getLastLr() // [0.1] */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** @example const s = scheduler.stateDict(); later.loadStateDict(s); */
  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restores `lastEpoch` and the lrs; the optimizer's own lrs come from its state dict. */
  loadStateDict(sd: SchedulerStateDict): void {
    const op = `${this.constructor.name}.loadStateDict`;
    if (typeof sd?.lastEpoch !== 'number' || !Array.isArray(sd.lastLr) || sd.lastLr.length !== this.optimizer.paramGroups.length) {
      throw typeError(op, 'stateDict', `{ lastEpoch, lastLr } for ${this.optimizer.paramGroups.length} groups`, describeValue(sd));
    }
    this.lastEpoch = sd.lastEpoch;
    this.lastLr = [...sd.lastLr];
    if (Array.isArray(sd.baseLrs)) this.baseLrs.splice(0, this.baseLrs.length, ...sd.baseLrs);
  }
}

export interface StepLROptions {
  /** Epochs between decays. */
  stepSize: number;
  /** Multiplier at each decay (default 0.1). */
  gamma?: number;
}

/** Multiplies every group's lr by `gamma` every `stepSize` epochs. */
export class StepLR extends EpochScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  /**
   * @example const sched = new cn.optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 });
   */
  constructor(optimizer: HasParamGroups, options: StepLROptions) {
    checkOptimizer('StepLR', optimizer);
    const o = checkOptions('StepLR', options, ['stepSize', 'gamma']);
    const stepSize = checkNumber('StepLR', 'options.stepSize', o.stepSize, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
    const gamma = checkNumber('StepLR', 'options.gamma', o.gamma ?? 0.1, (x) => Number.isFinite(x) && x > 0, 'a number > 0');
    super(optimizer);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.step();
  }

  protected computeLr(): number[] {
    const decay = this.lastEpoch !== 0 && this.lastEpoch % this.stepSize === 0;
    return this.optimizer.paramGroups.map((g) => (decay ? g.lr * this.gamma : g.lr));
  }
}

export interface CosineAnnealingLROptions {
  /** Epochs from the base lr down to etaMin (then back up, periodically, as in PyTorch). */
  tMax: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing (SGDR without restarts): lr(t) = etaMin + (base - etaMin)(1 + cos(pi t / tMax)) / 2,
 * computed recursively from the current lr, as PyTorch's `step()` does (so a user change of lr
 * between steps carries on).
 */
export class CosineAnnealingLR extends EpochScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  /**
   * @example const sched = new cn.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: epochs });
   */
  constructor(optimizer: HasParamGroups, options: CosineAnnealingLROptions) {
    checkOptimizer('CosineAnnealingLR', optimizer);
    const o = checkOptions('CosineAnnealingLR', options, ['tMax', 'etaMin']);
    const tMax = checkNumber('CosineAnnealingLR', 'options.tMax', o.tMax, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
    const etaMin = checkNumber('CosineAnnealingLR', 'options.etaMin', o.etaMin ?? 0, (x) => Number.isFinite(x) && x >= 0, 'a number >= 0');
    super(optimizer);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.step();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0) return groups.map((g) => g.lr);
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      // The trough of a period: step back up by the same amount as the first step down.
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return groups.map((g) => ratio * (g.lr - etaMin) + etaMin);
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** Multiplier of the lr at a plateau (default 0.1: the lecture's "divide by 10"). */
  factor?: number;
  /** Epochs without improvement tolerated before the lr drops (default 10). */
  patience?: number;
  /** What counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel': better than best * (1 -/+ threshold); 'abs': best -/+ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a drop before counting bad epochs again (default 0). */
  cooldown?: number;
  /** The lowest lr, one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** A drop smaller than this is skipped (default 1e-8). */
  eps?: number;
}

/**
 * Multiplies the lr by `factor` when a metric stops improving for more than `patience` epochs.
 * The lecture's recipe, "divide by 10 when validation accuracy plateaus":
 * `new ReduceLROnPlateau(opt, { mode: 'max', factor: 0.1 })`, then `sched.step(valAccuracy)`.
 */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  /**
   * @example
   * const sched = new cn.optim.lrScheduler.ReduceLROnPlateau(opt, { mode: 'max', factor: 0.1, patience: 5 });
   * sched.step(validationAccuracy); // once per epoch
   */
  constructor(readonly optimizer: HasParamGroups, options: ReduceLROnPlateauOptions = {}) {
    const op = 'ReduceLROnPlateau';
    const o = checkOptions(op, options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    checkOptimizer(op, optimizer);
    const mode = o.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') throw rangeError(op, 'options.mode', "'min' or 'max'", describeValue(mode));
    this.mode = mode;
    const thresholdMode = o.thresholdMode ?? 'rel';
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw rangeError(op, 'options.thresholdMode', "'rel' or 'abs'", describeValue(thresholdMode));
    }
    this.thresholdMode = thresholdMode;
    this.factor = checkNumber(op, 'options.factor', o.factor ?? 0.1, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
    this.patience = checkNumber(op, 'options.patience', o.patience ?? 10, (x) => Number.isInteger(x) && x >= 0, 'an integer >= 0');
    this.threshold = checkNumber(op, 'options.threshold', o.threshold ?? 1e-4, (x) => Number.isFinite(x) && x >= 0, 'a number >= 0');
    this.cooldown = checkNumber(op, 'options.cooldown', o.cooldown ?? 0, (x) => Number.isInteger(x) && x >= 0, 'an integer >= 0');
    this.eps = checkNumber(op, 'options.eps', o.eps ?? 1e-8, (x) => Number.isFinite(x) && x >= 0, 'a number >= 0');
    const groups = optimizer.paramGroups.length;
    const minLr = o.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== groups) throw rangeError(op, 'options.minLr', `one value per param group (${groups})`, `${minLr.length} values`);
      this.minLrs = minLr.map((v, i) => checkNumber(op, `options.minLr[${i}]`, v, (x) => x >= 0, 'a number >= 0'));
    } else {
      const v = checkNumber(op, 'options.minLr', minLr, (x) => x >= 0, 'a number >= 0 or an array of them');
      this.minLrs = new Array<number>(groups).fill(v);
    }
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Whether `a` improves on the best so far by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /**
   * Records one epoch's metric; drops the lr when it has not improved for more than `patience` epochs.
   * @example sched.step(valLoss);
   */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw typeError('ReduceLROnPlateau.step', 'metric', 'a number (the validation loss or accuracy)', describeValue(metric));
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs after the last step, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** @example const s = sched.stateDict(); later.loadStateDict(s); */
  stateDict(): SchedulerStateDict {
    return {
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  /** Restores the counters and the best metric (null stands for "none yet", i.e. +-Infinity). */
  loadStateDict(sd: SchedulerStateDict): void {
    const op = 'ReduceLROnPlateau.loadStateDict';
    if (typeof sd?.numBadEpochs !== 'number' || typeof sd.cooldownCounter !== 'number' || typeof sd.lastEpoch !== 'number') {
      throw typeError(op, 'stateDict', '{ best, numBadEpochs, cooldownCounter, lastEpoch }', describeValue(sd));
    }
    this.best = typeof sd.best === 'number' ? sd.best : this.mode === 'min' ? Infinity : -Infinity;
    this.numBadEpochs = sd.numBadEpochs;
    this.cooldownCounter = sd.cooldownCounter;
    this.lastEpoch = sd.lastEpoch;
    if (Array.isArray(sd.lastLr)) this.lastLr = [...sd.lastLr];
  }
}
