/**
 * Quick kernel measurement (not the full peer benchmark, which lives in bench/run.ts):
 * SGEMM at 256..2048 and the anchor conv layers per algorithm, on 1 and 2 threads, median
 * of repeated runs after warm-up, in ms and GFLOP/s (direct-convolution FLOPs, so Winograd
 * shows its "effective" rate). Run: `npx tsx bench/kernels-quick.ts [--isa avx2] [--threads 1]`.
 */
import { native, type ConvParams, type NativeIsa } from '../lib/native.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const isa = (opt('isa') ?? native.CpuInfo().isa) as NativeIsa;
const threadList = opt('threads') ? [Number(opt('threads'))] : [1, 2];
const only = opt('only');
// The scalar direct loop is 10-40x slower than the rest: --no-direct skips it.
const skipDirect = args.includes('--no-direct');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median and min of repeated runs (ms). On a shared machine the min shows what the kernel
 * does when it gets the cores; the median what a user sees. */
function time(fn: () => void, budgetMs = 400): { med: number; min: number } {
  fn();
  fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 5 || (performance.now() - start < budgetMs && samples.length < 40)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return { med: median(samples), min: Math.min(...samples) };
}

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

const rows: string[] = [];
const row = (...cells: (string | number)[]) => {
  const line = `| ${cells.join(' | ')} |`;
  rows.push(line);
  console.log(line);
};

console.log(`isa ${isa}, ${native.CpuInfo().cores} cores, node ${process.version}\n`);
if (!only || only === 'gemm') {
  row('SGEMM M=N=K', 'threads', 'ms (median)', 'GFLOP/s (median)', 'GFLOP/s (best)');
  row('---', '---', '---', '---', '---');
  for (const sz of [256, 512, 1024, 2048]) {
    const a = rand(sz * sz), b = rand(sz * sz);
    for (const threads of threadList) {
      const p = { m: sz, n: sz, k: sz, transA: false, transB: false, lda: sz, ldb: sz, ldc: sz, alpha: 1, beta: 0, isa, threads };
      const t = time(() => native.Sgemm(a, b, null, p));
      row(sz, threads, t.med.toFixed(3), ((2 * sz ** 3) / t.med / 1e6).toFixed(1), ((2 * sz ** 3) / t.min / 1e6).toFixed(1));
    }
  }
  // The conv-shaped GEMMs of the anchors (im2col of ResNet conv2_x, conv4_x, conv5_x).
  for (const [m, n, k] of [[64, 3136, 576], [256, 196, 2304], [512, 49, 4608]]) {
    const a = rand(m * k), b = rand(k * n);
    for (const threads of threadList) {
      const p = { m, n, k, transA: false, transB: false, lda: k, ldb: n, ldc: n, alpha: 1, beta: 0, isa, threads };
      const t = time(() => native.Sgemm(a, b, null, p));
      row(`${m}x${n}x${k}`, threads, t.med.toFixed(3), ((2 * m * n * k) / t.med / 1e6).toFixed(1), ((2 * m * n * k) / t.min / 1e6).toFixed(1));
    }
  }
  console.log('');
}

