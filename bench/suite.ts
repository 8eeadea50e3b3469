/**
 * The suite as a function: a config in, a BenchResult out. bench/run.ts turns the command line
 * into a config; the smoke test runs it on tiny shapes.
 */
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as cn from '../lib/index.js';
import type { ConvLayer, GemmShape, PoolLayer } from './layers.js';
import { measureLimits, type LimitOptions } from './machine.js';
import { runModels } from './models.js';
import { convnetjsPeer } from './peers/convnetjs.js';
import { convnodePeer } from './peers/convnode.js';
import { naivePeer } from './peers/naive.js';
import { ortPeer } from './peers/ort.js';
import { sessionPeer } from './peers/session.js';
import { tfjsPeers } from './peers/tfjs.js';
import type { Peer } from './peers/types.js';
import type { BenchResult, SectionResult } from './report.js';
import { progressLine } from './report.js';
import { runRows, type RowOptions } from './rows.js';
import { convRows, gemmRows, poolRows } from './sections.js';
import type { TimingOptions } from './timing.js';

export type SectionId = 'limits' | 'gemm' | 'conv' | 'pool' | 'models';
export const ALL_SECTIONS: readonly SectionId[] = ['limits', 'gemm', 'conv', 'pool', 'models'];
export const ALL_PEERS = ['plan', 'ort', 'tfjs-wasm', 'tfjs-cpu', 'naive', 'convnetjs'] as const;

export interface SuiteConfig {
  name: string;
  command: string;
  quick: boolean;
  sections: readonly SectionId[];
  /** Peers besides convnode. */
  peers: readonly string[];
  threads: readonly number[];
  batches: readonly number[];
  gemms: readonly GemmShape[];
  layers: readonly ConvLayer[];
  pools: readonly PoolLayer[];
  models: readonly string[];
  modelBatches: readonly number[];
  timing: TimingOptions;
  slowTiming: TimingOptions;
  modelTiming: TimingOptions;
  limits: LimitOptions;
  /** Time per call above which the naive reference and convnetjs are timed on a slice and scaled. */
  slowBudgetMs: number;
  /** conv2d's algo option for convnode ('auto' by default). */
  algo: string;
  /** Lines for the report's header (the CLI's --note). */
  notes?: readonly string[];
  /** Progress lines (stderr in the CLI; silent in tests). */
  log: (line: string) => void;
}

/** convnode first (it is the reference output), then the requested peers that load. */
async function loadPeers(cfg: SuiteConfig, notes: string[]): Promise<Peer[]> {
  const peers: Peer[] = [convnodePeer(cfg.algo)];
  if (cfg.peers.includes('plan')) {
    const plan = sessionPeer();
    if (plan) peers.push(plan);
    else notes.push('convnode-plan skipped: no cn.InferenceSession in this build.');
  }
  if (cfg.peers.includes('ort')) {
    try {
      peers.push(await ortPeer());
    } catch (err) {
      notes.push(`ort unavailable: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const wantCpu = cfg.peers.includes('tfjs-cpu');
  const wantWasm = cfg.peers.includes('tfjs-wasm');
  if (wantCpu || wantWasm) {
    try {
      const tf = await tfjsPeers({ cpu: wantCpu, wasm: wantWasm });
      // wasm before cpu: fast peers first, so a slow one never delays the others' rows much.
      peers.push(...tf.peers.filter((p) => p.name === 'tfjs-wasm'), ...tf.peers.filter((p) => p.name === 'tfjs-cpu'));
      notes.push(...tf.notes);
    } catch (err) {
      notes.push(`tfjs unavailable: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (cfg.peers.includes('naive')) peers.push(naivePeer(cfg.slowBudgetMs));
  if (cfg.peers.includes('convnetjs')) {
    try {
      peers.push(convnetjsPeer(cfg.slowBudgetMs));
    } catch (err) {
      notes.push(`convnetjs unavailable: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return peers;
}

function machineInfo(): Record<string, unknown> {
  const info = cn.cpuInfo();
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: info.cores,
    isa: info.isa,
    bestIsa: info.bestIsa,
    openmp: info.openmp,
    cpuInfo: info,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

/** Runs the configured sections; never throws for a missing peer or a failing row. */
export async function runBench(cfg: SuiteConfig): Promise<BenchResult> {
  const start = performance.now();
  const notes: string[] = [...(cfg.notes ?? [])];
  const threadsBefore = cn.getNumThreads();
  const machine = machineInfo();
  const peers = await loadPeers(cfg, notes);
  const result: BenchResult = {
    name: cfg.name, command: cfg.command, date: new Date().toISOString(), quick: cfg.quick, machine,
    peers: Object.fromEntries(peers.map((p) => [p.name, p.version])), limits: [], sections: [], notes, durationS: 0,
  };
  try {
    if (cfg.sections.includes('limits')) {
      cfg.log('machine limits');
      result.limits = measureLimits(cfg.threads, cfg.limits);
    }
    const rowOptions: RowOptions = {
      threads: cfg.threads, timing: cfg.timing, slowTiming: cfg.slowTiming,
      onRow: (row) => cfg.log(progressLine(row)),
    };
    const add = (s: SectionResult) => result.sections.push(s);
    if (cfg.sections.includes('gemm') && cfg.gemms.length) {
      cfg.log('SGEMM (cn.matmul)');
      add({ id: 'gemm', title: 'SGEMM (cn.matmul, row-major, both operands as inputs)', rateUnit: 'GFLOP/s', notes: [], rows: await runRows(gemmRows(cfg.gemms), peers, rowOptions) });
    }
    if (cfg.sections.includes('conv') && cfg.layers.length) {
      cfg.log('conv layers (cn.conv2d)');
      add({
        id: 'conv', title: 'Conv layers (cn.conv2d with bias; every distinct layer of VGG-16, AlexNet, ResNet-50, MobileNetV2 at 224x224)',
        rateUnit: 'GFLOP/s', notes: [], rows: await runRows(convRows(cfg.layers, cfg.batches), peers, rowOptions),
      });
    }
    if (cfg.sections.includes('pool') && cfg.pools.length) {
      cfg.log('max pool (cn.maxPool2d)');
      add({
        id: 'pool', title: 'Max pool (cn.maxPool2d; rate = window comparisons k*k*outputs per second)',
        rateUnit: 'Gop/s', notes: [], rows: await runRows(poolRows(cfg.pools, cfg.batches), peers, rowOptions),
      });
    }
    if (cfg.sections.includes('models')) {
      cfg.log('whole models');
      const m = await runModels({
        threads: cfg.threads, batches: cfg.modelBatches, timing: cfg.modelTiming, names: cfg.models,
        onRow: (row) => cfg.log(progressLine(row)),
      });
      for (const n of m.notes) cfg.log(`  ${n}`);
      add({ id: 'models', title: 'Whole models (InferenceSession vs onnxruntime-node, same weights, 224x224)', rateUnit: 'GFLOP/s', notes: m.notes, rows: m.rows });
    }
  } finally {
    cn.setNumThreads(threadsBefore);
  }
  result.durationS = (performance.now() - start) / 1000;
  return result;
}
