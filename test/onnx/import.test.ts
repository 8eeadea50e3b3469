/**
 * ONNX import, one operator convention at a time: small models written with lib/io/onnx's
 * builder, run by convnode and by onnxruntime-node (and by hand where the point is a semantic:
 * Softmax's axis before and after opset 13). Then everything that must fail, and how.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { encodeModel, type OnnxInitializer, type OnnxNode } from '../../lib/io/onnx/builder.js';
import { onnx } from '../../lib/io/onnx/proto.js';
import { expectParity, runOrt, sinInput } from './helpers.js';

cn.setNumThreads(1);

interface Case {
  name: string;
  opset?: number;
  nodes: OnnxNode[];
  input: number[];
  output: (number | string)[];
  initializers?: OnnxInitializer[];
}

const w = (name: string, dims: number[], scale = 0.3): OnnxInitializer => ({ name, dims, data: sinInput(dims).data.map((v, i) => v * scale + 0.01 * (i % 3)) });

function bytesOf(c: Case): Uint8Array {
  return encodeModel({ nodes: c.nodes, inputs: [{ name: 'x', dims: c.input }], outputs: [{ name: 'y', dims: c.output }], initializers: c.initializers, opset: c.opset });
}

const CASES: Case[] = [
  { name: 'Conv auto_pad SAME_UPPER, stride 2', input: [1, 2, 7, 6], output: [1, 3, 4, 3], initializers: [w('w', [3, 2, 3, 3]), w('b', [3])],
    nodes: [{ opType: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { auto_pad: { string: 'SAME_UPPER' }, strides: { ints: [2, 2] } } }] },
  { name: 'Conv auto_pad SAME_LOWER, kernel 2', input: [1, 2, 5, 5], output: [1, 3, 5, 5], initializers: [w('w', [3, 2, 2, 2])],
    nodes: [{ opType: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { auto_pad: { string: 'SAME_LOWER' } } }] },
  { name: 'Conv asymmetric pads, dilation 2, groups 2', input: [1, 4, 9, 9], output: [1, 4, 6, 8], initializers: [w('w', [4, 2, 3, 3])],
    nodes: [{ opType: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { pads: { ints: [1, 2, 0, 1] }, dilations: { ints: [2, 2] }, group: { int: 2 } } }] },
  { name: 'MaxPool asymmetric pads (explicit -inf borders)', input: [1, 2, 6, 6], output: [1, 2, 3, 4], initializers: [],
    nodes: [{ opType: 'MaxPool', inputs: ['x'], outputs: ['y'], attributes: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [0, 1, 1, 2] } } }] },
  { name: 'AveragePool count_include_pad=0, ceil_mode', input: [1, 2, 7, 7], output: [1, 2, 4, 4], initializers: [],
    nodes: [{ opType: 'AveragePool', inputs: ['x'], outputs: ['y'], attributes: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, ceil_mode: { int: 1 } } }] },
  { name: 'AveragePool count_include_pad=1', input: [1, 2, 6, 6], output: [1, 2, 3, 3], initializers: [],
    nodes: [{ opType: 'AveragePool', inputs: ['x'], outputs: ['y'], attributes: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, count_include_pad: { int: 1 } } }] },
  { name: 'Gemm transB=0, alpha, beta, bias [1, N]', input: [2, 5], output: [2, 3], initializers: [w('B', [5, 3]), w('C', [1, 3])],
    nodes: [{ opType: 'Gemm', inputs: ['x', 'B', 'C'], outputs: ['y'], attributes: { alpha: { float: 0.5 }, beta: { float: 2 } } }] },
  { name: 'MatMul by a constant weight, then Add', input: [3, 4], output: [3, 2], initializers: [w('W', [4, 2]), w('b', [2])],
    nodes: [{ opType: 'MatMul', inputs: ['x', 'W'], outputs: ['t'] }, { opType: 'Add', inputs: ['t', 'b'], outputs: ['y'] }] },
  { name: 'Clip [0, 6] as attributes (opset 9)', opset: 9, input: [1, 8], output: [1, 8], initializers: [w('s', [8], 20)],
    nodes: [{ opType: 'Mul', inputs: ['x', 's'], outputs: ['t'] }, { opType: 'Clip', inputs: ['t'], outputs: ['y'], attributes: { min: { float: 0 }, max: { float: 6 } } }] },
  { name: 'Clip [0, 6] as inputs (opset 13)', input: [1, 8], output: [1, 8], initializers: [w('s', [8], 20), { name: 'lo', dims: [], data: new Float32Array([0]) }, { name: 'hi', dims: [], data: new Float32Array([6]) }],
    nodes: [{ opType: 'Mul', inputs: ['x', 's'], outputs: ['t'] }, { opType: 'Clip', inputs: ['t', 'lo', 'hi'], outputs: ['y'] }] },
  { name: 'BatchNormalization, LRN, Sigmoid', input: [1, 3, 4, 4], output: [1, 3, 4, 4], initializers: [w('g', [3]), w('be', [3]), w('m', [3]), { name: 'v', dims: [3], data: new Float32Array([0.5, 1, 2]) }],
    nodes: [
      { opType: 'BatchNormalization', inputs: ['x', 'g', 'be', 'm', 'v'], outputs: ['t'], attributes: { epsilon: { float: 1e-3 } } },
      { opType: 'LRN', inputs: ['t'], outputs: ['u'], attributes: { size: { int: 3 }, alpha: { float: 0.01 }, beta: { float: 0.75 }, bias: { float: 2 } } },
      { opType: 'Sigmoid', inputs: ['u'], outputs: ['y'] },
    ] },
  { name: 'Flatten axis 2, Reshape 0/-1, Concat axis -1, Identity, Dropout', input: [2, 3, 2, 2], output: [6, 8], initializers: [],
    nodes: [
      { opType: 'Constant', inputs: [], outputs: ['shape'], attributes: { value_ints: { ints: [-1, 4] } } },
      { opType: 'Flatten', inputs: ['x'], outputs: ['f'], attributes: { axis: { int: 2 } } },
      { opType: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
      { opType: 'Identity', inputs: ['r'], outputs: ['i'] },
      { opType: 'Dropout', inputs: ['i'], outputs: ['d'] },
      { opType: 'Concat', inputs: ['d', 'f'], outputs: ['y'], attributes: { axis: { int: -1 } } },
    ] },
];

describe('ONNX operators: convnode vs onnxruntime-node', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const bytes = bytesOf(c);
    const x = sinInput(c.input);
    const ref = await runOrt(bytes, x);
    const session = await cn.InferenceSession.create(bytes);
    const y = await session.run(x);
    expect(y.shape).toEqual([...ref.dims]);
    expectParity(y.data, ref.data, c.name);
  });
});

describe('Pad: folded into the next Conv / AveragePool, explicit borders before a MaxPool', () => {
  const padded = (next: OnnxNode, value?: number, pads = [0, 0, 1, 2, 0, 0, 2, 1]): Case => ({
    name: next.opType, input: [1, 2, 5, 6], output: ['?'],
    initializers: [w('w', [3, 2, 3, 3]), ...(value === undefined ? [] : [{ name: 'v', dims: [], data: new Float32Array([value]) }])],
    nodes: [
      { opType: 'Constant', inputs: [], outputs: ['pads'], attributes: { value_ints: { ints: pads } } },
      { opType: 'Pad', inputs: value === undefined ? ['x', 'pads'] : ['x', 'pads', 'v'], outputs: ['p'] },
      next,
    ],
  });
  const conv: OnnxNode = { opType: 'Conv', inputs: ['p', 'w'], outputs: ['y'], attributes: { pads: { ints: [1, 1, 1, 1] } } };
  const avg: OnnxNode = { opType: 'AveragePool', inputs: ['p'], outputs: ['y'], attributes: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] } } };
  const max: OnnxNode = { opType: 'MaxPool', inputs: ['p'], outputs: ['y'], attributes: { kernel_shape: { ints: [3, 3] } } };
  it.each([
    ['zero Pad + Conv: one conv step', padded(conv), 1],
    ['symmetric zero Pad + AveragePool: one pool step', padded(avg, undefined, [0, 0, 1, 1, 0, 0, 1, 1]), 1],
    ['asymmetric zero Pad + AveragePool: explicit borders', padded(avg), 3],
    ['Pad 0.5 + Conv: explicit borders', padded(conv, 0.5), 3],
    // onnxruntime's optimizer fuses this Pad into the MaxPool's own (-inf) padding, which
    // changes the result where a window sees only padding and negatives: compare unoptimized.
    ['zero Pad + MaxPool: explicit borders (zeros count in a max)', padded(max), 3],
  ] as const)('%s', async (_name, c, steps) => {
    const bytes = bytesOf(c);
    const x = sinInput(c.input);
    const ref = await runOrt(bytes, x, { optimize: c.nodes[2].opType !== 'MaxPool' });
    const session = await cn.InferenceSession.create(bytes);
    const y = await session.run(x);
    expect(y.shape).toEqual([...ref.dims]);
    expectParity(y.data, ref.data, _name);
    expect(session.describe(c.input).steps).toBe(steps);
  });
});

describe('Softmax: the axis convention changed at opset 13', () => {
  const x = cn.tensor([1, 2, 3, 4, 5, 7], [1, 2, 3]);
  const softmax = (v: number[]): number[] => {
    const e = v.map((t) => Math.exp(t - Math.max(...v)));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((t) => t / s);
  };
  const model = (opset: number): Uint8Array => encodeModel({
    nodes: [{ opType: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: { axis: { int: 1 } } }],
    inputs: [{ name: 'x', dims: [1, 2, 3] }], outputs: [{ name: 'y', dims: [1, 2, 3] }], opset,
  });

  it('opset 11: over the flattened [2 x 3] block (all six values)', async () => {
    const y = await (await cn.InferenceSession.create(model(11))).run(x);
    const expected = softmax([1, 2, 3, 4, 5, 7]);
    y.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expectParity(y.data, (await runOrt(model(11), x)).data, 'softmax opset 11');
  });

  it('opset 13: along dim 1 only (pairs)', async () => {
    const y = await (await cn.InferenceSession.create(model(13))).run(x);
    const expected = [0, 1, 2].map((j) => softmax([[1, 2, 3][j], [4, 5, 7][j]]));
    [0, 1, 2].forEach((j) => {
      expect(y.data[j]).toBeCloseTo(expected[j][0], 6);
      expect(y.data[3 + j]).toBeCloseTo(expected[j][1], 6);
    });
    expectParity(y.data, (await runOrt(model(13), x)).data, 'softmax opset 13');
  });
});

describe('what the importer refuses', () => {
  it('lists every unsupported operator and attribute with its node name, in one Error', async () => {
    const bytes = encodeModel({
      nodes: [
        { opType: 'Resize', inputs: ['x'], outputs: ['a'], name: 'upsample1' },
        { opType: 'MaxPool', inputs: ['a'], outputs: ['b', 'idx'], name: 'pool_with_indices', attributes: { kernel_shape: { ints: [2, 2] } } },
        { opType: 'Gemm', inputs: ['b', 'W'], outputs: ['c'], name: 'fc', attributes: { transA: { int: 1 } } },
        { opType: 'Clip', inputs: ['c'], outputs: ['y'], name: 'clamp', attributes: { min: { float: -1 }, max: { float: 1 } } },
      ],
      inputs: [{ name: 'x', dims: [1, 1, 4, 4] }], outputs: [{ name: 'y', dims: [1, 2] }],
      initializers: [w('W', [4, 2])], opset: 9,
    });
    const err = await cn.InferenceSession.create(bytes).then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = err!.message;
    expect(msg).toContain('cannot import 4 thing(s)');
    expect(msg).toContain('node upsample1 (Resize): operator not supported');
    expect(msg).toContain('node pool_with_indices (MaxPool): outputs: expected one output (no Indices), got 2');
    expect(msg).toContain('node fc (Gemm): transA: expected 0, got 1');
    expect(msg).toContain('node clamp (Clip): min/max: expected [0, 6] (ReLU6) or [0, +inf) (ReLU), got [-1,1]');
  });

  it('rejects an int64 input, two inputs, and an int8 initializer', async () => {
    const proto = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ opType: 'Add', input: ['a', 'b'], output: ['y'], name: 'sum' }],
        input: ['a', 'b'].map((name) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimValue: 2 }] } } } })),
        output: [{ name: 'y', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 2 }] } } } }],
        initializer: [{ name: 'q', dims: [2], dataType: onnx.TensorProto.DataType.INT8, rawData: new Uint8Array([1, 2]) }],
      },
    });
    const bytes = onnx.ModelProto.encode(proto).finish();
    const err = await cn.InferenceSession.create(bytes).then(() => null, (e: Error) => e);
    expect(err!.message).toContain('initializer q: unsupported dtype INT8 (expected FLOAT, DOUBLE, INT64 or INT32)');
    expect(err!.message).toContain('graph inputs: expected exactly one input tensor, got 2 (a, b)');
    expect(err!.message).toContain('graph value a: dtype: expected FLOAT, got INT64');
  });

  it('a truncated, corrupt or missing file is an Error, never a crash', async () => {
    const good = readFileSync('test/fixtures/onnx/lenet-op13.onnx');
    for (const cut of [10, 1000, good.length - 7]) {
      await expect(cn.InferenceSession.create(good.subarray(0, cut))).rejects.toThrow(/onnx: <\d+ bytes>: /);
    }
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    await expect(cn.InferenceSession.create(garbage)).rejects.toThrow(/onnx: <4096 bytes>: expected an ONNX model/);
    await expect(cn.InferenceSession.create(new Uint8Array(0))).rejects.toThrow(/expected a model with a graph of nodes, got none/);
    await expect(cn.InferenceSession.create('test/fixtures/onnx/missing.onnx')).rejects.toThrow(/onnx: cannot read model file test\/fixtures\/onnx\/missing.onnx: ENOENT/);
  });

  it('bytes flipped anywhere in the graph part: an Error or a working session, never a crash or a hang', async () => {
    const good = readFileSync('test/fixtures/onnx/lenet-op9.onnx');
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let rejected = 0;
    for (let k = 0; k < 60; k++) {
      const bytes = Uint8Array.from(good);
      for (let f = 0; f < 3; f++) {
        const pos = rnd() < 0.5 ? Math.floor(rnd() * 3000) : bytes.length - 1 - Math.floor(rnd() * 3000);
        bytes[pos] = Math.floor(rnd() * 256);
      }
      try {
        const session = await cn.InferenceSession.create(bytes);
        const dims = session.inputMetadata[0].shape.map((d) => (typeof d === 'number' ? d : 1));
        if (dims.reduce((a, b) => a * b, 1) <= 1 << 20) await session.run(cn.zeros(dims));
      } catch (e) {
        expect(e, `mutation ${k}`).toBeInstanceOf(Error);
        expect((e as Error).message, `mutation ${k}`).toMatch(/^(onnx: |InferenceSession\.)/);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(10);
  });

  it('says what create() accepts', async () => {
    await expect(cn.InferenceSession.create(42 as never)).rejects.toThrow('InferenceSession.create: model: expected a cn.nn.Module, a function (x) => Tensor, or an ONNX file path / bytes, got 42');
  });

  it('names the feed it expected', async () => {
    const session = await cn.InferenceSession.create('test/fixtures/onnx/lenet-op13.onnx');
    await expect(session.run({ image: sinInput([1, 1, 32, 32]) })).rejects.toThrow('InferenceSession.run: feeds: expected exactly the input { input }, got { image }');
    expect(session.outputMetadata).toEqual([{ name: 'logits', isTensor: true, type: 'float32', shape: ['batch', 10] }]);
  });
});
