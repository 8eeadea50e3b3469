/**
 * Side-by-side A/B of one conv layer: convnode (native.Conv2d, weights prepacked as a compiled
 * plan holds them) against onnxruntime-node's one-node model, interleaved in one process.
 * Usage: npx tsx bench/ab-conv.ts "cin,h,cout,k,stride,pad[,batch[,threads]]" [algo] [reps]
 */
import { createRequire } from 'node:module';
import { native, type ConvParams } from '../lib/native.js';
import { encodeModel } from '../lib/io/onnx/builder.js';
import { conv2dNode } from '../lib/io/onnx/ops.js';

type Ort = typeof import('onnxruntime-node');
const ort = (await import('onnxruntime-node')) as Ort;
void createRequire;

const [spec, algoArg = 'auto', repsArg = '200'] = process.argv.slice(2);
const [cin, h, cout, k, stride, pad, batch = 1, threads = 1] = spec.split(',').map(Number);
const reps = Number(repsArg);
const outH = Math.floor((h + 2 * pad - k) / stride) + 1;
const rnd = (n: number) => { const a = new Float32Array(n); let s = 12345; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = s / 2 ** 32 - 0.5; } return a; };
const x = rnd(batch * cin * h * h), w = rnd(cout * cin * k * k), b = rnd(cout);
native.SetNumThreads(threads);
const p: ConvParams = { n: batch, cin, h, w: h, cout, kh: k, kw: k, strideH: stride, strideW: stride,
  padTop: pad, padBottom: pad, padLeft: pad, padRight: pad, dilationH: 1, dilationW: 1, groups: 1,
  algo: algoArg.replace('+nopack', '').replace(/^winograd[24]$/, 'winograd') as ConvParams['algo'] };
if (/^winograd[24]/.test(algoArg)) p.winogradTile = Number(algoArg[8]) as 2 | 4;
const auto = native.ConvAlgoFor(p);
const algo = p.algo === 'auto' ? auto : p.algo!;
if (!algoArg.endsWith('+nopack') && (algo === 'winograd' || algo === 'im2col' || algo === 'gemm1x1')) p.prepacked = native.Conv2dPrepack(w, { ...p, algo });
const bytes = encodeModel({ nodes: [conv2dNode(['x', 'w', 'b'], 'y', { kernel: [k, k], stride: [stride, stride], padding: [pad, pad, pad, pad], dilation: [1, 1], groups: 1 })],
  inputs: [{ name: 'x', dims: [batch, cin, h, h] }], outputs: [{ name: 'y', dims: [batch, cout, outH, outH] }],
  initializers: [{ name: 'w', dims: [cout, cin, k, k], data: w }, { name: 'b', dims: [cout], data: b }] });
const sess = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
const feeds = { x: new ort.Tensor('float32', x, [batch, cin, h, h]) };
let yOrt = (await sess.run(feeds)).y.data as Float32Array;
let yOurs = native.Conv2d(x, w, b, p);
let maxAbs = 0, maxErr = 0;
for (let i = 0; i < yOrt.length; i++) { maxAbs = Math.max(maxAbs, Math.abs(yOrt[i])); maxErr = Math.max(maxErr, Math.abs(yOrt[i] - yOurs[i])); }
const tO: number[] = [], tU: number[] = [];
for (let r = 0; r < reps; r++) {
  let t0 = performance.now(); yOurs = native.Conv2d(x, w, b, p); tU.push(performance.now() - t0);
  t0 = performance.now(); yOrt = (await sess.run(feeds)).y.data as Float32Array; tO.push(performance.now() - t0);
}
const st = (a: number[]) => { const s = [...a].sort((u, v) => u - v); if (process.env.PCT) console.log(s.filter((_, i) => i % Math.ceil(s.length / 10) === 0).map((v) => v.toFixed(2)).join(" ")); return { min: s[0], med: s[s.length >> 1] }; };
const u = st(tU), o = st(tO);
const flops = 2 * batch * cout * outH * outH * cin * k * k;
console.log(`${spec} ${algo}${p.winogradTile ?? ''}${p.prepacked ? '+pack' : ''}: ours min ${u.min.toFixed(3)} med ${u.med.toFixed(3)} | ort min ${o.min.toFixed(3)} med ${o.med.toFixed(3)} | ratio(min) ${(o.min / u.min).toFixed(2)} med ${(o.med / u.med).toFixed(2)} | ${(flops / u.min / 1e6).toFixed(0)} GF/s | err ${(maxErr / maxAbs).toExponential(1)}`);
