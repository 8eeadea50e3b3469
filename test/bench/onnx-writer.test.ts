/**
 * The ONNX writer (lib/io/onnx) behind the ORT peer: a one-node model must load in
 * onnxruntime-node and compute what convnode computes, or every ORT ratio is meaningless.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { decodeModel, encodeModel } from '../../lib/io/onnx/builder.js';
import { conv2dNode, matmulNode, maxPool2dNode } from '../../lib/io/onnx/ops.js';
import type { OnnxNamespace } from '../../lib/io/onnx/proto.js';
import { uniform } from '../../bench/data.js';

async function runOne(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', f.data, f.dims);
    const out = (await session.run(inputs)).y;
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('lib/io/onnx one-node models in onnxruntime-node', () => {
  it.each([
    { name: '3x3 pad 1', n: 2, cin: 3, h: 9, w: 7, cout: 4, k: [3, 3], stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 },
    { name: 'asymmetric pads, stride 2', n: 1, cin: 2, h: 8, w: 11, cout: 3, k: [3, 2], stride: [2, 3], padding: [0, 2, 1, 0], dilation: [1, 1], groups: 1 },
    { name: 'dilated', n: 1, cin: 3, h: 10, w: 10, cout: 2, k: [3, 3], stride: [1, 1], padding: [2, 2, 2, 2], dilation: [2, 2], groups: 1 },
    { name: 'grouped', n: 1, cin: 4, h: 6, w: 6, cout: 6, k: [3, 3], stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 2 },
    { name: 'depthwise /s2', n: 2, cin: 5, h: 9, w: 9, cout: 5, k: [3, 3], stride: [2, 2], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 5 },
    { name: '1x1 no bias', n: 1, cin: 8, h: 5, w: 5, cout: 3, k: [1, 1], stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1, noBias: true },
  ])('Conv ($name) matches cn.conv2d within 1e-4', async (c) => {
    const x = uniform(c.n * c.cin * c.h * c.w, 1);
    const wDims = [c.cout, c.cin / c.groups, c.k[0], c.k[1]];
    const w = uniform(wDims.reduce((a, b) => a * b, 1), 2);
    const b = uniform(c.cout, 3);
    const p = { kernel: c.k as [number, number], stride: c.stride as [number, number], padding: c.padding as [number, number, number, number], dilation: c.dilation as [number, number], groups: c.groups };
    const expected = cn.conv2d(cn.tensor(x, [c.n, c.cin, c.h, c.w]), cn.tensor(w, wDims), c.noBias ? null : cn.tensor(b, [c.cout]), {
      stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups,
    });
    const bytes = encodeModel({
      nodes: [conv2dNode(c.noBias ? ['x', 'w'] : ['x', 'w', 'b'], 'y', p)],
      inputs: [{ name: 'x', dims: ['batch', c.cin, c.h, c.w] }],
      outputs: [{ name: 'y', dims: ['batch', c.cout, expected.shape[2], expected.shape[3]] }],
      initializers: [{ name: 'w', dims: wDims, data: w }, ...(c.noBias ? [] : [{ name: 'b', dims: [c.cout], data: b }])],
    });
    const got = await runOne(bytes, { x: { data: x, dims: [c.n, c.cin, c.h, c.w] } });
    expect([...got.dims], JSON.stringify(c)).toEqual(expected.shape);
    expect(maxAbsDiff(got.data, expected.data), JSON.stringify(c)).toBeLessThan(1e-4);
  });

  it.each([
    { k: 3, stride: 2, pad: 1, h: 11 },
    { k: 2, stride: 2, pad: 0, h: 8 },
    { k: 3, stride: 2, pad: 0, h: 13 },
  ])('MaxPool k=$k s=$stride p=$pad matches cn.maxPool2d', async ({ k, stride, pad, h }) => {
    const x = uniform(2 * 3 * h * h, 4);
    const expected = cn.maxPool2d(cn.tensor(x, [2, 3, h, h]), { kernelSize: k, stride, padding: pad });
    const bytes = encodeModel({
      nodes: [maxPool2dNode('x', 'y', { kernel: [k, k], stride: [stride, stride], padding: [pad, pad], ceilMode: false })],
      inputs: [{ name: 'x', dims: [2, 3, h, h] }],
      outputs: [{ name: 'y', dims: expected.shape }],
    });
    const got = await runOne(bytes, { x: { data: x, dims: [2, 3, h, h] } });
    expect([...got.dims]).toEqual(expected.shape);
    expect(maxAbsDiff(got.data, expected.data)).toBe(0);
  });

  it('MatMul matches cn.matmul within 1e-4', async () => {
    const a = uniform(5 * 7, 5);
    const b = uniform(7 * 3, 6);
    const expected = cn.matmul(cn.tensor(a, [5, 7]), cn.tensor(b, [7, 3]));
    const bytes = encodeModel({
      nodes: [matmulNode('a', 'b', 'y')],
      inputs: [{ name: 'a', dims: [5, 7] }, { name: 'b', dims: [7, 3] }],
      outputs: [{ name: 'y', dims: [5, 3] }],
    });
    const got = await runOne(bytes, { a: { data: a, dims: [5, 7] }, b: { data: b, dims: [7, 3] } });
    expect(maxAbsDiff(got.data, expected.data)).toBeLessThan(1e-4);
  });

  it('writes ONNX pads as [top, left, bottom, right] and round-trips through decodeModel', () => {
    const bytes = encodeModel({
      nodes: [conv2dNode(['x', 'w'], 'y', { kernel: [3, 3], stride: [1, 2], padding: [1, 2, 3, 4], dilation: [1, 1], groups: 1 })],
      inputs: [{ name: 'x', dims: ['n', 1, 8, 8] }],
      outputs: [{ name: 'y', dims: ['n', 1, 9, 6] }],
      initializers: [{ name: 'w', dims: [1, 1, 3, 3], data: new Float32Array(9).fill(1) }],
    });
    const model = decodeModel(bytes);
    expect(Number(model.irVersion)).toBe(7);
    expect(Number(model.opsetImport[0].version)).toBe(13);
    // protobufjs types every field as optional; the decoded model has them all.
    const graph = model.graph as OnnxNamespace.GraphProto;
    const attrs = Object.fromEntries((graph.node[0] as OnnxNamespace.NodeProto).attribute.map((a) => [a.name, (a.ints ?? []).map(Number)]));
    expect(attrs.pads).toEqual([1, 3, 2, 4]);
    expect(attrs.strides).toEqual([1, 2]);
    expect(graph.input[0].type?.tensorType?.shape?.dim?.[0].dimParam).toBe('n');
    // Copy: decode gives a Buffer view into a shared pool, not its own ArrayBuffer.
    const raw = new Uint8Array(graph.initializer[0].rawData as Uint8Array);
    expect(new Float32Array(raw.buffer)).toEqual(new Float32Array(9).fill(1));
  });

  it('rejects an initializer whose data does not fill its dims', () => {
    expect(() => encodeModel({
      nodes: [], inputs: [], outputs: [],
      initializers: [{ name: 'w', dims: [2, 3], data: new Float32Array(5) }],
    })).toThrow(/initializer w: expected 6 values/);
  });
});
