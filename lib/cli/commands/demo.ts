/** `convnode demo` (what `npm start` runs): LeNet-5 forward on a random batch, with timing. */
import { type Command, InvalidArgumentError } from 'commander';
import { lenet5 } from '../../models/lenet.js';
import { getNumThreads } from '../../system.js';
import { randn } from '../../tensor.js';

export interface DemoOptions {
  batch: number;
  runs: number;
}

export interface DemoResult {
  params: number;
  inputShape: number[];
  outputShape: number[];
  /** Per-run forward times in ms (after one warm-up run). */
  times: number[];
  medianMs: number;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected an integer >= 1, got "${value}"`);
  return n;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Builds LeNet-5 (seed 0), runs one warm-up then `runs` timed eval forwards on a random batch.
 * @example const r = runDemo({ batch: 8, runs: 20 }); r.outputShape // [8, 10]
 */
export function runDemo(options: DemoOptions): DemoResult {
  const net = lenet5({ seed: 0 }).eval();
  const x = randn([options.batch, 1, 32, 32], { seed: 1 });
  let y = net.forward(x);
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const t0 = performance.now();
    y = net.forward(x);
    times.push(performance.now() - t0);
  }
  return { params: net.numParameters(), inputShape: [...x.shape], outputShape: [...y.shape], times, medianMs: median(times) };
}

export function formatDemo(r: DemoResult): string {
  const perImage = r.medianMs / r.inputShape[0];
  return [
    `LeNet-5 (${r.params.toLocaleString('en-US')} parameters), eval mode, ${getNumThreads()} thread(s)`,
    `input  [${r.inputShape.join(', ')}]`,
    `output [${r.outputShape.join(', ')}]`,
    `forward: median ${r.medianMs.toFixed(3)} ms over ${r.times.length} runs ` +
      `(min ${Math.min(...r.times).toFixed(3)}, max ${Math.max(...r.times).toFixed(3)}), ` +
      `${perImage.toFixed(4)} ms/image, ${Math.round(1000 / perImage).toLocaleString('en-US')} images/s`,
  ].join('\n');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('build LeNet-5, run forward passes on a random batch, print the output shape and the median time')
    .option('-b, --batch <n>', 'batch size', parsePositiveInt, 16)
    .option('-r, --runs <n>', 'timed runs (after one warm-up)', parsePositiveInt, 20)
    .action((opts: DemoOptions) => {
      process.stdout.write(`${formatDemo(runDemo(opts))}\n`);
    });
}
