/**
 * The suite's result (written as JSON to bench/results/<name>.json) and its markdown rendering
 * (printed to stdout, and what BENCHMARKS.md holds).
 */
import type { LimitResult } from './machine.js';
import { CHECK_TOLERANCE, type CellResult, type RowResult } from './rows.js';

export interface SectionResult {
  id: 'gemm' | 'conv' | 'pool' | 'models';
  title: string;
  /** What the work column counts: 'GFLOP/s' for GEMM, conv and models, 'Gop/s' for pools. */
  rateUnit: 'GFLOP/s' | 'Gop/s';
  rows: RowResult[];
  notes: string[];
}

export interface BenchResult {
  name: string;
  /** The command line that produced it. */
  command: string;
  date: string;
  quick: boolean;
  machine: Record<string, unknown>;
  /** Peer name -> version. */
  peers: Record<string, string>;
  limits: LimitResult[];
  sections: SectionResult[];
  notes: string[];
  durationS: number;
}

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** Milliseconds with about three significant digits. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

function cellMs(c: CellResult | undefined): string {
  if (!c) return '';
  if (c.unsupported) return 'n/a';
  if (c.error) return 'error';
  return (c.estimateFactor ? '~' : '') + fmtMs(c.medianMs) + (c.warm ? '' : '*');
}

/** Peer time / convnode time: above 1 means convnode is faster. */
function speedup(peer: CellResult | undefined, ours: CellResult | undefined): string {
  if (!peer || !ours) return '';
  if (peer.unsupported) return 'n/a';
  if (peer.error) return 'error';
  const r = peer.medianMs / ours.medianMs;
  if (!Number.isFinite(r)) return '-';
  const s = r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
  return `${peer.estimateFactor ? '~' : ''}${s}x`;
}

