/**
 * Every zoo model exported by cn.onnx.toBytes, run by onnxruntime-node and by convnode's import
 * of the same bytes: max |diff| <= 1e-4 x max |output|. Small inputs where the architecture
 * allows, batch 1, one thread, weights filled with a deterministic pattern (built with skipInit,
 * which keeps VGG's 100M-parameter classifier cheap to create).
 */
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { expectParity, fillPattern, runOrt, sinInput } from './helpers.js';

cn.setNumThreads(1);

const ALL: [string, number[]][] = [
  ['lenet5', [1, 1, 32, 32]],
  ['alexnet', [1, 3, 64, 64]],
  ['alexnet-original', [1, 3, 227, 227]],
  ['googlenet', [1, 3, 64, 64]],
  ['resnet18', [1, 3, 64, 64]],
  ['resnet34', [1, 3, 32, 32]],
  ['resnet50', [1, 3, 32, 32]],
  ['resnet101', [1, 3, 32, 32]],
  ['resnet152', [1, 3, 32, 32]],
  ['mobilenet_v2', [1, 3, 64, 64]],
  ['squeezenet1_1', [1, 3, 64, 64]],
  ['vgg11', [1, 3, 32, 32]],
  ['vgg11_bn', [1, 3, 32, 32]],
  ['vgg13', [1, 3, 32, 32]],
  ['vgg13_bn', [1, 3, 32, 32]],
  ['vgg16', [1, 3, 32, 32]],
  ['vgg16_bn', [1, 3, 32, 32]],
  ['vgg19', [1, 3, 32, 32]],
  ['vgg19_bn', [1, 3, 32, 32]],
];

const ONLY = process.env.ZOO_ONLY?.split(',');
const CASES = ONLY ? ALL.filter(([n]) => ONLY.includes(n)) : ALL;

describe('zoo models exported by convnode: onnxruntime-node vs convnode', () => {
  it.each(CASES)('%s on %j', async (name, shape) => {
    const model = cn.nn.skipInit(() => cn.models.zooEntry(name).build());
    fillPattern(model);
    const bytes = cn.onnx.toBytes(model, { inputShape: shape });
    const x = sinInput(shape);
    const ref = await runOrt(bytes, x);
    const session = await cn.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    const y = (await session.run({ input: x })).output;
    expect(y.shape).toEqual([...ref.dims]);
    expectParity(y.data, ref.data, `${name} ${JSON.stringify(shape)}: convnode (imported) vs onnxruntime`);
    // The imported graph is lowered like the model itself: every conv+BN folded.
    const batchNorms = model.namedModules().filter(([, m]) => m instanceof cn.nn.BatchNorm2d).length;
    expect(session.describe(shape).foldedBatchNorms).toBe(batchNorms);
    // The exported file computes what the model computes.
    const direct = cn.noGrad(() => { model.eval(); return model.forward(x); });
    expectParity(direct.data, ref.data, `${name}: eager model vs onnxruntime`);
    session.release();
  }, 120_000);
});
