/** conv2d: NCHW input, weight [Cout, Cin/groups, kH, kW], PyTorch semantics. */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { record } from '../autograd/graph.js';
import { native, type ConvParams } from '../native.js';
import { Tensor, checkRank, checkTensor } from '../tensor.js';
import { checkOptions, int, pair } from './args.js';

export type Padding =
  | number
  | readonly [number, number]
  | readonly [number, number, number, number]
  | 'same'
  | 'valid';

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  /** number, [ph, pw], [top, bottom, left, right], 'valid' (0) or 'same' (output size = input size). */
  padding?: Padding;
  dilation?: number | readonly [number, number];
  groups?: number;
  /**
   * Algorithm override (all give the same result within float rounding):
   * - 'auto' (default): chosen per layer by the native heuristic (native/kernels/conv/conv2d.cc);
   * - 'direct': the plain loop nest (any layer);
   * - 'im2col': im2col + SGEMM (any layer);
   * - 'gemm1x1': 1x1 kernels without padding as one SGEMM, no im2col;
   * - 'winograd': Winograd F(4x4,3x3) for 3x3 stride-1 dilation-1 ungrouped layers;
   * - 'depthwise': groups == in_channels.
   * An algorithm that cannot run the layer throws a RangeError naming its requirement.
   */
  algo?: Conv2dAlgo;
}

export type Conv2dAlgo = 'auto' | 'direct' | 'im2col' | 'gemm1x1' | 'winograd' | 'depthwise';
const ALGOS: readonly Conv2dAlgo[] = ['auto', 'direct', 'im2col', 'gemm1x1', 'winograd', 'depthwise'];

/**
 * Output size of a convolution or pooling window along one axis:
 * floor((size + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1.
 * @example convOutputSize(224, 3, 1, 1, 1, 1) // 224
 */
