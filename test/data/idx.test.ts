// The IDX reader on hand-written bytes (every element type, gzip), Fashion-MNIST as Python
// reads it (scripts/make-data-fixtures.py), the shipped subset against its manifest, and the
// errors for bad files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { data } from '../../lib/index.js';
import { thrown } from '../helpers.js';
import { idxBytes, imagesAndLabels } from './idx-bytes.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'data');
const debian = '/usr/share/datasets/fashion-mnist';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-idx-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('readIdx on hand-written bytes', () => {
  it('uint8 images [n, rows, cols], plain and gzipped, from a path or a Buffer', () => {
    const { images, pixel } = imagesAndLabels(3, 2, 4);
    for (const bytes of [images, gzipSync(images)]) {
      for (const src of [bytes, write('img', bytes)]) {
        const a = data.readIdx(src);
        expect(a).toMatchObject({ magic: 0x803, type: 'uint8', shape: [3, 2, 4] });
        expect(a.data).toBeInstanceOf(Uint8Array);
        expect(a.data[(2 * 2 + 1) * 4 + 3]).toBe(pixel(2, 1, 3));
      }
    }
  });

  const BE = (fill: (v: DataView) => void, bytes: number): number[] => {
    const b = new Uint8Array(bytes);
    fill(new DataView(b.buffer));
    return Array.from(b);
  };
  const types: [string, number, number[], number[]][] = [
    ['int8', 0x09, [0x80, 0x7f, 0xff], [-128, 127, -1]],
    ['int16', 0x0b, BE((v) => { v.setInt16(0, -2); v.setInt16(2, 300); }, 4), [-2, 300]],
    ['int32', 0x0c, BE((v) => { v.setInt32(0, -70000); v.setInt32(4, 2 ** 31 - 1); }, 8), [-70000, 2 ** 31 - 1]],
    ['float32', 0x0d, BE((v) => { v.setFloat32(0, 1.5); v.setFloat32(4, -0.25); }, 8), [1.5, -0.25]],
    ['float64', 0x0e, BE((v) => { v.setFloat64(0, Math.PI); }, 8), [Math.PI]],
  ];
  for (const [type, code, body, values] of types) {
    it(`${type} elements are read big-endian`, () => {
      const a = data.readIdx(idxBytes(code, [values.length], body));
      expect(a.type).toBe(type);
      expect(Array.from(a.data)).toEqual(values);
    });
  }
});

describe('Fashion-MNIST as Python reads it', () => {
  const py = JSON.parse(fs.readFileSync(path.join(fixtures, 'fashion-mnist-python.json'), 'utf8')).files;
  const sums = (a: data.IdxArray, count: number): number[] => {
    const size = a.shape[1] * a.shape[2];
    return Array.from({ length: count }, (_, i) => sum(a.data.subarray(i * size, (i + 1) * size)));
  };

  it('the first 16 test images and labels (fixture cut from the Debian files)', () => {
    const ds = data.loadIdxDataset({
      images: path.join(fixtures, 'fashion-t10k-head16-images-idx3-ubyte.gz'),
      labels: path.join(fixtures, 'fashion-t10k-head16-labels-idx1-ubyte.gz'),
    });
    expect(ds.shape).toEqual([16, 1, 28, 28]);
    expect(Array.from(ds.labels)).toEqual(py['t10k-labels-idx1-ubyte.gz'].head.slice(0, 16));
    const pixelSums = Array.from({ length: 16 }, (_, i) => sum(ds.get(i).x));
    expect(pixelSums).toEqual(py['t10k-images-idx3-ubyte.gz'].headSums.slice(0, 16));
  });

  it.skipIf(!fs.existsSync(debian))('the full files in /usr/share/datasets/fashion-mnist', () => {
    for (const [name, expected] of Object.entries(py) as [string, Record<string, unknown>][]) {
      const a = data.readIdx(path.join(debian, name));
      expect(a.magic, name).toBe(expected.magic);
      expect(a.shape, name).toEqual(expected.shape);
      if (a.shape.length === 1) {
        expect(Array.from(a.data.subarray(0, 32)), name).toEqual(expected.head);
        const hist = new Array(10).fill(0);
        for (const y of a.data) hist[y] += 1;
        expect(hist, name).toEqual(expected.histogram);
      } else {
        expect(sums(a, 32), name).toEqual(expected.headSums);
        expect(sum(a.data), name).toBe(expected.total);
      }
    }
    const full = data.loadFashionMnist(debian);
    expect([full.train.length, full.test.length]).toEqual([60000, 10000]);
  });

  it('the shipped subset: 900 / 200 images per class, as the manifest Python wrote', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(fixtures, 'fashion-subset-manifest.json'), 'utf8'));
    const sub = data.loadFashionMnist();
    expect(sub.classes).toEqual(manifest.classes);
    expect(JSON.parse(fs.readFileSync(path.join(data.defaultFashionMnistDir(), 'classes.json'), 'utf8'))).toEqual(manifest.classes);
    for (const [split, ds] of [['train', sub.train], ['t10k', sub.test]] as const) {
      const m = manifest.splits[split];
      expect(ds.shape, split).toEqual([m.n, 1, 28, 28]);
      const hist = new Array(10).fill(0);
      for (const y of ds.labels) hist[y] += 1;
      expect(hist, split).toEqual(m.histogram);
      expect(new Set(hist).size, `${split} balanced`).toBe(1);
      expect(Array.from(ds.labels.subarray(0, 32)), split).toEqual(m.firstLabels);
      expect(Array.from({ length: 32 }, (_, i) => sum(ds.get(i).x)), split).toEqual(m.firstSums);
      expect(sum(ds.pixels), split).toBe(m.total);
    }
    const bytes = fs.readdirSync(data.defaultFashionMnistDir()).reduce((s, f) => s + fs.statSync(path.join(data.defaultFashionMnistDir(), f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(5_000_000);
  });
});

