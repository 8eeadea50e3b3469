/**
 * The IDX format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist), plain or gzipped:
 *
 *   bytes 0-1  zero
 *   byte  2    element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   byte  3    number of dimensions d
 *   then       d sizes, uint32 big-endian; then the elements, big-endian, row-major
 *
 * So images are magic 0x00000803 (uint8 [n, rows, cols]) and labels 0x00000801 (uint8 [n]).
 */
import * as fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describeValue, typeError } from '../errors.js';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** The 32-bit magic number, e.g. 0x00000803 for uint8 images. */
  magic: number;
  type: IdxType;
  shape: number[];
  /** The elements in host order, row-major. */
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};

/** "0x00000803" */
export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** Describes a magic number: "0x00000803 (uint8, 3 dimensions)". */
export function describeMagic(magic: number): string {
  const t = TYPES[(magic >>> 8) & 0xff];
  const d = magic & 0xff;
  return magic >>> 16 !== 0 || !t ? hex32(magic) : `${hex32(magic)} (${t.type}, ${d} dimension${d === 1 ? '' : 's'})`;
}

/**
 * Reads an IDX file (or its bytes), gunzipping when it starts with the gzip signature.
 * `source` names the bytes in errors when a Buffer is given.
 * @example
 * const labels = cn.data.readIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 * labels.shape // [10000]
 */
export function readIdx(file: string | Uint8Array, source?: string): IdxArray {
  const name = source ?? (typeof file === 'string' ? file : 'the buffer');
  const fail = (what: string, expected: string, got: string): RangeError => new RangeError(`readIdx: ${name}: ${what}: expected ${expected}, got ${got}`);
  let bytes: Uint8Array;
  if (typeof file === 'string') {
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new Error(`readIdx: could not read ${file}: ${(err as Error).message}`, { cause: err });
    }
  } else if (file instanceof Uint8Array) {
    bytes = file;
  } else {
    throw typeError('readIdx', 'file', 'a path or a Buffer', describeValue(file));
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw fail('gzip stream', 'a complete gzip file', `${(err as Error).message} (a truncated download?)`);
    }
  }
  if (bytes.length < 4) throw fail('header', 'at least 4 bytes (the magic number)', `${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const t = TYPES[bytes[2]];
  const ndim = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !t || ndim === 0) {
    throw fail('magic number', 'an IDX magic 0x0000TTDD (TT: 08 uint8, 09 int8, 0B int16, 0C int32, 0D float32, 0E float64; DD >= 1 dimensions)', `${hex32(magic)} (not an IDX file?)`);
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) throw fail('header', `${headerBytes} bytes (magic + ${ndim} sizes)`, `${bytes.length} bytes (a truncated file?)`);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const want = count * t.size;
  const got = bytes.length - headerBytes;
  if (got !== want) {
    throw fail('data', `${want} bytes (${t.type} [${shape.join(', ')}]) after the ${headerBytes}-byte header`, `${got} bytes${got < want ? ' (a truncated file?)' : ''}`);
  }
  let data: IdxData;
  const start = headerBytes;
  switch (t.type) {
    case 'uint8':
      data = Uint8Array.from(bytes.subarray(start, start + count));
      break;
    case 'int8':
      data = Int8Array.from(bytes.subarray(start, start + count), (b) => (b << 24) >> 24);
      break;
    case 'int16':
      data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(start + 2 * i, false);
      break;
    case 'int32':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(start + 4 * i, false);
      break;
    case 'float32':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(start + 4 * i, false);
      break;
    case 'float64':
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(start + 8 * i, false);
      break;
  }
  return { magic, type: t.type, shape, data };
}
