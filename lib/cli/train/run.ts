/**
 * One `convnode train` run: set up (or resume), fit with progress, then write the curves (SVG
 * and PNG), the checkpoint (after every epoch, atomically) and the history, and print a few
 * test predictions with their class names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { noGrad } from '../../autograd/grad-mode.js';
import { load, save } from '../../io/checkpoint.js';
import { softmax } from '../../ops/activation.js';
import { setNumThreads } from '../../system.js';
import { fit, type EpochResult } from '../../train/fit.js';
import { argmaxRows } from '../../train/evaluate.js';
import { curvesPng } from '../../train/plot/png.js';
import { curvesSvg } from '../../train/plot/svg.js';
import { datasetStats } from '../../train/stats.js';
import type { Module } from '../../nn/module.js';
import type { DataLoader } from '../../data/dataloader.js';
import { resolveTrainOptions, type ResolvedTrainOptions, type TrainCommandOptions } from './options.js';
import { createReporter, type Output } from './progress.js';
import { loadData, makeLoaders, makeModel, makeOptimizer, makeScheduler, type Normalization } from './setup.js';

/** An epoch as the checkpoint and history.json keep it (no per-batch losses). */
export type EpochRecord = Omit<EpochResult, 'batchLosses'>;

export interface Prediction {
  index: number;
  predicted: string;
  probability: number;
  actual: string;
}

export interface TrainRunResult {
  options: ResolvedTrainOptions;
  /** Every epoch so far, those of a resumed checkpoint included. */
  history: EpochRecord[];
  /** The epochs this run trained, with their batch losses. */
  epochs: EpochResult[];
  normalization: Normalization;
  files: { checkpoint: string; svg: string; png: string; history: string };
  predictions: Prediction[];
}

export interface TrainIo {
  stdout: Output;
  stderr: Output;
}

/** What the checkpoint records of the run, so that --resume can refuse a mismatched one. */
const CONFIG_KEYS = ['model', 'optimizer', 'scheduler', 'batchSize', 'seed', 'augment'] as const;

function record(r: EpochResult): EpochRecord {
  const { batchLosses: _dropped, ...rest } = r;
  return rest;
}

/** Predictions for `count` test images spread over the test set. */
function predict(model: Module, loader: DataLoader, classes: readonly string[], count: number): Prediction[] {
  const n = loader.dataset.length;
  if (count === 0 || n === 0) return [];
  const picks = Array.from({ length: Math.min(count, n) }, (_, i) => Math.floor((i * n) / Math.min(count, n)));
  model.eval();
  return noGrad(() => {
    const out: Prediction[] = [];
    for (const { x, y, indices } of loader) {
      const wanted = picks.filter((p) => p >= indices[0] && p <= indices[indices.length - 1]);
      if (wanted.length === 0) continue;
      const logits = model.forward(x);
      const probs = softmax(logits, 1);
      const pred = argmaxRows(logits);
      const c = logits.shape[1];
      for (const p of wanted) {
        const i = p - indices[0];
        const name = (k: number): string => classes[k] ?? `class ${k}`;
        out.push({ index: p, predicted: name(pred[i]), probability: probs.data[i * c + pred[i]], actual: name(y[i]) });
      }
    }
    return out;
  });
}

/**
 * Runs `convnode train` with `options` (defaults filled in), writing to `io`.
 * @example const { history } = await runTrain({ epochs: 1, limit: 1000, out: 'tmp-out', json: true });
 */