interface Layer { name: string; cin: number; cout: number; hw: number; k: number; s: number; p: number; groups?: number }
const layers: Layer[] = [
  { name: 'conv3x3 64->64 @56', cin: 64, cout: 64, hw: 56, k: 3, s: 1, p: 1 },
  { name: 'conv3x3 128->128 @28', cin: 128, cout: 128, hw: 28, k: 3, s: 1, p: 1 },
  { name: 'conv3x3 256->256 @14', cin: 256, cout: 256, hw: 14, k: 3, s: 1, p: 1 },
  { name: 'conv3x3 512->512 @7', cin: 512, cout: 512, hw: 7, k: 3, s: 1, p: 1 },
  { name: 'conv1x1 256->64 @56', cin: 256, cout: 64, hw: 56, k: 1, s: 1, p: 0 },
  { name: 'conv7x7/s2 3->64 @224', cin: 3, cout: 64, hw: 224, k: 7, s: 2, p: 3 },
  { name: 'conv11x11/s4 3->96 @227', cin: 3, cout: 96, hw: 227, k: 11, s: 4, p: 0 },
  { name: 'dwconv3x3 32 @112', cin: 32, cout: 32, hw: 112, k: 3, s: 1, p: 1, groups: 32 },
];
if (!only || only === 'conv') {
  row('layer', 'algo', 'threads', 'ms (median)', 'ms (min)', 'GFLOP/s (median, direct-equivalent)');
  row('---', '---', '---', '---', '---', '---');
  for (const l of layers) {
    const groups = l.groups ?? 1;
    const x = rand(l.cin * l.hw * l.hw);
    const w = rand(l.cout * (l.cin / groups) * l.k * l.k);
    const b = rand(l.cout);
    const base: ConvParams = {
      n: 1, cin: l.cin, h: l.hw, w: l.hw, cout: l.cout, kh: l.k, kw: l.k, strideH: l.s, strideW: l.s,
      padTop: l.p, padBottom: l.p, padLeft: l.p, padRight: l.p, dilationH: 1, dilationW: 1, groups, isa,
    };
    const out = Math.floor((l.hw + 2 * l.p - l.k) / l.s) + 1;
    const flops = 2 * l.cout * out * out * (l.cin / groups) * l.k * l.k;
    const auto = native.ConvAlgoFor(base);
    const algos = ['direct', 'im2col', 'im2col+prepacked', 'gemm1x1', 'gemm1x1+prepacked', 'winograd', 'winograd+prepacked', 'depthwise'] as const;
    for (const algo of algos) {
      if (algo === 'direct' && skipDirect) continue;
      const prepacked = algo.endsWith('+prepacked');
      const p: ConvParams = { ...base, algo: algo.replace('+prepacked', '') as ConvParams['algo'] };
      if (prepacked) {
        try {
          p.prepacked = native.Conv2dPrepack(w, p);
        } catch {
          continue;
        }
      }
      try {
        native.Conv2d(x, w, b, p);
      } catch {
        continue; // the algorithm does not apply to this layer
      }
      for (const threads of threadList) {
        native.SetNumThreads(threads);
        const t = time(() => native.Conv2d(x, w, b, p), algo === 'direct' ? 150 : 400);
        row(l.name, algo + (p.algo === auto && !prepacked ? ' (auto)' : ''), threads, t.med.toFixed(3), t.min.toFixed(3), (flops / t.med / 1e6).toFixed(1));
      }
    }
  }
  native.SetNumThreads(native.CpuInfo().cores);
}

if (!only || only === 'pool') {
  console.log('');
  row('pool', 'threads', 'ms (median)', 'ms (min)', 'GB/s (in+out, median)');
  row('---', '---', '---', '---', '---');
  const x = rand(64 * 112 * 112);
  for (const [name, k, st, pad] of [['maxpool 3x3/s2 64 @112', 3, 2, 1], ['maxpool 2x2/s2 64 @112', 2, 2, 0], ['avgpool 3x3/s1 64 @112', 3, 1, 1]] as const) {
    const out = Math.floor((112 + 2 * pad - k) / st) + 1;
    const p = { n: 1, c: 64, h: 112, w: 112, kh: k, kw: k, strideH: st, strideW: st, padH: pad, padW: pad, dilationH: 1, dilationW: 1, ceilMode: false, isa };
    for (const threads of threadList) {
      native.SetNumThreads(threads);
      const t = name.startsWith('max')
        ? time(() => native.MaxPool2d(x, p))
        : time(() => native.AvgPool2d(x, { ...p, countIncludePad: true, divisorOverride: 0 }));
      row(name, threads, t.med.toFixed(3), t.min.toFixed(3), ((4 * 64 * (112 * 112 + out * out)) / t.med / 1e6).toFixed(1));
    }
  }
  native.SetNumThreads(native.CpuInfo().cores);
}
