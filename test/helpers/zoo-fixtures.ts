/** Reads test/fixtures/zoo (written by scripts/make-zoo-fixtures.py from torch/torchvision). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as cn from '../../lib/index.js';

const DIR = fileURLToPath(new URL('../fixtures/zoo/', import.meta.url));

export interface FixtureRow {
  name: string;
  type: string;
  outputShape: number[];
  params: number;
  macs: number;
}

export interface ModelFixture {
  model: string;
  source: string;
  inputShape: number[];
  outputShape: number[];
  params: number;
  macs: number;
  stateDict: [string, number[]][];
  rows: FixtureRow[];
}

export function modelFixture(name: string): ModelFixture {
  return JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as ModelFixture;
}

/** A forward case: torch's state dict, an input and torch's output, by name. */
export function forwardFixture(name: string): { stateDict: Record<string, cn.Tensor>; input: cn.Tensor; output: cn.Tensor } {
  const meta = JSON.parse(readFileSync(`${DIR}forward/${name}.json`, 'utf8')) as {
    tensors: { name: string; shape: number[]; offset: number; length: number }[];
  };
  const bytes = readFileSync(`${DIR}forward/${name}.bin`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const stateDict: Record<string, cn.Tensor> = {};
  let input: cn.Tensor | undefined;
  let output: cn.Tensor | undefined;
  for (const t of meta.tensors) {
    const v = cn.tensor(all.slice(t.offset, t.offset + t.length), t.shape);
    if (t.name === 'input') input = v;
    else if (t.name === 'output') output = v;
    else stateDict[t.name] = v;
  }
  if (!input || !output) throw new Error(`fixture ${name}: no input/output`);
  return { stateDict, input, output };
}

/**
 * Per-layer diff of a summary against torch's rows: empty when they agree, otherwise a table
 * of every disagreeing row (what convnode computed vs what torch recorded).
 */
export function rowDiff(rows: cn.SummaryRow[], expected: FixtureRow[]): string {
  const lines: string[] = [];
  const n = Math.max(rows.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = rows[i];
    const e = expected[i];
    const mine = a ? `${a.name} ${a.type} [${a.outputShape}] params=${a.params} macs=${a.macs}` : '(none)';
    const theirs = e ? `${e.name} ${e.type} [${e.outputShape}] params=${e.params} macs=${e.macs}` : '(none)';
    if (mine !== theirs) lines.push(`  row ${i}:\n    convnode: ${mine}\n    torch:    ${theirs}`);
  }
  if (rows.length !== expected.length) lines.unshift(`  ${rows.length} rows vs torch's ${expected.length}`);
  return lines.join('\n');
}

/** Largest |a - b| over two equally sized tensors. */
export function maxAbsDiff(a: cn.Tensor, b: cn.Tensor): number {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}
