/** `convnode summary <model> [--input C,H,W]`: the per-layer table of a zoo model. */
import { type Command, InvalidArgumentError } from 'commander';
import { zooEntry, zooNames } from '../../models/registry.js';
import { skipInit } from '../../nn/init.js';
import { summary } from '../../summary/index.js';

export interface SummaryCommandOptions {
  input?: number[];
  classes?: number;
  json?: boolean;
}

/** "3,224,224" or "2,3,224,224" -> numbers; commander turns the throw into a usage error. */
export function parseShape(value: string): number[] {
  const parts = value.split(/[,x]/).map((s) => s.trim());
  const dims = parts.map(Number);
  if ((dims.length !== 3 && dims.length !== 4) || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new InvalidArgumentError(`expected C,H,W or N,C,H,W of positive integers (e.g. 3,224,224), got "${value}"`);
  }
  return dims;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected an integer >= 1, got "${value}"`);
  return n;
}

/**
 * The summary text (or JSON) of a zoo model: built without drawing weights, shapes inferred.
 * @example console.log(summaryText('vgg16', { input: [3, 224, 224] }))
 */
export function summaryText(model: string, options: SummaryCommandOptions = {}): string {
  const entry = zooEntry(model);
  const net = skipInit(() => entry.build(options.classes ? { numClasses: options.classes } : {}));
  const s = summary(net, options.input ?? entry.inputShape);
  if (options.json) return JSON.stringify({ model, inputShape: s.inputShape, outputShape: s.outputShape, totals: s.totals, rows: s.rows }, null, 1);
  return `${model}: ${entry.description}\n${s.toString()}`;
}

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description('print the per-layer table of a zoo model (shapes, memory, params, MACs, receptive field)')
    .argument('<model>', `one of: ${zooNames().join(', ')}`)
    .option('-i, --input <shape>', "input shape C,H,W (or N,C,H,W); default: the model's native size", parseShape)
    .option('-c, --classes <n>', 'number of classes of the classifier', parsePositiveInt)
    .option('--json', 'print the summary as JSON')
    .action((model: string, opts: SummaryCommandOptions) => {
      process.stdout.write(`${summaryText(model, opts)}\n`);
    });
}
