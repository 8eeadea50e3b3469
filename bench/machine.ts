/**
 * The machine's limits, measured by the addon's peak loops (native/kernels/bench): FMA peak per
 * ISA and STREAM-triad bandwidth, at each thread count. The conv and GEMM rows state their
 * speed as a share of the FMA peak of the best ISA at the same thread count.
 */
import * as cn from '../lib/index.js';
import { native } from '../lib/native.js';
import { median } from './timing.js';

export interface LimitResult {
  /** 'fma' or 'triad' */
  kind: 'fma' | 'triad';
  isa: string;
  threads: number;
  /** GFLOP/s for fma, GB/s for triad. */
  median: number;
  best: number;
  unit: 'GFLOP/s' | 'GB/s';
  passes: number;
  /** The figure measured on the project machine (peers-native.md section 1), when there is one. */
  anchor?: number;
}

/** peers-native.md section 1: 12-accumulator loops and STREAM triad on the project machine. */
const ANCHORS: Record<string, number> = {
  'fma/avx512/1': 222.2, 'fma/avx512/2': 441.5,
  'fma/avx2/1': 110.9, 'fma/avx2/2': 214.0,
  'triad/-/1': 36.0, 'triad/-/2': 68.3,
};

export interface LimitOptions {
  /**
   * Timed FMA passes per figure (one more runs first as warm-up and is dropped). Many short
   * passes, because the best one is the figure that counts: on a shared machine a 2-thread
   * pass is only as fast as its slowest thread, and measured on the project VM under load,
   * 5 passes of 30 ms gave 86 GFLOP/s on 2 threads where the best of 100 passes of 2 ms gave
   * 552 (twice the 1-thread best, as it should be).
   */
  passes: number;
  /** Target length of one FMA pass. */
  passMs: number;
  /** Timed triad passes (each streams 3 x triadBytes). */
  triadPasses: number;
  /** Bytes per triad array (three arrays). */
  triadBytes: number;
}

/** The FMA ISAs this CPU can run, best first. */
export function fmaIsas(): ('avx512' | 'avx2')[] {
  const available = cn.cpuInfo().availableIsas;
  return (['avx512', 'avx2'] as const).filter((isa) => available.includes(isa));
}

function fmaPeak(isa: 'avx512' | 'avx2', threads: number, o: LimitOptions): LimitResult {
  cn.setNumThreads(threads);
  // Calibrate the iteration count so that a pass lasts about passMs.
  const probe = native.PeakFma(isa, 200_000, 2);
  const perIteration = Math.min(...probe.seconds) / 200_000;
  const iterations = Math.max(1000, Math.round(o.passMs / 1000 / perIteration));
  const r = native.PeakFma(isa, iterations, o.passes + 1);
  const rates = [...r.seconds].slice(1).map((s) => r.flopsPerPass / s / 1e9);
  return summarize('fma', isa, r.threads, rates, 'GFLOP/s');
}

function triad(threads: number, o: LimitOptions): LimitResult {
  cn.setNumThreads(threads);
  const r = native.StreamTriad(Math.floor(o.triadBytes / 4), o.triadPasses + 1);
  // Every element is 1 + 3 * 2 = 7; three of them are summed. Anything else means the loop
  // did not run as written.
  if (r.check !== 21) throw new Error(`StreamTriad: expected check value 21, got ${r.check}`);
  const rates = [...r.seconds].slice(1).map((s) => r.bytesPerPass / s / 1e9);
  return summarize('triad', '-', r.threads, rates, 'GB/s');
}

function summarize(kind: 'fma' | 'triad', isa: string, threads: number, rates: number[], unit: 'GFLOP/s' | 'GB/s'): LimitResult {
  return {
    kind, isa, threads, unit, median: median(rates), best: Math.max(...rates), passes: rates.length,
    anchor: ANCHORS[`${kind}/${isa}/${threads}`],
  };
}

/** All limits at each thread count: FMA peak for every supported ISA, then triad. */
export function measureLimits(threadCounts: readonly number[], o: LimitOptions): LimitResult[] {
  const out: LimitResult[] = [];
  for (const t of threadCounts) {
    for (const isa of fmaIsas()) out.push(fmaPeak(isa, t, o));
    out.push(triad(t, o));
  }
  return out;
}
