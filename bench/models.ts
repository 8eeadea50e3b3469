/**
 * Whole models: convnode's compiled InferenceSession against onnxruntime-node on the same
 * weights. It needs three things that other work delivers: cn.models (the zoo),
 * cn.InferenceSession, and an ONNX exporter for ORT's copy of the weights (looked up as
 * cn.onnx.toBytes(model, { inputShape }) -> Uint8Array). The section detects them at run
 * time and says what is missing instead of failing, so the suite runs on every branch.
 */
import * as cnModule from '../lib/index.js';
import { relativeError, uniform } from './data.js';
import type { RowResult } from './rows.js';
import { measure, type TimingOptions } from './timing.js';

/** Zoo factory names (DESIGN.md), input 224x224 RGB. */
export const MODEL_NAMES = ['resnet18', 'resnet50', 'vgg16', 'alexnet', 'googlenet', 'mobilenetV2'] as const;

type AnyFn = (...args: unknown[]) => unknown;
interface SessionLike {
  run(x: unknown): Promise<unknown>;
  /** The blocking variant, when the session has one: timed as its own cell (convnode-sync). */
  runSync?: (x: unknown) => unknown;
  release?: () => unknown;
  dispose?: () => unknown;
}

/** The parts of convnode's API the section needs, each optional because it may not exist yet. */
export interface ModelApi {
  /** cn.models: factory per zoo name. */
  models?: Record<string, AnyFn>;
  /** cn.InferenceSession: create(model, { inputShape }) -> { run(x) }. */
  session?: { create: AnyFn };
  /** cn.onnx.toBytes(model, { inputShape }) -> ONNX bytes, for ORT's copy of the weights. */
  exportOnnx?: AnyFn;
  /** cn.summary(model, inputShape) -> { totals: { macs } }, for the GFLOP/s column. */
  summary?: AnyFn;
}

/** The optional parts of the API, read loosely because they may not exist in this build. */
export function optionalApi(): ModelApi {
  const cn = cnModule as unknown as Record<string, unknown>;
  const onnx = cn.onnx as Record<string, unknown> | undefined;
  return {
    models: cn.models as Record<string, AnyFn> | undefined,
    session: cn.InferenceSession as { create: AnyFn } | undefined,
    exportOnnx: typeof onnx?.toBytes === 'function' ? (onnx.toBytes as AnyFn) : undefined,
    summary: typeof cn.summary === 'function' ? (cn.summary as AnyFn) : undefined,
  };
}

function tensorData(t: unknown): Float32Array | null {
  if (t && typeof t === 'object' && 'data' in t && (t as { data: unknown }).data instanceof Float32Array) return (t as { data: Float32Array }).data;
  return null;
}

/** FLOPs of one image from cn.summary's MAC total, when summary exists. */
function modelFlops(summary: AnyFn | undefined, model: unknown): number {
  if (!summary) return NaN;
  try {
    const s = summary(model, [1, 3, 224, 224]) as { totals?: { macs?: number } };
    return typeof s.totals?.macs === 'number' ? 2 * s.totals.macs : NaN;
  } catch {
    return NaN;
  }
}

export interface ModelOptions {
  threads: readonly number[];
  batches: readonly number[];
  timing: TimingOptions;
  names: readonly string[];
  onRow?: (row: RowResult) => void;
}

/** Runs the models section, or returns only notes saying why it cannot run here. */
export async function runModels(o: ModelOptions, api: ModelApi = optionalApi()): Promise<{ rows: RowResult[]; notes: string[] }> {
  const notes: string[] = [];
  if (!api.models || !api.session) {
    const missing = [!api.models && 'cn.models', !api.session && 'cn.InferenceSession'].filter(Boolean).join(' and ');
    return { rows: [], notes: [`Skipped: ${missing} not in this build.`] };
  }
  let ort: typeof import('onnxruntime-node') | null = null;
  if (!api.exportOnnx) notes.push('ORT column empty: no ONNX exporter (cn.onnx.toBytes) in this build, so ORT cannot get the same weights.');
  else ort = await import('onnxruntime-node');
  const rows: RowResult[] = [];
  for (const name of o.names) {
    const factory = api.models[name];
    if (typeof factory !== 'function') {
      notes.push(`${name}: not in cn.models.`);
      continue;
    }
    const model = factory();
    const flopsPerImage = modelFlops(api.summary, model);
    for (const batch of o.batches) {
      const shape = [batch, 3, 224, 224];
      const input = uniform(batch * 3 * 224 * 224, 5);
      const bytes = api.exportOnnx ? ((await api.exportOnnx(model, { inputShape: shape })) as Uint8Array) : null;
      for (const threads of o.threads) {
        const row: RowResult = { id: `model/${name}`, label: name, model: name, batch, threads, work: flopsPerImage * batch, cells: {} };
        let reference: Float32Array | null = null;
        try {
          cnModule.setNumThreads(threads);
          const session = (await api.session.create(model, { inputShape: shape })) as SessionLike;
          const x = cnModule.tensor(input, shape);
          let out: unknown = null;
          const t = await measure(async () => { out = await session.run(x); }, o.timing);
          reference = tensorData(out) ? Float32Array.from(tensorData(out)!) : null;
          row.cells.convnode = { medianMs: t.medianMs, minMs: t.minMs, runs: t.runs, warm: t.warm };
          // runSync executes on the JS thread, as onnxruntime-node's run does (inside a
          // setImmediate); run() above also pays the hand-off to convnode's queue and back.
          if (typeof session.runSync === 'function') {
            const runSync = session.runSync.bind(session);
            let outSync: unknown = null;
            const ts = await measure(() => { outSync = runSync(x); }, o.timing);
            row.cells['convnode-sync'] = { medianMs: ts.medianMs, minMs: ts.minMs, runs: ts.runs, warm: ts.warm };
            const syncData = tensorData(outSync);
            if (syncData && reference) row.cells['convnode-sync'].relErr = relativeError(syncData, reference);
          }
          await session.release?.();
          await session.dispose?.();
        } catch (err) {
          row.cells.convnode = { medianMs: NaN, minMs: NaN, runs: 0, warm: false, error: (err as Error).message.split('\n')[0] };
        }
        if (ort && bytes) {
          try {
            const s = await ort.InferenceSession.create(bytes, {
              executionProviders: ['cpu'], graphOptimizationLevel: 'all',
              intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
            });
            const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', input, shape) };
            let out: Float32Array | null = null;
            const t = await measure(async () => { out = (await s.run(feeds))[s.outputNames[0]].data as Float32Array; }, o.timing);
            row.cells.ort = { medianMs: t.medianMs, minMs: t.minMs, runs: t.runs, warm: t.warm };
            if (out && reference) row.cells.ort.relErr = relativeError(out, reference);
            await s.release();
          } catch (err) {
            row.cells.ort = { medianMs: NaN, minMs: NaN, runs: 0, warm: false, error: (err as Error).message.split('\n')[0] };
          }
        }
        rows.push(row);
        o.onRow?.(row);
      }
    }
  }
  return { rows, notes };
}
