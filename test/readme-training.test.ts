// The README's "Training utilities" example runs as written (imported by package name) and
// prints what its comments say.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

describe('README', () => {
  it('the Training utilities example runs', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Training utilities'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    const file = path.join(root, 'test', 'fixtures', 'readme-training.tmp.mjs');
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-readme-'));
    fs.writeFileSync(file, code!);
    try {
      const out = execFileSync(process.execPath, [file], { cwd, encoding: 'utf8' });
      expect(out).toMatch(/\[ 64, 1, 28, 28 \] 64 (T-shirt\/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot)\n/);
      expect(out).toMatch(/1 \[ 10, 784 \]/);
      expect(fs.existsSync(path.join(cwd, 'ckpt.safetensors'))).toBe(true);
    } finally {
      fs.rmSync(file, { force: true });
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
