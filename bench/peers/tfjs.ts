/**
 * @tensorflow/tfjs with its pure-JS 'cpu' backend, and @tensorflow/tfjs-backend-wasm (XNNPACK
 * compiled to WebAssembly, SIMD build). Both backends share one tfjs engine, so each runner
 * selects its backend when it is prepared; the harness never interleaves two runners.
 *
 * tfjs is channels-last: the runner is given NHWC copies of the case's data (made before
 * timing) and converts its output back only for the correctness check. Timed: the op, the
 * dataSync() that brings the result to JS (as a user must), and the disposal of the result.
 * In Node the wasm backend runs on one thread (tfjs disables its threaded build there).
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { nchwToNhwc, nhwcToNchw, oihwToHwio } from '../data.js';
import { UnsupportedCase, type ConvCase, type GemmCase, type Peer, type PoolCase, type Runner } from './types.js';

type Tf = typeof import('@tensorflow/tfjs');
type TfTensor = import('@tensorflow/tfjs').Tensor;

const require = createRequire(import.meta.url);

let tfPromise: Promise<Tf> | null = null;

/**
 * Loads tfjs once, with its "install tfjs-node" advice silenced: the cpu backend prints it on
 * its first tensor, so one throwaway tensor is made while the console is muted.
 */
function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const warn = console.warn;
    const log = console.log;
    console.warn = () => {};
    console.log = () => {};
    try {
      const tf = (await import('@tensorflow/tfjs')) as Tf;
      await tf.setBackend('cpu');
      tf.tensor([0]).dispose();
      return tf;
    } finally {
      console.warn = warn;
      console.log = log;
    }
  })();
  return tfPromise;
}

/** Registers the wasm backend and points it at the .wasm files shipped in its dist/ folder. */
async function loadWasm(tf: Tf): Promise<void> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  wasm.setWasmPaths(dist + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialize');
  await tf.setBackend('cpu');
}

/**
 * A runner over tensors created on `backend`; `op` returns a fresh result tensor each call.
 * `toNchw` converts the NHWC result back for the check.
 */
async function tfRunner(
  tf: Tf,
  backend: string,
  make: () => { inputs: TfTensor[]; op: () => TfTensor },
  toNchw: (data: Float32Array) => Float32Array,
): Promise<Runner> {
  await tf.setBackend(backend);
  const { inputs, op } = make();
  let last: Float32Array | null = null;
  return {
    run() {
      const y = op();
      last = y.dataSync() as Float32Array;
      y.dispose();
    },
    output: () => (last ? toNchw(last) : null),
    dispose() {
      for (const t of inputs) t.dispose();
    },
  };
}

function tfPeer(tf: Tf, backend: 'cpu' | 'wasm', version: string): Peer {
  return {
    name: backend === 'cpu' ? 'tfjs-cpu' : 'tfjs-wasm',
    version,
    multiThreaded: false,
    slow: backend === 'cpu',
    async conv(c: ConvCase) {
      const l = c.layer;
      const depthwise = l.groups > 1 && l.groups === l.cin && l.cout === l.cin;
      if (l.groups > 1 && !depthwise) throw new UnsupportedCase('tfjs has no grouped convolution');
      const xNhwc = nchwToNhwc(c.x, c.batch, l.cin, l.h, l.w);
      // Depthwise filters are [k, k, C, 1]: the same layout as HWIO with I = 1, O = C.
      const filter = depthwise ? oihwToHwio(c.w, l.cout, 1, l.k, l.k) : oihwToHwio(c.w, l.cout, l.cin, l.k, l.k);
      return tfRunner(tf, backend, () => {
        const x = tf.tensor4d(xNhwc, [c.batch, l.h, l.w, l.cin]);
        const f = tf.tensor4d(filter, depthwise ? [l.k, l.k, l.cin, 1] : [l.k, l.k, l.cin, l.cout]);
        const b = tf.tensor1d(c.b);
        const args = { x, filter: f, bias: b, strides: l.stride, pad: l.pad, dataFormat: 'NHWC' as const };
        const op = depthwise ? () => tf.fused.depthwiseConv2d(args) : () => tf.fused.conv2d(args);
        return { inputs: [x, f, b], op };
      }, (y) => nhwcToNchw(y, c.batch, l.cout, l.outH, l.outW));
    },
    async pool(c: PoolCase) {
      const l = c.layer;
      const xNhwc = nchwToNhwc(c.x, c.batch, l.c, l.h, l.h);
      return tfRunner(tf, backend, () => {
        const x = tf.tensor4d(xNhwc, [c.batch, l.h, l.h, l.c]);
        return { inputs: [x], op: () => tf.maxPool(x, l.k, l.stride, l.pad) };
      }, (y) => nhwcToNchw(y, c.batch, l.c, l.outH, l.outH));
    },
    async gemm(c: GemmCase) {
      const { m, n, k } = c.shape;
      return tfRunner(tf, backend, () => {
        const a = tf.tensor2d(c.a, [m, k]);
        const b = tf.tensor2d(c.b, [k, n]);
        return { inputs: [a, b], op: () => tf.matMul(a, b) };
      }, (y) => y);
    },
  };
}

/** The two tfjs peers: [cpu, wasm]. The wasm one is missing (with a reason) if it cannot start. */
export async function tfjsPeers(which: { cpu: boolean; wasm: boolean }): Promise<{ peers: Peer[]; notes: string[] }> {
  const tf = await loadTf();
  const version = (require('@tensorflow/tfjs/package.json') as { version: string }).version;
  const peers: Peer[] = [];
  const notes: string[] = [];
  if (which.cpu) peers.push(tfPeer(tf, 'cpu', version));
  if (which.wasm) {
    try {
      await loadWasm(tf);
      peers.push(tfPeer(tf, 'wasm', version));
    } catch (err) {
      notes.push(`tfjs-wasm unavailable: ${(err as Error).message}`);
    }
  }
  return { peers, notes };
}
