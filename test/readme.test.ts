// The README's examples run as written: each js block is saved inside the repo (so that
// `import ... from 'convnode'` resolves to this package by name), run with node in a scratch
// working directory, and its output checked against what the README's comments say.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/** Runs the first js block after `heading`; returns its stdout and the scratch cwd it ran in. */
function runSection(heading: string): { out: string; cwd: string } {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const at = readme.indexOf(heading);
  expect(at, `README has no section ${heading}`).toBeGreaterThanOrEqual(0);
  const code = /```js\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  expect(code, `no js block under ${heading}`).toBeDefined();
  // A unique name: test files run in parallel.
  const file = path.join(root, 'test', 'fixtures', `readme-${process.pid}-${Math.random().toString(36).slice(2)}.tmp.mjs`);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-readme-'));
  fs.writeFileSync(file, code!);
  try {
    return { out: execFileSync(process.execPath, [file], { cwd, encoding: 'utf8' }), cwd };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe('README examples', () => {
  it('Usage: prints the logits shape and the ISA in use', () => {
    const { out } = runSection('## Usage');
    expect(out).toMatch(/\[ 1, 10 \]/);
    expect(out).toMatch(/(generic|avx2|avx512) \d+/);
  });

  it('Gradients and compiled inference: 4 fused ReLUs and a [64, 10] output', () => {
    expect(runSection('## Gradients and compiled inference').out).toMatch(/^4 \[ 64, 10 \]/);
  });

  it('Training utilities: a batch, its label name, and a checkpoint written', () => {
    const { out, cwd } = runSection('## Training utilities');
    try {
      expect(out).toMatch(/\[ 64, 1, 28, 28 \] 64 (T-shirt\/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot)\n/);
      expect(out).toMatch(/1 \[ 10, 784 \]/);
      expect(fs.existsSync(path.join(cwd, 'ckpt.safetensors'))).toBe(true);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('Train on Fashion-MNIST: cn.train.fit learns in one epoch', () => {
    const { out, cwd } = runSection('## Train on Fashion-MNIST');
    fs.rmSync(cwd, { recursive: true, force: true });
    const [epoch, loss, acc] = out.split('\n')[0].split(' ').map(Number);
    expect(epoch).toBe(1);
    expect(loss).toBeLessThan(2); // from ln 10 = 2.30
    expect(acc).toBeGreaterThan(0.6);
    expect(out.split('\n')[1]).toBe('true');
  });
});
