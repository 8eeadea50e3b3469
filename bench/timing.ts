/**
 * Timing: medians of repeated runs after warm-up, with a time budget so that slow peers (the
 * naive reference, tfjs's cpu backend) cannot stall the suite.
 */
import { performance } from 'node:perf_hooks';

/** Median of a non-empty list (the mean of the two middle values for an even length). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: expected a non-empty list, got []');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface TimingOptions {
  /** Untimed runs first: caches, page faults of fresh buffers, lazy JIT and thread start-up. */
  warmup: number;
  /** Timed runs wanted at least... */
  minRuns: number;
  /** ...and for at least this long in total. */
  minTimeMs: number;
  /** Stop after this many timed runs... */
  maxRuns: number;
  /** ...or once the timed runs have used this much time (after at least one run). */
  maxTimeMs: number;
}

export interface Timing {
  medianMs: number;
  minMs: number;
  /** Timed runs; 1 with warm = false means the first (cold) run was already over budget. */
  runs: number;
  warm: boolean;
  samplesMs: number[];
}

/** One call of fn, in ms; awaits it only when it returns a promise (ORT's run is async). */
async function timeOnce(fn: () => unknown): Promise<number> {
  const start = performance.now();
  const result = fn();
  if (result && typeof (result as Promise<unknown>).then === 'function') await result;
  return performance.now() - start;
}

/**
 * Runs fn `warmup` times, then times it until both minRuns and minTimeMs are reached, or
 * maxRuns or maxTimeMs is. A first run that alone exceeds maxTimeMs is reported as the only
 * sample (warm = false), because repeating a 30-second naive convolution tells us nothing new.
 * @example const t = await measure(() => cn.conv2d(x, w), QUICK_TIMING); t.medianMs
 */
export async function measure(fn: () => unknown, o: TimingOptions): Promise<Timing> {
  const first = await timeOnce(fn);
  if (first > o.maxTimeMs) return summarize([first], false);
  // The first call counts as warm-up when warm-up is wanted, otherwise as a sample.
  const samples: number[] = o.warmup > 0 ? [] : [first];
  for (let i = 1; i < o.warmup; i++) await timeOnce(fn);
  let total = samples.reduce((a, b) => a + b, 0);
  while (samples.length < o.maxRuns && total < o.maxTimeMs) {
    if (samples.length >= o.minRuns && total >= o.minTimeMs) break;
    const ms = await timeOnce(fn);
    samples.push(ms);
    total += ms;
  }
  if (samples.length === 0) samples.push(await timeOnce(fn));
  return summarize(samples, true);
}

function summarize(samples: number[], warm: boolean): Timing {
  return { medianMs: median(samples), minMs: Math.min(...samples), runs: samples.length, warm, samplesMs: samples };
}

/** Work rate in GFLOP/s for `flops` done in `ms`. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}
