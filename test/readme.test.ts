// The README's usage example runs as written (against the built package, imported by name).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function runSection(heading: string): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error(`no js block under ${heading}`);
  const file = path.join(root, 'test', 'fixtures', `readme-${heading.length}.tmp.mjs`);
  fs.writeFileSync(file, code);
  try {
    return execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8' });
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe('README', () => {
  it('the gradients / InferenceSession example runs', () => {
    expect(runSection('## Gradients and compiled inference')).toMatch(/^4 \[ 64, 10 \]/);
  });

  it('the Usage example runs and prints what its comments say', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const usage = readme.slice(readme.indexOf('## Usage'));
    const code = /```js\n([\s\S]*?)```/.exec(usage)?.[1];
    expect(code).toBeDefined();
    const file = path.join(root, 'test', 'fixtures', 'readme-example.tmp.mjs');
    fs.writeFileSync(file, code!);
    try {
      const out = execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8' });
      expect(out).toMatch(/\[ 1, 10 \]/);
      expect(out).toMatch(/(generic|avx2|avx512) \d+/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
