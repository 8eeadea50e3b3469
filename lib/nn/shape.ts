/** Flatten and Identity: layers that only change or keep the view. */
import { dimIndex } from '../ops/args.js';
import { flatten } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import type { TraceState } from './trace.js';

/**
 * Merges dims startDim..endDim (default 1..-1: [N, C, H, W] -> [N, C*H*W]), a view.
 * @example new cn.nn.Flatten().forward(x)
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  protected override inferTrace(input: TraceState): TraceState {
    return flattenTrace(input, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Returns its input (a placeholder, e.g. a removed classifier head). @example model.fc = new cn.nn.Identity() */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }

  protected override inferTrace(input: TraceState): TraceState {
    return input;
  }
}

/** Shape inference of flatten (cn.flatten), for modules that call it functionally. */
export function flattenTrace(input: TraceState, startDim = 1, endDim = -1): TraceState {
  const rank = input.shape.length;
  const s = dimIndex('flatten', 'startDim', startDim, rank);
  const e = dimIndex('flatten', 'endDim', endDim, rank);
  const merged = input.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  const shape = [...input.shape.slice(0, s), merged, ...input.shape.slice(e + 1)];
  // Merging the spatial axes makes one unit stand for the whole map: it sees all of it.
  const mergesH = rank === 4 && s <= 2 && e >= 2;
  const receptiveField = mergesH ? input.receptiveField + (input.shape[2] - 1) * input.jump : input.receptiveField;
  return { shape, receptiveField, jump: input.jump };
}
