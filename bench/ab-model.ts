/**
 * Side-by-side A/B of one zoo model: convnode's InferenceSession against onnxruntime-node on
 * the same weights, interleaved run by run in one process (a shared machine drifts; interleaving
 * and minima keep the ratio honest). Usage:
 *   npx tsx bench/ab-model.ts resnet18[,resnet50,googlenet] [threads=1] [reps=40] [batch=1]
 * PROFILE=1 also prints each plan step alone (PlanBenchStep, min ms of 20 reps). SYNC=1 times
 * our runSync() (on the JS thread, as ORT's run executes) instead of await run().
 */
import * as cn from '../lib/index.js';
import { native } from '../lib/native.js';

const ort = await import('onnxruntime-node');
const [names = 'resnet18', threadsArg = '1', repsArg = '40', batchArg = '1'] = process.argv.slice(2);
const threads = Number(threadsArg), reps = Number(repsArg), batch = Number(batchArg);
const sync = Boolean(process.env.SYNC);
cn.setNumThreads(threads);
const c = cn as unknown as Record<string, any>;
for (const name of names.split(',')) {
  const model = c.models[name]();
  model.eval?.();
  const shape = [batch, 3, 224, 224];
  const input = new Float32Array(batch * 3 * 224 * 224);
  let s = 5;
  for (let i = 0; i < input.length; i++) { s = (s * 1103515245 + 12345) >>> 0; input[i] = s / 2 ** 32 - 0.5; }
  const bytes = (await c.onnx.toBytes(model, { inputShape: shape })) as Uint8Array;
  const sess = await c.InferenceSession.create(model, { inputShape: shape });
  const o = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
  const x = cn.tensor(input, shape);
  const feeds = { [o.inputNames[0]]: new ort.Tensor('float32', input, shape) };
  let yU = (await sess.run(x)).data as Float32Array;
  let yO = (await o.run(feeds))[o.outputNames[0]].data as Float32Array;
  let maxAbs = 0, maxErr = 0;
  for (let i = 0; i < yO.length; i++) { maxAbs = Math.max(maxAbs, Math.abs(yO[i])); maxErr = Math.max(maxErr, Math.abs(yO[i] - yU[i])); }
  const tU: number[] = [], tO: number[] = [];
  // Blocks of 10 runs each, alternating, with a pause between: ORT's pool threads spin for a
  // while after a run and would steal the cores from a run of ours right after it (2 threads,
  // run-by-run interleaving: ours 15.5 ms instead of ~9).
  const pause = () => new Promise((r) => setTimeout(r, 30));
  for (let r = 0; r < reps; r += 10) {
    await pause();
    for (let i = 0; i < 10; i++) { const t0 = performance.now(); yU = (sync ? sess.runSync(x) : await sess.run(x)).data; tU.push(performance.now() - t0); }
    await pause();
    for (let i = 0; i < 10; i++) { const t0 = performance.now(); yO = (await o.run(feeds))[o.outputNames[0]].data as Float32Array; tO.push(performance.now() - t0); }
  }
  const st = (a: number[]) => { const q = [...a].sort((u, v) => u - v); return { min: q[0], med: q[q.length >> 1] }; };
  const u = st(tU), oo = st(tO);
  console.log(`${name} b${batch} t${threads}${sync ? ' runSync' : ''}: ours min ${u.min.toFixed(2)} med ${u.med.toFixed(2)} | ort min ${oo.min.toFixed(2)} med ${oo.med.toFixed(2)} | ratio min ${(oo.min / u.min).toFixed(2)} med ${(oo.med / u.med).toFixed(2)} | err ${(maxErr / maxAbs).toExponential(1)}`);
  if (process.env.PROFILE) {
    const plan = [...(sess as any).compiled.values()][0];
    const lines = native.PlanDescribe(plan.handle);
    let total = 0;
    const rows: [number, string][] = [];
    lines.forEach((l: string, i: number) => { const t = Math.min(...native.PlanBenchStep(plan.handle, i, 20, false)); total += t; rows.push([t, `${i} ${l}`]); });
    for (const [t, l] of rows) console.log(`  ${t.toFixed(3)}  ${l}`);
    console.log(`  total ${total.toFixed(2)}`);
  }
  await o.release();
}
