/**
 * Side-by-side A/B of the pixels-as-rows GEMM (native/kernels/conv/conv_pixelrows.h) per plan
 * step: each zoo model compiled twice in one process, with CONVNODE_PIXEL_ROWS=0 (never) and =1
 * (wherever eligible), and every step the second plan runs pixel-rows timed alone in both
 * (PlanBenchStep), interleaved in rounds, min ms over all rounds. Also prints the whole-run
 * minima of: off, on (everywhere eligible), auto (the shipped rule).
 * Usage: npx tsx bench/ab-pixelrows.ts resnet50[,resnet18,...] [threads=1] [rounds=15] [batch=1]
 */
import * as cn from '../lib/index.js';
import { native } from '../lib/native.js';

const [names = 'resnet50', threadsArg = '1', roundsArg = '15', batchArg = '1'] = process.argv.slice(2);
const threads = Number(threadsArg), rounds = Number(roundsArg), batch = Number(batchArg);
cn.setNumThreads(threads);
const c = cn as unknown as Record<string, any>;
async function compile(model: unknown, shape: number[], mode: string | undefined) {
  if (mode === undefined) delete process.env.CONVNODE_PIXEL_ROWS;
  else process.env.CONVNODE_PIXEL_ROWS = mode;
  const sess = await c.InferenceSession.create(model, { inputShape: shape });
  delete process.env.CONVNODE_PIXEL_ROWS;
  return sess;
}
for (const name of names.split(',')) {
  const model = c.models[name]();
  model.eval?.();
  const shape = [batch, 3, 224, 224];
  const input = new Float32Array(batch * 3 * 224 * 224);
  let s = 5;
  for (let i = 0; i < input.length; i++) { s = (s * 1103515245 + 12345) >>> 0; input[i] = s / 2 ** 32 - 0.5; }
  const x = cn.tensor(input, shape);
  const sOff = await compile(model, shape, '0'), sOn = await compile(model, shape, '1'), sAuto = await compile(model, shape, undefined);
  const handle = (sess: any) => [...sess.compiled.values()][0].handle;
  const hOff = handle(sOff), hOn = handle(sOn);
  const yOff = (await sOff.run(x)).data as Float32Array, yOn = (await sOn.run(x)).data as Float32Array;
  let maxAbs = 0, maxErr = 0;
  for (let i = 0; i < yOff.length; i++) { maxAbs = Math.max(maxAbs, Math.abs(yOff[i])); maxErr = Math.max(maxErr, Math.abs(yOff[i] - yOn[i])); }
  const whole: Record<string, number> = { off: Infinity, on: Infinity, auto: Infinity };
  for (let r = 0; r < rounds; r++)
    for (const [k, sess] of [['off', sOff], ['on', sOn], ['auto', sAuto]] as const) {
      const t0 = performance.now(); await sess.run(x); whole[k] = Math.min(whole[k], performance.now() - t0);
    }
  console.log(`${name} b${batch} t${threads}: whole run min ms off ${whole.off.toFixed(2)} on ${whole.on.toFixed(2)} auto ${whole.auto.toFixed(2)} | err ${(maxErr / maxAbs).toExponential(1)}`);
  const linesOn: string[] = native.PlanDescribe(hOn), linesAuto: string[] = native.PlanDescribe(handle(sAuto));
  linesOn.forEach((line, i) => {
    if (!line.includes('pixel-rows')) return;
    let a = Infinity, b = Infinity;
    for (let r = 0; r < rounds; r++) {
      a = Math.min(a, ...native.PlanBenchStep(hOff, i, 4, false));
      b = Math.min(b, ...native.PlanBenchStep(hOn, i, 4, false));
    }
    const mark = linesAuto[i].includes('pixel-rows') ? '*' : ' ';
    console.log(`  ${a.toFixed(3)} -> ${b.toFixed(3)}  x${(a / b).toFixed(2)} ${mark} ${i} ${line.replace(' pixel-rows', '')}`);
  });
}
