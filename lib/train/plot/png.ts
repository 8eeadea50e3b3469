/** The training curves as a PNG: the same layout as the SVG, rasterized here, encoded by pngjs. */
import { PNG } from 'pngjs';
import { COLORS, curvesLayout, type CurvePoint, type Figure } from './layout.js';
import { Raster } from './raster.js';

/** Draws a laid-out figure into an RGBA raster. @example figureToRaster(curvesLayout(history)).data // RGBA bytes */
export function figureToRaster(fig: Figure): Raster {
  const r = new Raster(fig.width, fig.height, COLORS.background);
  const s = 2; // font scale: 6x10-pixel characters
  for (const p of fig.panels) {
    const bottom = p.top + p.height;
    r.text(p.left + (p.width - Raster.textWidth(p.title, s)) / 2, p.top - 18, p.title, COLORS.axis, s);
    for (const t of p.yTicks) {
      r.line(p.left, t.px, p.left + p.width, t.px, COLORS.grid);
      r.text(p.left - 6 - Raster.textWidth(t.label, s), t.px - 5, t.label, COLORS.axis, s);
    }
    for (const t of p.xTicks) {
      r.line(t.px, bottom, t.px, bottom + 4, COLORS.axis);
      r.text(t.px - Raster.textWidth(t.label, s) / 2, bottom + 8, t.label, COLORS.axis, s);
    }
    r.text(p.left + (p.width - Raster.textWidth(fig.xLabel, s)) / 2, bottom + 24, fig.xLabel, COLORS.axis, s);
    r.line(p.left, p.top, p.left, bottom, COLORS.axis);
    r.line(p.left, bottom, p.left + p.width, bottom, COLORS.axis);
    p.series.forEach((series, i) => {
      for (let k = 1; k < series.points.length; k++) {
        const [x0, y0] = series.points[k - 1];
        const [x1, y1] = series.points[k];
        r.line(x0, y0, x1, y1, series.color, 2);
      }
      for (const [x, y] of series.points) r.fillRect(x - 2, y - 2, 5, 5, series.color);
      const ly = p.top + 8 + 14 * i;
      r.line(p.left + p.width - 70, ly, p.left + p.width - 54, ly, series.color, 2);
      r.text(p.left + p.width - 48, ly - 5, series.name, COLORS.axis, s);
    });
  }
  return r;
}

/**
 * The loss and accuracy curves of a history as PNG bytes (RGBA, width x height).
 * @example fs.writeFileSync('curves.png', cn.train.curvesPng(history));
 */
export function curvesPng(history: readonly CurvePoint[], size: { width?: number; height?: number } = {}): Buffer {
  const raster = figureToRaster(curvesLayout(history, size));
  const png = new PNG({ width: raster.width, height: raster.height });
  png.data = Buffer.from(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength);
  return PNG.sync.write(png);
}
