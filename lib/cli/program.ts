/**
 * The convnode command-line program: a thin commander shell. Each command lives in its own
 * file under commands/ and exports a register function, so that train, classify or serve can
 * be added without touching the others.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerDemo } from './commands/demo.js';
import { registerSummary } from './commands/summary.js';
import { registerTrain } from './commands/train.js';
import { registerClassify } from './commands/classify.js';
import { registerServe } from './commands/serve.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Builds the program (without parsing): tests call it with exitOverride and captured output.
 * @example await createProgram().parseAsync(['node', 'convnode', 'summary', 'vgg16']);
 */
export function createProgram(): Command {
  const program = new Command('convnode')
    .description('convnode: a CNN runtime for Node.js')
    .version(packageVersion())
    .showHelpAfterError();
  registerSummary(program);
  registerDemo(program);
  registerTrain(program);
  registerClassify(program);
  registerServe(program);
  return program;
}