export async function runTrain(options: Partial<TrainCommandOptions>, io: TrainIo = { stdout: process.stdout, stderr: process.stderr }): Promise<TrainRunResult> {
  const o = resolveTrainOptions(options);
  const reporter = createReporter({ json: o.json, stdout: io.stdout, stderr: io.stderr });
  try {
    setNumThreads(o.threads);
    const data = loadData(o);
    const ckpt = o.resume !== undefined ? load(o.resume) : undefined;
    if (ckpt) {
      for (const k of CONFIG_KEYS) {
        if (ckpt.config?.[k] !== o[k]) {
          throw new RangeError(`train: --resume: expected a checkpoint of a run with the same ${k} (${JSON.stringify(o[k])}), got ${JSON.stringify(ckpt.config?.[k])} in ${o.resume}`);
        }
      }
      if (!(ckpt.epoch < o.epochs)) {
        throw new RangeError(`train: --epochs: expected more than the checkpoint's ${ckpt.epoch} epochs (--epochs counts them all), got ${o.epochs}`);
      }
    }
    // Resuming keeps the statistics the run started with, so inputs are scaled the same way.
    const normalization: Normalization = ckpt?.normalization ?? datasetStats(data.train);
    const { trainLoader, testLoader } = makeLoaders(o, data, normalization);
    const model = makeModel(o, data.classes.length || 10);
    const optimizer = makeOptimizer(o, model);
    const scheduler = makeScheduler(o, optimizer);
    if (ckpt) {
      model.loadStateDict(ckpt.model);
      optimizer.loadStateDict(ckpt.optimizer);
      if (scheduler && ckpt.scheduler) scheduler.loadStateDict(ckpt.scheduler);
    }
    const history: EpochRecord[] = ckpt?.history ? [...ckpt.history] : [];
    const startEpoch: number = ckpt?.epoch ?? 0;
    fs.mkdirSync(o.out, { recursive: true });
    const files = {
      checkpoint: path.join(o.out, 'checkpoint.safetensors'),
      svg: path.join(o.out, 'curves.svg'),
      png: path.join(o.out, 'curves.png'),
      history: path.join(o.out, 'history.json'),
    };
    reporter.info(
      `${o.model}: ${model.numParameters().toLocaleString('en-US')} parameters; ${data.train.length.toLocaleString('en-US')} training / ` +
        `${data.test.length.toLocaleString('en-US')} test images from ${o.data ?? 'the shipped Fashion-MNIST subset'}; ` +
        `${o.optimizer} lr ${o.lr}${o.optimizer === 'sgd' ? ` momentum ${o.momentum}` : ''}, batch ${o.batchSize}, ${o.threads} thread(s)` +
        (ckpt ? `; resuming after epoch ${startEpoch} from ${o.resume}` : ''),
    );
    const config = Object.fromEntries(CONFIG_KEYS.map((k) => [k, o[k]]));
    const epochs = await fit(model, {
      trainLoader, testLoader, optimizer, scheduler, epochs: o.epochs, startEpoch, stopAfter: o.stopAfter,
      onBatch: (p) => reporter.batch(p, o.epochs),
      onEpoch: (r) => {
        history.push(record(r));
        reporter.epoch(r, o.epochs);
        // Saved every epoch: an interrupted run resumes from its last finished epoch.
        save(files.checkpoint, {
          model: model.stateDict(), optimizer: optimizer.stateDict(), scheduler: scheduler?.stateDict() ?? null,
          epoch: r.epoch, testAccuracy: r.testAccuracy, normalization, config, history,
        });
      },
    });
    fs.writeFileSync(files.svg, curvesSvg(history));
    fs.writeFileSync(files.png, curvesPng(history));
    fs.writeFileSync(files.history, `${JSON.stringify(history, null, 1)}\n`);
    reporter.info(`wrote ${files.checkpoint}, ${files.svg}, ${files.png}, ${files.history}`);
    const predictions = predict(model, testLoader, data.classes, o.predictions);
    if (predictions.length) {
      reporter.info('predictions on test images:');
      for (const p of predictions) {
        reporter.info(`  #${String(p.index).padEnd(5)} ${p.predicted.padEnd(11)} ${(100 * p.probability).toFixed(1).padStart(5)}%   actual ${p.actual.padEnd(11)} ${p.predicted === p.actual ? 'ok' : 'wrong'}`);
      }
    }
    return { options: o, history, epochs, normalization, files, predictions };
  } finally {
    reporter.close();
  }
}
