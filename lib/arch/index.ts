/**
 * cn.arch: the lecture's architecture arithmetic (output size, 'same' padding, receptive field),
 * as plain functions of integers, for designing a network on paper before building it.
 */
import { describeValue, rangeError, typeError } from '../errors.js';
import { bool, checkOptions, int } from '../ops/args.js';

export interface OutputSizeOptions {
  stride?: number;
  /** Padding on each side (p). */
  padding?: number;
  dilation?: number;
  /** Round up instead of down (pooling's ceil_mode). */
  ceilMode?: boolean;
}

/**
 * Output side length of a conv or pool layer: floor((m + 2p - a_eff) / s) + 1, with the dilated
 * kernel extent a_eff = d(a - 1) + 1 (the lecture's (m - a + 2p)/s + 1 for d = 1).
 * @example cn.arch.outputSize(227, 11, { stride: 4 }) // 55, AlexNet's conv1
 */
export function outputSize(inputSize: number, kernelSize: number, options: OutputSizeOptions = {}): number {
  const op = 'arch.outputSize';
  const o = checkOptions(op, options, ['stride', 'padding', 'dilation', 'ceilMode']);
  const m = int(op, 'inputSize', inputSize, 1);
  const a = int(op, 'kernelSize', kernelSize, 1);
  const s = int(op, 'options.stride', o.stride ?? 1, 1);
  const p = int(op, 'options.padding', o.padding ?? 0, 0);
  const d = int(op, 'options.dilation', o.dilation ?? 1, 1);
  const ceil = bool(op, 'options.ceilMode', o.ceilMode ?? false);
  const span = m + 2 * p - (d * (a - 1) + 1);
  if (span < 0) throw rangeError(op, 'kernelSize', `an extent that fits the padded input (${m + 2 * p})`, String(d * (a - 1) + 1));
  return (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
}

/**
 * Padding per side that keeps the output size equal to the input size m at stride s:
 * p = ceil((m(s - 1) + a - s) / 2) (for s = 1 this is (a - 1)/2, rounded up).
 * @example cn.arch.samePadding(224, 3) // 1;  cn.arch.samePadding(224, 7, 2) // 115
 */
export function samePadding(inputSize: number, kernelSize: number, stride = 1): number {
  const op = 'arch.samePadding';
  const m = int(op, 'inputSize', inputSize, 1);
  const a = int(op, 'kernelSize', kernelSize, 1);
  const s = int(op, 'stride', stride, 1);
  return Math.max(0, Math.ceil((m * (s - 1) + a - s) / 2));
}

export interface LayerGeometry {
  kernelSize: number;
  stride?: number;
  dilation?: number;
}

/**
 * Side length of the input region that `units` adjacent units of the last layer see, by the
 * product formula r = 1 + (i - 1) * prod(s) + sum_l (a_l - 1) * prod_{j<l} s_j, where a_l is
 * layer l's (dilated) kernel size and s_j the strides before it.
 * @example
 * cn.arch.receptiveField([{ kernelSize: 3 }, { kernelSize: 3 }, { kernelSize: 3 }]) // 7
 */
export function receptiveField(layers: readonly LayerGeometry[], options: { units?: number } = {}): number {
  const op = 'arch.receptiveField';
  if (!Array.isArray(layers)) throw typeError(op, 'layers', 'an array of { kernelSize, stride? }', describeValue(layers));
  const o = checkOptions(op, options, ['units']);
  const i = int(op, 'options.units', o.units ?? 1, 1);
  let r = 1;
  let jump = 1;
  layers.forEach((layer, l) => {
    if (layer === null || typeof layer !== 'object') throw typeError(op, `layers[${l}]`, 'an object { kernelSize, stride? }', describeValue(layer));
    const lo = checkOptions(op, layer, ['kernelSize', 'stride', 'dilation']);
    const a = int(op, `layers[${l}].kernelSize`, lo.kernelSize, 1);
    const s = int(op, `layers[${l}].stride`, lo.stride ?? 1, 1);
    const d = int(op, `layers[${l}].dilation`, lo.dilation ?? 1, 1);
    r += (d * (a - 1) + 1 - 1) * jump;
    jump *= s;
  });
  return r + (i - 1) * jump;
}

/**
 * The closed form for `layers` identical layers (kernel a, stride s) seen from `units` (i)
 * adjacent units: r = (i - 1) s^L + 1 + (a - 1)(s^L - 1)/(s - 1); for s = 1 the geometric sum
 * degenerates and r = i + (a - 1) L.
 * @example cn.arch.uniformReceptiveField({ kernelSize: 3, stride: 1, layers: 3 }) // 7
 */
export function uniformReceptiveField(options: { kernelSize: number; stride?: number; layers: number; units?: number }): number {
  const op = 'arch.uniformReceptiveField';
  const o = checkOptions(op, options, ['kernelSize', 'stride', 'layers', 'units']);
  const a = int(op, 'options.kernelSize', o.kernelSize, 1);
  const s = int(op, 'options.stride', o.stride ?? 1, 1);
  const L = int(op, 'options.layers', o.layers, 0);
  const i = int(op, 'options.units', o.units ?? 1, 1);
  if (s === 1) return i + (a - 1) * L;
  const sL = s ** L;
  return (i - 1) * sL + 1 + ((a - 1) * (sL - 1)) / (s - 1);
}
