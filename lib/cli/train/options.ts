/**
 * The options of `convnode train`, their defaults, and their validation. Commander parses the
 * flags (and rejects unknown ones and unknown choices); `resolveTrainOptions` checks the values
 * together (e.g. --momentum only with sgd) for callers that skip the CLI, with errors that name
 * the flag, what it expects and what it got.
 */
import * as fs from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { trainModelNames } from '../../train/models.js';

export const OPTIMIZERS = ['sgd', 'adam', 'adamw'] as const;
export const SCHEDULERS = ['none', 'step', 'cosine', 'plateau'] as const;
export const AUGMENTATIONS = ['none', 'flip', 'crop', 'both'] as const;

export interface TrainCommandOptions {
  model: string;
  epochs: number;
  batchSize: number;
  /** Default: 0.01 for sgd, 0.001 for adam and adamw. */
  lr?: number;
  /** sgd only; default 0.9. */
  momentum?: number;
  weightDecay: number;
  optimizer: (typeof OPTIMIZERS)[number];
  scheduler: (typeof SCHEDULERS)[number];
  /** flip: random horizontal flips; crop: random crops with padding 2; both (what a bare --augment means). */
  augment: (typeof AUGMENTATIONS)[number];
  threads: number;
  seed: number;
  out: string;
  /** A folder with the four Fashion-MNIST IDX files; default: the shipped subset. */
  data?: string;
  resume?: string;
  json: boolean;
  /** Use only the first `limit` training and test images (quick runs, tests). */
  limit?: number;
  /**
   * Stop after this epoch although the run is planned for `epochs` (its LR schedule still spans
   * them all): a time-boxed run, continued later with --resume.
   */
  stopAfter?: number;
  /** Test images whose prediction is printed at the end. */
  predictions: number;
}

export const DEFAULTS: Omit<TrainCommandOptions, 'lr' | 'momentum' | 'data' | 'resume' | 'limit' | 'stopAfter'> = {
  model: 'lenet5',
  epochs: 5,
  batchSize: 64,
  weightDecay: 0,
  optimizer: 'sgd',
  scheduler: 'none',
  augment: 'none',
  // LeNet-sized nets train faster on one thread (fork/join costs more than the work it splits).
  threads: 1,
  seed: 0,
  out: 'convnode-out',
  json: false,
  predictions: 8,
};

/**
 * Commander argument parsers: each throws InvalidArgumentError, which commander prints with the flag.
 * @example parseIntAtLeast(1)('0') // throws: expected an integer >= 1, got "0"
 */
export function parseIntAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got "${value}"`);
    return n;
  };
}

/** @example parseNumberAtLeast(0, true)('-1') // throws: expected a number > 0, got "-1" */
export function parseNumberAtLeast(min: number, exclusive = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && (exclusive ? n > min : n >= min);
    if (!ok) throw new InvalidArgumentError(`expected a number ${exclusive ? '>' : '>='} ${min}, got "${value}"`);
    return n;
  };
}

/** @example parseInteger('7') // 7 */
export function parseInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
  return n;
}

/** The options with every default filled in, checked as a whole. */
export type ResolvedTrainOptions = TrainCommandOptions & { lr: number; momentum: number };

/** `got` is quoted when it is a value the user gave as a string; `described` is printed as is. */
const fail = (flag: string, expected: string, got: unknown, described = false): Error =>
  new RangeError(`train: ${flag}: expected ${expected}, got ${typeof got === 'string' && !described ? JSON.stringify(got) : String(got)}`);

/**
 * Fills in the defaults and checks every value.
 * @example resolveTrainOptions({ epochs: 2 }).lr // 0.01
 */
export function resolveTrainOptions(options: Partial<TrainCommandOptions>): ResolvedTrainOptions {
  const o = { ...DEFAULTS, ...options };
  const int = (flag: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw fail(flag, `an integer >= ${min}`, v);
  };
  if (!trainModelNames().includes(o.model)) throw fail('--model', `one of ${trainModelNames().join(', ')}`, o.model);
  if (!OPTIMIZERS.includes(o.optimizer)) throw fail('--optimizer', `one of ${OPTIMIZERS.join(', ')}`, o.optimizer);
  if (!AUGMENTATIONS.includes(o.augment)) throw fail('--augment', `one of ${AUGMENTATIONS.join(', ')}`, o.augment);
  if (!SCHEDULERS.includes(o.scheduler)) throw fail('--scheduler', `one of ${SCHEDULERS.join(', ')}`, o.scheduler);
  int('--epochs', o.epochs, 1);
  int('--batch-size', o.batchSize, 1);
  int('--threads', o.threads, 1);
  int('--predictions', o.predictions, 0);
  if (!Number.isInteger(o.seed)) throw fail('--seed', 'an integer', o.seed);
  if (o.limit !== undefined) int('--limit', o.limit, 1);
  if (o.stopAfter !== undefined && (!Number.isInteger(o.stopAfter) || o.stopAfter < 1 || o.stopAfter > o.epochs)) {
    throw fail('--stop-after', `an integer in [1, --epochs = ${o.epochs}]`, o.stopAfter);
  }
  const lr = o.lr ?? (o.optimizer === 'sgd' ? 0.01 : 0.001);
  if (!(Number.isFinite(lr) && lr > 0)) throw fail('--lr', 'a number > 0', lr);
  if (o.momentum !== undefined && o.optimizer !== 'sgd') throw fail('--momentum', `no value with --optimizer ${o.optimizer} (momentum is sgd's; Adam has betas)`, o.momentum, true);
  const momentum = o.momentum ?? (o.optimizer === 'sgd' ? 0.9 : 0);
  if (!(Number.isFinite(momentum) && momentum >= 0 && momentum < 1)) throw fail('--momentum', 'a number in [0, 1)', momentum);
  if (!(Number.isFinite(o.weightDecay) && o.weightDecay >= 0)) throw fail('--weight-decay', 'a number >= 0', o.weightDecay);
  if (o.data !== undefined && !(fs.existsSync(o.data) && fs.statSync(o.data).isDirectory())) {
    throw fail('--data', 'a folder holding the Fashion-MNIST IDX files (e.g. /usr/share/datasets/fashion-mnist)', `${o.data} (no such folder)`, true);
  }
  if (o.resume !== undefined && !fs.existsSync(o.resume)) throw fail('--resume', 'a checkpoint file written by convnode train', `${o.resume} (no such file)`, true);
  if (typeof o.out !== 'string' || o.out === '') throw fail('--out', 'a folder path', o.out);
  return { ...o, lr, momentum };
}
