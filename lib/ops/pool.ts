/** Pooling over NCHW planes: max, average, Lp-norm, global and adaptive, PyTorch semantics. */
import { formatShape, rangeError } from '../errors.js';
import { needsGrad, record } from '../autograd/graph.js';
import { native, type PoolParams } from '../native.js';
import { Tensor, checkRank, checkTensor } from '../tensor.js';
import { bool, checkOptions, int, num, pair } from './args.js';

export interface MaxPool2dOptions {
  kernelSize: number | readonly [number, number];
  /** Defaults to kernelSize. */
  stride?: number | readonly [number, number];
  /** Symmetric padding (counts as -infinity), at most half the kernel. */
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  kernelSize: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (PyTorch's default: true). */
  countIncludePad?: boolean;
  divisorOverride?: number;
}

export interface LpPool2dOptions {
  /** The norm's power (PyTorch's norm_type). */
  p: number;
  kernelSize: number | readonly [number, number];
  stride?: number | readonly [number, number];
  ceilMode?: boolean;
}

/**
 * PyTorch's pooling output size: floor (or ceil) of (size + 2p - d(k-1) - 1)/s + 1, where in
 * ceil mode the last window must start inside the input or its left padding.
 * @example poolOutputSize(112, 3, 2, 1) // 56
 */
export function poolOutputSize(size: number, kernel: number, stride: number, pad = 0, dilation = 1, ceilMode = false): number {
  const numer = size + 2 * pad - dilation * (kernel - 1) - 1;
  let out = Math.floor((numer + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out -= 1;
  return out;
}

export interface ResolvedPool2d extends PoolParams {
  outH: number;
  outW: number;
}

export function resolvePool2d(op: string, x: Tensor, o: Record<string, unknown>, allowPadding: boolean, allowDilation: boolean): ResolvedPool2d {
  checkTensor(op, 'input', x);
  checkRank(op, 'input', x, 4, '[N, C, H, W]');
  if (o.kernelSize === undefined) throw rangeError(op, 'options.kernelSize', 'an integer >= 1 or [kH, kW]', 'undefined');
  const [kh, kw] = pair(op, 'kernelSize', o.kernelSize, 1);
  const [sh, sw] = o.stride === undefined || o.stride === null ? [kh, kw] : pair(op, 'stride', o.stride, 1);
  const [ph, pw] = allowPadding ? pair(op, 'padding', o.padding ?? 0, 0) : [0, 0];
  const [dh, dw] = allowDilation ? pair(op, 'dilation', o.dilation ?? 1, 1) : [1, 1];
  const ceilMode = bool(op, 'ceilMode', o.ceilMode ?? false);
  if (ph > Math.floor(kh / 2) || pw > Math.floor(kw / 2)) {
    throw rangeError(op, 'padding', `at most half the kernel size (${Math.floor(kh / 2)}, ${Math.floor(kw / 2)})`, `[${ph}, ${pw}]`);
  }
  const [n, c, h, w] = x.shape;
  const outH = poolOutputSize(h, kh, sh, ph, dh, ceilMode);
  const outW = poolOutputSize(w, kw, sw, pw, dw, ceilMode);
  if (outH < 1 || outW < 1) {
    throw rangeError(
      op,
      'kernelSize',
      `a window that fits the padded input ${h + 2 * ph}x${w + 2 * pw}`,
      `[${kh}, ${kw}] (output ${outH}x${outW}, input ${formatShape(x.shape)})`,
    );
  }
  return { n, c, h, w, kh, kw, strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw, ceilMode, outH, outW };
}

function emptyOrNull(r: ResolvedPool2d): Tensor | null {
  if (r.n === 0 || r.c === 0) return new Tensor(new Float32Array(0), [r.n, r.c, r.outH, r.outW]);
  return null;
}

function poolParams(r: ResolvedPool2d): PoolParams {
  const { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode } = r;
  return { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode };
}

/**
 * Max pooling; padding counts as -infinity.
 * @example cn.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 })
 */
export function maxPool2d(x: Tensor, options: MaxPool2dOptions): Tensor {
  const op = 'maxPool2d';
  const o = checkOptions(op, options, ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode']);
  const r = resolvePool2d(op, x, o, true, true);
  const empty = emptyOrNull(r);
  if (empty) return empty;
  const params = poolParams(r);
  const outShape = [r.n, r.c, r.outH, r.outW];
  if (!needsGrad(x)) return record(op, [x], Tensor.fromNative(native.MaxPool2d(x.data, params), outShape), () => [null], params);
  // Saves the argmax of each window; the gradient goes back to exactly that element.
  const [y, indices] = native.MaxPool2dWithIndices(x.data, params);
  return record(op, [x], Tensor.fromNative(y, outShape), (g) => [
    Tensor.fromNative(native.MaxPool2dBackward(g.data, indices, params), x.shape),
  ], params);
}

/**
 * Average pooling.
 * @example cn.avgPool2d(x, { kernelSize: 2 })
 */
export function avgPool2d(x: Tensor, options: AvgPool2dOptions): Tensor {
  const op = 'avgPool2d';
  const o = checkOptions(op, options, ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
  const r = resolvePool2d(op, x, o, true, false);
  const countIncludePad = bool(op, 'countIncludePad', o.countIncludePad ?? true);
  const divisorOverride = o.divisorOverride === undefined || o.divisorOverride === null ? 0 : int(op, 'divisorOverride', o.divisorOverride, 1);
  const empty = emptyOrNull(r);
  if (empty) return empty;
  const params = { ...poolParams(r), countIncludePad, divisorOverride };
  const out = Tensor.fromNative(native.AvgPool2d(x.data, params), [r.n, r.c, r.outH, r.outW]);
  return record(op, [x], out, (g) => [Tensor.fromNative(native.AvgPool2dBackward(g.data, params), x.shape)], params);
}

/**
 * Power-average (Lp-norm) pooling: (sum of x^p over the window)^(1/p), as PyTorch's lp_pool2d.
 * @example cn.lpPool2d(x, { p: 2, kernelSize: 2 })
 */
export function lpPool2d(x: Tensor, options: LpPool2dOptions): Tensor {
  const op = 'lpPool2d';
  const o = checkOptions(op, options, ['p', 'kernelSize', 'stride', 'ceilMode']);
  const p = num(op, 'p', o.p, Number.MIN_VALUE);
  const r = resolvePool2d(op, x, o, false, false);
  const empty = emptyOrNull(r);
  if (empty) return empty;
  const params = { ...poolParams(r), p };
  const out = Tensor.fromNative(native.LpPool2d(x.data, params), [r.n, r.c, r.outH, r.outW]);
  // Saves x and the output: d/dx_i = y^(1-p) x_i^(p-1) (window / count).
  return record(op, [x], out, (g) => [Tensor.fromNative(native.LpPool2dBackward(x.data, out.data, g.data, params), x.shape)], params);
}

function resolveAdaptive(op: string, x: Tensor, outputSize: unknown): { n: number; c: number; h: number; w: number; outH: number; outW: number } {
  checkTensor(op, 'input', x);
  checkRank(op, 'input', x, 4, '[N, C, H, W]');
  const [outH, outW] = pair(op, 'outputSize', outputSize, 1);
  const [n, c, h, w] = x.shape;
  if (h < 1 || w < 1) throw rangeError(op, 'input', 'H and W >= 1', `shape ${formatShape(x.shape)}`);
  return { n, c, h, w, outH, outW };
}

function adaptivePool(op: string, x: Tensor, outputSize: unknown, isMax: boolean): Tensor {
  const p = resolveAdaptive(op, x, outputSize);
  const outShape = [p.n, p.c, p.outH, p.outW];
  if (p.n === 0 || p.c === 0) return new Tensor(new Float32Array(0), outShape);
  if (isMax) {
    const out = Tensor.fromNative(native.AdaptiveMaxPool2d(x.data, p), outShape);
    return record(op, [x], out, (g) => [Tensor.fromNative(native.AdaptiveMaxPool2dBackward(x.data, g.data, p), x.shape)], { ...p, max: true });
  }
  const out = Tensor.fromNative(native.AdaptiveAvgPool2d(x.data, p), outShape);
  return record(op, [x], out, (g) => [Tensor.fromNative(native.AdaptiveAvgPool2dBackward(g.data, p), x.shape)], { ...p, max: false });
}

/**
 * Adaptive average pooling to a fixed output size (window i covers [floor(iH/oh), ceil((i+1)H/oh))).
 * @example cn.adaptiveAvgPool2d(x, [7, 7])
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number, number]): Tensor {
  return adaptivePool('adaptiveAvgPool2d', x, outputSize, false);
}

/** @example cn.adaptiveMaxPool2d(x, 1) */
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | readonly [number, number]): Tensor {
  return adaptivePool('adaptiveMaxPool2d', x, outputSize, true);
}

/**
 * Mean over each whole plane: [N, C, H, W] -> [N, C, 1, 1].
 * @example cn.globalAvgPool2d(features)
 */
export function globalAvgPool2d(x: Tensor): Tensor {
  return adaptivePool('globalAvgPool2d', x, 1, false);
}

/** Max over each whole plane: [N, C, H, W] -> [N, C, 1, 1]. */
export function globalMaxPool2d(x: Tensor): Tensor {
  return adaptivePool('globalMaxPool2d', x, 1, true);
}
