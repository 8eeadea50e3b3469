/**
 * Constant folding: the shape arithmetic PyTorch exports around flatten and view
 * (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) and other ops whose inputs are all known,
 * evaluated in JS at import time, so that only real tensor work reaches the compiled plan.
 */
import type { AttrValue, ConstTensor } from './parse.js';

/** Ops that fold when every input is a constant. */
export const FOLDABLE = new Set([
  'Constant', 'Identity', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Reshape', 'Cast', 'Slice', 'Flatten',
  'Add', 'Sub', 'Mul', 'Div', 'ConstantOfShape', 'Range', 'Transpose',
]);

const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

const make = (dtype: ConstTensor['dtype'], dims: number[], values: ArrayLike<number>): ConstTensor => ({
  dtype,
  dims,
  data: dtype === 'float32' ? Float32Array.from(values as ArrayLike<number>) : Array.from(values as ArrayLike<number>),
});

/** The integer values of a 1-D (or scalar) constant, e.g. a Reshape target or Unsqueeze axes. */
export function intsOf(t: ConstTensor): number[] {
  return Array.from(t.data as ArrayLike<number>, (v) => Math.trunc(v));
}

function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) throw new RangeError(`${what}: expected an axis in [${-rank}, ${rank - 1}], got ${axis}`);
  return a;
}

/** Resolves a Reshape target (0 copies the input dim unless allowzero, -1 is inferred). */
export function resolveReshape(inDims: readonly number[], target: readonly number[], allowZero: boolean): number[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? inDims[i] : d));
  const total = size(inDims);
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1 || out.some((d) => d < -1 || d === undefined)) throw new RangeError(`Reshape: shape: expected at most one -1 and dims >= 0, got [${target.join(', ')}]`);
  if (minus === 1) {
    const known = size(out.filter((d) => d !== -1));
    if (known === 0 || total % known !== 0) throw new RangeError(`Reshape: shape: cannot infer -1 in [${target.join(', ')}] for input [${inDims.join(', ')}]`);
    out[out.indexOf(-1)] = total / known;
  }
  if (size(out) !== total) throw new RangeError(`Reshape: shape: expected ${total} elements (input [${inDims.join(', ')}]), got [${out.join(', ')}]`);
  return out;
}

/** Unsqueeze's output dims. */
export function unsqueezeDims(dims: readonly number[], axes: readonly number[]): number[] {
  const rank = dims.length + axes.length;
  const set = new Set(axes.map((a) => normAxis(a, rank, 'Unsqueeze: axes')));
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(set.has(i) ? 1 : dims[j++]);
  return out;
}

/** Squeeze's output dims (all 1s when axes is empty). */
export function squeezeDims(dims: readonly number[], axes: readonly number[]): number[] {
  const set = new Set(axes.map((a) => normAxis(a, dims.length, 'Squeeze: axes')));
  return dims.filter((d, i) => (set.size === 0 ? d !== 1 : !set.has(i)));
}

/** Row-major strides. */
const stridesOf = (dims: readonly number[]): number[] => {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
};

function broadcast(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number): ConstTensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]): number[] => [...new Array<number>(rank - d.length).fill(1), ...d];
  const da = pad(a.dims);
  const db = pad(b.dims);
  const out = da.map((d, i) => {
    if (d !== db[i] && d !== 1 && db[i] !== 1) throw new RangeError(`broadcast: cannot broadcast [${a.dims.join(', ')}] with [${b.dims.join(', ')}]`);
    return Math.max(d, db[i]);
  });
  const sa = stridesOf(da).map((s, i) => (da[i] === 1 ? 0 : s));
  const sb = stridesOf(db).map((s, i) => (db[i] === 1 ? 0 : s));
  const so = stridesOf(out);
  const n = size(out);
  const values = new Array<number>(n);
  const isInt = a.dtype === 'int64' && b.dtype === 'int64';
  for (let k = 0; k < n; k++) {
    let ia = 0;
    let ib = 0;
    let r = k;
    for (let i = 0; i < rank; i++) {
      const c = Math.floor(r / so[i]);
      r -= c * so[i];
      ia += c * sa[i];
      ib += c * sb[i];
    }
    const v = f(a.data[ia], b.data[ib]);
    values[k] = isInt ? Math.trunc(v) : v;
  }
  return make(isInt ? 'int64' : 'float32', out, values);
}

