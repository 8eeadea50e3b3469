/**
 * onnxruntime-node: each case is a one-node ONNX model built in memory by lib/io/onnx, run with
 * the anchors' session options (peers-native.md section 3): cpu EP, all graph optimizations,
 * intraOpNumThreads = the row's threads, one inter-op thread, sequential execution.
 */
import { createRequire } from 'node:module';
import { encodeModel, type OnnxInitializer, type OnnxNode } from '../../lib/io/onnx/builder.js';
import { conv2dNode, matmulNode, maxPool2dNode } from '../../lib/io/onnx/ops.js';
import type { ConvCase, GemmCase, Peer, PoolCase, Runner } from './types.js';

type Ort = typeof import('onnxruntime-node');

interface OneNodeModel {
  node: OnnxNode;
  inputs: { name: string; dims: number[]; data: Float32Array }[];
  outputDims: number[];
  initializers: OnnxInitializer[];
}

/** Builds the session and returns a runner that feeds the same input tensors every call. */
async function oneNodeRunner(ort: Ort, spec: OneNodeModel, threads: number): Promise<Runner> {
  const bytes = encodeModel({
    nodes: [spec.node],
    inputs: spec.inputs.map((i) => ({ name: i.name, dims: i.dims })),
    outputs: [{ name: 'y', dims: spec.outputDims }],
    initializers: spec.initializers,
  });
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
  for (const i of spec.inputs) feeds[i.name] = new ort.Tensor('float32', i.data, i.dims);
  let last: Float32Array | null = null;
  return {
    async run() {
      const result = await session.run(feeds);
      last = result.y.data as Float32Array;
    },
    output: () => last,
    async dispose() {
      await session.release();
    },
  };
}

/** Loads onnxruntime-node; throws (and the suite reports the peer as unavailable) when it cannot. */
export async function ortPeer(): Promise<Peer> {
  const ort = (await import('onnxruntime-node')) as Ort;
  const version = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
  return {
    name: 'ort',
    version,
    multiThreaded: true,
    slow: false,
    async conv(c: ConvCase, threads: number) {
      const l = c.layer;
      return oneNodeRunner(ort, {
        node: conv2dNode(['x', 'w', 'b'], 'y', {
          kernel: [l.k, l.k], stride: [l.stride, l.stride], padding: [l.pad, l.pad, l.pad, l.pad],
          dilation: [1, 1], groups: l.groups,
        }),
        inputs: [{ name: 'x', dims: [c.batch, l.cin, l.h, l.w], data: c.x }],
        outputDims: [c.batch, l.cout, l.outH, l.outW],
        initializers: [
          { name: 'w', dims: [l.cout, l.cin / l.groups, l.k, l.k], data: c.w },
          { name: 'b', dims: [l.cout], data: c.b },
        ],
      }, threads);
    },
    async pool(c: PoolCase, threads: number) {
      const l = c.layer;
      return oneNodeRunner(ort, {
        node: maxPool2dNode('x', 'y', { kernel: [l.k, l.k], stride: [l.stride, l.stride], padding: [l.pad, l.pad], ceilMode: false }),
        inputs: [{ name: 'x', dims: [c.batch, l.c, l.h, l.h], data: c.x }],
        outputDims: [c.batch, l.c, l.outH, l.outH],
        initializers: [],
      }, threads);
    },
    async gemm(c: GemmCase, threads: number) {
      const { m, n, k } = c.shape;
      // Both operands are inputs, as for cn.matmul: nothing can be prepacked ahead of the call.
      return oneNodeRunner(ort, {
        node: matmulNode('a', 'b', 'y'),
        inputs: [
          { name: 'a', dims: [m, k], data: c.a },
          { name: 'b', dims: [k, n], data: c.b },
        ],
        outputDims: [m, n],
        initializers: [],
      }, threads);
    },
  };
}