export function convOutputSize(
  size: number,
  kernel: number,
  stride = 1,
  padBefore = 0,
  padAfter = padBefore,
  dilation = 1,
): number {
  return Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Total padding that keeps the output size equal to the input size for any stride: the
 * lecture's p = ceil((m(s-1) + a - s) / 2) per side, made exact by putting the odd pixel at the
 * end (as PyTorch's padding='same' does at stride 1). `a` is the dilated kernel extent.
 */
export function samePaddingTotal(size: number, kernel: number, stride: number, dilation = 1): number {
  const extent = dilation * (kernel - 1) + 1;
  return Math.max(0, size * (stride - 1) + extent - stride);
}

/** [top, bottom, left, right] from any accepted padding form. */
export function resolveConvPadding(
  op: string,
  padding: unknown,
  h: number,
  w: number,
  kh: number,
  kw: number,
  stride: [number, number],
  dilation: [number, number],
): [number, number, number, number] {
  if (padding === undefined || padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    const th = samePaddingTotal(h, kh, stride[0], dilation[0]);
    const tw = samePaddingTotal(w, kw, stride[1], dilation[1]);
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  if (typeof padding === 'number') {
    const p = int(op, 'padding', padding, 0);
    return [p, p, p, p];
  }
  if (Array.isArray(padding) && padding.length === 2) {
    const [ph, pw] = pair(op, 'padding', padding, 0);
    return [ph, ph, pw, pw];
  }
  if (Array.isArray(padding) && padding.length === 4) {
    return [
      int(op, 'padding[0] (top)', padding[0], 0),
      int(op, 'padding[1] (bottom)', padding[1], 0),
      int(op, 'padding[2] (left)', padding[2], 0),
      int(op, 'padding[3] (right)', padding[3], 0),
    ];
  }
  throw typeError(
    op,
    'padding',
    "an integer >= 0, [ph, pw], [top, bottom, left, right], 'same' or 'valid'",
    describeValue(padding),
  );
}

export interface ResolvedConv2d {
  n: number; cin: number; h: number; w: number;
  cout: number; kh: number; kw: number;
  stride: [number, number];
  padding: [number, number, number, number];
  dilation: [number, number];
  groups: number;
  outH: number; outW: number;
  algo: Conv2dAlgo;
}

/** Validates conv2d's arguments and infers its output shape (no computation). */
export function resolveConv2d(x: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: unknown): ResolvedConv2d {
  const op = 'conv2d';
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', weight);
  checkRank(op, 'input', x, 4, '[N, C, H, W]');
  checkRank(op, 'weight', weight, 4, '[out_channels, in_channels/groups, kH, kW]');
  const o = checkOptions(op, options, ['stride', 'padding', 'dilation', 'groups', 'algo']);
  const stride = pair(op, 'stride', o.stride ?? 1, 1);
  const dilation = pair(op, 'dilation', o.dilation ?? 1, 1);
  const groups = int(op, 'groups', o.groups ?? 1, 1);
  const algo = (o.algo ?? 'auto') as Conv2dAlgo;
  if (!ALGOS.includes(algo)) throw typeError(op, 'algo', `one of ${ALGOS.join(', ')}`, describeValue(o.algo));
  const [n, cin, h, w] = x.shape;
  const [cout, cinPerGroup, kh, kw] = weight.shape;
  if (cin % groups !== 0) throw rangeError(op, 'groups', `a divisor of in_channels (${cin})`, String(groups));
  if (cout % groups !== 0) throw rangeError(op, 'groups', `a divisor of out_channels (${cout})`, String(groups));
  if (cinPerGroup * groups !== cin) {
    throw rangeError(
      op,
      'weight',
      `weight.shape[1] = in_channels/groups = ${cin}/${groups} = ${cin / groups} (input is ${formatShape(x.shape)})`,
      `shape ${formatShape(weight.shape)}`,
    );
  }
  if (kh < 1 || kw < 1) throw rangeError(op, 'weight', 'a kernel of at least 1x1', `shape ${formatShape(weight.shape)}`);
  if (bias !== undefined && bias !== null) {
    checkTensor(op, 'bias', bias);
    if (bias.ndim !== 1 || bias.shape[0] !== cout) {
      throw rangeError(op, 'bias', `shape [${cout}] (out_channels)`, `shape ${formatShape(bias.shape)}`);
    }
  }
  if (o.padding === 'same' && (h === 0 || w === 0)) throw rangeError(op, 'input', 'non-empty H and W', formatShape(x.shape));
  const padding = resolveConvPadding(op, o.padding, h, w, kh, kw, stride, dilation);
  const outH = convOutputSize(h, kh, stride[0], padding[0], padding[1], dilation[0]);
  const outW = convOutputSize(w, kw, stride[1], padding[2], padding[3], dilation[1]);
  if (outH < 1 || outW < 1) {
    throw rangeError(
      op,
      'weight',
      `a kernel (dilated: ${dilation[0] * (kh - 1) + 1}x${dilation[1] * (kw - 1) + 1}) that fits the padded input ` +
        `${h + padding[0] + padding[1]}x${w + padding[2] + padding[3]}`,
      `an output of ${outH}x${outW}`,
    );
  }
  return { n, cin, h, w, cout, kh, kw, stride, padding, dilation, groups, outH, outW, algo };
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch).
 * @example
 * const y = cn.conv2d(x, w, b, { stride: 2, padding: 1 });        // x [N,C,H,W], w [K,C,3,3]
 * const d = cn.conv2d(x, dw, null, { padding: 'same', groups: 32 }); // depthwise
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options?: Conv2dOptions): Tensor {
  const r = resolveConv2d(x, weight, bias, options);
  if (r.n === 0 || r.cin === 0 || r.cout === 0) {
    return new Tensor(new Float32Array(r.n * r.cout * r.outH * r.outW), [r.n, r.cout, r.outH, r.outW]);
  }
  const params: ConvParams = {
    n: r.n, cin: r.cin, h: r.h, w: r.w, cout: r.cout, kh: r.kh, kw: r.kw,
    strideH: r.stride[0], strideW: r.stride[1],
    padTop: r.padding[0], padBottom: r.padding[1], padLeft: r.padding[2], padRight: r.padding[3],
    dilationH: r.dilation[0], dilationW: r.dilation[1], groups: r.groups, algo: r.algo,
  };
  const out = Tensor.fromNative(native.Conv2d(x.data, weight.data, bias ? bias.data : null, params), [r.n, r.cout, r.outH, r.outW]);
  // Saves x and weight; the gradients are a transposed convolution (input) and a correlation of
  // input with gradOutput (weight), both through im2col + GEMM.
  return record('conv2d', [x, weight, bias], out, (g) => {
    const dx = x.requiresGrad ? Tensor.fromNative(native.Conv2dBackwardInput(g.data, weight.data, params), x.shape) : null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (weight.requiresGrad || bias?.requiresGrad) {
      const [dwData, dbData] = native.Conv2dBackwardWeight(g.data, x.data, params, !!bias);
      dw = Tensor.fromNative(dwData, weight.shape);
      db = bias && dbData ? Tensor.fromNative(dbData, bias.shape) : null;
    }
    return [dx, dw, db];
  }, params);
}
