/**
 * A/B of two addon builds (or one build under two environment settings) on the same compiled
 * plan, step by step or whole runs, interleaved in one process (a shared machine drifts; minima
 * of interleaved repetitions keep the comparison honest). Env toggles read once per addon copy
 * (CONVNODE_MAXPOOL_DIRECT, CONVNODE_DW_S2_NARROW, CONVNODE_DWFUSE_BAND, ...) are set from ENVA /
 * ENVB ("NAME=value") just before each copy creates its plan, so copy both .node files first:
 *   cp build/Release/convnode.node /tmp/a.node; cp build/Release/convnode.node /tmp/b.node
 *   ENVA=CONVNODE_MAXPOOL_DIRECT=0 ENVB=CONVNODE_MAXPOOL_DIRECT=1 \
 *     npx tsx bench/ab-plan-builds.ts googlenet maxPool /tmp/a.node /tmp/b.node
 *   npx tsx bench/ab-plan-builds.ts mobilenetV2 WHOLE /tmp/base.node /tmp/new.node   # whole runs
 * Args: model, step filter (a regex over the step descriptions, or WHOLE), build A, build B,
 * [reps = 30 step rounds of 10 / 400 whole runs]. 224x224, THREADS (default 1), BATCH (default 1).
 */
import { createRequire } from 'node:module';
import * as cn from '../lib/index.js';

interface Addon {
  SetNumThreads(n: number): void;
  PlanCreate(desc: unknown): unknown;
  PlanRunSync(h: unknown, x: Float32Array): Float32Array;
  PlanDescribe(h: unknown): string[];
  PlanBenchStep(h: unknown, index: number, reps: number, onExecutor: boolean): Float64Array;
}
const require = createRequire(import.meta.url);
const [name = 'googlenet', filter = 'WHOLE', pathA = '/tmp/a.node', pathB = '/tmp/b.node', repsArg] = process.argv.slice(2);
// THREADS=N runs both copies on N kernel threads (default 1).
const threads = Number(process.env.THREADS ?? 1);
cn.setNumThreads(threads);
const zoo = cn.models as unknown as Record<string, () => cn.nn.Module>;
const model = zoo[name]();
model.eval();
const batch = Number(process.env.BATCH ?? 1);
const session = await cn.InferenceSession.create(model, { inputShape: [batch, 3, 224, 224] });
const desc = [...(session as unknown as { compiled: Map<string, { desc: unknown }> }).compiled.values()][0].desc;
const x = new Float32Array(batch * 3 * 224 * 224).map(() => Math.random() - 0.5);
// Each copy runs its plan once before the next env is set: toggles are read at first use.
const load = (path: string, env: string | undefined): { addon: Addon; handle: unknown; y: Float32Array } => {
  if (env) {
    const eq = env.indexOf('=');
    process.env[env.slice(0, eq)] = env.slice(eq + 1);
  }
  const addon = require(path) as Addon;
  addon.SetNumThreads(threads);
  const handle = addon.PlanCreate(desc);
  return { addon, handle, y: addon.PlanRunSync(handle, x) };
};
const A = load(pathA, process.env.ENVA), B = load(pathB, process.env.ENVB);
const ya = A.y, yb = B.y;
let diff = 0, scale = 0;
for (let i = 0; i < ya.length; i++) { diff = Math.max(diff, Math.abs(ya[i] - yb[i])); scale = Math.max(scale, Math.abs(ya[i])); }
const minOf = (a: Float64Array): number => a.reduce((m, v) => Math.min(m, v), Infinity);
if (filter === 'WHOLE') {
  const reps = Number(repsArg ?? 400), tA: number[] = [], tB: number[] = [];
  for (let r = 0; r < reps; r += 10) {
    for (const [s, t] of [[A, tA], [B, tB]] as const) {
      for (let i = 0; i < 10; i++) { const t0 = performance.now(); s.addon.PlanRunSync(s.handle, x); t.push(performance.now() - t0); }
    }
  }
  const st = (a: number[]): string => { const q = [...a].sort((u, v) => u - v); return `min ${q[0].toFixed(3)} med ${q[q.length >> 1].toFixed(3)}`; };
  console.log(`${name} b${batch} whole: A ${st(tA)} | B ${st(tB)} | rel diff ${(diff / scale).toExponential(1)}`);
} else {
  const rounds = Number(repsArg ?? 30);
  let sumA = 0, sumB = 0;
  A.addon.PlanDescribe(A.handle).forEach((line, i) => {
    if (!new RegExp(filter).test(line)) return;
    let a = Infinity, b = Infinity;
    for (let r = 0; r < rounds; r++) {
      a = Math.min(a, minOf(A.addon.PlanBenchStep(A.handle, i, 10, false)));
      b = Math.min(b, minOf(B.addon.PlanBenchStep(B.handle, i, 10, false)));
    }
    sumA += a; sumB += b;
    console.log(`${i} ${line}: A ${a.toFixed(4)} B ${b.toFixed(4)}`);
  });
  console.log(`sum A ${sumA.toFixed(3)} B ${sumB.toFixed(3)} | rel diff ${(diff / scale).toExponential(1)}`);
}
