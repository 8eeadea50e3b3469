#!/usr/bin/env node
/** The `convnode` bin entry (dist/cli/index.js): parse argv and run the command. */
import { createProgram } from './program.js';

createProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`convnode: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
