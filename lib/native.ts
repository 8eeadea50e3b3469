/**
 * The one place that loads the addon. The interface below declares exactly what the C++
 * binding exports (native/binding/*.cc); nothing else in lib/ touches the raw module.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConvParams {
  n: number; cin: number; h: number; w: number;
  cout: number; kh: number; kw: number;
  strideH: number; strideW: number;
  padTop: number; padBottom: number; padLeft: number; padRight: number;
  dilationH: number; dilationW: number;
  groups: number;
  /** 'auto' when absent; see Conv2dOptions.algo. */
  algo?: 'auto' | 'direct' | 'im2col' | 'gemm1x1' | 'winograd' | 'depthwise';
  /** Fuse max(0, .) into the output store. */
  relu?: boolean;
  /** Run this supported ISA's kernels instead of the active one (tests, benchmarks). */
  isa?: NativeIsa;
  /**
   * Conv2dBackwardWeight only (tests, benchmarks): 'gemm' (im2col + packed SGEMM), 'dot'
   * (im2col + in-place dot-product kernel, for few output channels and taps), 'shifted' (the
   * same kernel reading the input as shifted views, no im2col; stride 1, else 'dot'), 'auto'.
   */
  weightGradAlgo?: 'auto' | 'gemm' | 'dot' | 'shifted';
  /** Winograd only: force F(2x2,3x3) or F(4x4,3x3) (tests, benches); absent = the heuristic. */
  winogradTile?: 2 | 4;
  /** Weights prepacked once by Conv2dPrepack for this weight shape (compiled plans). */
  prepacked?: PrepackedConv;
}

/** Opaque native handle: conv weights transformed or packed once, freed by the GC. */
export interface PrepackedConv {
  readonly __brand: 'convnode.PrepackedConv';
}

export interface PoolParams {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
  ceilMode: boolean;
  /** MaxPool2d / AvgPool2d: run this supported ISA's kernel (tests, benchmarks). */
  isa?: NativeIsa;
}

export interface NativeCpuInfo {
  isa: 'generic' | 'avx2' | 'avx512';
  bestIsa: 'generic' | 'avx2' | 'avx512';
  requestedIsa: string;
  availableIsas: string[];
  features: Record<string, boolean>;
  cores: number;
  openmp: boolean;
  threads: number;
  mallocTuned: boolean;
}

export interface NativeAddon {
  Release(buffer: ArrayBuffer): boolean;
  Memory(): { outputsAllocated: number; outputBytesAllocated: number };
  DataAddressMod64(array: ArrayBufferView): number;
  /** Linux, tests: n floats ending right before an inaccessible page (before: starting right after one). */
  GuardedFloat32Array?(n: number, before?: boolean): Float32Array;
  CpuInfo(): NativeCpuInfo;
  SetNumThreads(n: number): void;
  GetNumThreads(): number;
  /** The CPU each member of an OpenMP team of n threads on the calling thread runs on (-1: unknown). */
  TeamCpus(n: number): number[];
  /** Moves members of a team of n threads that share a CPU onto free ones; returns how many moved. */
  SpreadTeam(n: number): number;
  Conv2d(x: Float32Array, w: Float32Array, b: Float32Array | null, p: ConvParams): Float32Array;
  /**
   * Prepares weights once for p.algo ('winograd': U = G g G^T; 'im2col' / 'gemm1x1': SGEMM panel
   * layout of p.isa or the active ISA; 'auto' or absent: what 'auto' would run). Pass the handle
   * as params.prepacked; freed by the GC (its size is reported to V8).
   */
  Conv2dPrepack(w: Float32Array, p: ConvParams): PrepackedConv;
  /** The algorithm 'auto' picks for this layer. */
  ConvAlgoFor(p: ConvParams): string;
  MaxPool2d(x: Float32Array, p: PoolParams): Float32Array;
  AvgPool2d(x: Float32Array, p: PoolParams & { countIncludePad: boolean; divisorOverride: number }): Float32Array;
  LpPool2d(x: Float32Array, p: PoolParams & { p: number }): Float32Array;
  AdaptiveAvgPool2d(x: Float32Array, p: { n: number; c: number; h: number; w: number; outH: number; outW: number }): Float32Array;
  AdaptiveMaxPool2d(x: Float32Array, p: { n: number; c: number; h: number; w: number; outH: number; outW: number }): Float32Array;
  Linear(x: Float32Array, w: Float32Array, b: Float32Array | null, p: { rows: number; inFeatures: number; outFeatures: number }): Float32Array;
  /** BLAS-shaped SGEMM for tests and benchmarks (every ISA, transposes, alpha/beta, epilogue). */
  Sgemm(a: Float32Array, b: Float32Array, c: Float32Array | null, p: SgemmParams): Float32Array;
  Matmul(a: Float32Array, b: Float32Array, offsetsA: Float64Array, offsetsB: Float64Array, p: { batch: number; m: number; k: number; n: number }): Float32Array;
  Relu(x: Float32Array): Float32Array;
  Relu6(x: Float32Array): Float32Array;
  LeakyRelu(x: Float32Array, negativeSlope: number): Float32Array;
  Sigmoid(x: Float32Array): Float32Array;
  Tanh(x: Float32Array): Float32Array;
  Add(a: Float32Array, b: Float32Array, p: BroadcastParams): Float32Array;
  Sub(a: Float32Array, b: Float32Array, p: BroadcastParams): Float32Array;
  Mul(a: Float32Array, b: Float32Array, p: BroadcastParams): Float32Array;
  Div(a: Float32Array, b: Float32Array, p: BroadcastParams): Float32Array;
  Softmax(x: Float32Array, p: { outer: number; dim: number; inner: number }): Float32Array;
  LogSoftmax(x: Float32Array, p: { outer: number; dim: number; inner: number }): Float32Array;
  Concat(parts: Float32Array[], p: { sizes: number[]; outer: number; inner: number }): Float32Array;
  Dropout(x: Float32Array, p: number, seed: number): [Float32Array, Float32Array];
  BatchNorm2d(x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, p: { n: number; c: number; inner: number; eps: number }): Float32Array;
  Lrn(x: Float32Array, p: LrnParams): Float32Array;

