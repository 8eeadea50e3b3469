// The README's "Train on Fashion-MNIST" library example runs as written (imported by package
// name) and prints what its comments say.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

describe('README', () => {
  it('the cn.train.fit example runs', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Train on Fashion-MNIST'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    const file = path.join(root, 'test', 'fixtures', 'readme-train.tmp.mjs');
    fs.writeFileSync(file, code!);
    try {
      const out = execFileSync(process.execPath, [file], { cwd: os.tmpdir(), encoding: 'utf8' });
      const [epoch, loss, acc] = out.split('\n')[0].split(' ').map(Number);
      expect(epoch).toBe(1);
      expect(loss).toBeLessThan(2); // from ln 10 = 2.30
      expect(acc).toBeGreaterThan(0.6);
      expect(out.split('\n')[1]).toBe('true');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
