/**
 * The base of every optimizer: parameter groups (PyTorch's `param_groups`, with per-group
 * options that fall back to the optimizer's defaults), per-parameter state, `zeroGrad`, and a
 * state dict that a checkpoint can hold and a fresh optimizer can load.
 */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Hyper-parameters every optimizer has. */
export interface BaseOptions {
  lr: number;
}

/** One parameter group: its tensors plus its own copy of every option (all of them mutable). */
export type ParamGroup<O extends BaseOptions> = O & {
  params: Tensor[];
  /** Set by the first LR scheduler attached to the optimizer (PyTorch's `initial_lr`). */
  initialLr?: number;
};

/** What callers may pass as `params`: tensors, or groups `{ params, ...options }`. */
export type ParamsArg<O extends BaseOptions> =
  | Iterable<Tensor>
  | Iterable<{ params: Iterable<Tensor> } & Partial<O>>;

/** A per-parameter state value: a tensor (a moment, a buffer) or a number (a step count). */
export type StateValue = Tensor | number;

/**
 * A snapshot of an optimizer: per-parameter state keyed by the parameter's index (counted
 * across groups in order, as PyTorch does) and each group's options with the indices it holds.
 * Tensors in it are copies, so later steps do not change a snapshot.
 */
export interface OptimizerStateDict {
  state: Record<string, Record<string, StateValue>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** How a subclass describes one option, for validation. */
export interface OptionSpec {
  /** The JS type a value must have (a value of another type is a TypeError, not a RangeError). */
  kind: 'number' | 'boolean' | 'object';
  /** Checks a value; returns what was expected when it does not fit, else null. */
  check(value: unknown): string | null;
}

export const nonNegative: OptionSpec = {
  kind: 'number',
  check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'a finite number >= 0'),
};
export const unitInterval: OptionSpec = {
  kind: 'number',
  check: (v) => (typeof v === 'number' && v >= 0 && v < 1 ? null : 'a number in [0, 1)'),
};
export const boolean: OptionSpec = {
  kind: 'boolean',
  check: (v) => (typeof v === 'boolean' ? null : 'a boolean'),
};
export const betasSpec: OptionSpec = {
  kind: 'object',
  check: (v) =>
    Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number' && b >= 0 && b < 1)
      ? null
      : 'a pair [beta1, beta2] of numbers in [0, 1)',
};

export abstract class Optimizer<O extends BaseOptions> {
  /** The groups, in order; change `paramGroups[i].lr` (or any option) between steps. */
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly defaults: Readonly<O>;
  /** Per-parameter state, created lazily at a parameter's first step. */
  protected readonly state = new Map<Tensor, Record<string, StateValue>>();