describe('bad files give an Error naming the file, what was expected and what came', () => {
  const { images, labels } = imagesAndLabels(4, 3, 3);
  const cases: [string, () => unknown, (file: string) => RegExp][] = [];
  const bad = (name: string, bytes: Uint8Array, re: (file: string) => RegExp): void => {
    cases.push([name, () => data.readIdx(write(name, bytes)), re]);
  };
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  bad('truncated-pixels', images.subarray(0, images.length - 5), (f) => new RegExp(`^readIdx: ${esc(f)}: data: expected 36 bytes \\(uint8 \\[4, 3, 3\\]\\) after the 16-byte header, got 31 bytes \\(a truncated file\\?\\)$`));
  bad('trailing-bytes', Buffer.concat([labels, Buffer.from([1])]), (f) => new RegExp(`^readIdx: ${esc(f)}: data: expected 4 bytes \\(uint8 \\[4\\]\\) after the 8-byte header, got 5 bytes$`));
  bad('truncated-header', images.subarray(0, 10), (f) => new RegExp(`^readIdx: ${esc(f)}: header: expected 16 bytes \\(magic \\+ 3 sizes\\), got 10 bytes`));
  bad('not-idx.png', Buffer.from('\x89PNG\r\n\x1a\n0000', 'latin1'), (f) => new RegExp(`^readIdx: ${esc(f)}: magic number: expected an IDX magic 0x0000TTDD.*got 0x89504e47 \\(not an IDX file\\?\\)`));
  bad('unknown-type', idxBytes(0x0a, [1], [0]), (f) => new RegExp(`^readIdx: ${esc(f)}: magic number: expected an IDX magic.*got 0x00000a01`));
  bad('truncated.gz', gzipSync(images).subarray(0, 30), (f) => new RegExp(`^readIdx: ${esc(f)}: gzip stream: expected a complete gzip file, got .*\\(a truncated download\\?\\)`));
  bad('empty', new Uint8Array(0), (f) => new RegExp(`^readIdx: ${esc(f)}: header: expected at least 4 bytes \\(the magic number\\), got 0 bytes`));

  const ds = (imgs: Uint8Array, labs: Uint8Array): (() => unknown) => () => data.loadIdxDataset({ images: write('i.idx', imgs), labels: write('l.idx', labs) });
  cases.push(['labels where images should be', ds(labels, labels), (f) => new RegExp(`^loadIdxDataset: ${esc(path.join(tmp, 'i.idx'))}: magic number: expected 0x00000803 \\(uint8, 3 dimensions\\): uint8 images \\[n, rows, cols\\], got 0x00000801 \\(uint8, 1 dimension\\)`)]);
  cases.push(['images where labels should be', ds(images, images), () => /^loadIdxDataset: .*l\.idx: magic number: expected 0x00000801 \(uint8, 1 dimension\): uint8 labels \[n\], got 0x00000803 \(uint8, 3 dimensions\)/]);
  cases.push(['label count differs from image count', ds(images, imagesAndLabels(3, 3, 3).labels), () => /^loadIdxDataset: .*l\.idx: label count: expected 4 \(as many as images in .*i\.idx\), got 3$/]);
  cases.push(['a missing file', () => data.readIdx(path.join(tmp, 'missing.gz')), () => /^readIdx: could not read .*missing\.gz: ENOENT/]);
  cases.push(['a folder without the files', () => data.loadFashionMnist(tmp), () => /^loadFashionMnist: .*: expected train-images-idx3-ubyte\.gz or train-images-idx3-ubyte there, got neither/]);

  for (const [name, fn, re] of cases) {
    it(name, () => {
      const err = thrown(fn);
      expect(err.message).toMatch(re(path.join(tmp, name)));
    });
  }
});
