/**
 * Slicing for the slow pure-JS peers (naive reference, convnetjs): a whole VGG layer at batch 8
 * takes them minutes, so they are timed on a slice of the case (fewer units: output channels,
 * groups or rows; and one image) and the time is scaled up linearly. Their cost per unit varies
 * by op and by machine load (the naive matmul walks B by columns and runs ~10x slower per FLOP
 * than the naive conv), so the slice is sized by time, from one timed single-unit run.
 */
import { performance } from 'node:perf_hooks';

export interface Slice {
  /** Units to run (<= total). */
  units: number;
  /** Images to run (the whole batch, or 1). */
  images: number;
  /** Measured time x factor = the whole case's estimated time (1 when nothing was sliced). */
  factor: number;
}

/**
 * Chooses the slice: the whole case when one unit of one image, times units x images, fits in
 * budgetMs; otherwise one image and as many units as fit (at least one).
 * @param runOneUnit runs one unit of one image once (the calibration run)
 */
export function chooseSlice(runOneUnit: () => unknown, totalUnits: number, batch: number, budgetMs: number): Slice {
  const start = performance.now();
  runOneUnit();
  const perUnitMs = Math.max(performance.now() - start, 1e-3);
  if (perUnitMs * totalUnits * batch <= budgetMs) return { units: totalUnits, images: batch, factor: 1 };
  const units = Math.max(1, Math.min(totalUnits, Math.floor(budgetMs / perUnitMs)));
  return { units, images: 1, factor: (batch * totalUnits) / units };
}
