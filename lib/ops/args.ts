/** Option parsing shared by the ops: every failure names op, argument, expected and got. */
import { describeValue, rangeError, typeError } from '../errors.js';

/** An integer >= min. */
export function int(op: string, arg: string, v: unknown, min: number): number {
  if (typeof v !== 'number') throw typeError(op, arg, `an integer >= ${min}`, describeValue(v));
  if (!Number.isInteger(v) || v < min) throw rangeError(op, arg, `an integer >= ${min}`, describeValue(v));
  return v;
}

/** A finite number (optionally within [min, max]). */
export function num(op: string, arg: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number') throw typeError(op, arg, 'a number', describeValue(v));
  if (!Number.isFinite(v) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? 'a finite number' : `a number in [${min}, ${max}]`;
    throw rangeError(op, arg, range, describeValue(v));
  }
  return v;
}

export function bool(op: string, arg: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw typeError(op, arg, 'a boolean', describeValue(v));
  return v;
}

/** number | [h, w] -> [h, w], each an integer >= min. */
export function pair(op: string, arg: string, v: unknown, min: number): [number, number] {
  if (typeof v === 'number') {
    const x = int(op, arg, v, min);
    return [x, x];
  }
  if (Array.isArray(v) && v.length === 2) {
    return [int(op, `${arg}[0]`, v[0], min), int(op, `${arg}[1]`, v[1], min)];
  }
  throw typeError(op, arg, `an integer >= ${min} or a pair [h, w]`, describeValue(v));
}

/** Reject option names the op does not know: a typo must not be silently ignored. */
export function checkOptions(op: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw typeError(op, 'options', 'an object', describeValue(options));
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw typeError(op, `options.${key}`, `one of ${known.join(', ')}`, 'an unknown option');
  }
  return options as Record<string, unknown>;
}

/** Normalizes a dim that may be negative (PyTorch style) against a rank. */
export function dimIndex(op: string, arg: string, dim: unknown, rank: number): number {
  const lo = rank === 0 ? -1 : -rank;
  const hi = rank === 0 ? 0 : rank - 1;
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw typeError(op, arg, 'an integer', describeValue(dim));
  if (dim < lo || dim > hi) throw rangeError(op, arg, `a dimension in [${lo}, ${hi}]`, describeValue(dim));
  return dim < 0 ? dim + Math.max(rank, 1) : dim;
}
