// `convnode train` end to end on small slices of the shipped Fashion-MNIST subset: the --json
// contract, the files it writes (curves as SVG and PNG, the checkpoint), resuming, and the
// errors of bad flags. Runs in-process (runTrain / createProgram) to keep the suite fast.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CommanderError } from 'commander';
import { createProgram } from '../../lib/cli/program.js';
import { runTrain } from '../../lib/cli/train/run.js';
import { makeLoaders, loadData } from '../../lib/cli/train/setup.js';
import { resolveTrainOptions } from '../../lib/cli/train/options.js';
import { load } from '../../lib/index.js';
import { evaluate } from '../../lib/train/evaluate.js';
import { trainModel } from '../../lib/train/models.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-train-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A stream double that keeps what was written. */
function sink(isTTY = false): { write(s: string): boolean; isTTY: boolean; text(): string } {
  const chunks: string[] = [];
  return { write: (s: string) => (chunks.push(String(s)), true), isTTY, text: () => chunks.join('') };
}

/** Runs the program on argv, returning stdout and stderr (commander errors throw). */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  try {
    const program = createProgram().exitOverride().configureOutput({ writeErr: (s) => err.push(s), writeOut: (s) => out.push(s) });
    for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: (s) => err.push(s), writeOut: (s) => out.push(s) });
    await program.parseAsync(['node', 'convnode', ...args]);
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('convnode train --json', () => {
  const out = path.join(tmp, 'json');
  let result: { stdout: string; stderr: string };

  it('prints exactly one JSON line per epoch and nothing else on stdout; the loss decreases', async () => {
    result = await cli('train', '--json', '--epochs', '2', '--limit', '1600', '--out', out, '--predictions', '3');
    const lines = result.stdout.split('\n').filter((l) => l !== '');
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(2);
    const epochs = lines.map((l) => JSON.parse(l));
    epochs.forEach((e, i) => {
      expect(Object.keys(e).sort()).toEqual(['epoch', 'imagesPerSecond', 'testAccuracy', 'trainLoss']);
      expect(e.epoch).toBe(i + 1);
      expect(e.imagesPerSecond).toBeGreaterThan(0);
      expect(e.testAccuracy).toBeGreaterThan(0.1); // better than chance after 25 batches
      expect(e.testAccuracy).toBeLessThanOrEqual(1);
    });
    expect(epochs[0].trainLoss).toBeLessThan(Math.log(10) + 0.1);
    expect(epochs[1].trainLoss).toBeLessThan(epochs[0].trainLoss);
    // The human-readable part (set-up, files, predictions) went to stderr.
    expect(result.stderr).toMatch(/lenet5: 44,426 parameters; 1,600 training \/ 1,600 test images/);
    expect(result.stderr).toMatch(/predictions on test images:\n(  #\d+ +\S.*actual .*\n){3}/);
  });

  it('writes the curves as a valid SVG and a non-blank PNG of the stated size', () => {
    const svg = fs.readFileSync(path.join(out, 'curves.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="800" height="360"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // Well-formed: every element opened is closed in order.
    const stack: string[] = [];
    for (const [, close, name, selfClosing] of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
      if (close) expect(stack.pop()).toBe(name);
      else if (!selfClosing) stack.push(name);
    }
    expect(stack).toEqual([]);
    // Two panels x (train, test): four polylines, two points each.
    const lines = [...svg.matchAll(/<path d="(M[^"]+)" fill="none" stroke="#[0-9a-f]{6}" stroke-width="2">/g)];
    expect(lines).toHaveLength(4);
    for (const [, d] of lines) expect(d.split('L')).toHaveLength(2);

    const png = PNG.sync.read(fs.readFileSync(path.join(out, 'curves.png')));
    expect([png.width, png.height]).toEqual([800, 360]);
    let ink = 0;
    let train = 0;
    let test = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      if (r !== 255 || g !== 255 || b !== 255) ink++;
      if (r === 0x1f && g === 0x77 && b === 0xb4) train++;
      if (r === 0xd6 && g === 0x27 && b === 0x28) test++;
    }
    expect(ink).toBeGreaterThan(2000);
    expect(train).toBeGreaterThan(50);
    expect(test).toBeGreaterThan(50);
  });

  it('the checkpoint loads into a fresh model and reproduces the saved test accuracy', () => {
    const ckpt = load(path.join(out, 'checkpoint.safetensors'));
    expect(ckpt.epoch).toBe(2);
    expect(ckpt.config).toMatchObject({ model: 'lenet5', optimizer: 'sgd', batchSize: 64, seed: 0 });
    expect(ckpt.history).toHaveLength(2);
    const o = resolveTrainOptions({ limit: 1600 });
    const model = trainModel('lenet5').build({ seed: 123 }); // other weights until loaded
    const { testLoader } = makeLoaders(o, loadData(o), ckpt.normalization);
    const before = evaluate(model, testLoader).accuracy;
    model.loadStateDict(ckpt.model);
    const after = evaluate(model, testLoader).accuracy;
    expect(after).toBe(ckpt.testAccuracy);
    expect(after).not.toBe(before);
    expect(JSON.parse(result.stdout.trim().split('\n')[1]).testAccuracy).toBe(ckpt.testAccuracy);
  });
});

describe('convnode train --resume', () => {
  // Each case: the losses of epochs 1-3 in one run equal those of a run of 3 epochs stopped after
  // epoch 2 (--stop-after 2, as an interruption would), then resumed from its checkpoint.
  const cases = [
    { name: 'lenet5, sgd', flags: { model: 'lenet5', limit: 384 } },
    { name: 'lenet5-bn, adamw, cosine, augment (BN running stats, scheduler, augmentation stream)', flags: { model: 'lenet5-bn', optimizer: 'adamw', scheduler: 'cosine', augment: 'both', limit: 256, batchSize: 32 } },
  ] as const;
  for (const c of cases) {
    it(`continues with the same losses as an uninterrupted run: ${c.name}`, async () => {
      const io = { stdout: sink(), stderr: sink() };
      const base = { ...c.flags, seed: 3, json: true, predictions: 0 };
      const full = await runTrain({ ...base, epochs: 3, out: path.join(tmp, `full-${c.flags.model}`) }, io);
      const first = await runTrain({ ...base, epochs: 3, stopAfter: 2, out: path.join(tmp, `part-${c.flags.model}`) }, io);
      const rest = await runTrain({ ...base, epochs: 3, out: path.join(tmp, `part-${c.flags.model}`), resume: first.files.checkpoint }, io);
      expect(first.epochs.map((e) => e.batchLosses)).toEqual(full.epochs.slice(0, 2).map((e) => e.batchLosses));
      expect(rest.epochs).toHaveLength(1);
      expect(rest.epochs[0].epoch).toBe(3);
      expect(rest.epochs[0].batchLosses).toEqual(full.epochs[2].batchLosses);
      expect(rest.epochs[0].testAccuracy).toBe(full.epochs[2].testAccuracy);
      expect(rest.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
      // The losses do vary between batches: the equality above is not between constants.
      expect(new Set(full.epochs[2].batchLosses).size).toBeGreaterThan(1);
    });
  }

  it('refuses a checkpoint of another configuration, or one already at --epochs', async () => {
    const io = { stdout: sink(), stderr: sink() };
    const ckpt = path.join(tmp, 'part-lenet5', 'checkpoint.safetensors');
    await expect(runTrain({ model: 'lenet5-bn', limit: 384, seed: 3, epochs: 3, resume: ckpt, out: path.join(tmp, 'x') }, io))
      .rejects.toThrow('train: --resume: expected a checkpoint of a run with the same model ("lenet5-bn"), got "lenet5"');
    await expect(runTrain({ limit: 384, seed: 3, epochs: 3, resume: ckpt, out: path.join(tmp, 'x') }, io))
      .rejects.toThrow("train: --epochs: expected more than the checkpoint's 3 epochs (--epochs counts them all), got 3");
  });
});

describe('convnode train output', () => {
  it('prints one plain line per epoch when stdout is not a terminal', async () => {
    const stdout = sink(false);
    await runTrain({ epochs: 2, limit: 320, predictions: 2, out: path.join(tmp, 'plain') }, { stdout, stderr: sink() });
    const text = stdout.text();
    expect(text).not.toMatch(/\r|\x1b/);
    expect(text.match(/^epoch \d\/2 {2}loss \d\.\d{4} {2}train acc [\d.]+% {2}test acc [\d.]+% {2}[\d,]+ img\/s/gm)).toHaveLength(2);
    expect(text).toMatch(/predictions on test images:\n {2}#0 {4}/);
  });

  it('draws a progress bar with loss, accuracy, images/s and ETA on a terminal', async () => {
    const stdout = sink(true);
    await runTrain({ epochs: 1, limit: 640, batchSize: 16, predictions: 0, out: path.join(tmp, 'tty') }, { stdout, stderr: sink() });
    const text = stdout.text();
    expect(text).toMatch(/epoch 1\/1 \|[\u2588\u2591]+\| \d+\/40 batches \| loss \d\.\d{4} \| acc [\d.]+% \| [\d,]+ img\/s \| ETA /);
    expect(text).toMatch(/\x1b\[2Kepoch 1\/1 {2}loss /);
  });
});

describe('convnode train flag errors', () => {
  const cases: [string, string[], RegExp][] = [
    ['--epochs 0', ['--epochs', '0'], /option '-e, --epochs <n>' argument '0' is invalid\. expected an integer >= 1, got "0"/],
    ['--lr -1', ['--lr', '-1'], /option '--lr <x>' argument '-1' is invalid\. expected a number > 0, got "-1"/],
    ['--batch-size 1.5', ['--batch-size', '1.5'], /expected an integer >= 1, got "1\.5"/],
    ['unknown model', ['--model', 'vgg99'], /argument 'vgg99' is invalid\. Allowed choices are lenet5, lenet5-bn, resnet18/],
    ['unknown optimizer', ['--optimizer', 'rmsprop'], /Allowed choices are sgd, adam, adamw/],
    ['unknown flag', ['--epoch', '3'], /unknown option '--epoch'/],
  ];
  for (const [name, args, message] of cases) {
    it(`rejects ${name}`, async () => {
      const run = cli('train', ...args, '--out', path.join(tmp, 'never'));
      await expect(run).rejects.toThrow(CommanderError);
      await expect(cli('train', ...args, '--out', path.join(tmp, 'never'))).rejects.toThrow(message);
    });
  }

  it('rejects a missing data folder, momentum with adam, and a missing checkpoint, naming the flag', async () => {
    await expect(cli('train', '--data', path.join(tmp, 'no-such-dir'))).rejects.toThrow(
      `train: --data: expected a folder holding the Fashion-MNIST IDX files (e.g. /usr/share/datasets/fashion-mnist), got ${path.join(tmp, 'no-such-dir')} (no such folder)`,
    );
    await expect(cli('train', '--optimizer', 'adam', '--momentum', '0.9')).rejects.toThrow(/train: --momentum: expected no value with --optimizer adam/);
    await expect(cli('train', '--resume', path.join(tmp, 'nope.safetensors'))).rejects.toThrow(/train: --resume: expected a checkpoint file written by convnode train, got .*nope\.safetensors \(no such file\)/);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('checks values given programmatically too', () => {
    expect(() => resolveTrainOptions({ epochs: 0 })).toThrow('train: --epochs: expected an integer >= 1, got 0');
    expect(() => resolveTrainOptions({ lr: -1 })).toThrow('train: --lr: expected a number > 0, got -1');
    expect(() => resolveTrainOptions({ model: 'vgg99' })).toThrow('train: --model: expected one of lenet5, lenet5-bn, resnet18, got "vgg99"');
    expect(resolveTrainOptions({ optimizer: 'adamw' })).toMatchObject({ lr: 0.001, momentum: 0 });
    expect(resolveTrainOptions({})).toMatchObject({ model: 'lenet5', epochs: 5, batchSize: 64, lr: 0.01, momentum: 0.9, seed: 0, threads: 1 });
  });
});

describe('the convnode binary (dist/cli/index.js, as npm start runs it)', () => {
  const bin = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'index.js');
  it('trains, prints JSON only on stdout, and exits 0', () => {
    const r = spawnSync(process.execPath, [bin, 'train', '--epochs', '1', '--limit', '256', '--json', '--out', path.join(tmp, 'bin')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).epoch).toBe(1);
    expect(r.stderr).toMatch(/predictions on test images/);
  });

  it('exits 1 with the error on stderr for a bad value', () => {
    const r = spawnSync(process.execPath, [bin, 'train', '--lr', '-1'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/option '--lr <x>' argument '-1' is invalid\. expected a number > 0, got "-1"/);
  });
});
