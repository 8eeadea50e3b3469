/**
 * ONNX nodes for convnode's ops, from the same resolved parameters the ops use. The mapping is
 * where PyTorch and ONNX conventions differ, so it lives in one place: ONNX pads are
 * [top, left, bottom, right] (all begins, then all ends), ours are [top, bottom, left, right].
 */
import type { OnnxNode } from './builder.js';

export interface Conv2dNodeParams {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  /** [top, bottom, left, right], as lib/ops/conv.ts resolves it. */
  padding: readonly [number, number, number, number];
  dilation: readonly [number, number];
  groups: number;
}

/** A Conv node: inputs [x, w] or [x, w, b]. */
export function conv2dNode(inputs: readonly string[], output: string, p: Conv2dNodeParams): OnnxNode {
  const [top, bottom, left, right] = p.padding;
  return {
    opType: 'Conv',
    inputs,
    outputs: [output],
    attributes: {
      kernel_shape: { ints: [...p.kernel] },
      strides: { ints: [...p.stride] },
      pads: { ints: [top, left, bottom, right] },
      dilations: { ints: [...p.dilation] },
      group: { int: p.groups },
    },
  };
}

export interface MaxPool2dNodeParams {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  /** Symmetric padding [ph, pw]. */
  padding: readonly [number, number];
  ceilMode: boolean;
}

/** A MaxPool node (single output). */
export function maxPool2dNode(input: string, output: string, p: MaxPool2dNodeParams): OnnxNode {
  const [ph, pw] = p.padding;
  return {
    opType: 'MaxPool',
    inputs: [input],
    outputs: [output],
    attributes: {
      kernel_shape: { ints: [...p.kernel] },
      strides: { ints: [...p.stride] },
      pads: { ints: [ph, pw, ph, pw] },
      ceil_mode: { int: p.ceilMode ? 1 : 0 },
    },
  };
}

/** A MatMul node (numpy matmul semantics, like cn.matmul). */
export function matmulNode(a: string, b: string, output: string): OnnxNode {
  return { opType: 'MatMul', inputs: [a, b], outputs: [output] };
}
