/**
 * cn.image: the geometry and normalization by hand, then decoding through sharp on synthetic
 * images with known pixels (written with pngjs), and every failure: no sharp, corrupt bytes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';

const { centerCropBox, resizedSize, toChw, NORMALIZATIONS } = cn.image;
const dir = mkdtempSync(path.join(os.tmpdir(), 'convnode-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PNG whose pixel (x, y) is pixel(x, y) = [r, g, b, a]. */
function png(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer {
  const img = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) img.data.set(pixel(x, y), (y * width + x) * 4);
  return PNG.sync.write(img);
}

const imagenet = (c: number, v: number): number => (v / 255 - [0.485, 0.456, 0.406][c]) / [0.229, 0.224, 0.225][c];

describe('geometry and normalization (no decoding)', () => {
  it("resizes the shorter side, truncating the longer as torchvision's Resize(256)", () => {
    expect(resizedSize(640, 480, 256)).toEqual({ width: 341, height: 256 });
    expect(resizedSize(480, 640, 256)).toEqual({ width: 256, height: 341 });
    expect(resizedSize(500, 500, 256)).toEqual({ width: 256, height: 256 });
  });

  it("center crops with torchvision's offsets (Python round: halves to even)", () => {
    expect(centerCropBox(341, 256, 224)).toEqual({ left: 58, top: 16, width: 224, height: 224 }); // 58.5 -> 58
    expect(centerCropBox(343, 256, 224)).toEqual({ left: 60, top: 16, width: 224, height: 224 }); // 59.5 -> 60
    expect(() => centerCropBox(200, 300, 224)).toThrow('image: crop: expected at most the resized size 200x300, got 224');
  });

  it('scales to [0, 1], normalizes per channel and goes HWC -> CHW', () => {
    // Two pixels in a row: (255, 0, 0) and (0, 128, 255).
    const out = toChw(new Uint8Array([255, 0, 0, 0, 128, 255]), 1, 2, NORMALIZATIONS.imagenet);
    const expected = [(1 - 0.485) / 0.229, (0 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.456) / 0.224, (0 - 0.406) / 0.225, (1 - 0.406) / 0.225];
    [...out].forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    expect([...toChw(new Uint8Array([51, 102, 204]), 1, 1, { mean: [0.1, 0.2, 0.3], std: [2, 4, 0.5] })].map((v) => +v.toFixed(6))).toEqual([0.05, 0.05, 1]);
  });
});

