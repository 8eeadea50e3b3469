/**
 * cn.save / cn.load: a checkpoint (model state dict, optimizer state, scheduler state, epoch,
 * anything JSON) in one safetensors file. Every Tensor in the object becomes a named tensor of
 * the file (its path joined by dots: `model.conv1.weight`, `optimizer.state.0.momentumBuffer`),
 * so Python's safetensors reads the weights as they are; everything else (numbers, strings,
 * the optimizer's param groups) goes into the `__metadata__` entry "convnode.checkpoint" as JSON,
 * with `{ "$tensor": name }` where a tensor was.
 */
import { describeValue, rangeError, typeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { loadSafetensors, type RawTensor, saveSafetensors, toFloat32Tensor } from './safetensors.js';

const SKELETON_KEY = 'convnode.checkpoint';
const FORMAT_VERSION = '1';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isRawTensor(v: unknown): v is RawTensor {
  return isPlainObject(v) && typeof v.dtype === 'string' && Array.isArray(v.shape) && ArrayBuffer.isView(v.data);
}

/**
 * Saves a checkpoint atomically (a crash leaves the previous file or the new one, whole).
 * Values may be Tensors, RawTensors, numbers (NaN and +-Infinity too), strings, booleans,
 * null, arrays and plain objects of these.
 * @example
 * cn.save('ckpt.safetensors', { model: model.stateDict(), optimizer: opt.stateDict(), epoch: 3 });
 */
export function save(file: string, checkpoint: Record<string, unknown>): void {
  if (!isPlainObject(checkpoint)) throw typeError('save', 'checkpoint', 'a plain object { model, optimizer, ... }', describeValue(checkpoint));
  const tensors: Record<string, Tensor | RawTensor> = {};
  const encode = (value: unknown, at: string[]): Json => {
    const where = at.length ? `checkpoint.${at.join('.')}` : 'checkpoint';
    if (value instanceof Tensor || isRawTensor(value)) {
      let name = at.join('.');
      for (let k = 2; name in tensors; k++) name = `${at.join('.')}#${k}`;
      tensors[name] = value;
      return { $tensor: name };
    }
    if (typeof value === 'number') return Number.isFinite(value) ? value : { $number: String(value) };
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) return value.map((v, i) => encode(v, [...at, String(i)]));
    if (isPlainObject(value)) {
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === '$tensor' || k === '$number') throw rangeError('save', `${where}.${k}`, 'keys other than "$tensor" and "$number" (reserved)', JSON.stringify(k));
        if (v !== undefined) out[k] = encode(v, [...at, k]);
      }
      return out;
    }
    throw typeError('save', where, 'a Tensor, RawTensor, number, string, boolean, null, array or plain object', describeValue(value));
  };
  const skeleton = encode(checkpoint, []);
  saveSafetensors(file, tensors, { format: 'convnode', 'convnode.version': FORMAT_VERSION, [SKELETON_KEY]: JSON.stringify(skeleton) });
}

/**
 * Loads a checkpoint written by `cn.save`, as the object that was saved (tensors are fresh
 * Tensors). A safetensors file from elsewhere (e.g. a PyTorch state dict saved by Python's
 * safetensors) loads as a flat `{ name: Tensor }`, every dtype converted to float32 (F16/BF16
 * decoded; I64 such as BatchNorm's num_batches_tracked rounded), ready for `model.loadStateDict`;
 * `cn.io.loadSafetensors` keeps the exact dtypes.
 * @example
 * const ckpt = cn.load('ckpt.safetensors');
 * model.loadStateDict(ckpt.model); opt.loadStateDict(ckpt.optimizer);
 */
export function load(file: string): Record<string, any> {
  const { tensors, raw, metadata } = loadSafetensors(file);
  const text = metadata[SKELETON_KEY];
  if (text === undefined) {
    // A file from elsewhere (a PyTorch state dict): every tensor as float32, as models hold them.
    const flat: Record<string, Tensor> = {};
    for (const [k, r] of Object.entries(raw)) flat[k] = toFloat32Tensor(r);
    return Object.assign(flat, tensors);
  }
  const version = metadata['convnode.version'];
  if (version !== FORMAT_VERSION) throw rangeError('load', file, `a convnode checkpoint of version ${FORMAT_VERSION}`, `version ${describeValue(version)}`);
  let skeleton: Json;
  try {
    skeleton = JSON.parse(text) as Json;
  } catch (err) {
    throw rangeError('load', `${file}: __metadata__["${SKELETON_KEY}"]`, 'JSON', `invalid JSON (${(err as Error).message})`);
  }
  const decode = (v: Json): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (v !== null && typeof v === 'object') {
      if (typeof v.$tensor === 'string') {
        const t = tensors[v.$tensor] ?? raw[v.$tensor];
        if (!t) throw rangeError('load', `${file}: tensor ${JSON.stringify(v.$tensor)}`, 'a tensor the checkpoint refers to', 'none in the file');
        return t;
      }
      if (typeof v.$number === 'string') return Number(v.$number);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = decode(x);
      return out;
    }
    return v;
  };
  const result = decode(skeleton);
  if (!isPlainObject(result)) throw rangeError('load', `${file}: __metadata__["${SKELETON_KEY}"]`, 'an object', describeValue(result));
  return result;
}
