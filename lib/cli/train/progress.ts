/**
 * How `convnode train` reports progress, in one of three forms:
 * - a terminal: a cli-progress bar per epoch (loss, accuracy, images/s, ETA), then a summary line;
 * - not a terminal (a pipe, a CI log): one plain line per epoch, since a bar's carriage returns
 *   would only clutter a log;
 * - --json: exactly one JSON object per epoch on stdout and nothing else there; human-readable
 *   lines go to stderr.
 */
import cliProgress from 'cli-progress';
import type { BatchProgress, EpochResult } from '../../train/fit.js';

/** Where the reporter writes: the process's streams, or test doubles. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Reporter {
  batch(p: BatchProgress, epochs: number): void;
  epoch(r: EpochResult, epochs: number): void;
  /** A human-readable line (set-up, files written, predictions). */
  info(line: string): void;
  close(): void;
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : 'n/a');
const rate = (v: number): string => Math.round(v).toLocaleString('en-US');

/** The line printed after an epoch (plain and bar modes). @example epochLine(result, 5) // 'epoch 1/5  loss 0.6777  ...' */
export function epochLine(r: EpochResult, epochs: number): string {
  return `epoch ${r.epoch}/${epochs}  loss ${r.trainLoss.toFixed(4)}  train acc ${pct(r.trainAccuracy)}  test acc ${pct(r.testAccuracy)}  ` +
    `${rate(r.imagesPerSecond)} img/s  ${r.trainSeconds.toFixed(1)} s (+${r.evalSeconds.toFixed(1)} s eval)  lr ${Number(r.lr.toPrecision(4))}`;
}

/** The --json line of an epoch: exactly the fields the issue names. @example epochJson(result) // '{"epoch":1,"trainLoss":0.67,...}' */
export function epochJson(r: EpochResult): string {
  return JSON.stringify({ epoch: r.epoch, trainLoss: r.trainLoss, testAccuracy: r.testAccuracy, imagesPerSecond: r.imagesPerSecond });
}

class JsonReporter implements Reporter {
  constructor(private readonly stdout: Output, private readonly stderr: Output) {}
  batch(): void {}
  epoch(r: EpochResult): void {
    this.stdout.write(`${epochJson(r)}\n`);
  }
  info(line: string): void {
    this.stderr.write(`${line}\n`);
  }
  close(): void {}
}

class LineReporter implements Reporter {
  constructor(private readonly stdout: Output) {}
  batch(): void {}
  epoch(r: EpochResult, epochs: number): void {
    this.stdout.write(`${epochLine(r, epochs)}\n`);
  }
  info(line: string): void {
    this.stdout.write(`${line}\n`);
  }
  close(): void {}
}

class BarReporter implements Reporter {
  private bar: cliProgress.SingleBar | null = null;
  private barEpoch = -1;

  constructor(private readonly stdout: Output) {}

  batch(p: BatchProgress, epochs: number): void {
    const payload = { epoch: `${p.epoch}/${epochs}`, loss: p.meanLoss.toFixed(4), acc: pct(p.accuracy), ips: rate(p.imagesPerSecond) };
    if (!this.bar || this.barEpoch !== p.epoch) {
      this.bar?.stop();
      this.bar = new cliProgress.SingleBar({
        stream: this.stdout as unknown as NodeJS.WritableStream,
        format: 'epoch {epoch} |{bar}| {value}/{total} batches | loss {loss} | acc {acc} | {ips} img/s | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 10,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(p.batches, 0, payload);
      this.barEpoch = p.epoch;
    }
    this.bar.update(p.batch, payload);
  }

  epoch(r: EpochResult, epochs: number): void {
    this.bar?.stop();
    this.bar = null;
    this.stdout.write(`${epochLine(r, epochs)}\n`);
  }

  info(line: string): void {
    this.stdout.write(`${line}\n`);
  }

  close(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/**
 * The reporter for a run: JSON lines, a progress bar on a terminal, or plain lines.
 * @example const reporter = createReporter({ json: false, stdout: process.stdout, stderr: process.stderr });
 */
export function createReporter(o: { json: boolean; stdout: Output; stderr: Output }): Reporter {
  if (o.json) return new JsonReporter(o.stdout, o.stderr);
  return o.stdout.isTTY ? new BarReporter(o.stdout) : new LineReporter(o.stdout);
}
