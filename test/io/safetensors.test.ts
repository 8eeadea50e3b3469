// safetensors: the byte layout by hand, interop both ways with an independent Python
// reader/writer (scripts/safetensors_ref.py, fixtures from scripts/make-safetensors-fixtures.py),
// a table of bad files, and atomic writes.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io, Tensor, tensor } from '../../lib/index.js';
import { thrown } from '../helpers.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'io');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-st-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface PyTensor { dtype: string; shape: number[]; values: (number | string)[] }
const readJson = (name: string): { tensors: Record<string, PyTensor>; metadata: Record<string, string>; [k: string]: unknown } =>
  JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));

/** Elements of a loaded tensor as numbers or (64-bit ints) decimal strings, as the JSON holds them. */
function valuesOf(c: io.SafetensorsContent, name: string): { dtype: string; shape: readonly number[]; values: (number | string)[] } {
  const t = c.tensors[name];
  if (t) return { dtype: 'F32', shape: t.shape, values: Array.from(t.data) };
  const r = c.raw[name];
  expect(r, `tensor ${name} missing`).toBeDefined();
  const values = Array.from(r.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : v));
  return { dtype: r.dtype, shape: r.shape, values };
}

function sameTensors(c: io.SafetensorsContent, expected: Record<string, PyTensor>): void {
  expect(Object.keys({ ...c.tensors, ...c.raw }).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, e] of Object.entries(expected)) {
    const got = valuesOf(c, name);
    expect(got.dtype, name).toBe(e.dtype);
    expect([...got.shape], name).toEqual(e.shape);
    // toEqual tells -0 from 0, so the sign of zero is checked too.
    expect(got.values, name).toEqual(e.values);
  }
}

/** The content of convnode-made.safetensors (as scripts/make-convnode-safetensors.mjs writes it). */
function convnodeMade(): Record<string, Tensor | io.RawTensor> {
  return {
    'model.fc.weight': tensor(Float32Array.from([0.5, -1.25, 3e-8, 1e20, -0, 7]), [2, 3]),
    'model.fc.bias': tensor(Float32Array.from([0.1, 0.2]), [2]),
    'optimizer.state.0.step': { dtype: 'I64', shape: [], data: BigInt64Array.from([5n]) },
    'labels.u8': { dtype: 'U8', shape: [3], data: Uint8Array.from([9, 0, 255]) },
    'stats.f64': { dtype: 'F64', shape: [1], data: Float64Array.from([Math.PI]) },
    empty: tensor(new Float32Array(0), [0]),
    'ünïcode.名前': tensor(Float32Array.from([1.5]), []),
  };
}

describe('safetensors layout', () => {
  it('one tensor, byte by byte: u64 LE header length, space-padded JSON, little-endian data', () => {
    const bytes = io.serializeSafetensors({ w: tensor([1, -2], [2]) }, { k: 'v' });
    const json = '{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
    expect(bytes.readBigUInt64LE(0)).toBe(BigInt(padded.length));
    expect(bytes.subarray(8, 8 + padded.length).toString('utf8')).toBe(padded);
    expect([...bytes.subarray(8 + padded.length)]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]); // 1.0f, -2.0f
    expect(bytes.length % 8).toBe(0);
  });

  it('round-trips every dtype, scalars, empty tensors and metadata', () => {
    const file = path.join(tmp, 'all.safetensors');
    io.saveSafetensors(file, convnodeMade(), { a: 'b' });
    const back = io.loadSafetensors(file);
    expect(back.metadata).toEqual({ a: 'b' });
    expect(back.tensors['model.fc.weight'].shape).toEqual([2, 3]);
    expect(Array.from(back.tensors['model.fc.weight'].data)).toEqual(Array.from(Float32Array.from([0.5, -1.25, 3e-8, 1e20, -0, 7])));
    expect(back.tensors['ünïcode.名前'].shape).toEqual([]);
    expect(back.tensors.empty.shape).toEqual([0]);
    expect(back.raw['optimizer.state.0.step']).toEqual({ dtype: 'I64', shape: [], data: BigInt64Array.from([5n]) });
    expect(back.raw['stats.f64'].data[0]).toBe(Math.PI);
  });
});

