/** Sequential: children called in order, named '0', '1', ... (torch.nn.Sequential). */
import { describeValue, typeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import type { TraceRecorder, TraceState } from './trace.js';

/**
 * Runs its children in order. Children are indexed '0', '1', ... as in PyTorch, so a model's
 * `features.0.weight` is the first child's weight.
 * @example
 * const net = new cn.nn.Sequential(new cn.nn.Conv2d(1, 6, 5), new cn.nn.ReLU(), new cn.nn.MaxPool2d(2));
 * net.forward(x);
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw typeError('Sequential', `modules[${i}]`, 'a Module', describeValue(m));
      this.addModule(String(i), m);
    });
  }

  /** Number of children. */
  get length(): number {
    return this.children().length;
  }

  /** The i-th child (negative counts from the end). */
  at(i: number): Module {
    const kids = this.children();
    const m = kids[i < 0 ? kids.length + i : i];
    if (!m) throw typeError('Sequential.at', 'index', `an index in [${-kids.length}, ${kids.length - 1}]`, describeValue(i));
    return m;
  }

  /** Adds a child at the end under the next index; returns this. */
  append(m: Module): this {
    this.addModule(String(this.length), m);
    return this;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.children()) y = m.call(y);
    return y;
  }

  protected override inferTrace(input: TraceState, recorder?: TraceRecorder): TraceState {
    let t = input;
    for (const m of this.children()) t = m.traceShape(t, recorder);
    return t;
  }
}
