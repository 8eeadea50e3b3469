/** Helpers of the ONNX tests: onnxruntime-node as the oracle, deterministic weights, the tolerance. */
import * as ort from 'onnxruntime-node';
import { Tensor, nn } from '../../lib/index.js';

/** The bound: max |a - b| <= 1e-4 * max |reference|. */
export const RELATIVE_TOLERANCE = 1e-4;

/** Max abs difference and max |reference|; fails with the whole case when over the bound. */
export function expectParity(actual: ArrayLike<number>, reference: ArrayLike<number>, what: string): { maxDiff: number; maxRef: number } {
  if (actual.length !== reference.length) throw new Error(`${what}: ${actual.length} values vs ${reference.length} in the reference`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < reference.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(reference[i]));
    const d = Math.abs(actual[i] - reference[i]);
    if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
  }
  if (!(maxRef > 0)) throw new Error(`${what}: the reference output is all zeros (a test that cannot fail)`);
  if (!(maxDiff <= RELATIVE_TOLERANCE * maxRef)) {
    throw new Error(`${what}: max |diff| ${maxDiff} > ${RELATIVE_TOLERANCE} x max |ref| ${maxRef}`);
  }
  return { maxDiff, maxRef };
}

/** x[i] = sin(0.37 i + 0.1): what scripts/make-onnx-fixtures.py feeds torch. */
export function sinInput(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + 0.1)), shape);
}

/** Runs ONNX bytes or a file in onnxruntime-node (1 thread) on one input; returns the first output. */
export async function runOrt(
  model: Uint8Array | string,
  x: Tensor,
  options: { optimize?: boolean } = {},
): Promise<{ data: Float32Array; dims: readonly number[]; inputNames: readonly string[]; outputNames: readonly string[] }> {
  const so = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: options.optimize === false ? ('disabled' as const) : ('all' as const) };
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, so) : await ort.InferenceSession.create(model, so);
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.data, x.shape) });
    const y = out[session.outputNames[0]];
    return { data: y.data as Float32Array, dims: y.dims, inputNames: session.inputNames, outputNames: session.outputNames };
  } finally {
    await session.release();
  }
}

/**
 * Overwrites every parameter and buffer with a cheap deterministic pattern (a sine table),
 * fan-in scaled for weights so that activations stay O(1) through deep nets, with batch-norm
 * statistics away from the identity so that BN folding matters.
 */
export function fillPattern(model: nn.Module, seed = 1): void {
  const table = Float32Array.from({ length: 1021 }, (_, i) => Math.sin(i * 1.618 + seed));
  const bnWeights = new Set(model.namedModules().filter(([, m]) => m instanceof nn.BatchNorm2d).map(([p]) => `${p}.weight`));
  // The last batch norm of each residual branch (layerX.Y.bnN with the highest N) scaled down,
  // as torchvision's zero_init_residual does in spirit: without it ResNet-152's output grows
  // to ~500 and the comparison measures ill-conditioning rather than the runtimes.
  const lastBn = new Map<string, string>();
  for (const name of [...bnWeights].sort()) {
    const m = /^(.*)\.bn(\d)\.weight$/.exec(name);
    if (m) lastBn.set(m[1], name);
  }
  const residualBns = new Set(lastBn.values());
  for (const [name, t] of Object.entries(model.stateDict())) {
    const d = t.data;
    const fanIn = t.shape.length >= 2 ? t.shape.slice(1).reduce((a, b) => a * b, 1) : 0;
    let f: (v: number) => number;
    if (name.endsWith('running_var')) f = (v) => 1 + 0.5 * Math.abs(v);
    else if (name.endsWith('running_mean')) f = (v) => 0.1 * v;
    else if (name.endsWith('num_batches_tracked')) f = () => 0;
    else if (fanIn > 0) f = (v) => (2 / Math.sqrt(fanIn)) * v;
    else if (residualBns.has(name)) f = (v) => 0.2 + 0.1 * v;
    else if (bnWeights.has(name)) f = (v) => 1 + 0.2 * v;
    else f = (v) => 0.1 * v;
    const offset = name.length * 7;
    for (let i = 0; i < d.length; i++) d[i] = f(table[(i + offset) % 1021]);
  }
}
