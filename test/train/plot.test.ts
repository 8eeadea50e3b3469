// The curves figure: tick choice, the mapping of values to pixels, and the PNG raster.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { train } from '../../lib/index.js';
import { Raster } from '../../lib/train/plot/raster.js';

const history = [
  { epoch: 1, trainLoss: 0.9, testLoss: 0.7, trainAccuracy: 0.7, testAccuracy: 0.75 },
  { epoch: 2, trainLoss: 0.5, testLoss: 0.45, trainAccuracy: 0.82, testAccuracy: 0.84 },
  { epoch: 3, trainLoss: 0.4, testLoss: 0.42, trainAccuracy: 0.86, testAccuracy: 0.87 },
];

describe('niceTicks', () => {
  const cases: [number, number, number[]][] = [
    [0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0.4, 0.9, [0.4, 0.5, 0.6, 0.7, 0.8, 0.9]],
    [70, 87, [70, 75, 80, 85, 90]],
    [0, 5, [0, 1, 2, 3, 4, 5]],
  ];
  for (const [lo, hi, want] of cases) {
    it(`[${lo}, ${hi}] -> ${want.join(', ')}`, () => expect(train.niceTicks(lo, hi)).toEqual(want));
  }
  it('covers the range even when it is a single value', () => {
    const t = train.niceTicks(0.3, 0.3);
    expect(t[0]).toBeLessThan(0.3);
    expect(t[t.length - 1]).toBeGreaterThan(0.3);
  });
});

describe('curvesLayout', () => {
  it('maps every point inside its panel, higher values higher up', () => {
    const fig = train.curvesLayout(history);
    expect(fig.panels.map((p) => p.title)).toEqual(['loss', 'accuracy %']);
    for (const p of fig.panels) {
      expect(p.series.map((s) => s.name)).toEqual(['train', 'test']);
      for (const s of p.series) {
        expect(s.points).toHaveLength(3);
        for (const [x, y] of s.points) {
          expect(x).toBeGreaterThanOrEqual(p.left);
          expect(x).toBeLessThanOrEqual(p.left + p.width);
          expect(y).toBeGreaterThanOrEqual(p.top);
          expect(y).toBeLessThanOrEqual(p.top + p.height);
        }
      }
    }
    const [loss, acc] = fig.panels;
    expect(loss.series[0].points[0][1]).toBeLessThan(loss.series[0].points[2][1]); // loss falls: y grows
    expect(acc.series[1].points[0][1]).toBeGreaterThan(acc.series[1].points[2][1]);
  });

  it('leaves out a series with no values (no test loader) and rejects an empty history', () => {
    const fig = train.curvesLayout([{ epoch: 1, trainLoss: 1 }, { epoch: 2, trainLoss: 0.5 }]);
    expect(fig.panels[0].series.map((s) => s.name)).toEqual(['train']);
    expect(fig.panels[1].series).toEqual([]);
    expect(() => train.curvesLayout([])).toThrow('curvesLayout: history: expected a non-empty array of epoch results, got');
  });
});

describe('curvesPng / Raster', () => {
  it('encodes the stated size, with ink where the curves are', () => {
    const png = PNG.sync.read(train.curvesPng(history, { width: 400, height: 200 }));
    expect([png.width, png.height]).toEqual([400, 200]);
    const fig = train.curvesLayout(history, { width: 400, height: 200 });
    const [x, y] = fig.panels[0].series[0].points[1].map(Math.round);
    const i = (y * 400 + x) * 4;
    expect([png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]]).toEqual([0x1f, 0x77, 0xb4, 255]);
  });

  it('draws lines end to end and text glyph by glyph', () => {
    const r = new Raster(20, 10, '#000000');
    r.line(2, 3, 17, 3, '#ffffff');
    const lit = (px: number, py: number): boolean => r.data[(py * 20 + px) * 4] === 255;
    for (let px = 2; px <= 17; px++) expect(lit(px, 3)).toBe(true);
    expect(lit(1, 3) || lit(18, 3) || lit(5, 4)).toBe(false);
    const t = new Raster(10, 6, '#000000');
    t.text(0, 0, '1', '#ffffff', 1); // '.#. ##. .#. .#. ###'
    expect([lit2(t, 1, 0), lit2(t, 0, 0), lit2(t, 0, 4), lit2(t, 2, 4)]).toEqual([true, false, true, true]);
    expect(Raster.textWidth('12', 2)).toBe(14);
  });
});

function lit2(r: Raster, x: number, y: number): boolean {
  return r.data[(y * r.width + x) * 4] === 255;
}
