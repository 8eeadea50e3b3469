/**
 * Tensor: float32, row-major (NCHW for images), a shape plus a Float32Array.
 *
 * A tensor made from the caller's Float32Array is a zero-copy view: native kernels read that
 * memory in place. Op outputs live in 64-byte-aligned buffers allocated by the addon and owned
 * by the GC; `dispose()` frees one early. Views made by `reshape` share their storage, and the
 * storage is freed when its last view is disposed.
 */
import { describeValue, formatShape, rangeError, typeError } from './errors.js';
import { runBackward } from './autograd/engine.js';
import { record } from './autograd/graph.js';
import { native } from './native.js';
import { Generator } from './random.js';

/** Reference-counted storage shared by a tensor and its views. */
class Storage {
  views = 1;
  constructor(
    public data: Float32Array,
    /** True for buffers the addon allocated: only those are freed by dispose(). */
    readonly owned: boolean,
  ) {}
}

const liveTensorBytes = { tensors: 0, bytes: 0 };
const registry = new FinalizationRegistry<number>((bytes) => {
  liveTensorBytes.tensors -= 1;
  liveTensorBytes.bytes -= bytes;
});

/** Live owned-output tensors (not yet disposed or collected), for cn.memory(). */
export function liveTensorStats(): { tensors: number; bytes: number } {
  return { ...liveTensorBytes };
}

export interface GradNode {
  /** Name of the op that made the tensor (camelCase, as the function). */
  readonly op: string;
  readonly inputs: readonly (Tensor | null)[];
  /** Given d(loss)/d(output), returns d(loss)/d(input) for each input (null where none). */
  backward(gradOutput: Tensor): (Tensor | null)[];
  /** Set once backward has run through the node (its saved tensors may be gone). */
  released?: boolean;
}

export class Tensor {
  readonly shape: readonly number[];
  private storage: Storage;
  private disposed = false;
  /** Whether gradients flow to this tensor (set on leaves by the user, on results by ops). */
  requiresGrad = false;
  /** Accumulated gradient of a leaf after backward(). */
  grad: Tensor | null = null;
  /** How this tensor was computed, when it needs a gradient. */
  gradNode: GradNode | null = null;

  /** @internal Use cn.tensor / op results; this wraps storage without any check. */
  constructor(data: Float32Array, shape: readonly number[], owned = false, storage?: Storage) {
    this.shape = Object.freeze([...shape]);
    if (storage) {
      this.storage = storage;
      storage.views += 1;
    } else {
      this.storage = new Storage(data, owned);
      if (owned) {
        liveTensorBytes.tensors += 1;
        liveTensorBytes.bytes += data.byteLength;
        registry.register(this.storage, data.byteLength, this.storage);
      }
    }
  }

  /** @internal Wrap a native op's output. */
  static fromNative(data: Float32Array, shape: readonly number[]): Tensor {
    return new Tensor(data, shape, true);
  }

  /** The elements, row-major. Throws once the tensor is disposed. */
  get data(): Float32Array {
    if (this.disposed) throw typeError('tensor', 'data', 'a live tensor', 'a disposed tensor');
    return this.storage.data;
  }

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * A view with another shape over the same elements (one dimension may be -1).
   * @example cn.zeros([2, 3, 4]).reshape(2, -1).shape // [2, 12]
   */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    const dims = (Array.isArray(shape[0]) ? shape[0] : shape) as readonly number[];
    const resolved = resolveShape('reshape', dims, this.size);
    const out = new Tensor(this.data, resolved, false, this.storage);
    const inputShape = this.shape;
    return record('reshape', [this], out, (g) => [g.reshape(inputShape)], { shape: resolved });
  }

  /**
   * Computes d(this)/d(leaf) for every leaf that requires grad and adds it to `leaf.grad`.
   * A non-scalar tensor needs the upstream `gradient` (same shape), as in PyTorch.
   * @example loss.backward(); optimizer.step();
   */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    runBackward(this, gradient, options.retainGraph ?? false);
  }

  /** Marks this leaf as needing gradients (chainable). */
  requiresGrad_(on = true): this {
    this.requiresGrad = on;
    return this;
  }

  /** A tensor over the same data that records no gradient. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false, this.storage);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw rangeError('item', 'tensor', 'one element', `shape ${formatShape(this.shape)}`);
    return this.data[0];
  }

  /** Elements as a plain number array (flat, row-major). */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /**
   * Frees this tensor's memory now if it is the last view of a native output; afterwards
   * `data` throws. The GC frees it otherwise.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const storage = this.storage;
    storage.views -= 1;
    if (storage.views === 0 && storage.owned) {
      registry.unregister(storage);
      liveTensorBytes.tensors -= 1;
      liveTensorBytes.bytes -= storage.data.byteLength;
      native.Release(storage.data.buffer as ArrayBuffer);
    }
  }

  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)})`;
  }
}

/** Checks a user-given shape: non-negative integer dims, at most one -1 when total is known. */
export function resolveShape(op: string, shape: readonly unknown[], total?: number): number[] {
  if (!Array.isArray(shape)) throw typeError(op, 'shape', 'an array of integers', describeValue(shape));
  let inferAt = -1;
  let known = 1;
  const dims = shape.map((d, i) => {
    if (typeof d !== 'number') throw typeError(op, `shape[${i}]`, 'an integer', describeValue(d));
    if (d === -1 && total !== undefined && inferAt < 0) {
      inferAt = i;
      return -1;
    }
    if (!Number.isInteger(d) || d < 0) {
      throw rangeError(op, `shape[${i}]`, 'a non-negative integer', describeValue(d));
    }
    known *= d;
    return d;
  });
  if (total !== undefined) {
    if (inferAt >= 0) {
      if (known === 0 || total % known !== 0) {
        throw rangeError(op, 'shape', `a shape that fits ${total} elements`, formatShape(dims));
      }
      dims[inferAt] = total / known;
    } else if (known !== total) {
      throw rangeError(op, 'shape', `${total} elements`, `${formatShape(dims)} (${known} elements)`);
    }
  }
  return dims;
}

