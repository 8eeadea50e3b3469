/**
 * The safetensors format (huggingface/safetensors), written and read here without a dependency:
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   a UTF-8 JSON object { name: { dtype, shape, data_offsets: [begin, end] }, ...,
 *             "__metadata__"?: { string: string } }, padded with spaces so that 8 + N is a
 *             multiple of 8
 *   the rest  the byte buffer; offsets are relative to its start, tensors are packed row-major,
 *             little-endian, and together cover it exactly (no gap, no overlap)
 *
 * We write the widest dtypes first (as the reference implementation does), so that every tensor
 * starts at a multiple of its element size. Reading accepts any order and any padding and
 * checks every number in the header against the file before using it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Element types of the format that we read and write, with their sizes in bytes. */
export const DTYPE_SIZES = {
  F64: 8, I64: 8, U64: 8,
  F32: 4, I32: 4, U32: 4,
  F16: 2, BF16: 2, I16: 2, U16: 2,
  I8: 1, U8: 1, BOOL: 1,
} as const;
export type Dtype = keyof typeof DTYPE_SIZES;

type IntArray = Float64Array | BigInt64Array | BigUint64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/**
 * A tensor of a dtype other than F32 (an I64 step count, BatchNorm's num_batches_tracked, a
 * U8 image): its raw elements in the matching typed array (F16 and BF16 as their bit patterns
 * in a Uint16Array, BOOL as 0/1 bytes).
 */
export interface RawTensor {
  dtype: Exclude<Dtype, 'F32'>;
  shape: number[];
  data: IntArray;
}

export interface SafetensorsContent {
  /** F32 tensors. */
  tensors: Record<string, Tensor>;
  /** Tensors of every other dtype, as raw typed arrays. */
  raw: Record<string, RawTensor>;
  /** The `__metadata__` strings ({} when the file has none). */
  metadata: Record<string, string>;
}

/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER = 100_000_000;

const ARRAY_OF: Record<Exclude<Dtype, 'F32'>, new (buffer: ArrayBuffer) => IntArray> = {
  F64: Float64Array, I64: BigInt64Array, U64: BigUint64Array, I32: Int32Array, U32: Uint32Array,
  F16: Uint16Array, BF16: Uint16Array, I16: Int16Array, U16: Uint16Array, I8: Int8Array, U8: Uint8Array, BOOL: Uint8Array,
};

function checkHostEndianness(op: string): void {
  if (os.endianness() !== 'LE') throw new Error(`${op}: safetensors stores little-endian data; this big-endian host is not supported`);
}

function isRawTensor(v: unknown): v is RawTensor {
  return typeof v === 'object' && v !== null && typeof (v as RawTensor).dtype === 'string' && Array.isArray((v as RawTensor).shape) && ArrayBuffer.isView((v as RawTensor).data);
}

/**
 * The bytes of a safetensors file holding `tensors` (F32 Tensors, or RawTensors of another
 * dtype) and string `metadata`.
 * @example const bytes = cn.io.serializeSafetensors({ w: cn.ones([2, 2]) }, { note: 'hi' });
 */
