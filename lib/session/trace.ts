/**
 * Tracing: runs a forward pass once and records every op call, which gives the dataflow graph
 * of any model (zoo, user-built, custom forward) without a module-by-module lowering.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { withTracer, type TraceEvent } from '../autograd/graph.js';
import { Tensor } from '../tensor.js';

export interface GraphValue {
  id: number;
  shape: number[];
  /** 'input' (the fed tensor), 'const' (weights and other captured tensors) or 'node'. */
  kind: 'input' | 'const' | 'node';
  data?: Float32Array;
}

export interface GraphNode {
  op: string;
  /** Value ids; -1 for an absent optional input (e.g. no bias). */
  inputs: number[];
  output: number;
  attrs: Record<string, unknown>;
}

export interface Graph {
  values: GraphValue[];
  nodes: GraphNode[];
  input: number;
  output: number;
}

/** Runs `forward(input)` without gradients and returns the recorded graph. */
export function traceGraph(forward: (x: Tensor) => Tensor, input: Tensor): Graph {
  const values: GraphValue[] = [];
  const nodes: GraphNode[] = [];
  const ids = new Map<Tensor, number>();
  const valueOf = (t: Tensor, kind: GraphValue['kind']): number => {
    const known = ids.get(t);
    if (known !== undefined) return known;
    const id = values.length;
    values.push({ id, shape: [...t.shape], kind, data: kind === 'const' ? t.data : undefined });
    ids.set(t, id);
    return id;
  };
  const inputId = valueOf(input, 'input');
  // Storage seen flowing from the input: a tensor the trace did not see produced but that shares
  // it (x.detach(), a view made outside the ops) depends on the input, so it is no constant.
  const traced = new Set<ArrayBufferLike>([input.data.buffer]);
  const onOp = (e: TraceEvent): void => {
    for (const t of e.inputs) {
      if (t && !ids.has(t) && traced.has(t.data.buffer)) {
        throw new RangeError(
          `InferenceSession: model: expected every value computed from the input to come from convnode ops, got a ${e.op} input ` +
            `of shape [${t.shape.join(', ')}] that shares the input's data without going through an op (detach()?)`,
        );
      }
    }
    const inputs = e.inputs.map((t) => (t ? valueOf(t, 'const') : -1));
    const output = valueOf(e.output, 'node');
    traced.add(e.output.data.buffer);
    nodes.push({ op: e.op, inputs, output, attrs: { ...e.attrs } });
  };
  const result = noGrad(() => withTracer(onOp, () => forward(input)));
  if (!(result instanceof Tensor)) {
    throw new TypeError(`InferenceSession: model: expected forward() to return a Tensor, got ${typeof result}`);
  }
  const output = ids.get(result);
  if (output === undefined) {
    throw new RangeError('InferenceSession: model: expected an output computed by convnode ops, got a tensor the trace never saw');
  }
  return { values, nodes, input: inputId, output };
}