function check(row: RowResult): string {
  const errs = Object.values(row.cells).map((c) => c.relErr).filter((e): e is number => e !== undefined);
  if (errs.length === 0) return '';
  const worst = errs.some((e) => Number.isNaN(e)) ? NaN : Math.max(...errs);
  return worst <= CHECK_TOLERANCE ? 'ok' : `MISMATCH ${Number.isNaN(worst) ? 'NaN' : worst.toExponential(1)}`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The machine-limits table. */
export function limitsTable(limits: readonly LimitResult[]): string {
  return table(
    ['measure', 'threads', 'median', 'best', 'unit', 'anchor (project VM)'],
    limits.map((l) => [
      l.kind === 'fma' ? `FMA peak, ${l.isa} (12 acc.)` : 'STREAM triad (3 arrays)',
      String(l.threads), fmt(l.median, 1), fmt(l.best, 1), l.unit, l.anchor !== undefined ? fmt(l.anchor, 1) : '',
    ]),
  );
}

/** One op section as a table: convnode's time and rate, then each peer's speedup. */
export function sectionTable(s: SectionResult, peerNames: readonly string[], peak: ReadonlyMap<number, number>): string {
  const has = (p: string) => s.rows.some((r) => r.cells[p]);
  // The compiled plan and ORT get time columns; ORT is also compared with the plan, the pair
  // that both prepare their weights once.
  const plan = has('convnode-plan');
  const sync = has('convnode-sync');
  const ort = has('ort');
  const others = peerNames.filter((p) => p !== 'convnode' && p !== 'convnode-plan' && has(p));
  const showModel = s.rows.some((r) => r.model && r.id.includes('/') && s.id !== 'models');
  const header = [
    ...(showModel ? ['model'] : []), s.id === 'models' ? 'model' : 'shape', 'N', 'T',
    'convnode ms', s.rateUnit, ...(s.rateUnit === 'GFLOP/s' ? ['% peak'] : []),
    ...(plan ? ['plan ms'] : []), ...(ort ? ['ORT ms'] : []), ...(plan && ort ? ['ORT vs plan'] : []),
    ...others.map((p) => `vs ${p}`), ...(sync ? ['runSync ms'] : []), ...(sync && ort ? ['ORT vs runSync'] : []),
    'check',
  ];
  const rows = s.rows.map((r) => {
    const ours = r.cells.convnode;
    const rate = ours && !ours.error ? r.work / (ours.medianMs * 1e6) : NaN;
    const p = peak.get(r.threads);
    return [
      ...(showModel ? [r.model ?? ''] : []), r.label, String(r.batch), String(r.threads),
      cellMs(ours), fmt(rate, 1),
      ...(s.rateUnit === 'GFLOP/s' ? [p && Number.isFinite(rate) ? `${((100 * rate) / p).toFixed(1)}%` : '-'] : []),
      ...(plan ? [cellMs(r.cells['convnode-plan'])] : []),
      ...(ort ? [cellMs(r.cells.ort)] : []),
      ...(plan && ort ? [speedup(r.cells.ort, r.cells['convnode-plan'])] : []),
      ...others.map((name) => speedup(r.cells[name], ours)),
      ...(sync ? [cellMs(r.cells['convnode-sync'])] : []),
      ...(sync && ort ? [speedup(r.cells.ort, r.cells['convnode-sync'])] : []),
      check(r),
    ];
  });
  return table(header, rows);
}

const LEGEND = [
  '`vs X` = X\'s median time / convnode\'s (eager op) median time at the same batch and threads: above 1 means convnode is faster.',
  '`plan` = the same op compiled by cn.InferenceSession (weights prepared once, run with `session.runSync(x)`: onnxruntime-node\'s `run` also executes on the JS thread, inside a setImmediate); `ORT vs plan` = ORT ms / plan ms, the like-for-like pair (both prepare weights once). The whole-model rows time `await session.run(x)` (`convnode ms`, `vs ort`), which runs off the event loop and adds the hand-off to convnode\'s native queue and back, and `session.runSync(x)` (`runSync ms`, `ORT vs runSync`), which like ORT\'s run executes on the JS thread.',
  'Single-threaded peers (tfjs-cpu, tfjs-wasm, naive, convnetjs) appear in the 1-thread rows only.',
  '`~` = estimated: the naive reference and convnetjs are timed on a slice of the case (one image, fewer output channels or rows) and scaled linearly.',
  '`*` = one cold run only (the first run exceeded the time budget).',
  '`check` = largest |peer - convnode| / largest |convnode| over the peers whose output was compared; ok below 1e-3.',
  '`n/a` = the peer has no such op (convnetjs: grouped/depthwise conv); `error` = it failed (the JSON has the message).',
  '% peak divides by T x the best 1-thread pass of the FMA peak loop (best ISA): other load only slows a pass down, so the best pass is the peak, and a 1-thread pass finds a quiet moment far more easily than a T-thread one. Winograd layers can exceed 100%: their rate counts direct-convolution FLOPs.',
];

/**
 * The "% peak" denominators: T x the best 1-thread pass of the best ISA's FMA loop (T capped at
 * the cores). Not the measured T-thread figure: a T-thread pass is only as fast as its slowest
 * thread, so on a shared machine it can read 10x low (seen on the project VM under load), while
 * a 1-thread pass finds a quiet moment easily. The measured figure stays in the limits table.
 */
export function peakPerThreadCount(r: BenchResult): Map<number, number> {
  const best = r.limits.find((l) => l.kind === 'fma')?.isa;
  const one = r.limits.find((l) => l.kind === 'fma' && l.isa === best && l.threads === 1);
  const cores = typeof r.machine.cores === 'number' ? r.machine.cores : Infinity;
  const out = new Map<number, number>();
  if (!one) return out;
  for (const l of r.limits) if (l.kind === 'fma') out.set(l.threads, one.best * Math.min(l.threads, cores));
  for (const s of r.sections) for (const row of s.rows) out.set(row.threads, one.best * Math.min(row.threads, cores));
  return out;
}

/** The whole report as markdown. */
export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  const peak = peakPerThreadCount(r);
  const peerNames = ['convnode', ...Object.keys(r.peers).filter((p) => p !== 'convnode')];
  const out: string[] = [];
  out.push(`## Run \`${r.name}\` (${r.date})`, '');
  out.push(`- command: \`${r.command}\` (${r.durationS.toFixed(0)} s)`);
  out.push(`- machine: ${m.cpuModel}, ${m.cores} cores, ISA in use ${m.isa}, OpenMP ${m.openmp ? 'on' : 'off'}, load average at start ${m.loadavg}`);
  out.push(`- node ${m.node}, ${m.platform}-${m.arch}`);
  out.push(`- peers: ${Object.entries(r.peers).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const n of r.notes) out.push(`- ${n}`);
  out.push('');
  if (r.limits.length) out.push('### Machine limits', '', limitsTable(r.limits), '');
  for (const s of r.sections) {
    out.push(`### ${s.title}`, '');
    for (const n of s.notes) out.push(`- ${n}`);
    if (s.notes.length) out.push('');
    if (s.rows.length) out.push(sectionTable(s, peerNames, peak), '');
  }
  out.push('### Legend', '', ...LEGEND.map((l) => `- ${l}`), '');
  return out.join('\n');
}

/** One progress line per row (stderr), so a long run shows where it is. */
export function progressLine(row: RowResult): string {
  const parts = Object.entries(row.cells).map(([peer, c]) => `${peer} ${cellMs(c)}${c.error ? ` (${c.error})` : ''}`);
  return `  ${row.model ? row.model + ' ' : ''}${row.label} N=${row.batch} T=${row.threads}: ${parts.join(', ')}`;
}