  // Gradients (native/binding/*_backward.cc).
  Conv2dBackwardInput(dy: Float32Array, w: Float32Array, p: ConvParams): Float32Array;
  Conv2dBackwardWeight(dy: Float32Array, x: Float32Array, p: ConvParams, withBias: boolean): [Float32Array, Float32Array | null];
  MaxPool2dBackward(x: Float32Array, y: Float32Array, dy: Float32Array, p: PoolParams): Float32Array;
  AvgPool2dBackward(dy: Float32Array, p: PoolParams & { countIncludePad: boolean; divisorOverride: number }): Float32Array;
  LpPool2dBackward(x: Float32Array, y: Float32Array, dy: Float32Array, p: PoolParams & { p: number }): Float32Array;
  AdaptiveAvgPool2dBackward(dy: Float32Array, p: AdaptiveParams): Float32Array;
  AdaptiveMaxPool2dBackward(x: Float32Array, dy: Float32Array, p: AdaptiveParams): Float32Array;
  Gemm(a: Float32Array, b: Float32Array, p: { m: number; n: number; k: number; transA: boolean; transB: boolean; alpha: number }): Float32Array;
  ReluBackward(y: Float32Array, dy: Float32Array): Float32Array;
  Relu6Backward(x: Float32Array, dy: Float32Array): Float32Array;
  LeakyReluBackward(x: Float32Array, dy: Float32Array, negativeSlope: number): Float32Array;
  SigmoidBackward(y: Float32Array, dy: Float32Array): Float32Array;
  TanhBackward(y: Float32Array, dy: Float32Array): Float32Array;
  SoftmaxBackward(y: Float32Array, dy: Float32Array, p: { outer: number; dim: number; inner: number }): Float32Array;
  LogSoftmaxBackward(y: Float32Array, dy: Float32Array, p: { outer: number; dim: number; inner: number }): Float32Array;
  CrossEntropy(logits: Float32Array, labels: Int32Array, p: { n: number; c: number; smoothing: number; ignoreIndex: number }): [Float32Array, Float32Array];
  BatchNorm2dTrain(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, p: { n: number; c: number; inner: number; eps: number }): [Float32Array, Float32Array, Float32Array, Float32Array];
  BatchNorm2dBackward(x: Float32Array, dy: Float32Array, mean: Float32Array, invStd: Float32Array, gamma: Float32Array | null, p: { n: number; c: number; inner: number; training: boolean; affine: boolean }): [Float32Array, Float32Array | null, Float32Array | null];
  LrnBackward(x: Float32Array, dy: Float32Array, p: LrnParams): Float32Array;

  // Compiled plans (native/binding/session.cc); the description is built by lib/session/compile.ts.
  PlanCreate(desc: object): PlanHandle;
  PlanRun(handle: PlanHandle, input: Float32Array): Promise<Float32Array>;
  /** onMainThread: the caller is the process's main JS thread (the run executes on it). */
  PlanRunSync(handle: PlanHandle, input: Float32Array, onMainThread: boolean): Float32Array;
  PlanInfo(handle: PlanHandle): { arenaBytes: number; convAlgorithms: string[]; steps: number };
  /** Profiling only: one step run `reps` times alone; ms per rep. */
  PlanBenchStep(handle: PlanHandle, index: number, reps: number, onExecutor: boolean): Float64Array;
  /** One line per plan step: op, shape, algorithm, fusions. */
  PlanDescribe(handle: PlanHandle): string[];