describe('interop with an independent Python implementation', () => {
  const made = readJson('python-made.json');

  it('a file laid out as Python safetensors writes it loads with the same values and metadata', () => {
    const c = io.loadSafetensors(path.join(fixtures, 'python-made.safetensors'));
    sameTensors(c, made.tensors);
    expect(c.metadata).toEqual(made.metadata);
  });

  it('an unpadded header with unaligned data loads too', () => {
    const c = io.loadSafetensors(path.join(fixtures, 'python-unaligned.safetensors'));
    sameTensors(c, made.tensors);
  });

  it("a file written by Python's safetensors itself (huggingface/safetensors samples/overall.safetensors) loads", () => {
    const c = io.loadSafetensors(path.join(fixtures, 'hf-samples-overall.safetensors'));
    expect(c.metadata).toEqual({ test: 'a' });
    // generate.py stores range(-3, 3) in each numpy dtype; unsigned ones wrap around.
    const signed = [-3, -2, -1, 0, 1, 2];
    const wrap = (bits: number): number[] => signed.map((v) => (v < 0 ? v + 2 ** bits : v));
    expect(Array.from(c.tensors.f.data)).toEqual(signed);
    const expected: Record<string, [string, number[]]> = {
      b: ['I8', signed], h: ['I16', signed], i: ['I32', signed], d: ['F64', signed],
      B: ['U8', wrap(8)], H: ['U16', wrap(16)], I: ['U32', wrap(32)],
    };
    for (const [name, [dtype, values]] of Object.entries(expected)) {
      expect(c.raw[name].dtype, name).toBe(dtype);
      expect(c.raw[name].shape, name).toEqual([6]);
      expect(Array.from(c.raw[name].data as ArrayLike<number>), name).toEqual(values);
    }
    expect(c.raw.e.dtype).toBe('F16');
    expect(Array.from(io.toFloat32Tensor(c.raw.e).data)).toEqual(signed);
  });

  it('convnode still writes convnode-made.safetensors byte for byte (what Python was checked on)', () => {
    const committed = fs.readFileSync(path.join(fixtures, 'convnode-made.safetensors'));
    const now = io.serializeSafetensors(convnodeMade(), { format: 'convnode', note: 'é✓ "quoted"' });
    expect(Buffer.compare(now, committed)).toBe(0);
  });

  it('Python read our file as we wrote it: values, metadata, padding and element alignment', () => {
    const report = readJson('convnode-made.python.json');
    const ours = io.parseSafetensors(fs.readFileSync(path.join(fixtures, 'convnode-made.safetensors')));
    sameTensors(ours, report.tensors);
    expect(report.metadata).toEqual({ format: 'convnode', note: 'é✓ "quoted"' });
    expect(report.headerPaddedTo8).toBe(true);
    const offsets = report.fileOffsets as Record<string, number>;
    for (const [name, t] of Object.entries(report.tensors)) {
      expect(offsets[name] % io.DTYPE_SIZES[t.dtype as io.Dtype], `${name} aligned`).toBe(0);
    }
  });
});

