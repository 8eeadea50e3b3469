import { describe, expect, it } from 'vitest';
import { gflops, measure, median } from '../../bench/timing.js';

describe('bench timing: median', () => {
  it.each([
    { values: [3], expected: 3 },
    { values: [5, 1, 3], expected: 3 },
    { values: [4, 1, 3, 2], expected: 2.5 },
    { values: [2, 2, 9, 2, 100], expected: 2 },
    { values: [-1, 1], expected: 0 },
  ])('median($values) = $expected', ({ values, expected }) => {
    const copy = [...values];
    expect(median(values)).toBe(expected);
    expect(values).toEqual(copy); // the input is not sorted in place
  });

  it('rejects an empty list', () => {
    expect(() => median([])).toThrow(/non-empty/);
  });
});

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin */
  }
}

describe('bench timing: measure', () => {
  it('runs warm-up calls untimed, then at least minRuns timed calls', async () => {
    let calls = 0;
    const t = await measure(() => calls++, { warmup: 3, minRuns: 5, minTimeMs: 0, maxRuns: 5, maxTimeMs: 10_000 });
    expect(t.runs).toBe(5);
    expect(calls).toBe(8);
    expect(t.samplesMs).toHaveLength(5);
    expect(t.warm).toBe(true);
    expect(t.minMs).toBeLessThanOrEqual(t.medianMs);
  });

  it('stops at maxRuns even when minTimeMs is not reached', async () => {
    const t = await measure(() => 0, { warmup: 1, minRuns: 1, minTimeMs: 60_000, maxRuns: 4, maxTimeMs: 60_000 });
    expect(t.runs).toBe(4);
  });

  it('keeps running until minTimeMs has passed', async () => {
    const t = await measure(() => busyWait(2), { warmup: 0, minRuns: 1, minTimeMs: 20, maxRuns: 1000, maxTimeMs: 10_000 });
    expect(t.samplesMs.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20);
    expect(t.runs).toBeGreaterThan(1);
  });

  it('reports a first run over maxTimeMs as one cold sample', async () => {
    let calls = 0;
    const t = await measure(() => { calls++; busyWait(15); }, { warmup: 2, minRuns: 5, minTimeMs: 0, maxRuns: 10, maxTimeMs: 5 });
    expect(calls).toBe(1);
    expect(t).toMatchObject({ runs: 1, warm: false });
    expect(t.medianMs).toBeGreaterThanOrEqual(15);
  });

  it('awaits functions that return a promise', async () => {
    const t = await measure(() => new Promise((r) => setTimeout(r, 5)), { warmup: 0, minRuns: 2, minTimeMs: 0, maxRuns: 2, maxTimeMs: 1000 });
    expect(t.minMs).toBeGreaterThanOrEqual(4);
  });

  it('gflops converts flops and ms to GFLOP/s', () => {
    expect(gflops(2e9, 1000)).toBe(2);
    expect(gflops(1e6, 1)).toBe(1);
  });
});
