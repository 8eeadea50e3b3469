/**
 * cn.summary: a per-layer table of a model (output shape, activation memory, parameters, MACs,
 * receptive field) from shape inference alone: no kernel runs, so VGG-16 at 224x224 takes
 * milliseconds.
 */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { Module } from '../nn/module.js';
import { inputTrace, type TraceRecorder, type TraceState } from '../nn/trace.js';
import { formatSummary } from './table.js';

export interface SummaryRow {
  /** Dotted name in the model (torch's named_modules name). */
  name: string;
  /** Layer class (Conv2d, ReLU, ...). */
  type: string;
  inputShape: number[];
  outputShape: number[];
  /** Parameters of this layer (counted again if the layer is called again). */
  params: number;
  /** Bytes of this layer's output (float32). */
  activationBytes: number;
  /** Conv and linear multiply-accumulates of this call (0 for other layers). */
  macs: number;
  /** Side length (input pixels, along H) that one output unit sees. */
  receptiveField: number;
  /** Input pixels between neighbouring output units (product of strides so far). */
  jump: number;
  /**
   * True for layers that PyTorch runs in place or as a view (ReLU, ReLU6, Dropout, Flatten,
   * Identity): as in the lecture's VGG table, their outputs are not counted again in
   * totals.activations.
   */
  inPlace: boolean;
}

export interface SummaryTotals {
  /** Parameters of the model (each tensor once). */
  params: number;
  paramBytes: number;
  macs: number;
  /** Elements of the input plus every layer output except in-place ones (the lecture's count). */
  activations: number;
  /** activations x 4 bytes: forward memory for this batch. */
  activationBytes: number;
}

export interface Summary {
  model: string;
  inputShape: number[];
  /** The model's output shape (after any functional tail such as a flatten). */
  outputShape: number[];
  rows: SummaryRow[];
  totals: SummaryTotals;
  /** The table: one line per layer, then the totals. */
  toString(): string;
}

const IN_PLACE = new Set(['ReLU', 'ReLU6', 'Dropout', 'Flatten', 'Identity']);

/**
 * Summarizes `model` for an input of `inputShape` ([C, H, W] for one image, or [N, C, H, W]).
 * @example
 * const s = cn.summary(cn.models.vgg16(), [3, 224, 224]);
 * s.totals.params // 138357544;  s.totals.macs // 15470264320
 * console.log(s.toString());
 */
export function summary(model: Module, inputShape: readonly number[]): Summary {
  const op = 'summary';
  if (!(model instanceof Module)) throw typeError(op, 'model', 'a cn.nn.Module', describeValue(model));
  if (!Array.isArray(inputShape) || inputShape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1)) {
    throw typeError(op, 'inputShape', '[C, H, W] or [N, C, H, W] of positive integers', describeValue(inputShape));
  }
  if (inputShape.length !== 3 && inputShape.length !== 4) {
    throw rangeError(op, 'inputShape', '[C, H, W] or [N, C, H, W]', formatShape(inputShape));
  }
  const shape = inputShape.length === 3 ? [1, ...inputShape] : [...inputShape];
  const names = new Map<Module, string>();
  for (const [name, m] of model.namedModules()) names.set(m, name);
  const rows: SummaryRow[] = [];
  const recorder: TraceRecorder = {
    record(m: Module, input: TraceState, output: TraceState): void {
      const elements = output.shape.reduce((a, b) => a * b, 1);
      rows.push({
        name: names.get(m) ?? `(${m.typeName})`,
        type: m.typeName,
        inputShape: [...input.shape],
        outputShape: [...output.shape],
        params: m.numParameters(),
        activationBytes: elements * 4,
        macs: m.macs(input.shape, output.shape),
        receptiveField: output.receptiveField,
        jump: output.jump,
        inPlace: IN_PLACE.has(m.typeName),
      });
    },
  };
  const output = model.traceShape(inputTrace(shape), recorder);
  const params = model.numParameters();
  const inputElements = shape.reduce((a, b) => a * b, 1);
  const activations = inputElements + rows.filter((r) => !r.inPlace).reduce((s, r) => s + r.activationBytes / 4, 0);
  const result: Summary = {
    model: model.typeName,
    inputShape: shape,
    outputShape: [...output.shape],
    rows,
    totals: {
      params,
      paramBytes: params * 4,
      macs: rows.reduce((s, r) => s + r.macs, 0),
      activations,
      activationBytes: activations * 4,
    },
    toString: () => formatSummary(result),
  };
  return result;
}
