/**
 * Recording a computation. Every op calls `record` once with its inputs, its output and its
 * backward closure (which captures exactly what the op saved): micrograd's design, one closure
 * per op, and the closure lives next to the op's forward in lib/ops.
 */
import type { GradNode, Tensor } from '../tensor.js';
import { isGradEnabled } from './grad-mode.js';

/** True when the op must record: grad mode on and some input requires grad. */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/** One op call seen while tracing (lib/session compiles these into a native plan). */
export interface TraceEvent {
  op: string;
  inputs: readonly (Tensor | null)[];
  output: Tensor;
  /** The op's resolved parameters, as its native kernel takes them. */
  attrs: Readonly<Record<string, unknown>>;
}

let tracer: ((event: TraceEvent) => void) | null = null;

/** Runs `fn` with every op call reported to `onOp` (not re-entrant). */
export function withTracer<T>(onOp: (event: TraceEvent) => void, fn: () => T): T {
  const previous = tracer;
  tracer = onOp;
  try {
    return fn();
  } finally {
    tracer = previous;
  }
}

/**
 * Attaches a grad node to `output` when needed, and reports the call to an active tracer. `backward` receives d(loss)/d(output) and
 * returns one gradient (or null) per input, in the order of `inputs`.
 */
export function record(
  op: string,
  inputs: readonly (Tensor | null | undefined)[],
  output: Tensor,
  backward: (gradOutput: Tensor) => (Tensor | null)[],
  attrs: object = {},
): Tensor {
  if (tracer) tracer({ op, inputs: inputs.map((t) => t ?? null), output, attrs: attrs as Record<string, unknown> });
  if (!needsGrad(...inputs)) return output;
  const node: GradNode = { op, inputs: inputs.map((t) => t ?? null), backward };
  output.requiresGrad = true;
  output.gradNode = node;
  return output;
}
