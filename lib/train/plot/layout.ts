/**
 * The geometry of the training-curves figure, shared by the SVG and the PNG writers so that
 * both draw the same chart: two panels (loss, accuracy) over epochs, with "nice" axis ticks
 * (steps of 1, 2 or 5 times a power of ten) and every series mapped to pixel coordinates.
 */
import { describeValue, rangeError, typeError } from '../../errors.js';

/** One epoch's numbers, as `fit` and `--json` report them. */
export interface CurvePoint {
  epoch: number;
  trainLoss: number;
  testLoss?: number;
  trainAccuracy?: number;
  testAccuracy?: number;
}

export interface Tick {
  value: number;
  /** Pixel coordinate along the axis. */
  px: number;
  label: string;
}

export interface Series {
  name: string;
  /** CSS hex colour, '#rrggbb'. */
  color: string;
  points: [number, number][];
}

export interface Panel {
  title: string;
  /** The plot area, in pixels (y grows downwards). */
  left: number;
  top: number;
  width: number;
  height: number;
  xTicks: Tick[];
  yTicks: Tick[];
  series: Series[];
}

export interface Figure {
  width: number;
  height: number;
  panels: Panel[];
  xLabel: string;
}

export const COLORS = { train: '#1f77b4', test: '#d62728', axis: '#333333', grid: '#dddddd', background: '#ffffff' } as const;

/**
 * Ticks covering [lo, hi] with about `count` steps of 1, 2 or 5 x 10^k.
 * @example cn.train.niceTicks(70, 87) // [70, 75, 80, 85, 90]
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw rangeError('niceTicks', 'range', 'finite numbers', `[${lo}, ${hi}]`);
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceTicks(lo - pad, lo + pad, count);
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 0.5 && out.length < 50; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1] < hi) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

function label(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

function panel(title: string, box: { left: number; top: number; width: number; height: number }, epochs: number[], series: { name: string; color: string; values: (number | undefined)[] }[]): Panel {
  const finite = series.flatMap((s) => s.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  // An empty panel (no test loader: no test curve, no accuracy) still gets axes, over [0, 1].
  const yValues = finite.length ? niceTicks(Math.min(...finite), Math.max(...finite)) : niceTicks(0, 1);
  const yLo = yValues[0];
  const yHi = yValues[yValues.length - 1];
  const xHi = Math.max(1, epochs[epochs.length - 1]);
  const xValues = niceTicks(0, xHi, Math.min(xHi, 8)).filter((v) => Number.isInteger(v));
  const xMax = xValues[xValues.length - 1];
  const px = (e: number): number => box.left + (e / xMax) * box.width;
  const py = (v: number): number => box.top + box.height - ((v - yLo) / (yHi - yLo)) * box.height;
  return {
    title,
    ...box,
    xTicks: xValues.map((v) => ({ value: v, px: px(v), label: label(v) })),
    yTicks: yValues.map((v) => ({ value: v, px: py(v), label: label(v) })),
    series: series
      .map((s) => ({
        name: s.name,
        color: s.color,
        points: s.values.flatMap((v, i): [number, number][] => (typeof v === 'number' && Number.isFinite(v) ? [[px(epochs[i]), py(v)]] : [])),
      }))
      .filter((s) => s.points.length > 0),
  };
}

/**
 * Lays out the loss and accuracy curves of a training history.
 * @example const fig = cn.train.curvesLayout(history, { width: 800, height: 360 });
 */
export function curvesLayout(history: readonly CurvePoint[], size: { width?: number; height?: number } = {}): Figure {
  if (!Array.isArray(history) || history.length === 0) throw typeError('curvesLayout', 'history', 'a non-empty array of epoch results', describeValue(history));
  history.forEach((h, i) => {
    if (!Number.isFinite(h?.epoch) || !Number.isFinite(h?.trainLoss)) {
      throw rangeError('curvesLayout', `history[${i}]`, '{ epoch, trainLoss } with finite numbers', describeValue(h));
    }
  });
  const width = size.width ?? 800;
  const height = size.height ?? 360;
  if (!Number.isInteger(width) || width < 200 || !Number.isInteger(height) || height < 120) {
    throw rangeError('curvesLayout', 'size', 'integers width >= 200 and height >= 120', `${describeValue(width)} x ${describeValue(height)}`);
  }
  const epochs = history.map((h) => h.epoch);
  const margin = { left: 52, right: 16, top: 30, bottom: 44 };
  const panelWidth = (width - 2 * (margin.left + margin.right)) / 2;
  const box = (i: number) => ({ left: margin.left + i * (panelWidth + margin.left + margin.right), top: margin.top, width: panelWidth, height: height - margin.top - margin.bottom });
  const pct = (v: number | undefined): number | undefined => (v === undefined ? undefined : 100 * v);
  return {
    width,
    height,
    xLabel: 'epoch',
    panels: [
      panel('loss', box(0), epochs, [
        { name: 'train', color: COLORS.train, values: history.map((h) => h.trainLoss) },
        { name: 'test', color: COLORS.test, values: history.map((h) => h.testLoss) },
      ]),
      panel('accuracy %', box(1), epochs, [
        { name: 'train', color: COLORS.train, values: history.map((h) => pct(h.trainAccuracy)) },
        { name: 'test', color: COLORS.test, values: history.map((h) => pct(h.testAccuracy)) },
      ]),
    ],
  };
}
