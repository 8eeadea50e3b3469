/**
 * Side-by-side A/B of MobileNetV2 batch 1: convnode's InferenceSession against
 * onnxruntime-node on the same weights, interleaved in one process (minima of many runs).
 * Usage: npx tsx bench/ab-mnv2.ts [threads] [reps] [--steps]
 *   --steps: also print each plan step's min ms (PlanBenchStep), largest first.
 */
import * as cn from '../lib/index.js';
import { native } from '../lib/native.js';
import { uniform } from './data.js';

const args = process.argv.slice(2);
const threads = Number(args[0] ?? 1), reps = Number(args[1] ?? 200);
const ort = await import('onnxruntime-node');
const shape = [1, 3, 224, 224];
const model = cn.models.mobilenetV2();
const input = uniform(3 * 224 * 224, 5);
cn.setNumThreads(threads);
const bytes = (await (cn as any).onnx.toBytes(model, { inputShape: shape })) as Uint8Array;
const session = await cn.InferenceSession.create(model, { inputShape: shape });
const x = cn.tensor(input, shape);
const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', input, shape) };
let ours = (await session.run(x)) as cn.Tensor;
let theirs = (await s.run(feeds))[s.outputNames[0]].data as Float32Array;
let err = 0, mx = 0;
for (let i = 0; i < theirs.length; i++) { err = Math.max(err, Math.abs(theirs[i] - ours.data[i])); mx = Math.max(mx, Math.abs(theirs[i])); }
const tU: number[] = [], tO: number[] = [];
for (let r = 0; r < reps; r++) {
  let t0 = performance.now(); ours = (await session.run(x)) as cn.Tensor; tU.push(performance.now() - t0);
  t0 = performance.now(); theirs = (await s.run(feeds))[s.outputNames[0]].data as Float32Array; tO.push(performance.now() - t0);
}
const st = (a: number[]) => { const v = [...a].sort((p, q) => p - q); return { min: v[0], med: v[v.length >> 1] }; };
const u = st(tU), o = st(tO);
console.log(`mobilenetV2 b1 ${threads}T: ours min ${u.min.toFixed(3)} med ${u.med.toFixed(3)} | ort min ${o.min.toFixed(3)} med ${o.med.toFixed(3)} | ratio(min) ${(o.min / u.min).toFixed(3)} med ${(o.med / u.med).toFixed(3)} | relErr ${(err / mx).toExponential(1)}`);
if (args.includes('--steps')) {
  const h = (session as any).planFor(shape).handle;
  const desc = native.PlanDescribe(h);
  const rows = desc.map((d: string, i: number) => { const t = native.PlanBenchStep(h, i, 50, true); return { i, d, ms: Math.min(...t) }; });
  let total = 0; for (const r of rows) total += r.ms;
  for (const r of [...rows].sort((a, b) => b.ms - a.ms).slice(0, Number(process.env.TOP ?? 30))) console.log(`${String(r.i).padStart(3)} ${r.ms.toFixed(4)} ${r.d}`);
  console.log(`sum of step minima ${total.toFixed(3)} ms`);
}