  protected constructor(
    /** The class name, used in error messages. */
    protected readonly name: string,
    params: ParamsArg<O>,
    defaults: O,
    private readonly specs: Record<keyof O & string, OptionSpec>,
  ) {
    this.checkOptions(defaults as unknown as Record<string, unknown>, 'options');
    this.defaults = Object.freeze({ ...defaults });
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw typeError(name, 'params', 'an iterable of Tensors or of param groups { params, ... }', describeValue(params));
    }
    const items = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw rangeError(name, 'params', 'at least one parameter', 'an empty list');
    if (items.every((p) => p instanceof Tensor)) {
      this.addParamGroup({ params: items as Tensor[] } as { params: Tensor[] } & Partial<O>);
    } else {
      items.forEach((g, i) => {
        if (g instanceof Tensor || g === null || typeof g !== 'object' || !('params' in g)) {
          throw typeError(name, `params[${i}]`, 'a param group { params, ... } (do not mix groups and tensors)', describeValue(g));
        }
        this.addParamGroup(g as { params: Iterable<Tensor> } & Partial<O>, `params[${i}]`);
      });
    }
  }

  /**
   * Adds a group; options it leaves out take the optimizer's defaults.
   * @example opt.addParamGroup({ params: head.parameters(), lr: 0.01 });
   */
  addParamGroup(group: { params: Iterable<Tensor> } & Partial<O>, where = `paramGroups[${this.paramGroups.length}]`): void {
    const { params, ...options } = group as { params: Iterable<Tensor> } & Record<string, unknown>;
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw typeError(this.name, `${where}.params`, 'an iterable of Tensors', describeValue(params));
    }
    const list = [...params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw typeError(this.name, `${where}.params[${i}]`, 'a Tensor', describeValue(p));
      if (seen.has(p)) {
        throw rangeError(this.name, `${where}.params[${i}]`, 'each parameter in one group only, once', 'a parameter given twice');
      }
      seen.add(p);
    });
    this.checkOptions(options, where);
    const merged = { ...this.defaults, ...options, params: list } as unknown as ParamGroup<O>;
    this.validateGroup(merged, where);
    this.paramGroups.push(merged);
  }

  /** Every parameter, group by group (the order the state dict indexes). */
  protected allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * Clears every parameter's gradient. By default `grad` becomes null (PyTorch 2.x's
   * `set_to_none=True`: no memory, and a parameter that gets no gradient is skipped by `step()`
   * rather than decayed on a zero gradient); `{ setToNone: false }` fills existing grads with 0.
   * @example opt.zeroGrad(); loss.backward(); opt.step();
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const p of this.allParams()) {
      if (setToNone) p.grad = null;
      else if (p.grad) p.grad.data.fill(0);
    }
  }

  /** One update of every parameter that has a gradient. */
  abstract step(): void;

  /**
   * A snapshot of the state (copies of every tensor) and of every group's options.
   * @example const saved = opt.stateDict(); ... other.loadStateDict(saved);
   */
  stateDict(): OptimizerStateDict {
    const index = new Map(this.allParams().map((p, i) => [p, i]));
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      const entry: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(s)) entry[k] = v instanceof Tensor ? new Tensor(v.data.slice(), v.shape) : v;
      state[String(index.get(p))] = entry;
    }
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...options } = g as ParamGroup<O> & Record<string, unknown>;
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(options)) copy[k] = Array.isArray(v) ? [...v] : v;
      return { ...copy, params: params.map(() => next++) };
    });
    return { state, paramGroups };
  }

  /**
   * Restores a snapshot made by `stateDict()` of an optimizer of the same kind over parameters
   * of the same shapes in the same groups: options (lr, ...) and state both come from it.
   * @example opt.loadStateDict(cn.load('ckpt.safetensors').optimizer);
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object' || sd.state === null) {
      throw typeError(op, 'stateDict', 'an object { state, paramGroups } from stateDict()', describeValue(sd));
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw rangeError(op, 'stateDict.paramGroups', `${this.paramGroups.length} groups`, `${sd.paramGroups.length}`);
    }
    const params = this.allParams();
    sd.paramGroups.forEach((g, i) => {
      const want = this.paramGroups[i].params.length;
      if (!Array.isArray(g?.params) || g.params.length !== want) {
        throw rangeError(op, `stateDict.paramGroups[${i}].params`, `${want} parameters`, describeValue(g?.params));
      }
      const { params: _ignored, ...options } = g;
      this.checkOptions(options, `stateDict.paramGroups[${i}]`, true);
    });
    const state = new Map<Tensor, Record<string, StateValue>>();
    for (const [key, entry] of Object.entries(sd.state)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= params.length) {
        throw rangeError(op, `stateDict.state[${JSON.stringify(key)}]`, `a parameter index in [0, ${params.length})`, JSON.stringify(key));
      }
      const p = params[i];
      const copy: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(entry ?? {})) {
        if (v instanceof Tensor) {
          if (v.size !== p.size) {
            throw rangeError(op, `stateDict.state[${i}].${k}`, `shape ${formatShape(p.shape)} (as parameter ${i})`, `shape ${formatShape(v.shape)}`);
          }
          copy[k] = new Tensor(v.data.slice(), p.shape);
        } else if (typeof v === 'number') {
          copy[k] = v;
        } else {
          throw typeError(op, `stateDict.state[${i}].${k}`, 'a Tensor or a number', describeValue(v));
        }
      }
      state.set(p, copy);
    }
    sd.paramGroups.forEach((g, i) => {
      const { params: _ignored, ...options } = g;
      for (const [k, v] of Object.entries(options)) {
        (this.paramGroups[i] as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
      }
    });
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }

  /** Per-group checks beyond single options (e.g. nesterov needs momentum). */
  protected validateGroup(_group: ParamGroup<O>, _where: string): void {}

  /** Checks the gradient of `p` before a step: same number of elements, a live tensor. */
  protected gradOf(p: Tensor, where: string): Float32Array | null {
    const g = p.grad;
    if (g === null || g === undefined) return null;
    if (!(g instanceof Tensor)) throw typeError(`${this.name}.step`, `${where}.grad`, 'a Tensor or null', describeValue(g));
    if (g.size !== p.size) {
      throw rangeError(`${this.name}.step`, `${where}.grad`, `shape ${formatShape(p.shape)} (as the parameter)`, `shape ${formatShape(g.shape)}`);
    }
    return g.data;
  }

  /** The state of `p`, created empty at its first step. */
  protected stateOf(p: Tensor): Record<string, StateValue> {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  private checkOptions(options: Record<string, unknown>, where: string, allowExtra = false): void {
    for (const [k, v] of Object.entries(options)) {
      if (k === 'initialLr') {
        if (typeof v !== 'number') throw typeError(this.name, `${where}.initialLr`, 'a number', describeValue(v));
        continue;
      }
      const spec = (this.specs as Record<string, OptionSpec>)[k];
      if (!spec) {
        if (allowExtra) continue;
        throw rangeError(this.name, `${where}.${k}`, `one of the options ${Object.keys(this.specs).join(', ')}`, `an unknown option ${JSON.stringify(k)}`);
      }
      const expected = spec.check(v);
      if (expected) {
        const make = typeof v === spec.kind && v !== null ? rangeError : typeError;
        throw make(this.name, `${where}.${k}`, expected, describeValue(v));
      }
    }
  }
}
