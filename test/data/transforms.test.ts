// Augmentation transforms against hand values and brute-force oracles.
import { describe, expect, it } from 'vitest';
import { data, Generator } from '../../lib/index.js';
import { thrown } from '../helpers.js';

const { toTensor, normalize, randomCrop, randomHorizontalFlip, compose } = data.transforms;
const gen = (): Generator => new Generator(7);

/** A [c, h, w] uint8 image whose pixel (k, y, x) = 100k + 10y + x. */
function image(c: number, h: number, w: number): data.transforms.Image {
  const d = new Uint8Array(c * h * w);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[(k * h + y) * w + x] = 100 * k + 10 * y + x;
  return { data: d, shape: [c, h, w] };
}

describe('transforms', () => {
  it('toTensor: uint8 / 255 as float32; float passes through', () => {
    const out = toTensor()({ data: Uint8Array.from([0, 51, 255]), shape: [1, 1, 3] }, gen());
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out.data)).toEqual([0, 51 / 255, 1].map(Math.fround));
    const f = { data: Float32Array.from([2]), shape: [1, 1, 1] };
    expect(toTensor()(f, gen())).toBe(f);
  });

  it('normalize: (x - mean[c]) / std[c] per channel, uint8 scaled first', () => {
    const out = normalize({ mean: [0.5, 0], std: [0.25, 2] })({ data: Float32Array.from([1, 0, 4, -2]), shape: [2, 1, 2] }, gen());
    expect(Array.from(out.data)).toEqual([2, -2, 2, -1]);
    const u8 = normalize({ mean: 0.5, std: 0.5 })({ data: Uint8Array.from([0, 255]), shape: [1, 1, 2] }, gen());
    expect(Array.from(u8.data)).toEqual([-1, 1]);
  });

  it('randomCrop with padding: every output is some window of the zero-padded image, and every offset occurs', () => {
    const img = image(2, 5, 6);
    const pad = 2;
    const t = randomCrop({ size: [5, 6], padding: pad });
    const g = gen();
    const seen = new Set<string>();
    const padded = (k: number, y: number, x: number): number => (y >= 0 && y < 5 && x >= 0 && x < 6 ? img.data[(k * 5 + y) * 6 + x] : 0);
    for (let draw = 0; draw < 400; draw++) {
      const out = t(img, g);
      expect(out.shape).toEqual([2, 5, 6]);
      const matches: string[] = [];
      for (let dy = -pad; dy <= pad; dy++) {
        for (let dx = -pad; dx <= pad; dx++) {
          let ok = true;
          for (let k = 0; k < 2 && ok; k++) for (let y = 0; y < 5 && ok; y++) for (let x = 0; x < 6 && ok; x++) ok = out.data[(k * 5 + y) * 6 + x] === padded(k, y + dy, x + dx);
          if (ok) matches.push(`${dy},${dx}`);
        }
      }
      expect(matches.length, `draw ${draw}`).toBe(1);
      seen.add(matches[0]);
    }
    expect(seen.size).toBe((2 * pad + 1) ** 2);
    expect(img.data[0]).toBe(0); // the input is not changed
  });

  it('randomCrop to a smaller size, fill value, float input', () => {
    const out = randomCrop({ size: 3, padding: 1, fill: -1 })({ data: new Float32Array(4).fill(5), shape: [1, 2, 2] }, gen());
    expect(out.shape).toEqual([1, 3, 3]);
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out.data).filter((v) => v === 5).length).toBeGreaterThan(0);
    expect(Array.from(out.data).every((v) => v === 5 || v === -1)).toBe(true);
  });

  it('randomHorizontalFlip: p = 1 mirrors each row, p = 0 never, p = 0.5 about half the time', () => {
    const img = image(2, 2, 3);
    const flipped = randomHorizontalFlip({ p: 1 })(img, gen());
    expect(Array.from(flipped.data)).toEqual([2, 1, 0, 12, 11, 10, 102, 101, 100, 112, 111, 110]);
    expect(randomHorizontalFlip({ p: 0 })(img, gen())).toBe(img);
    const g = gen();
    let n = 0;
    const half = randomHorizontalFlip();
    for (let i = 0; i < 2000; i++) if (half(img, g) !== img) n++;
    expect(n).toBeGreaterThan(900);
    expect(n).toBeLessThan(1100);
  });

  it('compose applies in order', () => {
    const t = compose([randomHorizontalFlip({ p: 1 }), toTensor(), normalize({ mean: 0, std: 1 / 255 })]);
    expect(Array.from(t(image(1, 1, 3), gen()).data)).toEqual([2, 1, 0]);
  });

  it('errors name the transform and the option', () => {
    expect(thrown(() => randomCrop({ size: 0 })).message).toBe('randomCrop: options.size: expected an integer >= 1 or [height, width], got 0');
    expect(thrown(() => randomCrop({ size: 9, padding: 1 })(image(1, 5, 5), gen())).message).toBe('randomCrop: options.size: expected at most the padded image [7, 7], got [9, 9]');
    expect(thrown(() => normalize({ mean: [0, 0], std: 1 })(image(3, 2, 2), gen())).message).toBe('normalize: options.mean: expected 3 values (one per channel), got 2');
    expect(thrown(() => normalize({ mean: 0, std: 0 })).message).toBe('normalize: options.std: expected values > 0, got 0');
    expect(thrown(() => randomHorizontalFlip({ p: 2 })).message).toBe('randomHorizontalFlip: options.p: expected a probability in [0, 1], got 2');
    expect(thrown(() => toTensor()({ data: new Uint8Array(4), shape: [4] }, gen()) && randomHorizontalFlip()({ data: new Uint8Array(4), shape: [4] }, gen())).message).toBe('randomHorizontalFlip: image: expected a [C, H, W] image, got shape [4]');
  });
});