/**
 * A tensor over `data`. A Float32Array is wrapped without copying (later writes to it are seen
 * by every op); a number[] is copied.
 * @example const x = cn.tensor(new Float32Array([1, 2, 3, 4]), [1, 1, 2, 2]);
 */
export function tensor(data: Float32Array | readonly number[], shape?: readonly number[]): Tensor {
  let array: Float32Array;
  if (data instanceof Float32Array) {
    const wanted = Array.isArray(shape) ? shape.reduce((a: number, b: unknown) => a * (typeof b === 'number' ? b : NaN), 1) : 0;
    if (data.buffer.byteLength === 0 && data.length === 0 && wanted > 0) {
      throw typeError('tensor', 'data', `a Float32Array of ${wanted} elements`, 'an empty or detached ArrayBuffer');
    }
    array = data;
  } else if (Array.isArray(data)) {
    array = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (typeof v !== 'number') throw typeError('tensor', `data[${i}]`, 'a number', describeValue(v));
      array[i] = v;
    }
  } else {
    throw typeError(
      'tensor',
      'data',
      'a Float32Array or an array of numbers (convert with Float32Array.from(data))',
      describeValue(data),
    );
  }
  const dims = shape === undefined ? [array.length] : resolveShape('tensor', shape as unknown[], array.length);
  return new Tensor(array, dims);
}

/** @example cn.zeros([1, 3, 224, 224]) */
export function zeros(shape: readonly number[]): Tensor {
  const dims = resolveShape('zeros', shape as unknown[]);
  return new Tensor(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
}

/** @example cn.ones([64]) */
export function ones(shape: readonly number[]): Tensor {
  const dims = resolveShape('ones', shape as unknown[]);
  return new Tensor(new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(1), dims);
}

/** @example cn.full([2, 2], 0.5) */
export function full(shape: readonly number[], value: number): Tensor {
  const dims = resolveShape('full', shape as unknown[]);
  if (typeof value !== 'number') throw typeError('full', 'value', 'a number', describeValue(value));
  return new Tensor(new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value), dims);
}

/**
 * Standard-normal samples, reproducible from `seed`.
 * @example cn.randn([1, 3, 32, 32], { seed: 42 })
 */
export function randn(shape: readonly number[], options: { seed?: number; generator?: Generator } = {}): Tensor {
  const dims = resolveShape('randn', shape as unknown[]);
  const gen = options.generator ?? new Generator(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const out = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = gen.normal();
  return new Tensor(out, dims);
}

/**
 * Uniform samples in [low, high), reproducible from `seed`.
 * @example cn.rand([10], { seed: 1, low: -1, high: 1 })
 */
export function rand(
  shape: readonly number[],
  options: { seed?: number; generator?: Generator; low?: number; high?: number } = {},
): Tensor {
  const dims = resolveShape('rand', shape as unknown[]);
  const gen = options.generator ?? new Generator(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  const out = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * gen.uniform();
  return new Tensor(out, dims);
}

/** Throws the standard error when `value` is not a live Tensor. */
export function checkTensor(op: string, arg: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw typeError(op, arg, 'a Tensor', describeValue(value));
  if (value.isDisposed) throw typeError(op, arg, 'a live tensor', 'a disposed tensor');
  const data = value.data;
  if (data.length !== value.size) {
    // The caller's ArrayBuffer was detached (transferred to a worker, or freed) after wrapping.
    throw typeError(op, `${arg}.data`, `${value.size} elements`, `${data.length} (a detached ArrayBuffer?)`);
  }
  return value;
}

/** Checks rank (and optionally names the layout expected, e.g. "[N, C, H, W]"). */
export function checkRank(op: string, arg: string, t: Tensor, rank: number | number[], layout?: string): void {
  const ranks = Array.isArray(rank) ? rank : [rank];
  if (!ranks.includes(t.ndim)) {
    const expected = `${ranks.join(' or ')}-D${layout ? ` ${layout}` : ''}`;
    throw rangeError(op, arg, expected, `shape ${formatShape(t.shape)}`);
  }
}
