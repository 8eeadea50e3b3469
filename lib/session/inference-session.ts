/**
 * InferenceSession: a model compiled once to a native plan (weights copied and, for Winograd
 * layers, transformed; batch norm folded; ReLU fused; activation buffers reused) and run off
 * the event loop on convnode's single native queue. The API follows onnxruntime-node.
 */
import { isMainThread } from 'node:worker_threads';
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { native, type PlanHandle } from '../native.js';
import { Tensor, checkTensor, resolveShape } from '../tensor.js';
import { compileGraph, type CompileReport, type PlanDesc } from './compile.js';
import { traceGraph } from './trace.js';
import { loadOnnx, type OnnxProgram } from '../io/onnx/import/index.js';

/** Anything with a forward pass: a cn.nn.Module, or a plain function of one tensor. */
export type Forwardable = { forward(x: Tensor): Tensor; training?: boolean; train?(mode?: boolean): unknown } | ((x: Tensor) => Tensor);

export interface SessionOptions {
  /**
   * The input shape to compile for, batch included, e.g. [1, 3, 224, 224]. Required for a
   * model or function; for an ONNX model it defaults to the declared shape when that is static
   * (a dynamic dim, e.g. the batch, is then resolved at the first run of each shape).
   */
  inputShape?: readonly number[];
  inputName?: string;
  outputName?: string;
  /** For ONNX bytes: the folder where external data files are looked up. */
  baseDir?: string;
}

/** A graph input or output as onnxruntime-node describes it (a string dim is symbolic). */
export interface ValueMetadata {
  name: string;
  isTensor: true;
  type: 'float32';
  shape: (number | string)[];
}

interface CompiledPlan {
  handle: PlanHandle;
  inputShape: number[];
  outputShape: number[];
  report: CompileReport;
  desc: PlanDesc;
}


