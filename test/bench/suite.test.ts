/**
 * Smoke test of `npm run bench`: the whole suite on tiny shapes with every peer, so the harness
 * cannot rot. Checks structure and correctness (every peer agrees with convnode), never speed.
 */
import { describe, expect, it } from 'vitest';
import { commandLine, configFromArgs } from '../../bench/run.js';
import { CONV_LAYERS, QUICK_LAYER_IDS, type ConvLayer, type PoolLayer } from '../../bench/layers.js';
import { renderMarkdown } from '../../bench/report.js';
import { CHECK_TOLERANCE } from '../../bench/rows.js';
import { runBench, type SuiteConfig } from '../../bench/suite.js';

function conv(id: string, cin: number, h: number, cout: number, k: number, stride: number, pad: number, groups: number): ConvLayer {
  const out = Math.floor((h + 2 * pad - k) / stride) + 1;
  return { model: 'resnet50', id, label: id, at: [id], count: 1, cin, h, w: h, cout, k, stride, pad, groups, outH: out, outW: out };
}

const tinyPool: PoolLayer = { id: 'tiny/pool', label: 'max 3x3/s2/p1 4 @9', at: 'tiny/pool', c: 4, h: 9, k: 3, stride: 2, pad: 1, outH: 5 };
const fast = { warmup: 1, minRuns: 2, minTimeMs: 0, maxRuns: 2, maxTimeMs: 1000 };

function tinyConfig(overrides: Partial<SuiteConfig> = {}): SuiteConfig {
  return {
    name: 'smoke', command: 'test', quick: true,
    sections: ['limits', 'gemm', 'conv', 'pool', 'models'],
    peers: ['plan', 'ort', 'tfjs-wasm', 'tfjs-cpu', 'naive', 'convnetjs'],
    threads: [1, 2], batches: [2],
    gemms: [{ label: '8x6x5', m: 8, n: 6, k: 5 }],
    layers: [conv('tiny/3x3', 3, 8, 4, 3, 1, 1, 1), conv('tiny/dw', 4, 9, 4, 3, 2, 1, 4), conv('tiny/small', 2, 3, 1, 3, 2, 1, 1)],
    pools: [tinyPool],
    models: ['resnet18'], modelBatches: [1],
    timing: fast, slowTiming: fast, modelTiming: fast,
    limits: { passes: 2, passMs: 1, triadPasses: 2, triadBytes: 1 << 16 },
    // Large enough that nothing is sliced: every peer's output is checked (slice.test.ts
    // covers the estimates).
    slowBudgetMs: 10_000,
    algo: 'auto',
    log: () => {},
    ...overrides,
  };
}

describe('bench suite (tiny shapes, every peer)', () => {
  it('runs every section and every peer agrees with convnode', async () => {
    const r = await runBench(tinyConfig());
    expect(Object.keys(r.peers)).toEqual(['convnode', 'convnode-plan', 'ort', 'tfjs-wasm', 'tfjs-cpu', 'naive', 'convnetjs']);
    expect(r.notes).toEqual([]);
    expect(r.limits.length).toBeGreaterThanOrEqual(2);
    expect(r.sections.map((s) => s.id)).toEqual(['gemm', 'conv', 'pool', 'models']);
    const opRows = r.sections.filter((s) => s.id !== 'models').flatMap((s) => s.rows);
    // 1 GEMM + 3 conv + 1 pool cases, each at 1 and 2 threads.
    expect(opRows).toHaveLength(10);
    for (const row of opRows) {
      const where = `${row.id} T=${row.threads}`;
      expect(row.cells.convnode?.error, where).toBeUndefined();
      expect(row.cells.convnode.medianMs, where).toBeGreaterThan(0);
      // convnetjs has no depthwise conv and no matmul: an error cell and no cell.
      // The plan peer has no GEMM (a matmul model would need a constant operand).
      const gemm = row.id.startsWith('gemm/');
      const plan = gemm ? [] : ['convnode-plan'];
      const expectedPeers = row.threads === 1
        ? ['convnode', ...plan, 'ort', 'tfjs-wasm', 'tfjs-cpu', 'naive', ...(gemm ? [] : ['convnetjs'])]
        : ['convnode', ...plan, 'ort'];
      expect(Object.keys(row.cells), where).toEqual(expectedPeers);
      for (const [peer, cell] of Object.entries(row.cells)) {
        if (peer === 'convnetjs' && row.id === 'tiny/dw') {
          expect(cell).toMatchObject({ unsupported: true, error: expect.stringMatching(/no grouped or depthwise/) });
          continue;
        }
        expect(cell.error, `${where} ${peer}`).toBeUndefined();
        if (peer === 'convnode') continue;
        expect(cell.estimateFactor, `${where} ${peer}`).toBeUndefined();
        expect(cell.relErr, `${where} ${peer}`).toBeLessThan(CHECK_TOLERANCE);
      }
    }
    const md = renderMarkdown(r);
    expect(md).toContain('### Machine limits');
    expect(md).toMatch(/\| shape \| N \| T \| convnode ms \| GFLOP\/s \| % peak \| ORT ms \| vs ort \| vs tfjs-wasm \|/);
    expect(md).toMatch(/\| model \| shape \| N \| T \| convnode ms \| GFLOP\/s \| % peak \| plan ms \| ORT ms \| ORT vs plan \|/);
    expect(md).not.toContain('MISMATCH');
  }, 120_000);

  it('the models section says why it is skipped while the zoo is missing', async () => {
    const cn = await import('../../lib/index.js');
    if ('models' in cn) return; // the zoo has landed: models.test.ts covers the section
    const r = await runBench(tinyConfig({ sections: ['models'], peers: [] }));
    expect(r.sections[0].rows).toEqual([]);
    expect(r.sections[0].notes.join(' ')).toMatch(/Skipped: cn.models .*not in this build/);
  });
});

describe('bench command line', () => {
  it('--quick selects the quick subsets at batch 1', () => {
    const { cfg } = configFromArgs(['--quick', '--name', 'x']);
    expect(cfg.layers.map((l) => l.id)).toEqual(CONV_LAYERS.filter((l) => QUICK_LAYER_IDS.includes(l.id)).map((l) => l.id));
    expect(cfg.batches).toEqual([1]);
    expect(cfg.name).toBe('x');
    expect(cfg.command).toBe('npm run bench -- --quick --name x');
  });

  it('shows the command quoted, without --note texts', () => {
    expect(commandLine(['--quick', '--filter', '3x3 64', '--note', 'scalar kernels'])).toBe("npm run bench -- --quick --filter '3x3 64' (+ 1 --note)");
    expect(commandLine([])).toBe('npm run bench');
  });

  it('the full suite covers every layer at batch 1 and 8', () => {
    const { cfg } = configFromArgs([]);
    expect(cfg.layers).toHaveLength(CONV_LAYERS.length);
    expect(cfg.batches).toEqual([1, 8]);
    expect(cfg.threads[0]).toBe(1);
  });

  it.each([
    { argv: ['--peers', 'pytorch'], message: /--peers: expected some of/ },
    { argv: ['--threads', '0'], message: /--threads: expected positive integers/ },
    { argv: ['--bogus'], message: /bogus/ },
  ])('rejects $argv', ({ argv, message }) => {
    expect(() => configFromArgs(argv)).toThrow(message);
  });

  it('--filter keeps matching rows only', () => {
    const { cfg } = configFromArgs(['--filter', 'dw']);
    expect(cfg.layers.length).toBeGreaterThan(0);
    expect(cfg.layers.every((l) => l.label.includes('dw') || l.id.includes('dw'))).toBe(true);
  });
});