type Attr = (name: string) => AttrValue | undefined;

/**
 * Evaluates `opType` on constant inputs; returns its outputs. `inputs[i]` is undefined for an
 * absent optional input.
 */
export function foldNode(opType: string, inputs: (ConstTensor | undefined)[], attr: Attr, opset: number): ConstTensor[] {
  const x = inputs[0]!;
  const ints = (name: string): number[] | undefined => attr(name) as number[] | undefined;
  switch (opType) {
    case 'Constant': {
      const t = attr('value');
      if (t && typeof t === 'object' && !Array.isArray(t)) return [t];
      if (attr('value_float') !== undefined) return [make('float32', [], [attr('value_float') as number])];
      if (attr('value_floats') !== undefined) return [make('float32', [(attr('value_floats') as number[]).length], attr('value_floats') as number[])];
      if (attr('value_int') !== undefined) return [make('int64', [], [attr('value_int') as number])];
      if (attr('value_ints') !== undefined) return [make('int64', [(attr('value_ints') as number[]).length], attr('value_ints') as number[])];
      throw new RangeError('Constant: expected a value, value_float(s) or value_int(s) attribute, got none');
    }
    case 'Identity':
      return [x];
    case 'Gather': {
      const axis = normAxis((attr('axis') as number | undefined) ?? 0, x.dims.length, 'Gather: axis');
      const idx = inputs[1]!;
      const outer = size(x.dims.slice(0, axis));
      const inner = size(x.dims.slice(axis + 1));
      const n = x.dims[axis];
      const values: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const raw of intsOf(idx)) {
          const i = raw < 0 ? raw + n : raw;
          if (i < 0 || i >= n) throw new RangeError(`Gather: indices: expected values in [${-n}, ${n - 1}], got ${raw}`);
          for (let k = 0; k < inner; k++) values.push(x.data[(o * n + i) * inner + k]);
        }
      }
      return [make(x.dtype, [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)], values)];
    }
    case 'Unsqueeze': {
      const axes = opset >= 13 ? intsOf(inputs[1]!) : ints('axes') ?? [];
      return [{ ...x, dims: unsqueezeDims(x.dims, axes) }];
    }
    case 'Squeeze': {
      const axes = opset >= 13 ? (inputs[1] ? intsOf(inputs[1]) : []) : ints('axes') ?? [];
      return [{ ...x, dims: squeezeDims(x.dims, axes) }];
    }
    case 'Concat': {
      const parts = inputs.filter((t): t is ConstTensor => t !== undefined);
      const axis = normAxis(attr('axis') as number, x.dims.length, 'Concat: axis');
      const outer = size(x.dims.slice(0, axis));
      const values: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const p of parts) {
          const chunk = size(p.dims.slice(axis));
          for (let k = 0; k < chunk; k++) values.push(p.data[o * chunk + k]);
        }
      }
      const dims = [...x.dims];
      dims[axis] = parts.reduce((s, p) => s + p.dims[axis], 0);
      return [make(parts.every((p) => p.dtype === 'int64') ? 'int64' : 'float32', dims, values)];
    }
    case 'Reshape': {
      const target = opset >= 5 ? intsOf(inputs[1]!) : ints('shape') ?? [];
      return [{ ...x, dims: resolveReshape(x.dims, target, attr('allowzero') === 1) }];
    }
    case 'Flatten': {
      const axis = (attr('axis') as number | undefined) ?? 1;
      const a = axis < 0 ? axis + x.dims.length : axis;
      return [{ ...x, dims: [size(x.dims.slice(0, a)), size(x.dims.slice(a))] }];
    }
    case 'Cast': {
      const to = attr('to') as number;
      if (to === 1 || to === 11) return [make('float32', x.dims, x.data)];
      if (to === 6 || to === 7) return [make('int64', x.dims, Array.from(x.data as ArrayLike<number>, Math.trunc))];
      throw new RangeError(`Cast: to: expected FLOAT, DOUBLE, INT32 or INT64, got dtype ${to}`);
    }
    case 'Slice': {
      const starts = opset >= 10 ? intsOf(inputs[1]!) : ints('starts')!;
      const ends = opset >= 10 ? intsOf(inputs[2]!) : ints('ends')!;
      const axes = (opset >= 10 ? (inputs[3] ? intsOf(inputs[3]) : undefined) : ints('axes')) ?? starts.map((_, i) => i);
      const steps = (opset >= 10 && inputs[4] ? intsOf(inputs[4]) : undefined) ?? starts.map(() => 1);
      const ranges = x.dims.map((d) => ({ start: 0, step: 1, count: d }));
      axes.forEach((ax, i) => {
        const a = normAxis(ax, x.dims.length, 'Slice: axes');
        const d = x.dims[a];
        const step = steps[i];
        if (step === 0) throw new RangeError('Slice: steps: expected non-zero steps, got 0');
        const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
        const s = step > 0 ? clamp(starts[i], 0, d) : clamp(starts[i], -1, d - 1);
        const e = step > 0 ? clamp(ends[i], 0, d) : clamp(ends[i], -1, d - 1);
        ranges[a] = { start: s, step, count: Math.max(0, Math.ceil((e - s) / step)) };
      });
      const dims = ranges.map((r) => r.count);
      const st = stridesOf(x.dims);
      const so = stridesOf(dims);
      const values = Array.from({ length: size(dims) }, (_, k) => {
        let src = 0;
        let r = k;
        for (let i = 0; i < dims.length; i++) {
          const c = Math.floor(r / so[i]);
          r -= c * so[i];
          src += (ranges[i].start + c * ranges[i].step) * st[i];
        }
        return x.data[src];
      });
      return [make(x.dtype, dims, values)];
    }
    case 'Transpose': {
      const rank = x.dims.length;
      const perm = ints('perm') ?? x.dims.map((_, i) => rank - 1 - i);
      const dims = perm.map((p) => x.dims[p]);
      const st = stridesOf(x.dims);
      const so = stridesOf(dims);
      const values = Array.from({ length: size(dims) }, (_, k) => {
        let src = 0;
        let r = k;
        for (let i = 0; i < rank; i++) {
          const c = Math.floor(r / so[i]);
          r -= c * so[i];
          src += c * st[perm[i]];
        }
        return x.data[src];
      });
      return [make(x.dtype, dims, values)];
    }
    case 'Add':
      return [broadcast(x, inputs[1]!, (a, b) => a + b)];
    case 'Sub':
      return [broadcast(x, inputs[1]!, (a, b) => a - b)];
    case 'Mul':
      return [broadcast(x, inputs[1]!, (a, b) => a * b)];
    case 'Div':
      return [broadcast(x, inputs[1]!, (a, b) => (x.dtype === 'int64' && inputs[1]!.dtype === 'int64' ? Math.floor(a / b) : a / b))];
    case 'ConstantOfShape': {
      const dims = intsOf(x);
      const v = attr('value') as ConstTensor | undefined;
      return [make(v?.dtype ?? 'float32', dims, new Array<number>(size(dims)).fill(v ? v.data[0] : 0))];
    }
    case 'Range': {
      const [start, limit, delta] = inputs.map((t) => t!.data[0]);
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      return [make(x.dtype, [n], Array.from({ length: n }, (_, i) => start + i * delta))];
    }
    default:
      throw new RangeError(`${opType}: no constant evaluation`);
  }
}
