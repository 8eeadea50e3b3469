/**
 * Models exported by PyTorch (scripts/make-onnx-fixtures.py, random weights, opsets 9-17, one
 * with float_data initializers, one with external data): convnode's import and
 * onnxruntime-node both against torch's own outputs. SqueezeNet-1.1 (5 MB) is generated here
 * when Debian's python3-torch is installed, and skipped with a message otherwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { expectParity, runOrt, sinInput } from './helpers.js';

cn.setNumThreads(1);

const DIR = path.resolve('test/fixtures/onnx');
const FIXTURES = ['lenet-op9', 'lenet-op13', 'tiny-resnet-op11', 'tiny-resnet-op17-external', 'tiny-googlenet-op9', 'tiny-googlenet-op13', 'padnet-op11'];

interface Expected { opset: number; input: number[]; outputShape: number[]; output: number[] }

async function checkFixture(dir: string, name: string): Promise<void> {
  const spec = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Expected;
  const file = path.join(dir, `${name}.onnx`);
  const x = sinInput(spec.input);
  const session = await cn.InferenceSession.create(file);
  expect(session.inputNames).toEqual(['input']);
  expect(session.outputNames).toEqual(['logits']);
  const y = (await session.run({ input: x })).logits;
  expect(y.shape).toEqual(spec.outputShape);
  expectParity(y.data, spec.output, `${name}: convnode vs torch`);
  const ref = await runOrt(file, x);
  expectParity(ref.data, spec.output, `${name}: onnxruntime vs torch`);
  session.release();
}

describe('ONNX files exported by PyTorch', () => {
  it.each(FIXTURES)('%s: convnode and onnxruntime match torch', async (name) => {
    await checkFixture(DIR, name);
  });

  it('a dynamic batch resolves per run: batch 3 = three batch-1 runs', async () => {
    const session = await cn.InferenceSession.create(path.join(DIR, 'tiny-resnet-op11.onnx'));
    expect(session.inputMetadata[0].shape).toEqual(['batch', 3, 32, 32]);
    const x = sinInput([3, 3, 32, 32]);
    const y = await session.run(x);
    expect(y.shape).toEqual([3, 10]);
    for (let b = 0; b < 3; b++) {
      const one = await session.run(cn.tensor(x.data.slice(b * 3072, (b + 1) * 3072), [1, 3, 32, 32]));
      expectParity(y.data.subarray(b * 10, b * 10 + 10), one.data, `batch item ${b}`);
    }
    // A static dim that does not match is refused with both shapes named.
    await expect(session.run(sinInput([1, 3, 16, 16]))).rejects.toThrow('InferenceSession.run: input: expected shape [batch, 3, 32, 32] (input input), got [1, 3, 16, 16]');
  });

  it('external data next to a model given as bytes needs baseDir', async () => {
    const bytes = readFileSync(path.join(DIR, 'tiny-resnet-op17-external.onnx'));
    await expect(cn.InferenceSession.create(bytes)).rejects.toThrow(/external data "tiny-resnet-op17-external.weights", got bytes/);
    const session = await cn.InferenceSession.create(bytes, { baseDir: DIR, inputShape: [1, 3, 32, 32] });
    const spec = JSON.parse(readFileSync(path.join(DIR, 'tiny-resnet-op17-external.json'), 'utf8')) as Expected;
    expectParity((await session.run(sinInput(spec.input))).data, spec.output, 'external data via baseDir');
  });

  const torchDir = mkdtempSync(path.join(os.tmpdir(), 'convnode-onnx-'));
  afterAll(() => rmSync(torchDir, { recursive: true, force: true }));
  let torchMessage = '';
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch, torchvision, onnx'], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    torchMessage = 'skipped: /usr/bin/python3 with torch, torchvision and onnx not found (apt-get install -y python3-torch python3-torchvision python3-onnx)';
    console.warn(`SqueezeNet-1.1 from PyTorch: ${torchMessage}`);
  }
  it.skipIf(torchMessage !== '')('SqueezeNet-1.1 exported by torchvision (generated now, opset 11)', async () => {
    execFileSync('/usr/bin/python3', ['scripts/make-onnx-fixtures.py', '--big', torchDir], { stdio: 'ignore', timeout: 120_000 });
    expect(existsSync(path.join(torchDir, 'squeezenet1_1-op11.onnx'))).toBe(true);
    await checkFixture(torchDir, 'squeezenet1_1-op11');
  }, 180_000);
});
