/** Steady-state throughput of a training step: warm-up, then timed steps until a time budget. */

export interface Throughput {
  /** Images per second from the median step time. */
  imagesPerSecond: number;
  medianStepMs: number;
  steps: number;
}

/** @example median([3, 1, 2]) // 2 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Runs `warmup` steps, then steps until both `minSteps` are done and `budgetMs` has passed (at
 * most `maxSteps`); the median step is reported because the machine is shared and noisy.
 */
export async function measure(
  step: () => void | Promise<void>,
  o: { batch: number; warmup: number; minSteps: number; maxSteps: number; budgetMs: number },
): Promise<Throughput> {
  for (let i = 0; i < o.warmup; i++) await step();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < o.minSteps || (performance.now() - start < o.budgetMs && times.length < o.maxSteps)) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  const m = median(times);
  return { imagesPerSecond: (o.batch * 1000) / m, medianStepMs: m, steps: times.length };
}
