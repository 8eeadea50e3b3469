/**
 * cn.onnx.save / toBytes: what the file holds (opset 13, stateDict names, a symbolic batch) and
 * that onnxruntime-node runs it. Numerical parity of every zoo model is in zoo-parity.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { decodeModel } from '../../lib/io/onnx/builder.js';
import { expectParity, fillPattern, runOrt, sinInput } from './helpers.js';

cn.setNumThreads(1);

/** The decoded fields these tests read (protobufjs types every field as optional). */
interface Dim { dimParam?: string; dimValue?: unknown }
interface ValueInfo { name: string; type: { tensorType: { shape: { dim: Dim[] } } } }
interface Model { opsetImport: { domain: string; version: unknown }[]; graph: { initializer: { name: string }[]; input: ValueInfo[]; output: ValueInfo[]; node: { opType: string }[] } }
const decode = (bytes: Uint8Array): Model => decodeModel(bytes) as unknown as Model;
const dir = mkdtempSync(path.join(os.tmpdir(), 'convnode-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cn.onnx export', () => {
  it('writes opset 13 with stateDict names for the initializers and a symbolic batch', () => {
    const model = cn.models.lenet5();
    const proto = decode(cn.onnx.toBytes(model, { inputShape: [1, 1, 32, 32] }));
    expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    const names = proto.graph.initializer.map((t) => t.name).sort();
    expect(names).toEqual(Object.keys(model.stateDict()).sort());
    const graph = proto.graph;
    const dims = (v: ValueInfo): (string | number)[] => v.type.tensorType.shape.dim.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims(graph.input[0])).toEqual(['batch', 1, 32, 32]);
    expect(dims(graph.output[0])).toEqual(['batch', 10]);
    expect(graph.node.map((n) => n.opType).filter((t) => t !== 'Constant')).toEqual(
      ['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Reshape', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm'],
    );
  });

  it('the saved file runs in onnxruntime-node at another batch size, as the model does', async () => {
    const model = cn.models.resnet18({ numClasses: 7 });
    fillPattern(model);
    const file = path.join(dir, 'resnet18.onnx');
    cn.onnx.save(model, file, { inputShape: [1, 3, 32, 32] });
    const x = sinInput([3, 3, 32, 32]);
    const ref = await runOrt(file, x);
    expect(ref.dims).toEqual([3, 7]);
    const direct = cn.noGrad(() => { model.eval(); return model.forward(x); });
    expectParity(direct.data, ref.data, 'resnet18 batch 3 vs onnxruntime');
    expect(ref.inputNames).toEqual(['input']);
  });

  it('dynamicBatch: false writes the traced batch; custom names are used', () => {
    const proto = decode(cn.onnx.toBytes(cn.models.lenet5(), { inputShape: [2, 1, 32, 32], dynamicBatch: false, inputName: 'image', outputName: 'scores' }));
    const input = proto.graph.input[0];
    expect(input.name).toBe('image');
    expect(input.type.tensorType.shape.dim.map((d) => Number(d.dimValue))).toEqual([2, 1, 32, 32]);
    expect(proto.graph.output[0].name).toBe('scores');
  });

  it('refuses another opset, a bad shape, and an op ONNX cannot express', () => {
    expect(() => cn.onnx.toBytes(cn.models.lenet5(), { inputShape: [1, 1, 32, 32], opset: 11 as 13 })).toThrow('onnx.save: options.opset: expected 13, got 11');
    expect(() => cn.onnx.toBytes(cn.models.lenet5(), { inputShape: [1, 0, 32, 32] })).toThrow(/onnx.save: options.inputShape: expected positive dims/);
    const lp = (x: cn.Tensor) => cn.lpPool2d(x, { p: 2, kernelSize: 2 });
    expect(() => cn.onnx.toBytes(lp, { inputShape: [1, 1, 4, 4] })).toThrow('onnx export: node 0 (lpPool2d): no ONNX mapping for this op (in eval mode)');
  });
});
