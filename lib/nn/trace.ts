/**
 * Shape inference without computation: what `summary` walks. A module maps a TraceState (the
 * shape a tensor would have, plus the receptive field and jump of one of its units along H) to
 * the TraceState of its output, exactly as its forward would, so that a VGG-16 summary at
 * 224x224 takes milliseconds instead of running 15 GMACs through the kernels.
 */
import { formatShape, rangeError } from '../errors.js';
import type { Module } from './module.js';

export interface TraceState {
  /** Shape of the tensor, batch first ([N, C, H, W] for feature maps). */
  readonly shape: readonly number[];
  /** Side length (input pixels, along H) that one unit of this tensor sees. */
  readonly receptiveField: number;
  /** Distance (input pixels, along H) between neighbouring units of this tensor. */
  readonly jump: number;
}

/** Told about every leaf module in call order (a module called twice is told twice). */
export interface TraceRecorder {
  record(module: Module, input: TraceState, output: TraceState): void;
}

/** The state of a network input: each unit sees one pixel. */
export function inputTrace(shape: readonly number[]): TraceState {
  return { shape: [...shape], receptiveField: 1, jump: 1 };
}

/**
 * The lecture's recurrence for one window layer: r_out = r_in + (k_eff - 1) * j_in,
 * j_out = j_in * s, with k_eff = d(k - 1) + 1 for a dilated kernel.
 */
export function advance(t: TraceState, shape: readonly number[], kernel: number, stride: number, dilation = 1): TraceState {
  const extent = dilation * (kernel - 1) + 1;
  return { shape, receptiveField: t.receptiveField + (extent - 1) * t.jump, jump: t.jump * stride };
}

/** Same geometry, new shape (element-wise layers, BN, linear layers on features). */
export function reshaped(t: TraceState, shape: readonly number[]): TraceState {
  return { shape, receptiveField: t.receptiveField, jump: t.jump };
}

/**
 * Joins parallel branches (residual add, Inception concat): a unit sees the union of what its
 * branches see, so the largest receptive field wins; the jumps must agree for a valid join.
 */
export function joinTraces(branches: readonly TraceState[], shape: readonly number[]): TraceState {
  const receptiveField = Math.max(...branches.map((b) => b.receptiveField));
  const jump = Math.max(...branches.map((b) => b.jump));
  return { shape, receptiveField, jump };
}

/** Checks a traced input against the layout a layer needs; the message names the layer. */
export function expectRank(op: string, t: TraceState, rank: number, layout: string): void {
  if (t.shape.length !== rank) throw rangeError(op, 'input', `${rank}-D ${layout}`, `shape ${formatShape(t.shape)}`);
}

/** Checks that two traced shapes are equal (inputs of an add). */
export function expectSameShape(op: string, a: TraceState, b: TraceState, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw rangeError(op, what, `shape ${formatShape(a.shape)}`, `shape ${formatShape(b.shape)}`);
  }
}
