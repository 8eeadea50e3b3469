/**
 * `convnode classify` and `convnode serve` on a tiny ONNX colour classifier whose answers are
 * known by hand: softmax(4 * mean of each normalized channel) over the classes red, green, blue.
 * The server test runs on loopback with 32 concurrent clients plus bad requests, then closes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as cn from '../../lib/index.js';
import { createProgram } from '../../lib/cli/program.js';
import { startServer, type RunningServer } from '../../lib/cli/commands/serve.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'convnode-cli-'));
const modelFile = path.join(dir, 'colours.onnx');
const labelsFile = path.join(dir, 'labels.txt');
const COLOURS: Record<string, [number, number, number]> = { red: [250, 20, 10], green: [15, 240, 30], blue: [5, 25, 235] };
const files: Record<string, string> = {};
const bytes: Record<string, Buffer> = {};

function png(rgb: number[], side = 48): Buffer {
  const img = new PNG({ width: side, height: side });
  for (let i = 0; i < side * side; i++) img.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(img);
}

/** The hand oracle: ImageNet-normalized flat colour, logits 4 * v, softmax. */
function expectedProbabilities(rgb: number[]): number[] {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const logits = rgb.map((v, c) => (4 * (v / 255 - mean[c])) / std[c]);
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

beforeAll(() => {
  const w = cn.tensor([4, 0, 0, 0, 4, 0, 0, 0, 4], [3, 3]);
  const model = (x: cn.Tensor) => cn.softmax(cn.linear(cn.flatten(cn.globalAvgPool2d(x), 1), w), 1);
  cn.onnx.save(model, modelFile, { inputShape: [1, 3, 32, 32] });
  writeFileSync(labelsFile, 'red\ngreen\nblue\n');
  for (const [name, rgb] of Object.entries(COLOURS)) {
    bytes[name] = png(rgb);
    files[name] = path.join(dir, `${name}.png`);
    writeFileSync(files[name], bytes[name]);
  }
  writeFileSync(path.join(dir, 'broken.jpg'), Buffer.from('definitely not a jpeg'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const program = createProgram().exitOverride();
  for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: (s) => out.push(s) });
  await program.parseAsync(['node', 'convnode', ...args]);
  vi.restoreAllMocks();
  return out.join('');
}

describe('convnode classify', () => {
  it('prints one block per image with the top-k labels and their probabilities', async () => {
    const text = await cli('classify', '--model', modelFile, '--labels', labelsFile, '--top', '2', files.green, files.red);
    const blocks = text.trim().split('\n\n');
    expect(blocks.length).toBe(2);
    for (const [block, name] of [[blocks[0], 'green'], [blocks[1], 'red']] as const) {
      const lines = block.split('\n');
      expect(lines[0]).toBe(files[name]);
      expect(lines.length).toBe(3);
      const probs = expectedProbabilities(COLOURS[name]);
      const order = [0, 1, 2].sort((a, b) => probs[b] - probs[a]);
      const labels = ['red', 'green', 'blue'];
      lines.slice(1).forEach((line, i) => {
        const m = /^ {2}(\d)\. (\w+)\s+([\d.]+)$/.exec(line);
        expect(m, line).not.toBeNull();
        expect([Number(m![1]), m![2]]).toEqual([i + 1, labels[order[i]]]);
        expect(Math.abs(Number(m![3]) - probs[order[i]])).toBeLessThanOrEqual(5e-5);
      });
    }
  });

  it('reports a bad image in its block, goes on with the others, and sets exit code 1', async () => {
    const text = await cli('classify', '-m', modelFile, path.join(dir, 'broken.jpg'), files.blue);
    expect(text).toContain(`${path.join(dir, 'broken.jpg')}\n  error: image: cannot decode ${path.join(dir, 'broken.jpg')}: `);
    expect(text).toMatch(/blue\.png\n {2}1\. class 2 +[01]\.\d{4}\n/);
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });

  it('refuses labels that do not match the classes', async () => {
    const bad = path.join(dir, 'two-labels.txt');
    writeFileSync(bad, 'a\nb\n');
    await expect(cli('classify', '-m', modelFile, '-l', bad, files.red)).rejects.toThrow(`classify: --labels: expected 3 lines (one per class of the model), got 2 in ${bad}`);
  });
});

describe('convnode serve', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ model: modelFile, labels: labelsFile, port: 0, host: '127.0.0.1', top: 3, maxBytes: 4096, concurrency: 2, maxQueue: 256 });
  });
  afterAll(async () => server.close());

  it('answers 32 concurrent clients correctly (plus bad requests), and stays up', async () => {
    const names = Array.from({ length: 32 }, (_, i) => ['red', 'green', 'blue'][(i * 7) % 3]);
    const good = names.map(async (name) => {
      const res = await fetch(`${server.url}/classify`, { method: 'POST', body: bytes[name], signal: AbortSignal.timeout(30_000) });
      return { name, status: res.status, body: (await res.json()) as { predictions: { label: string; probability: number; index: number }[] } };
    });
    const tooBig = fetch(`${server.url}/classify`, { method: 'POST', body: Buffer.alloc(5000, 7), signal: AbortSignal.timeout(30_000) });
    const broken = fetch(`${server.url}/classify`, { method: 'POST', body: Buffer.from('GIF89a garbage'), signal: AbortSignal.timeout(30_000) });
    const empty = fetch(`${server.url}/classify`, { method: 'POST', body: Buffer.alloc(0), signal: AbortSignal.timeout(30_000) });
    const answers = await Promise.all(good);
    expect(answers.length).toBe(32);
    for (const a of answers) {
      expect(a.status).toBe(200);
      const probs = expectedProbabilities(COLOURS[a.name]);
      expect(a.body.predictions[0].label).toBe(a.name);
      expect(a.body.predictions.length).toBe(3);
      for (const p of a.body.predictions) expect(Math.abs(p.probability - probs[p.index])).toBeLessThan(1e-5);
    }
    const big = await tooBig;
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toBe('body: expected at most 4096 bytes');
    const bad = await broken;
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^image: cannot decode <14 bytes>: /);
    expect((await empty).status).toBe(400);

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', served: 32, queued: 0, input: { name: 'input', shape: ['batch', 3, 32, 32] } });
    const top1 = await fetch(`${server.url}/classify?top=1`, { method: 'POST', body: bytes.blue });
    expect(((await top1.json()) as { predictions: unknown[] }).predictions.length).toBe(1);
    expect((await fetch(`${server.url}/classify`)).status).toBe(405);
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
  }, 60_000);
});