export class InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Name, dtype and shape of each input, as onnxruntime-node's `inputMetadata`. */
  readonly inputMetadata: readonly ValueMetadata[];
  /** Name, dtype and shape of each output (for a model: the shape of the first compilation). */
  readonly outputMetadata: readonly ValueMetadata[];
  private readonly forward: (x: Tensor) => Tensor;
  private readonly compiled = new Map<string, CompiledPlan>();
  private released = false;

  private constructor(forward: (x: Tensor) => Tensor, input: ValueMetadata, output: ValueMetadata) {
    this.forward = forward;
    this.inputNames = [input.name];
    this.outputNames = [output.name];
    this.inputMetadata = [input];
    this.outputMetadata = [output];
  }

  /**
   * Compiles `model` for `options.inputShape` (other shapes compile on first use).
   * The model is traced in eval mode (its mode is restored afterwards). Each compiled shape
   * holds its own copy of the weights, taken when that shape is compiled: later changes to the
   * model do not affect shapes already compiled, but a shape first seen after a change compiles
   * with the changed weights. Compiling (tracing one eager forward, building the plan) runs on
   * the calling thread; only runs go to the native queue.
   * An ONNX model (a path, or its bytes) is parsed, checked and compiled the same way; a
   * dynamic dim (e.g. the batch) is resolved by each run's input shape.
   * @example
   * const session = await cn.InferenceSession.create(cn.models.resnet18(), { inputShape: [1, 3, 224, 224] });
   * const logits = await session.run(x);
   * const onnx = await cn.InferenceSession.create('resnet18.onnx');
   * const { logits: out } = await onnx.run({ input: x });
   */
  static async create(model: Forwardable | string | Uint8Array, options?: SessionOptions): Promise<InferenceSession> {
    return InferenceSession.createSync(model, options);
  }

  /**
   * Same as create(), synchronously.
   * @example const session = cn.InferenceSession.createSync('model.onnx');
   */
  static createSync(model: Forwardable | string | Uint8Array, options?: SessionOptions): InferenceSession {
    if (typeof model === 'string' || model instanceof Uint8Array) return InferenceSession.fromOnnx(model, options ?? {});
    const op = 'InferenceSession.create';
    let forward: (x: Tensor) => Tensor;
    if (typeof model === 'function') forward = model;
    else if (model && typeof model === 'object' && typeof model.forward === 'function') {
      forward = (x) => {
        const wasTraining = model.training === true;
        if (wasTraining && model.train) model.train(false);
        try {
          return model.forward(x);
        } finally {
          if (wasTraining && model.train) model.train(true);
        }
      };
    } else throw typeError(op, 'model', 'a cn.nn.Module, a function (x) => Tensor, or an ONNX file path / bytes', describeValue(model));
    if (!options || typeof options !== 'object') throw typeError(op, 'options', '{ inputShape }', describeValue(options));
    const inputShape = resolveShape(op, (options.inputShape ?? []) as unknown[]);
    if (inputShape.length === 0 || inputShape.some((d) => d < 1)) {
      throw rangeError(op, 'options.inputShape', 'a shape of positive dims such as [1, 3, 224, 224]', describeValue(options.inputShape));
    }
    const meta = (name: string, shape: (number | string)[]): ValueMetadata => ({ name, isTensor: true, type: 'float32', shape });
    const session = new InferenceSession(forward, meta(options.inputName ?? 'input', inputShape), meta(options.outputName ?? 'output', []));
    const plan = session.planFor(inputShape);
    (session.outputMetadata[0] as ValueMetadata).shape = [...plan.outputShape];
    return session;
  }

  /** An ONNX model (path or bytes): parsed, validated, and compiled for its static shape. */
  private static fromOnnx(source: string | Uint8Array, options: SessionOptions): InferenceSession {
    const op = 'InferenceSession.create';
    if (typeof options !== 'object' || options === null) throw typeError(op, 'options', '{ inputShape?, baseDir? }', describeValue(options));
    const program: OnnxProgram = loadOnnx(source, options.baseDir);
    const session = new InferenceSession(
      program.forward,
      { name: program.input.name, isTensor: true, type: 'float32', shape: [...program.input.dims] },
      { name: program.output.name, isTensor: true, type: 'float32', shape: [...program.output.dims] },
    );
    session.declared = program.input.dims;
    const staticShape = program.input.dims.every((d) => typeof d === 'number') ? (program.input.dims as number[]) : undefined;
    const shape = options.inputShape ? resolveShape(op, options.inputShape as unknown[]) : staticShape;
    if (shape) session.planFor(session.checkDeclared(op, 'options.inputShape', shape));
    return session;
  }

  /** The ONNX input's declared dims (numbers must match; strings are dynamic). */
  private declared: readonly (number | string)[] | null = null;

  private checkDeclared(op: string, what: string, shape: readonly number[]): readonly number[] {
    const d = this.declared;
    if (d && (d.length !== shape.length || d.some((v, i) => typeof v === 'number' && v !== shape[i]))) {
      throw rangeError(op, what, `shape [${d.join(', ')}] (input ${this.inputNames[0]})`, formatShape(shape));
    }
    return shape;
  }

  private planFor(shape: readonly number[]): CompiledPlan {
    const key = shape.join('x');
    const cached = this.compiled.get(key);
    if (cached) return cached;
    // A deterministic, non-trivial input: tracing runs the model once eagerly.
    const size = shape.reduce((a, b) => a * b, 1);
    const probe = new Tensor(new Float32Array(size).map((_, i) => Math.sin(i)), shape);
    const graph = traceGraph(this.forward, probe);
    const { plan, report, outputShape } = compileGraph(graph);
    const compiled: CompiledPlan = { handle: native.PlanCreate(plan), inputShape: [...shape], outputShape, report, desc: plan };
    this.compiled.set(key, compiled);
    return compiled;
  }

  private resolveInput(op: string, feeds: Tensor | Record<string, Tensor>): Tensor {
    if (this.released) throw typeError(op, 'session', 'a live session', 'a released session');
    let x: unknown = feeds;
    if (!(feeds instanceof Tensor)) {
      if (!feeds || typeof feeds !== 'object') throw typeError(op, 'feeds', `a Tensor or { ${this.inputNames[0]}: Tensor }`, describeValue(feeds));
      const keys = Object.keys(feeds);
      if (keys.length !== 1 || keys[0] !== this.inputNames[0]) {
        throw rangeError(op, 'feeds', `exactly the input { ${this.inputNames[0]} }`, `{ ${keys.join(', ')} }`);
      }
      x = feeds[this.inputNames[0]];
    }
    const t = checkTensor(op, this.inputNames[0], x);
    this.checkDeclared(op, this.inputNames[0], t.shape);
    return t;
  }

  /**
   * Runs the compiled plan on convnode's native queue; the event loop stays free.
   * `run(x)` resolves to the output Tensor; `run({ input: x })` to `{ output: Tensor }`.
   */
  run(feeds: Tensor): Promise<Tensor>;
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  async run(feeds: Tensor | Record<string, Tensor>): Promise<Tensor | Record<string, Tensor>> {
    const x = this.resolveInput('InferenceSession.run', feeds);
    const plan = this.planFor(x.shape);
    const data = await native.PlanRun(plan.handle, x.data);
    const out = Tensor.fromNative(data, plan.outputShape);
    return feeds instanceof Tensor ? out : { [this.outputNames[0]]: out };
  }

  /** The synchronous variant: blocks the calling thread until the run is done. */
  runSync(feeds: Tensor): Tensor;
  runSync(feeds: Record<string, Tensor>): Record<string, Tensor>;
  runSync(feeds: Tensor | Record<string, Tensor>): Tensor | Record<string, Tensor> {
    const x = this.resolveInput('InferenceSession.runSync', feeds);
    const plan = this.planFor(x.shape);
    const out = Tensor.fromNative(native.PlanRunSync(plan.handle, x.data, isMainThread), plan.outputShape);
    return feeds instanceof Tensor ? out : { [this.outputNames[0]]: out };
  }

  /** What compilation did for a shape: fusions, memory, the conv algorithm of each layer. */
  describe(inputShape?: readonly number[]): CompileReport & { inputShape: number[]; outputShape: number[]; arenaBytes: number; convAlgorithms: string[]; steps: number } {
    const plan = inputShape ? this.planFor(inputShape) : [...this.compiled.values()][0];
    if (!plan) throw rangeError('InferenceSession.describe', 'inputShape', 'a compiled shape', formatShape(inputShape ?? []));
    return { ...plan.report, inputShape: plan.inputShape, outputShape: plan.outputShape, ...native.PlanInfo(plan.handle) };
  }

  /** Drops the compiled plans (their memory is freed once no run holds them). */
  release(): void {
    this.released = true;
    this.compiled.clear();
  }
}
