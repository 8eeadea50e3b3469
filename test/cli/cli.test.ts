import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommanderError } from 'commander';
import { createProgram } from '../../lib/cli/program.js';
import { median, runDemo } from '../../lib/cli/commands/demo.js';

/** Runs the program on argv, returning what it wrote to stdout (commander errors throw). */
async function run(...args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    const program = createProgram().exitOverride().configureOutput({ writeErr: () => {}, writeOut: (s) => out.push(s) });
    for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: (s) => out.push(s) });
    await program.parseAsync(['node', 'convnode', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

afterEach(() => vi.restoreAllMocks());

describe('convnode summary', () => {
  it('prints the VGG-16 table with the issue\'s totals', async () => {
    const text = await run('summary', 'vgg16');
    expect(text).toContain('vgg16: VGG-16 (D)');
    expect(text).toContain('input [1, 3, 224, 224]');
    expect(text).toMatch(/^features\.28\s+Conv2d\s+\[1, 512, 14, 14\]/m);
    expect(text).toContain('Total params: 138,357,544');
    expect(text).toContain('Total MACs: 15,470,264,320');
  });

  it('takes --input, --classes and --json', async () => {
    const json = JSON.parse(await run('summary', 'resnet18', '--input', '2,3,64,64', '--classes', '10', '--json'));
    expect(json.inputShape).toEqual([2, 3, 64, 64]);
    expect(json.outputShape).toEqual([2, 10]);
    expect(json.totals.params).toBe(11_689_512 - 513 * 1000 + 513 * 10);
    expect(json.rows[0]).toMatchObject({ name: 'conv1', type: 'Conv2d', outputShape: [2, 64, 32, 32] });
  });

  it('rejects an unknown model (listing the known ones) and a malformed --input', async () => {
    await expect(run('summary', 'vgg17')).rejects.toThrow(/models: name: expected one of lenet5, .*vgg16.*, got "vgg17"/);
    await expect(run('summary', 'vgg16', '--input', '3,224')).rejects.toThrow(CommanderError);
    await expect(run('summary', 'vgg16', '--input', '3,224')).rejects.toThrow(/expected C,H,W or N,C,H,W of positive integers/);
    await expect(run('summary', 'lenet5', '--input', '3,32,32')).rejects.toThrow('lenet5: input: expected [N, 1, 32, 32] (inChannels = 1), got shape [1, 3, 32, 32]');
  });
});

describe('convnode demo', () => {
  it('runs LeNet-5 on a random batch and reports the output shape and the median time', async () => {
    const text = await run('demo', '--batch', '3', '--runs', '4');
    expect(text).toContain('LeNet-5 (61,706 parameters)');
    expect(text).toContain('output [3, 10]');
    expect(text).toMatch(/forward: median \d+\.\d{3} ms over 4 runs/);
  });

  it('runDemo times every run; median is the middle value', () => {
    const r = runDemo({ batch: 2, runs: 5 });
    expect(r.outputShape).toEqual([2, 10]);
    expect(r.times.length).toBe(5);
    expect(r.medianMs).toBe(median(r.times));
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('bin entry', () => {
  it('is dist/cli/index.js with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.bin.convnode).toBe('./dist/cli/index.js');
    expect(pkg.scripts.start).toBe('node dist/cli/index.js train');
    expect(readFileSync(new URL('../../lib/cli/index.ts', import.meta.url), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });
});