  // Benchmark suite only (native/binding/bench.cc): machine limits, timed per pass.
  PeakFma(isa: 'avx512' | 'avx2', iterations: number, passes: number): { seconds: Float64Array; threads: number; flopsPerPass: number };
  StreamTriad(elements: number, passes: number): { seconds: Float64Array; threads: number; bytesPerPass: number; check: number };
}

/** An opaque native plan (type-tagged External). */
export type PlanHandle = { readonly __plan: unique symbol };

export interface AdaptiveParams {
  n: number; c: number; h: number; w: number; outH: number; outW: number;
}

export interface LrnParams {
  n: number; c: number; inner: number; size: number; alpha: number; beta: number; k: number;
}

export type NativeIsa = 'generic' | 'avx2' | 'avx512';

export interface SgemmParams {
  m: number; n: number; k: number;
  transA: boolean; transB: boolean;
  lda: number; ldb: number; ldc: number;
  alpha: number; beta: number;
  bias?: Float32Array; biasMode?: 'none' | 'row' | 'col'; relu?: boolean;
  /** min(., clampMax) after the ReLU (ReLU6 = relu + 6). */
  clampMax?: number;
  /** Run this ISA's micro-kernel instead of the active one (must be supported). */
  isa?: NativeIsa;
  threads?: number;
}

export interface BroadcastParams {
  outShape: number[];
  stridesA: number[];
  stridesB: number[];
}

/** The package root: dist/native.js and lib/native.ts both sit one level below it. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * libgomp spins a waiting thread for 300,000 iterations by default before sleeping. When the
 * cores are shared (another process, a second session), spinning threads steal the time the
 * working thread needs: LeNet-5 training with 2 threads on the loaded 2-core dev machine ran at
 * 1,349 images/s by default and 7,214 with GOMP_SPINCOUNT=10000 (1 thread: 7,723; 2026-11-25,
 * /tmp/trainspeed.mjs). One spin is a PAUSE, ~23 ns on this Zen 5, so 10,000 spins are ~230 us
 * and 1,000 ~23 us. Since session runs stopped being throttled to 100 spins (core/threading.cc),
 * a plan's ~50-100 parallel regions per run wait with this count too, and with another tenant
 * busy on the second core 10,000 spins per barrier cost a whole run's worth of time
 * (2026-11-25, 2 threads, medians): ResNet-18 plan 48.4 ms at 10,000 vs 19.6 at 1,000,
 * MobileNetV2 45.3 vs 10.1, LeNet-5 eager training 4,901 vs 9,129 images/s. On a quiet machine
 * 1,000 still covers the gaps inside a run: ResNet-18 10.1 vs 10.0 ms, MobileNetV2 2.88 vs
 * 3.24 ms (2 threads; 1 thread 15-16 / 5.1 ms). libgomp reads the variable when the addon
 * loads it, so it is set just before; a value the user set (or OMP_WAIT_POLICY) wins.
 */
function tuneOpenMpWaiting(): void {
  if (process.env.GOMP_SPINCOUNT === undefined && process.env.OMP_WAIT_POLICY === undefined) {
    process.env.GOMP_SPINCOUNT = '1000';
  }
}

function loadAddon(): NativeAddon {
  tuneOpenMpWaiting();
  const require = createRequire(import.meta.url);
  const override = process.env.CONVNODE_ADDON_PATH;
  if (override) return require(path.resolve(override)) as NativeAddon;
  const tried: string[] = [];
  try {
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeAddon;
    return nodeGypBuild(packageRoot);
  } catch (err) {
    tried.push(`node-gyp-build(${packageRoot}): ${(err as Error).message.split('\n')[0]}`);
  }
  const candidates = [
    path.join(packageRoot, 'build', 'Release', 'convnode.node'),
    path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`),
  ];
  for (const candidate of candidates) {
    tried.push(`${candidate}: ${fs.existsSync(candidate) ? 'present but not loadable' : 'not found'}`);
  }
  throw new Error(
    `convnode: could not load the native addon for ${process.platform}-${process.arch}, ` +
      `node ${process.version} (N-API ${process.versions.napi}).\nTried:\n  ${tried.join('\n  ')}\n` +
      'To build it from source (needs g++, make and python3): `npm rebuild convnode`, ' +
      "or let npm run convnode's install script (it was skipped if you installed with " +
      '--ignore-scripts or without approving dependency scripts).',
  );
}

export const native: NativeAddon = loadAddon();
