/**
 * Module: the base of every layer and model, with PyTorch's names and semantics. Children,
 * parameters and buffers are registered by name, in order, so that `stateDict()` keys are
 * torch's dotted names (`features.0.weight`, `layer1.0.bn1.running_mean`) and weights trained
 * in PyTorch map onto a convnode model by name.
 */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { Tensor, checkTensor } from '../tensor.js';
import type { TraceRecorder, TraceState } from './trace.js';

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Require the keys to match exactly (PyTorch's default, true). Shapes must always match. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$|^[0-9]+$/;

/**
 * Subclass it like torch.nn.Module: register children/parameters/buffers in the constructor,
 * write forward, and (for cn.summary) override inferTrace to route a TraceState through the
 * children in forward's order (leaves compute their output shape; see nn/trace.ts).
 * @example
 * class Block extends cn.nn.Module {
 *   constructor() { super(); this.addModule('conv', new cn.nn.Conv2d(8, 8, 3, { padding: 1 })); }
 *   forward(x) { return cn.relu(this.getModule('conv')!.call(x)); }
 *   protected override inferTrace(t, rec) { return this.getModule('conv')!.traceShape(t, rec); }
 * }
 */
export abstract class Module {
  /** Training mode (the default, as in PyTorch): dropout drops, batch norm uses batch statistics. */
  training = true;
  private readonly moduleMap = new Map<string, Module>();
  private readonly parameterMap = new Map<string, Tensor | null>();
  private readonly bufferMap = new Map<string, Tensor | null>();
  /** Buffers left out of stateDict() (PyTorch's persistent=false). */
  private readonly transientBuffers = new Set<string>();

  /** The module's computation. */
  abstract forward(x: Tensor): Tensor;

  /**
   * Runs forward (PyTorch's `module(x)`).
   * @example const logits = model.call(x);
   */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  /** The name summary() and error messages print: the class name by default. */
  get typeName(): string {
    return this.constructor.name;
  }

  /**
   * Registers a child under `name` (its parameters appear as `name.<param>`); returns it so
   * that a constructor can write `this.conv1 = this.addModule('conv1', new Conv2d(...))`.
   */
  addModule<M extends Module>(name: string, module: M): M {
    this.checkName('addModule', name);
    if (!(module instanceof Module)) throw typeError(`${this.typeName}.addModule`, name, 'a Module', describeValue(module));
    this.moduleMap.set(name, module);
    return module;
  }

  /** Registers a trainable tensor (requiresGrad is set) or null (e.g. bias: false). */
  registerParameter(name: string, value: Tensor | null): Tensor | null {
    this.checkName('registerParameter', name);
    if (value !== null) {
      checkTensor(`${this.typeName}.registerParameter`, name, value);
      value.requiresGrad = true;
    }
    this.parameterMap.set(name, value);
    return value;
  }

  /** Registers a state tensor that is not trained (running_mean, num_batches_tracked). */
  registerBuffer(name: string, value: Tensor | null, options: { persistent?: boolean } = {}): Tensor | null {
    this.checkName('registerBuffer', name);
    if (value !== null) checkTensor(`${this.typeName}.registerBuffer`, name, value);
    this.bufferMap.set(name, value);
    if (options.persistent === false) this.transientBuffers.add(name);
    else this.transientBuffers.delete(name);
    return value;
  }

  /** A registered child by name, or undefined. */
  getModule(name: string): Module | undefined {
    return this.moduleMap.get(name);
  }

  /** A registered parameter by name (null when registered as absent, undefined when unknown). */
  getParameter(name: string): Tensor | null | undefined {
    return this.parameterMap.get(name);
  }

  /** A registered buffer by name. */
  getBuffer(name: string): Tensor | null | undefined {
    return this.bufferMap.get(name);
  }

  /** Direct children, in registration order. */
  children(): Module[] {
    return [...this.moduleMap.values()];
  }

  namedChildren(): [string, Module][] {
    return [...this.moduleMap.entries()];
  }

  /**
   * This module and every descendant with its dotted name ('' for this one), depth first, each
   * module once (as PyTorch's named_modules).
   * @example for (const [name, m] of model.namedModules()) console.log(name, m.typeName);
   */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [child, sub] of m.moduleMap) visit(sub, name ? `${name}.${child}` : child);
    };
    visit(this, prefix);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter with its torch dotted name, each tensor once.
   * @example model.namedParameters().map(([k, p]) => [k, p.shape])
   */
  namedParameters(): [string, Tensor][] {
    return this.collect((m) => m.parameterMap);
  }

  /** Every parameter (what an optimizer takes). @example new cn.optim.SGD(model.parameters(), { lr: 0.1 }) */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    return this.collect((m) => m.bufferMap);
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Number of parameter elements (each shared tensor counted once). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * Parameters and persistent buffers by torch name, in registration order. The tensors share
   * memory with the model (as torch's state_dict); copy them to keep a snapshot.
   * @example const sd = model.stateDict(); sd['features.0.weight'].shape // [64, 3, 11, 11]
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      const dot = prefix ? `${prefix}.` : '';
      for (const [k, p] of m.parameterMap) if (p) out[dot + k] = p.detach();
      for (const [k, b] of m.bufferMap) if (b && !m.transientBuffers.has(k)) out[dot + k] = b.detach();
    }
    return out;
  }

  /**
   * Copies values into this model's tensors by torch name (in place, so optimizers keep their
   * references). With strict (default) missing or unexpected keys throw; a shape mismatch
   * always throws. Nothing is written unless every check passes.
   * @example model.loadStateDict(weightsFromTorch); // Record<string, Tensor> or Map
   */
  loadStateDict(dict: StateDict | Map<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const op = 'loadStateDict';
    if (dict === null || typeof dict !== 'object') throw typeError(op, 'stateDict', 'an object or Map of Tensors by name', describeValue(dict));
    if (options === null || typeof options !== 'object') throw typeError(op, 'options', 'an object', describeValue(options));
    const strict = options.strict ?? true;
    if (typeof strict !== 'boolean') throw typeError(op, 'options.strict', 'a boolean', describeValue(strict));
    const entries = dict instanceof Map ? [...dict.entries()] : Object.entries(dict);
    const given = new Map<string, Tensor>();
    for (const [k, v] of entries) {
      checkTensor(op, `stateDict['${k}']`, v);
      given.set(k, v);
    }
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !(k in own));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`${missingKeys.length} missing (${listKeys(missingKeys)})`);
      if (unexpectedKeys.length) parts.push(`${unexpectedKeys.length} unexpected (${listKeys(unexpectedKeys)})`);
      throw rangeError(op, 'stateDict', `the ${Object.keys(own).length} keys of this ${this.typeName}`, `${parts.join(' and ')} keys`);
    }
    for (const [k, target] of Object.entries(own)) {
      const src = given.get(k);
      if (!src) continue;
      const sameShape = src.ndim === target.ndim && src.shape.every((d, i) => d === target.shape[i]);
      // A torch scalar (num_batches_tracked) may arrive as [] or [1].
      const scalarOk = src.size === 1 && target.size === 1;
      if (!sameShape && !scalarOk) {
        throw rangeError(op, `stateDict['${k}']`, `shape ${formatShape(target.shape)}`, `shape ${formatShape(src.shape)}`);
      }
    }
    for (const [k, target] of Object.entries(own)) {
      const src = given.get(k);
      if (src) target.data.set(src.data);
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Sets training mode on this module and every descendant; returns this.
   * @example model.train(); ... model.eval();
   */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw typeError(`${this.typeName}.train`, 'mode', 'a boolean', describeValue(mode));
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Inference mode: dropout is the identity, batch norm uses running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * What forward would output for an input of `input.shape`, without computing anything (see
   * trace.ts). Leaves override inferTrace; containers route through their children's
   * traceShape in forward's order.
   */
  traceShape(input: TraceState, recorder?: TraceRecorder): TraceState {
    const output = this.inferTrace(input, recorder);
    if (recorder && this.moduleMap.size === 0) recorder.record(this, input, output);
    return output;
  }

  /**
   * Output shape for an input shape (batch included).
   * @example new nn.Conv2d(3, 64, 3, { padding: 1 }).outputShape([1, 3, 224, 224]) // [1, 64, 224, 224]
   */
  outputShape(inputShape: readonly number[]): number[] {
    return [...this.traceShape({ shape: inputShape, receptiveField: 1, jump: 1 }).shape];
  }

  /** Multiply-accumulates of one call on an input of this shape (conv and linear count; 0 otherwise). */
  macs(_input: readonly number[], _output: readonly number[]): number {
    return 0;
  }

  protected inferTrace(_input: TraceState, _recorder?: TraceRecorder): TraceState {
    throw new TypeError(`${this.typeName}: traceShape: expected a module that implements inferTrace, got one that does not`);
  }

  /** One line per module, as PyTorch prints models. */
  toString(): string {
    const lines: string[] = [];
    const visit = (m: Module, name: string, depth: number): void => {
      const pad = '  '.repeat(depth);
      const head = `${pad}${name ? `(${name}): ` : ''}${m.typeName}`;
      if (m.moduleMap.size === 0) {
        lines.push(`${head}(${m.extraRepr()})`);
        return;
      }
      lines.push(`${head}(`);
      for (const [k, c] of m.moduleMap) visit(c, k, depth + 1);
      lines.push(`${pad})`);
    };
    visit(this, '', 0);
    return lines.join('\n');
  }

  /** The arguments toString() shows for a leaf. */
  extraRepr(): string {
    return '';
  }

  private collect(pick: (m: Module) => Map<string, Tensor | null>): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, t] of pick(m)) {
        if (!t || seen.has(t)) continue;
        seen.add(t);
        out.push([prefix ? `${prefix}.${k}` : k, t]);
      }
    }
    return out;
  }

  private checkName(method: string, name: string): void {
    const op = `${this.typeName}.${method}`;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw typeError(op, 'name', 'an identifier or an index without dots', describeValue(name));
    }
    const taken = [this.moduleMap, this.parameterMap, this.bufferMap].some((m) => m.has(name));
    const same = (method === 'addModule' && this.moduleMap.has(name)) ||
      (method === 'registerParameter' && this.parameterMap.has(name)) ||
      (method === 'registerBuffer' && this.bufferMap.has(name));
    if (taken && !same) throw rangeError(op, 'name', 'a name not used by another member', describeValue(name));
  }
}

function listKeys(keys: string[]): string {
  return keys.length <= 6 ? keys.join(', ') : `${keys.slice(0, 6).join(', ')}, ... ${keys.length - 6} more`;
}