export function serializeSafetensors(tensors: Record<string, Tensor | RawTensor>, metadata?: Record<string, string>): Buffer {
  const op = 'serializeSafetensors';
  checkHostEndianness(op);
  if (tensors === null || typeof tensors !== 'object') throw typeError(op, 'tensors', 'an object { name: Tensor }', describeValue(tensors));
  const entries: { name: string; dtype: Dtype; shape: number[]; bytes: Uint8Array }[] = [];
  for (const [name, value] of Object.entries(tensors)) {
    if (name === '__metadata__') throw rangeError(op, 'tensors', 'tensor names other than "__metadata__"', '"__metadata__"');
    if (value instanceof Tensor) {
      if (value.isDisposed) throw typeError(op, `tensors[${JSON.stringify(name)}]`, 'a live tensor', 'a disposed tensor');
      const d = value.data;
      entries.push({ name, dtype: 'F32', shape: [...value.shape], bytes: new Uint8Array(d.buffer, d.byteOffset, value.size * 4) });
    } else if (isRawTensor(value)) {
      const size = DTYPE_SIZES[value.dtype as Dtype];
      if (size === undefined || value.dtype === ('F32' as string)) {
        throw rangeError(op, `tensors[${JSON.stringify(name)}].dtype`, `one of ${Object.keys(DTYPE_SIZES).filter((k) => k !== 'F32').join(', ')} (F32 is a Tensor)`, describeValue(value.dtype));
      }
      const count = value.shape.reduce((a, b) => a * b, 1);
      if (value.data.BYTES_PER_ELEMENT !== size || value.data.length !== count) {
        throw rangeError(op, `tensors[${JSON.stringify(name)}].data`, `${count} elements of ${size} bytes (${value.dtype}, shape ${formatShape(value.shape)})`, `${value.data.length} of ${value.data.BYTES_PER_ELEMENT}`);
      }
      entries.push({ name, dtype: value.dtype, shape: [...value.shape], bytes: new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength) });
    } else {
      throw typeError(op, `tensors[${JSON.stringify(name)}]`, 'a Tensor or a RawTensor { dtype, shape, data }', describeValue(value));
    }
  }
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object') throw typeError(op, 'metadata', 'an object of strings', describeValue(metadata));
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw typeError(op, `metadata[${JSON.stringify(k)}]`, 'a string (safetensors metadata is string to string)', describeValue(v));
    }
  }
  // Widest elements first: every tensor then starts at a multiple of its element size.
  const order = entries.map((e, i) => ({ e, i })).sort((a, b) => DTYPE_SIZES[b.e.dtype] - DTYPE_SIZES[a.e.dtype] || a.i - b.i);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const { e } of order) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = Buffer.allocUnsafe(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let at = 8 + json.length;
  for (const { e } of order) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}

/**
 * Reads the bytes of a safetensors file; `source` names it in errors.
 * @example const { tensors, metadata } = cn.io.parseSafetensors(fs.readFileSync('w.safetensors'));
 */
export function parseSafetensors(bytes: Uint8Array, source = 'the buffer'): SafetensorsContent {
  const op = 'loadSafetensors';
  checkHostEndianness(op);
  if (!(bytes instanceof Uint8Array)) throw typeError(op, 'bytes', 'a Buffer or Uint8Array', describeValue(bytes));
  const fail = (what: string, expected: string, got: string): Error => new RangeError(`${op}: ${source}: ${what}: expected ${expected}, got ${got}`);
  if (bytes.length < 8) throw fail('file length', 'at least 8 bytes (the header length)', `${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) throw fail('header length', `at most ${MAX_HEADER} bytes`, `${n64} (not a safetensors file?)`);
  const n = Number(n64);
  if (8 + n > bytes.length) throw fail('header length', `at most ${bytes.length - 8} bytes (the file is ${bytes.length} bytes)`, `${n} (a truncated file?)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw fail('header', 'UTF-8 JSON', 'bytes that are not UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw fail('header', 'a JSON object', `invalid JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fail('header', 'a JSON object', describeValue(header));
  const bufferStart = 8 + n;
  const bufferLength = bytes.length - bufferStart;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const result: SafetensorsContent = { tensors: {}, raw: {}, metadata };
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) throw fail('__metadata__', 'an object of strings', describeValue(info));
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw fail(`__metadata__[${JSON.stringify(k)}]`, 'a string', describeValue(v));
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (info === null || typeof info !== 'object') throw fail(where, '{ dtype, shape, data_offsets }', describeValue(info));
    const { dtype, shape, data_offsets: offsets } = info as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZES)) throw fail(`${where}: dtype`, `one of ${Object.keys(DTYPE_SIZES).join(', ')}`, describeValue(dtype));
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw fail(`${where}: shape`, 'an array of non-negative integers', describeValue(shape));
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw fail(`${where}: data_offsets`, '[begin, end] with 0 <= begin <= end', describeValue(offsets));
    }
    const [begin, end] = offsets as [number, number];
    if (end > bufferLength) throw fail(`${where}: data_offsets`, `an end within the ${bufferLength}-byte data buffer`, `${describeValue(offsets)} (a truncated file?)`);
    const size = DTYPE_SIZES[dtype as Dtype];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (count * size !== end - begin) {
      throw fail(`${where}: data_offsets`, `${count * size} bytes (${dtype}, shape ${formatShape(shape as number[])})`, `${end - begin} bytes ${describeValue(offsets)}`);
    }
    spans.push({ name, begin, end });
    // Copy into a fresh, aligned buffer: the file's bytes need not be aligned, and the tensor
    // must not keep the whole file alive.
    const copy = new ArrayBuffer(end - begin);
    new Uint8Array(copy).set(bytes.subarray(bufferStart + begin, bufferStart + end));
    if (dtype === 'F32') result.tensors[name] = new Tensor(new Float32Array(copy), shape as number[]);
    else result.raw[name] = { dtype: dtype as RawTensor['dtype'], shape: [...(shape as number[])], data: new ARRAY_OF[dtype as RawTensor['dtype']](copy) };
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const s of spans) {
    if (s.begin !== covered) {
      const what = s.begin < covered ? 'overlaps the tensor before it' : `leaves bytes ${covered}..${s.begin} unused`;
      throw fail(`tensor ${JSON.stringify(s.name)}: data_offsets`, `tensors packed back to back from byte ${covered}`, `[${s.begin}, ${s.end}], which ${what}`);
    }
    covered = s.end;
  }
  if (covered !== bufferLength) throw fail('data buffer', `${covered} bytes (what the header describes)`, `${bufferLength} bytes`);
  return result;
}

