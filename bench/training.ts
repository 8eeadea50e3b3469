/**
 * Training throughput (issue 5, item 8): images/s of a full training step (forward, loss,
 * backward, momentum SGD update) for LeNet-5 (28x28, batch 64) and ResNet-18 (3x32x32, batch
 * 32), for convnode on 1 and 2 threads and, in the same process, for @tensorflow/tfjs 4.22
 * (cpu and wasm backends) and convnetjs 0.3.0 (LeNet only). PyTorch 1.13's figure is quoted from
 * the anchors (/work/shared/anchors/peers-native.md §5), not re-measured.
 *
 *   npm run bench:train                 # everything but tfjs-cpu ResNet-18 (minutes per step)
 *   npm run bench:train -- --quick      # fewer steps
 *   npm run bench:train -- --all        # also tfjs-cpu ResNet-18
 *   npm run bench:train -- --only convnode
 *
 * Prints a markdown table and writes bench/results/training.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cn from '../lib/index.js';
import { convnetjsLenetStep } from './training/convnetjs.js';
import { convnodeStep } from './training/convnode.js';
import { measure, type Throughput } from './training/timing.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const all = args.includes('--all');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;

/** PyTorch 1.13 eager, LeNet-5 batch 64, 1 thread, tuned malloc: median of 7 x 200 steps. */
const PYTORCH_LENET_1T = 18_870;

interface Row {
  model: 'LeNet-5' | 'ResNet-18';
  batch: number;
  implementation: string;
  threads: string;
  imagesPerSecond: number | null;
  medianStepMs: number | null;
  steps: number;
  firstLoss: number | null;
  lastLoss: number | null;
  note: string;
}

const rows: Row[] = [];
const notes: string[] = [];

async function bench(
  row: Omit<Row, 'imagesPerSecond' | 'medianStepMs' | 'steps' | 'firstLoss' | 'lastLoss'>,
  make: () => { run(): void; lastLoss(): number; dispose?(): void },
  budget: { warmup: number; minSteps: number; maxSteps: number; budgetMs: number },
): Promise<void> {
  const step = make();
  let firstLoss = null as number | null;
  let r: Throughput;
  try {
    r = await measure(() => {
      step.run();
      if (firstLoss === null) firstLoss = step.lastLoss();
    }, { batch: row.batch, ...budget });
  } finally {
    step.dispose?.();
  }
  const out: Row = { ...row, imagesPerSecond: r.imagesPerSecond, medianStepMs: r.medianStepMs, steps: r.steps, firstLoss, lastLoss: step.lastLoss() };
  rows.push(out);
  process.stderr.write(`${row.model} b${row.batch} ${row.implementation} ${row.threads}: ${Math.round(r.imagesPerSecond)} img/s (median ${r.medianStepMs.toFixed(1)} ms over ${r.steps} steps; loss ${firstLoss?.toFixed(3)} -> ${out.lastLoss?.toFixed(3)})\n`);
}

const lenetBudget = quick ? { warmup: 5, minSteps: 20, maxSteps: 200, budgetMs: 1500 } : { warmup: 10, minSteps: 50, maxSteps: 1000, budgetMs: 5000 };
const resnetBudget = quick ? { warmup: 1, minSteps: 2, maxSteps: 3, budgetMs: 0 } : { warmup: 1, minSteps: 4, maxSteps: 10, budgetMs: 8000 };
const slowBudget = quick ? { warmup: 1, minSteps: 2, maxSteps: 3, budgetMs: 0 } : { warmup: 1, minSteps: 3, maxSteps: 20, budgetMs: 6000 };

if (!only || only === 'convnode') {
  for (const threads of [1, 2]) {
    cn.setNumThreads(threads);
    await bench({ model: 'LeNet-5', batch: 64, implementation: 'convnode', threads: String(threads), note: `eager ops + autograd, ${cn.cpuInfo().isa}` }, () => convnodeStep('lenet5', 64), lenetBudget);
  }
  for (const threads of [1, 2]) {
    cn.setNumThreads(threads);
    await bench({ model: 'ResNet-18', batch: 32, implementation: 'convnode', threads: String(threads), note: `eager ops + autograd, ${cn.cpuInfo().isa}` }, () => convnodeStep('resnet18', 32), resnetBudget);
  }
}

