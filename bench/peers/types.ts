/**
 * What every peer implements. A peer prepares a Runner for one case (weights packed, session
 * built, tensors uploaded: nothing that a real user would redo per call), the harness times
 * run(), reads output() once to check it against convnode's, then disposes the runner before
 * the next peer starts, so peers never hold each other's memory.
 */
import type { ConvLayer, GemmShape, PoolLayer } from '../layers.js';

export interface ConvCase {
  layer: ConvLayer;
  batch: number;
  /** NCHW input, [Cout, Cin/groups, k, k] weight, [Cout] bias: the same data for every peer. */
  x: Float32Array;
  w: Float32Array;
  b: Float32Array;
}

export interface PoolCase {
  layer: PoolLayer;
  batch: number;
  x: Float32Array;
}

export interface GemmCase {
  shape: GemmShape;
  /** Row-major [m, k] and [k, n]. */
  a: Float32Array;
  b: Float32Array;
}

export interface Runner {
  /** One timed call (may return a promise). */
  run(): unknown;
  /**
   * The last run's result in convnode's layout (NCHW / row-major), or null when the runner
   * computed only part of the case (see estimateFactor).
   */
  output(): Float32Array | null;
  dispose(): void | Promise<void>;
  /**
   * Set when the runner times a slice of the case (fewer output channels, rows or images) and
   * the full case's time is estimated as measured time x factor: for peers too slow to run
   * whole layers in the suite's time (the naive reference). Cost is linear in the sliced axis.
   */
  estimateFactor?: number;
}

export interface Peer {
  /** Column name in the tables and key in the JSON. */
  name: string;
  /** Version string for the report. */
  version: string;
  /** False for peers that always run on one thread: they are measured in the 1-thread rows only. */
  multiThreaded: boolean;
  /** Peers this slow get the suite's "slow" timing budget. */
  slow: boolean;
  conv?(c: ConvCase, threads: number): Promise<Runner>;
  pool?(c: PoolCase, threads: number): Promise<Runner>;
  gemm?(c: GemmCase, threads: number): Promise<Runner>;
}

/** Thrown by a peer that has no implementation of a case (e.g. convnetjs and depthwise conv). */
export class UnsupportedCase extends Error {}