/** IEEE half-precision bits to a number. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * A float32 Tensor with the values of a tensor of another dtype (F16 and BF16 decoded, integers
 * and F64 rounded to the nearest float32): what a model's loadStateDict takes.
 * @example model.loadStateDict({ ...tensors, bn: cn.io.toFloat32Tensor(raw['bn.num_batches_tracked']) });
 */
export function toFloat32Tensor(raw: RawTensor): Tensor {
  const n = raw.data.length;
  const out = new Float32Array(n);
  if (raw.dtype === 'F16') {
    for (let i = 0; i < n; i++) out[i] = halfToNumber(raw.data[i] as number);
  } else if (raw.dtype === 'BF16') {
    // bfloat16 is the top half of a float32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = (raw.data[i] as number) << 16;
  } else {
    for (let i = 0; i < n; i++) out[i] = Number(raw.data[i]);
  }
  return new Tensor(out, raw.shape);
}

/**
 * Writes `bytes` to `file` atomically: a temporary file in the same folder, fsync, rename over
 * the target, then fsync of the folder. A crash leaves either the old file or the new one,
 * never a half-written one.
 * @example cn.io.writeFileAtomic('metrics.json', Buffer.from(JSON.stringify(history)));
 */
export function writeFileAtomic(file: string, bytes: Uint8Array, op = 'writeFileAtomic'): void {
  if (typeof file !== 'string' || file.length === 0) throw typeError(op, 'path', 'a file path (string)', describeValue(file));
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    let at = 0;
    while (at < bytes.length) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new Error(`${op}: could not write ${target}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Some file systems (and Windows) cannot fsync a folder; the rename is still atomic.
  }
}

/**
 * Saves tensors (and string metadata) to a .safetensors file, atomically.
 * @example cn.io.saveSafetensors('weights.safetensors', model.stateDict(), { arch: 'lenet5' });
 */
export function saveSafetensors(file: string, tensors: Record<string, Tensor | RawTensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(file, serializeSafetensors(tensors, metadata), 'saveSafetensors');
}

/**
 * Loads a .safetensors file: F32 tensors as Tensors, other dtypes as RawTensors, and metadata.
 * @example const { tensors } = cn.io.loadSafetensors('weights.safetensors'); model.loadStateDict(tensors);
 */
export function loadSafetensors(file: string): SafetensorsContent {
  if (typeof file !== 'string') throw typeError('loadSafetensors', 'path', 'a file path (string)', describeValue(file));
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`loadSafetensors: could not read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseSafetensors(bytes, file);
}
