import { describe, expect, it } from 'vitest';
import { fmtMs, peakPerThreadCount, renderMarkdown, type BenchResult } from '../../bench/report.js';
import type { LimitResult } from '../../bench/machine.js';

const fma = (threads: number, best: number, isa = 'avx512'): LimitResult =>
  ({ kind: 'fma', isa, threads, median: best / 2, best, unit: 'GFLOP/s', passes: 3 });

function result(): BenchResult {
  return {
    name: 't', command: 'npm run bench', date: '2026-01-01T00:00:00Z', quick: true,
    machine: { cores: 2, cpuModel: 'cpu', isa: 'avx512', openmp: true, loadavg: '0', node: 'v20', platform: 'linux', arch: 'x64' },
    peers: { convnode: '0', ort: '1' },
    limits: [fma(1, 200), fma(1, 100, 'avx2'), fma(2, 50), fma(2, 40, 'avx2')],
    sections: [{
      id: 'conv', title: 'Conv', rateUnit: 'GFLOP/s', notes: [],
      rows: [
        { id: 'm/a', label: 'a', model: 'm', batch: 1, threads: 1, work: 2e9, cells: { convnode: { medianMs: 10, minMs: 9, runs: 3, warm: true }, ort: { medianMs: 20, minMs: 19, runs: 3, warm: true, relErr: 1e-6 } } },
        { id: 'm/a', label: 'a', model: 'm', batch: 1, threads: 4, work: 2e9, cells: { convnode: { medianMs: 5, minMs: 5, runs: 3, warm: false }, ort: { medianMs: 2, minMs: 2, runs: 3, warm: true, relErr: 0.5 } } },
      ],
    }],
    notes: [], durationS: 1,
  };
}

describe('bench report', () => {
  it('% peak uses T x the best 1-thread pass of the best ISA, T capped at the cores', () => {
    const peak = peakPerThreadCount(result());
    expect([...peak.entries()].sort()).toEqual([[1, 200], [2, 400], [4, 400]]);
  });

  it('renders rates, % peak, speedups, cold runs and mismatches', () => {
    const md = renderMarkdown(result());
    // 2 GFLOP in 10 ms = 200 GFLOP/s = 100% of the 1-thread peak; ORT takes twice as long.
    expect(md).toContain('| m | a | 1 | 1 | 10.0 | 200.0 | 100.0% | 20.0 | 2.00x | ok |');
    // 4 threads on 2 cores: 400 GFLOP/s of a 400 peak; a cold single run is starred.
    expect(md).toContain('| m | a | 1 | 4 | 5.00* | 400.0 | 100.0% | 2.00 | 0.40x | MISMATCH 5.0e-1 |');
  });

  it('gives whole-model rows runSync columns next to run(): its time and ORT / runSync', () => {
    const r = result();
    r.sections = [{
      id: 'models', title: 'Whole models', rateUnit: 'GFLOP/s', notes: [],
      rows: [{ id: 'model/x', label: 'x', model: 'x', batch: 1, threads: 1, work: 2e9, cells: {
        convnode: { medianMs: 10, minMs: 9, runs: 3, warm: true },
        'convnode-sync': { medianMs: 8, minMs: 8, runs: 3, warm: true, relErr: 0 },
        ort: { medianMs: 12, minMs: 12, runs: 3, warm: true, relErr: 1e-6 },
      } }],
    }];
    const md = renderMarkdown(r);
    expect(md).toContain('| model | N | T | convnode ms | GFLOP/s | % peak | ORT ms | vs ort | runSync ms | ORT vs runSync | check |');
    expect(md).toContain('| x | 1 | 1 | 10.0 | 200.0 | 100.0% | 12.0 | 1.20x | 8.00 | 1.50x | ok |');
  });

  it.each([
    { ms: 1234.5, text: '1235' }, { ms: 12.345, text: '12.3' }, { ms: 1.2345, text: '1.23' }, { ms: 0.12345, text: '0.123' }, { ms: NaN, text: '-' },
  ])('fmtMs($ms) = $text', ({ ms, text }) => {
    expect(fmtMs(ms)).toBe(text);
  });
});
