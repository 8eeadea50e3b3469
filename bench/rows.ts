/**
 * The row loop shared by the GEMM, conv and pool sections: for one case, every peer in turn
 * (interleaved, on the same data), at each thread count; timing, estimate scaling and the
 * correctness check against convnode's output.
 */
import { UnsupportedCase, type Peer, type Runner } from './peers/types.js';
import { relativeError } from './data.js';
import { measure, type TimingOptions } from './timing.js';

export interface CellResult {
  medianMs: number;
  minMs: number;
  runs: number;
  /** False when the only sample is a cold first run (it exceeded the time budget). */
  warm: boolean;
  /** Set when the time is measured on a slice and scaled up (see Runner.estimateFactor). */
  estimateFactor?: number;
  /** max|peer - convnode| / max|convnode|, when both outputs were available. */
  relErr?: number;
  /** Why the peer has no figure for this row. */
  error?: string;
  /** The peer cannot express this case at all (error says what); not a failure. */
  unsupported?: boolean;
}

export interface RowResult {
  id: string;
  label: string;
  model?: string;
  batch: number;
  threads: number;
  /** FLOPs (conv, GEMM) or window comparisons (pool) of one call. */
  work: number;
  cells: Record<string, CellResult>;
}

/** How one row's case is made and which peer method runs it. */
export interface RowSpec<C> {
  id: string;
  label: string;
  model?: string;
  batch: number;
  work: number;
  makeCase: () => C;
  prepare: (peer: Peer, c: C, threads: number) => Promise<Runner> | undefined;
}

export interface RowOptions {
  threads: readonly number[];
  timing: TimingOptions;
  /** For peers marked slow. */
  slowTiming: TimingOptions;
  /** Called after each row, for progress output. */
  onRow?: (row: RowResult) => void;
}

/** A check tolerance loose enough for float32 sums reordered over K = 4608 terms. */
export const CHECK_TOLERANCE = 1e-3;

async function runCell(
  peer: Peer,
  runner: Runner,
  opts: RowOptions,
  reference: Float32Array | null,
  keepOutput: boolean,
): Promise<{ cell: CellResult; output: Float32Array | null }> {
  try {
    const t = await measure(() => runner.run(), peer.slow ? opts.slowTiming : opts.timing);
    const f = runner.estimateFactor ?? 1;
    const cell: CellResult = { medianMs: t.medianMs * f, minMs: t.minMs * f, runs: t.runs, warm: t.warm };
    if (runner.estimateFactor !== undefined) cell.estimateFactor = runner.estimateFactor;
    const output = runner.output();
    if (output && reference) cell.relErr = relativeError(output, reference);
    // The reference output is copied: the runner's buffer is freed on dispose.
    return { cell, output: keepOutput && output ? Float32Array.from(output) : null };
  } finally {
    await runner.dispose();
  }
}

/**
 * Runs every row at every thread count. The first peer is the reference (convnode); single-
 * threaded peers run only in the rows of the smallest thread count.
 */
export async function runRows<C>(specs: readonly RowSpec<C>[], peers: readonly Peer[], opts: RowOptions): Promise<RowResult[]> {
  const results: RowResult[] = [];
  const minThreads = Math.min(...opts.threads);
  for (const spec of specs) {
    const c = spec.makeCase();
    for (const threads of opts.threads) {
      const row: RowResult = { id: spec.id, label: spec.label, batch: spec.batch, threads, work: spec.work, cells: {} };
      if (spec.model) row.model = spec.model;
      let reference: Float32Array | null = null;
      for (const peer of peers) {
        if (!peer.multiThreaded && threads !== minThreads) continue;
        try {
          const runner = await spec.prepare(peer, c, threads);
          if (!runner) continue;
          const isReference = peer === peers[0];
          const { cell, output } = await runCell(peer, runner, opts, reference, isReference);
          if (isReference) reference = output;
          row.cells[peer.name] = cell;
        } catch (err) {
          row.cells[peer.name] = { medianMs: NaN, minMs: NaN, runs: 0, warm: false, error: (err as Error).message.split('\n')[0] };
          if (err instanceof UnsupportedCase) row.cells[peer.name].unsupported = true;
        }
      }
      results.push(row);
      opts.onRow?.(row);
    }
  }
  return results;
}
