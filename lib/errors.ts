/**
 * One message shape for every user error: "<op>: <argument>: expected <X>, got <Y>".
 * TypeError for a wrong kind of value, RangeError for a value of the right kind that is out of
 * range or of the wrong shape.
 */

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((x) => (Array.isArray(x) ? '[...]' : describeValue(x)));
    return `[${items.join(', ')}${v.length > 8 ? ', ...' : ''}]`;
  }
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return String(v);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function typeError(op: string, arg: string, expected: string, got: string): TypeError {
  return new TypeError(`${op}: ${arg}: expected ${expected}, got ${got}`);
}

export function rangeError(op: string, arg: string, expected: string, got: string): RangeError {
  return new RangeError(`${op}: ${arg}: expected ${expected}, got ${got}`);
}
