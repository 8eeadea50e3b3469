/**
 * `npm run bench [-- options]`: the benchmark suite. Prints markdown tables to stdout, progress
 * to stderr, and writes bench/results/<name>.json.
 *
 *   --quick            the short suite (< 3 minutes): subsets of layers and GEMMs, batch 1
 *   --name NAME        result file name (default: quick-<date> or full-<date>)
 *   --sections LIST    limits,gemm,conv,pool,models (default: all)
 *   --peers LIST       plan,ort,tfjs-wasm,tfjs-cpu,naive,convnetjs (default: all); convnode always
 *                      runs; plan = convnode's InferenceSession on the one-op model
 *   --threads LIST     thread counts (default: 1 and the cores available)
 *   --batches LIST     conv, pool and model batch sizes (default: 1,8; --quick: 1)
 *   --filter REGEX     only rows whose id or label matches (e.g. resnet50, '3x3')
 *   --algo NAME        conv2d algo option for convnode (default: auto)
 *   --markdown PATH    also write the report, with how to reproduce it, to PATH (BENCHMARKS.md)
 *   --note TEXT        a line for the report's header (repeatable), e.g. what the kernels are
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as cn from '../lib/index.js';
import {
  CONV_LAYERS, GEMM_SHAPES, POOL_LAYERS, QUICK_GEMM_LABELS, QUICK_LAYER_IDS, QUICK_POOL_IDS,
} from './layers.js';
import { MODEL_NAMES } from './models.js';
import { renderMarkdown, type BenchResult } from './report.js';
import { ALL_PEERS, ALL_SECTIONS, runBench, type SectionId, type SuiteConfig } from './suite.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const list = (s: string | undefined): string[] | undefined => s?.split(',').map((x) => x.trim()).filter(Boolean);

function numbers(flag: string, s: string | undefined): number[] | undefined {
  const l = list(s);
  if (!l) return undefined;
  const n = l.map(Number);
  if (n.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`--${flag}: expected positive integers separated by commas, got '${s}'`);
  return n;
}

function checkedList<T extends string>(flag: string, s: string | undefined, allowed: readonly T[]): T[] | undefined {
  const l = list(s);
  if (!l) return undefined;
  for (const x of l) if (!allowed.includes(x as T)) throw new Error(`--${flag}: expected some of ${allowed.join(',')}, got '${x}'`);
  return l as T[];
}

/** The command as a shell would take it back; --note texts are left out (the report lists them). */
export function commandLine(argv: readonly string[]): string {
  const shown: string[] = [];
  let notes = 0;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--note') {
      i++;
      notes++;
      continue;
    }
    if (argv[i].startsWith('--note=')) {
      notes++;
      continue;
    }
    shown.push(/^[\w./,:=@^$-]+$/.test(argv[i]) ? argv[i] : `'${argv[i].replace(/'/g, `'\\''`)}'`);
  }
  if (notes) shown.push(`(+ ${notes} --note)`);
  return ['npm run bench', ...(shown.length ? ['--', ...shown] : [])].join(' ');
}

function stamp(d: Date): string {
  return d.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
}

/** Builds the suite config from the command line. */
/**
 * The inference report replaces the file but keeps its `## Training` section, which
 * `npm run bench:train` writes and this suite does not measure.
 */
export function keepTrainingSection(markdownPath: string, report: string): string {
  if (!fs.existsSync(markdownPath)) return report;
  const previous = fs.readFileSync(markdownPath, 'utf8');
  const at = previous.search(/^## Training\b/m);
  return at < 0 ? report : `${report.trimEnd()}\n\n${previous.slice(at)}`;
}

export function configFromArgs(argv: string[]): { cfg: SuiteConfig; markdownPath?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      name: { type: 'string' },
      sections: { type: 'string' },
      peers: { type: 'string' },
      threads: { type: 'string' },
      batches: { type: 'string' },
      filter: { type: 'string' },
      algo: { type: 'string', default: 'auto' },
      markdown: { type: 'string' },
      note: { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  });
  const quick = values.quick === true;
  const filter = values.filter ? new RegExp(values.filter) : null;
  const keep = (id: string, label: string) => !filter || filter.test(id) || filter.test(label);
  const cores = cn.cpuInfo().cores;
  const threads = numbers('threads', values.threads) ?? [...new Set([1, cores])];
  const cfg: SuiteConfig = {
    name: values.name ?? `${quick ? 'quick' : 'full'}-${stamp(new Date())}`,
    command: commandLine(argv),
    quick,
    sections: checkedList('sections', values.sections, ALL_SECTIONS as SectionId[]) ?? [...ALL_SECTIONS],
    peers: checkedList('peers', values.peers, [...ALL_PEERS]) ?? [...ALL_PEERS],
    threads,
    batches: numbers('batches', values.batches) ?? (quick ? [1] : [1, 8]),
    gemms: GEMM_SHAPES.filter((g) => (!quick || QUICK_GEMM_LABELS.includes(g.label)) && keep(`gemm/${g.m}x${g.n}x${g.k}`, g.label)),
    layers: CONV_LAYERS.filter((l) => (!quick || QUICK_LAYER_IDS.includes(l.id)) && keep(l.id, l.label)),
    pools: POOL_LAYERS.filter((p) => (!quick || QUICK_POOL_IDS.includes(p.id)) && keep(p.id, p.label)),
    models: MODEL_NAMES.filter((m) => (!quick || m === 'resnet18' || m === 'mobilenetV2') && keep(`model/${m}`, m)),
    modelBatches: numbers('batches', values.batches) ?? (quick ? [1] : [1, 8]),
    // Full: at least 7 timed runs and 1 s per cell, as the anchors were measured. Quick: enough
    // runs for a stable median of short kernels, within the 3-minute budget.
    timing: quick
      ? { warmup: 2, minRuns: 5, minTimeMs: 300, maxRuns: 30, maxTimeMs: 1000 }
      : { warmup: 2, minRuns: 7, minTimeMs: 1000, maxRuns: 200, maxTimeMs: 5000 },
    slowTiming: quick
      ? { warmup: 0, minRuns: 1, minTimeMs: 0, maxRuns: 1, maxTimeMs: 1500 }
      : { warmup: 1, minRuns: 3, minTimeMs: 0, maxRuns: 3, maxTimeMs: 3000 },
    modelTiming: quick
      ? { warmup: 1, minRuns: 3, minTimeMs: 300, maxRuns: 10, maxTimeMs: 2000 }
      : { warmup: 2, minRuns: 7, minTimeMs: 2000, maxRuns: 100, maxTimeMs: 10000 },
    limits: quick
      ? { passes: 60, passMs: 2, triadPasses: 8, triadBytes: 64 * 2 ** 20 }
      : { passes: 200, passMs: 2, triadPasses: 15, triadBytes: 256 * 2 ** 20 },
    slowBudgetMs: quick ? 150 : 400,
    algo: values.algo ?? 'auto',
    notes: values.note ?? [],
    log: (line) => process.stderr.write(line + '\n'),
  };
  return { cfg, markdownPath: values.markdown };
}

/** BENCHMARKS.md: how to reproduce, then the run's report. */
export function benchmarksMarkdown(r: BenchResult): string {
  return [
    '# Benchmarks',
    '',
    'Produced by the benchmark suite (`bench/`); regenerate this file with',
    '`npm run bench -- --markdown BENCHMARKS.md` (full suite) on an otherwise idle machine.',
    '',
    '## How to reproduce',
    '',
    '```sh',
    'npm ci                         # builds the addon; the peers are devDependencies',
    'npm run bench -- --quick       # < 3 minutes: limits, 3 GEMMs, 8 conv layers, 2 pools, batch 1',
    'npm run bench                  # everything, batch 1 and 8, 1 and all threads',
    'npm run bench -- --sections conv --filter resnet50 --threads 1',
    '```',
    '',
    'Results are also written as JSON to `bench/results/<name>.json` (git-ignored). Peers:',
    'onnxruntime-node (each layer as a one-node ONNX model built in memory by `lib/io/onnx`),',
    '@tensorflow/tfjs with its pure-JS cpu backend and with @tensorflow/tfjs-backend-wasm (SIMD,',
    'one thread in Node), convnetjs 0.3 (pure JS, Float64), and the naive pure-TS reference ops',
    '(`lib/reference`). Every peer\'s output is compared with convnode\'s (the `check` column).',
    '',
    renderMarkdown(r),
  ].join('\n');
}

async function main(): Promise<void> {
  const { cfg, markdownPath } = configFromArgs(process.argv.slice(2));
  const result = await runBench(cfg);
  const dir = path.join(here, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const jsonPath = path.join(dir, `${cfg.name}.json`);
  fs.writeFileSync(jsonPath, JSON.stringify(result, null, 1) + '\n');
  process.stdout.write(renderMarkdown(result) + '\n');
  if (markdownPath) fs.writeFileSync(markdownPath, keepTrainingSection(markdownPath, benchmarksMarkdown(result)));
  process.stderr.write(`wrote ${path.relative(process.cwd(), jsonPath)}${markdownPath ? ` and ${markdownPath}` : ''} (${result.durationS.toFixed(0)} s)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`bench: ${err.message}\n`);
      process.exit(1);
    },
  );
}
