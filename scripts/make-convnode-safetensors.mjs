// Writes test/fixtures/io/convnode-made.safetensors with convnode's writer (from dist/: run
// `npm run build:ts` first); scripts/make-safetensors-fixtures.py then records what Python reads
// from it. test/io/safetensors.test.ts rebuilds the same content (CONVNODE_MADE below is mirrored
// there) and checks that the bytes have not changed.
import * as path from 'node:path';
import * as cn from '../dist/index.js';

const root = path.resolve(import.meta.dirname, '..');
const file = path.join(root, 'test', 'fixtures', 'io', 'convnode-made.safetensors');

const tensors = {
  'model.fc.weight': cn.tensor(Float32Array.from([0.5, -1.25, 3e-8, 1e20, -0, 7]), [2, 3]),
  'model.fc.bias': cn.tensor(Float32Array.from([0.1, 0.2]), [2]),
  'optimizer.state.0.step': { dtype: 'I64', shape: [], data: BigInt64Array.from([5n]) },
  'labels.u8': { dtype: 'U8', shape: [3], data: Uint8Array.from([9, 0, 255]) },
  'stats.f64': { dtype: 'F64', shape: [1], data: Float64Array.from([Math.PI]) },
  'empty': cn.tensor(new Float32Array(0), [0]),
  'ünïcode.名前': cn.tensor(Float32Array.from([1.5]), []),
};
cn.io.saveSafetensors(file, tensors, { format: 'convnode', note: 'é✓ "quoted"' });
console.log(file);
