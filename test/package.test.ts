// The packed tarball carries prebuilt binaries, so installs without a compiler or without
// install scripts (--ignore-scripts, unapproved scripts) still work; and when no binary fits,
// the loader says what it tried and how to build from source.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work: string;
let tarball: string;
let project: string;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  // The installed package must find its addon by itself: no CONVNODE_ADDON_PATH override (which
  // npm run test:asan sets for the rest of the suite).
  const { CONVNODE_ADDON_PATH: _override, ...inherited } = process.env;
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

const CONV_SCRIPT = `
import * as cn from 'convnode';
const x = cn.tensor(new Float32Array(2 * 3 * 5 * 5).map((_, i) => (i % 7) - 3), [2, 3, 5, 5]);
const w = cn.tensor(new Float32Array(4 * 3 * 3 * 3).map((_, i) => (i % 5) - 2), [4, 3, 3, 3]);
const y = cn.conv2d(x, w, null, { padding: 1 });
const ref = cn.reference.conv2d(x, w, null, { stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 });
const maxDiff = Math.max(...y.data.map((v, i) => Math.abs(v - ref.data[i])));
console.log(JSON.stringify({ shape: y.shape, maxDiff, isa: cn.cpuInfo().isa }));
`;

beforeAll(() => {
  // Pack from a copy of the sources: prebuildify rebuilds build/, which other test files load.
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-pack-'));
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  for (const entry of ['package.json', 'binding.gyp', 'CMakeLists.txt', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'native', 'lib', 'scripts']) {
    fs.cpSync(path.join(root, entry), path.join(src, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(src, 'node_modules'));
  run(npm, ['run', 'prepack'], src); // build:ts + prebuildify, as `npm pack` would
  const packed = JSON.parse(run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], src)) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, packed[0].filename);
  project = path.join(work, 'app');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  // No install scripts at all: the only binary available is the prebuilt one.
  run(npm, ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball], project);
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('the tarball carries dist/ and prebuilds/linux-x64, not build/', () => {
    const listing = run('tar', ['-tzf', tarball], work).split('\n');
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing.some((f) => f.startsWith(`package/prebuilds/${process.platform}-${process.arch}/`) && f.endsWith('.node'))).toBe(true);
    expect(listing.some((f) => f.startsWith('package/build/'))).toBe(false);
  });

  it('installed with --ignore-scripts, it loads the prebuilt addon and runs a conv', () => {
    const installed = path.join(project, 'node_modules', 'convnode');
    expect(fs.existsSync(path.join(installed, 'build'))).toBe(false);
    fs.writeFileSync(path.join(project, 'conv.mjs'), CONV_SCRIPT);
    const out = JSON.parse(run(process.execPath, ['conv.mjs'], project)) as { shape: number[]; maxDiff: number };
    expect(out.shape).toEqual([2, 4, 5, 5]);
    expect(out.maxDiff).toBeLessThan(1e-4);
  });

  it('the addon loads straight from prebuilds/<platform>-<arch>/', () => {
    const dir = path.join(project, 'node_modules', 'convnode', 'prebuilds', `${process.platform}-${process.arch}`);
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.node'));
    expect(file).toBeDefined();
    const script = `const a = require(${JSON.stringify(path.join(dir, file!))}); console.log(typeof a.Conv2d, a.CpuInfo().isa);`;
    expect(run(process.execPath, ['-e', script], project).trim()).toMatch(/^function (generic|avx2|avx512)$/);
  });

  it('when no binary fits, the Error lists what was tried and how to build from source', () => {
    const installed = path.join(project, 'node_modules', 'convnode');
    fs.renameSync(path.join(installed, 'prebuilds'), path.join(installed, 'prebuilds-hidden'));
    try {
      let message = '';
      try {
        run(process.execPath, ['conv.mjs'], project);
      } catch (err) {
        message = String((err as { stderr?: string }).stderr);
      }
      expect(message).toMatch(/convnode: could not load the native addon for linux-x64/);
      expect(message).toMatch(/Tried:/);
      expect(message).toMatch(/npm rebuild convnode/);
    } finally {
      fs.renameSync(path.join(installed, 'prebuilds-hidden'), path.join(installed, 'prebuilds'));
    }
  });
});