if (!only || only === 'tfjs') {
  // Loaded lazily: tfjs takes a while to import and is only a devDependency.
  const { tfjsStep, useBackend, wasmFailsWithoutShim } = await import('./training/tfjs.js');
  const failure = await wasmFailsWithoutShim();
  if (failure) notes.push(`tfjs-wasm 4.22 unpatched: a LeNet-5 training step throws "${failure}" (no fallback to another backend).`);
  notes.push(...(await useBackend('cpu')));
  await bench({ model: 'LeNet-5', batch: 64, implementation: 'tfjs 4.22 cpu', threads: '1 (JS)', note: 'layers API, pure-JS kernels' }, () => tfjsStep('lenet5', 64), slowBudget);
  if (all) {
    await bench({ model: 'ResNet-18', batch: 32, implementation: 'tfjs 4.22 cpu', threads: '1 (JS)', note: 'layers API, pure-JS kernels' }, () => tfjsStep('resnet18', 32), { warmup: 0, minSteps: 1, maxSteps: 1, budgetMs: 0 });
  } else {
    rows.push({ model: 'ResNet-18', batch: 32, implementation: 'tfjs 4.22 cpu', threads: '1 (JS)', imagesPerSecond: null, medianStepMs: null, steps: 0, firstLoss: null, lastLoss: null, note: 'skipped: minutes per step (its Conv2DBackpropFilter is a naive JS loop); --all runs it' });
  }
  notes.push(...(await useBackend('wasm')));
  await bench({ model: 'LeNet-5', batch: 64, implementation: 'tfjs 4.22 wasm + shim', threads: '1', note: 'SIMD, not threaded; Conv2DBackpropFilter registered by the bench' }, () => tfjsStep('lenet5', 64), lenetBudget);
  await bench({ model: 'ResNet-18', batch: 32, implementation: 'tfjs 4.22 wasm + shim', threads: '1', note: 'SIMD, not threaded; Conv2DBackpropFilter registered by the bench' }, () => tfjsStep('resnet18', 32), resnetBudget);
}

if (!only || only === 'convnetjs') {
  await bench({ model: 'LeNet-5', batch: 64, implementation: 'convnetjs 0.3.0', threads: '1 (JS)', note: 'Float64, one sample at a time' }, () => convnetjsLenetStep(64), slowBudget);
}

rows.push({ model: 'LeNet-5', batch: 64, implementation: 'PyTorch 1.13 (quoted)', threads: '1', imagesPerSecond: PYTORCH_LENET_1T, medianStepMs: (64 * 1000) / PYTORCH_LENET_1T, steps: 1400, firstLoss: null, lastLoss: null, note: 'anchors: peers-native.md §5, tuned malloc; not re-measured' });

const fmt = (v: number | null, digits = 0): string => (v === null ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const find = (model: string, impl: string, threads = '1'): Row | undefined => rows.find((r) => r.model === model && r.implementation === impl && r.threads.startsWith(threads));
const ratio = (a?: Row, b?: Row): string => (a?.imagesPerSecond && b?.imagesPerSecond ? `${(a.imagesPerSecond / b.imagesPerSecond).toFixed(2)}x` : '—');

const lines = [
  `Training step throughput (forward + loss + backward + SGD momentum update), ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, load average ${os.loadavg()[0].toFixed(1)}, convnode ISA ${cn.cpuInfo().isa}`,
  '',
  '| model | batch | implementation | threads | images/s | median step (ms) | steps | loss first → last | note |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.model} | ${r.batch} | ${r.implementation} | ${r.threads} | ${fmt(r.imagesPerSecond)} | ${fmt(r.medianStepMs, 1)} | ${r.steps} | ${r.firstLoss === null ? '—' : `${r.firstLoss.toFixed(3)} → ${r.lastLoss?.toFixed(3)}`} | ${r.note} |`),
  '',
  `LeNet-5, convnode 1 thread vs PyTorch 1.13 1 thread: ${ratio(find('LeNet-5', 'convnode'), find('LeNet-5', 'PyTorch 1.13 (quoted)'))} (target >= 1.0x); ` +
    `vs tfjs-wasm: ${ratio(find('LeNet-5', 'convnode'), find('LeNet-5', 'tfjs 4.22 wasm + shim'))} (target >= 12x); ` +
    `vs tfjs-cpu: ${ratio(find('LeNet-5', 'convnode'), find('LeNet-5', 'tfjs 4.22 cpu'))}; vs convnetjs: ${ratio(find('LeNet-5', 'convnode'), find('LeNet-5', 'convnetjs 0.3.0'))}.`,
  `ResNet-18, convnode 1 thread vs tfjs-wasm: ${ratio(find('ResNet-18', 'convnode'), find('ResNet-18', 'tfjs 4.22 wasm + shim'))}.`,
  ...notes.map((n) => `Note: ${n}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
const dir = path.join(import.meta.dirname, 'results');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'training.json'), `${JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: os.loadavg(), isa: cn.cpuInfo().isa, rows, notes }, null, 1)}\n`);