describe('bad files give an Error naming the file, what was expected and what came', () => {
  const good = io.serializeSafetensors({ a: tensor([1, 2, 3], [3]), b: tensor([4], [1]) });
  const headerLen = Number(good.readBigUInt64LE(0));
  const withHeader = (json: string, data: Buffer = Buffer.alloc(0)): Buffer => {
    const h = Buffer.from(json, 'utf8');
    const n = Buffer.alloc(8);
    n.writeBigUInt64LE(BigInt(h.length));
    return Buffer.concat([n, h, data]);
  };
  const cases: [string, Buffer, RegExp][] = [
    ['shorter than 8 bytes', Buffer.from([1, 2, 3]), /file length: expected at least 8 bytes \(the header length\), got 3 bytes/],
    ['truncated data', good.subarray(0, good.length - 2), /tensor "[ab]": data_offsets: expected an end within the 14-byte data buffer, got \[\d+, \d+\] \(a truncated file\?\)/],
    ['truncated header', good.subarray(0, 20), new RegExp(`header length: expected at most 12 bytes \\(the file is 20 bytes\\), got ${headerLen} \\(a truncated file\\?\\)`)],
    ['huge header length', Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x7f]), Buffer.alloc(8)]), /header length: expected at most 100000000 bytes, got \d+ \(not a safetensors file\?\)/],
    ['bad JSON', withHeader('{"a": {"dtype": "F32",'), /header: expected a JSON object, got invalid JSON/],
    ['JSON that is not an object', withHeader('[1, 2]'), /header: expected a JSON object, got \[1, 2\]/],
    ['unknown dtype', withHeader('{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', Buffer.alloc(1)), /tensor "a": dtype: expected one of F64, I64.*got "F8_E4M3"/],
    ['offsets beyond the data', withHeader('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', Buffer.alloc(4)), /tensor "a": data_offsets: expected an end within the 4-byte data buffer, got \[0, 8\]/],
    ['offsets that disagree with the shape', withHeader('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', Buffer.alloc(8)), /tensor "a": data_offsets: expected 12 bytes \(F32, shape \[3\]\), got 8 bytes \[0, 8\]/],
    ['reversed offsets', withHeader('{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}', Buffer.alloc(4)), /tensor "a": data_offsets: expected \[begin, end\] with 0 <= begin <= end, got \[4, 0\]/],
    ['overlapping tensors', withHeader('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', Buffer.alloc(8)), /tensor "b": data_offsets: expected tensors packed back to back from byte 8, got \[4, 8\], which overlaps the tensor before it/],
    ['a gap', withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', Buffer.alloc(8)), /tensor "a": data_offsets: expected tensors packed back to back from byte 0, got \[4, 8\], which leaves bytes 0\.\.4 unused/],
    ['trailing bytes', withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', Buffer.alloc(6)), /data buffer: expected 4 bytes \(what the header describes\), got 6 bytes/],
    ['a negative dimension', withHeader('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', Buffer.alloc(4)), /tensor "a": shape: expected an array of non-negative integers, got \[-1\]/],
    ['metadata that is not a string', withHeader('{"__metadata__":{"epoch":3}}'), /__metadata__\["epoch"\]: expected a string, got 3/],
    ['a header that is not UTF-8', withHeader('\uFFFD').fill(0xff, 8, 11), /header: expected UTF-8 JSON, got bytes that are not UTF-8/],
  ];
  for (const [name, bytes, re] of cases) {
    it(name, () => {
      const file = path.join(tmp, `bad-${name.replace(/\W+/g, '-')}.safetensors`);
      fs.writeFileSync(file, bytes);
      const err = thrown(() => io.loadSafetensors(file));
      expect(err.message.startsWith(`loadSafetensors: ${file}: `), err.message).toBe(true);
      expect(err.message).toMatch(re);
    });
  }

  it('a missing file', () => {
    expect(thrown(() => io.loadSafetensors(path.join(tmp, 'nope.safetensors'))).message).toMatch(/^loadSafetensors: could not read .*nope\.safetensors: ENOENT/);
  });

  it('writing a non-tensor or non-string metadata', () => {
    expect(thrown(() => io.serializeSafetensors({ a: [1, 2] as unknown as Tensor })).message).toBe('serializeSafetensors: tensors["a"]: expected a Tensor or a RawTensor { dtype, shape, data }, got [1, 2]');
    expect(thrown(() => io.serializeSafetensors({}, { epoch: 3 as unknown as string })).message).toBe('serializeSafetensors: metadata["epoch"]: expected a string (safetensors metadata is string to string), got 3');
    expect(thrown(() => io.serializeSafetensors({ a: { dtype: 'I64', shape: [2], data: BigInt64Array.from([1n]) } })).message).toMatch(/tensors\["a"\]\.data: expected 2 elements of 8 bytes \(I64, shape \[2\]\), got 1 of 8/);
  });
});

describe('atomic writes', () => {
  it('a failed write leaves the old file whole and no temporary file behind', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const file = path.join(dir, 'ckpt.safetensors');
    io.saveSafetensors(file, { a: tensor([1], [1]) });
    const before = fs.readFileSync(file);
    // The target's folder replaced by a file: the rename (or the open) must fail.
    const blocked = path.join(dir, 'sub');
    fs.mkdirSync(blocked);
    fs.mkdirSync(path.join(blocked, 'ckpt.safetensors'));
    expect(thrown(() => io.saveSafetensors(path.join(blocked, 'ckpt.safetensors'), { a: tensor([2], [1]) })).message).toMatch(/^saveSafetensors: could not write .*ckpt\.safetensors: /);
    expect(fs.readdirSync(blocked)).toEqual(['ckpt.safetensors']);
    expect(Buffer.compare(fs.readFileSync(file), before)).toBe(0);
  });

  it('a process killed while writing never leaves a partial file under the target name', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'kill-'));
    const file = path.join(dir, 'big.safetensors');
    // The child runs the TypeScript sources through tsx, so this test does not need dist/.
    const script = `
      import { tensor } from ${JSON.stringify(path.join(root, 'lib', 'tensor.ts'))};
      import { saveSafetensors } from ${JSON.stringify(path.join(root, 'lib', 'io', 'safetensors.ts'))};
      const t = tensor(new Float32Array(24 * 1024 * 1024).fill(1.5), [24, 1024, 1024]);
      for (let i = 0; i < 50; i++) saveSafetensors(${JSON.stringify(file)}, { t });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: 'ignore' });
    // Kill as soon as a temporary file exists, i.e. mid-write of the first save (or a later one).
    const deadline = Date.now() + 30_000;
    let sawTemp = false;
    while (Date.now() < deadline && !(sawTemp = fs.readdirSync(dir).some((f) => f.endsWith('.tmp')))) await new Promise((r) => setTimeout(r, 1));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(sawTemp, 'the child never started writing').toBe(true);
    if (fs.existsSync(file)) {
      const c = io.loadSafetensors(file); // a partial file would throw here
      expect(c.tensors.t.shape).toEqual([24, 1024, 1024]);
    }
    expect(fs.readdirSync(dir).filter((f) => !f.endsWith('.tmp')).every((f) => f === 'big.safetensors')).toBe(true);
  });
});