describe('decoding with sharp', () => {
  it('crops a known PNG exactly (no resize) and keeps the pixels, file or Buffer', async () => {
    // 6x4, pixel (x, y) = (10x + y, 100 + y, 200 - x); the 2x2 center crop is x 2..3, y 1..2.
    const bytes = png(6, 4, (x, y) => [10 * x + y, 100 + y, 200 - x, 255]);
    const file = path.join(dir, 'known.png');
    writeFileSync(file, bytes);
    for (const source of [file, bytes]) {
      const t = await cn.image.loadImage(source, { resize: 0, crop: 2, normalize: 'none' });
      expect(t.shape).toEqual([1, 3, 2, 2]);
      const expected = [[21, 31, 22, 32], [101, 101, 102, 102], [198, 197, 198, 197]].flat().map((v) => v / 255);
      [...t.data].forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    }
  });

  it("matches torchvision's Resize(256) / CenterCrop(224) / Normalize on a 400x300 image (fixture by PyTorch)", async () => {
    // scripts/make-onnx-fixtures.py wrote the PNG and every 31st value of torchvision's result.
    const ref = JSON.parse(readFileSync('test/fixtures/onnx/preprocess.json', 'utf8')) as { stride: number; values: number[] };
    const t = await cn.image.loadImage('test/fixtures/onnx/preprocess.png');
    expect(t.shape).toEqual([1, 3, 224, 224]);
    let maxDiff = 0;
    let sum = 0;
    ref.values.forEach((v, i) => {
      const d = Math.abs(t.data[i * ref.stride] - v);
      maxDiff = Math.max(maxDiff, d);
      sum += d;
    });
    // In 8-bit levels (x 255 x std ~ 0.226): at most 3 levels anywhere (kinks of the pattern), well under 1 on average.
    expect(maxDiff * 255 * 0.226).toBeLessThan(3);
    expect((sum / ref.values.length) * 255 * 0.226).toBeLessThan(0.25);
  });

  it('default pipeline: [1, 3, 224, 224], a flat colour stays that colour through resize and crop', async () => {
    const t = await cn.image.loadImage(png(300, 200, () => [200, 100, 50, 255]));
    expect(t.shape).toEqual([1, 3, 224, 224]);
    const plane = 224 * 224;
    [200, 100, 50].forEach((v, c) => {
      const values = t.data.subarray(c * plane, (c + 1) * plane);
      expect(values.reduce((m, x) => Math.min(m, x), Infinity)).toBeCloseTo(imagenet(c, v), 5);
      expect(values.reduce((m, x) => Math.max(m, x), -Infinity)).toBeCloseTo(imagenet(c, v), 5);
    });
  });

  it('resizes with antialiasing: a 1-pixel checkerboard averages to grey', async () => {
    const t = await cn.image.loadImage(png(512, 512, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255])), { normalize: 'none' });
    const mean = t.data.reduce((a, b) => a + b, 0) / t.size;
    expect(mean).toBeCloseTo(0.5, 1);
    const spread = t.data.reduce((m, v) => Math.max(m, Math.abs(v - 0.5)), 0);
    expect(spread).toBeLessThan(0.05); // not aliased into stripes
  });

  it('batches several images (and drops alpha); JPEG and WebP decode too', async () => {
    const require = createRequire(import.meta.url);
    const sharp = require('sharp') as (i: unknown, o?: unknown) => { jpeg(o: unknown): { toBuffer(): Promise<Buffer> }; webp(o: unknown): { toBuffer(): Promise<Buffer> } };
    const raw = { raw: { width: 40, height: 30, channels: 3 } };
    const pixels = Buffer.alloc(40 * 30 * 3);
    for (let i = 0; i < pixels.length; i += 3) pixels.set([30, 160, 220], i);
    const jpeg = await sharp(pixels, raw).jpeg({ quality: 95 }).toBuffer();
    const webp = await sharp(pixels, raw).webp({ lossless: true }).toBuffer();
    const rgba = png(40, 30, () => [30, 160, 220, 128]);
    const t = await cn.image.loadImages([jpeg, webp, rgba], { resize: 20, crop: 16, normalize: 'none' });
    expect(t.shape).toEqual([3, 3, 16, 16]);
    for (let n = 0; n < 3; n++) {
      [30, 160, 220].forEach((v, c) => {
        const first = t.data[(n * 3 + c) * 256];
        expect(Math.abs(first * 255 - v)).toBeLessThanOrEqual(n === 0 ? 3 : 1.01); // JPEG is lossy; alpha costs a rounding
      });
    }
  });

  it('a corrupt or unreadable image is an Error naming it', async () => {
    await expect(cn.image.loadImage(Buffer.from('not an image'))).rejects.toThrow(/^image: cannot decode <12 bytes>: /);
    const truncated = path.join(dir, 'truncated.png');
    writeFileSync(truncated, png(64, 64, (x) => [x, x, x, 255]).subarray(0, 100));
    await expect(cn.image.loadImage(truncated)).rejects.toThrow(`image: cannot decode ${truncated}: `);
    await expect(cn.image.loadImage(path.join(dir, 'absent.png'))).rejects.toThrow(/^image: cannot read .*absent.png: ENOENT/);
    await expect(cn.image.loadImage(png(8, 8, () => [0, 0, 0, 255]), { normalize: { mean: [0, 0, 0], std: [1, 0, 1] } as never })).rejects.toThrow(
      /image: normalize: expected \{ mean: \[r, g, b\], std: \[r, g, b\] \} with std > 0/,
    );
  });

  it('without sharp: an Error saying how to install it', async () => {
    const restore = cn.image.setSharpLoader(() => {
      throw new Error("Cannot find module 'sharp'");
    });
    try {
      await expect(cn.image.loadImage(png(4, 4, () => [0, 0, 0, 255]))).rejects.toThrow(
        "image: decoding images needs the optional dependency sharp, which could not be loaded (Cannot find module 'sharp'). Install it with `npm install sharp`",
      );
    } finally {
      restore();
    }
    expect((await cn.image.loadImage(png(4, 4, () => [0, 0, 0, 255]), { resize: 0, crop: 0 })).shape).toEqual([1, 3, 4, 4]);
  });
});
