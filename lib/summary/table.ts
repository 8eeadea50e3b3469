/** The text table of a Summary, in the spirit of the lecture's VGG-16 table. */
import type { Summary } from './index.js';

const num = (n: number): string => n.toLocaleString('en-US');

/** "58.1 MB" style, base 2 (MiB shown as MB, as the lecture does). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** One line per layer (name, type, output shape, activations, params, MACs, RF, jump), then totals. */
export function formatSummary(s: Summary): string {
  const header = ['Layer', 'Type', 'Output shape', 'Activations', 'Params', 'MACs', 'RF', 'Jump'];
  const body = s.rows.map((r) => [
    r.name,
    r.type,
    `[${r.outputShape.join(', ')}]`,
    num(r.activationBytes / 4) + (r.inPlace ? '*' : ''),
    num(r.params),
    num(r.macs),
    String(r.receptiveField),
    String(r.jump),
  ]);
  const inputRow = ['input', '', `[${s.inputShape.join(', ')}]`, num(s.inputShape.reduce((a, b) => a * b, 1)), '0', '0', '1', '1'];
  const table = [header, inputRow, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const rightAligned = new Set([3, 4, 5, 6, 7]);
  const line = (row: string[]): string =>
    row.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const t = s.totals;
  const batch = s.inputShape[0];
  return [
    `${s.model} summary, input [${s.inputShape.join(', ')}]`,
    rule,
    line(header),
    rule,
    line(inputRow),
    ...body.map(line),
    rule,
    `Total params: ${num(t.params)} (${formatBytes(t.paramBytes)})`,
    `Total MACs: ${num(t.macs)} (conv + linear${batch > 1 ? `, batch of ${batch}` : ''})`,
    `Forward activations: ${num(t.activations)} = ${formatBytes(t.activationBytes)}${batch > 1 ? ` for the batch of ${batch}` : ' / image'} ` +
      '(input + layer outputs; * = in place or a view, not counted again)',
  ].join('\n');
}
