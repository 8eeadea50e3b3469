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

/**
 * Attaches a grad node to `output` when needed. `backward` receives d(loss)/d(output) and
 * returns one gradient (or null) per input, in the order of `inputs`.
 */
export function record(
  op: string,
  inputs: readonly (Tensor | null | undefined)[],
  output: Tensor,
  backward: (gradOutput: Tensor) => (Tensor | null)[],
): Tensor {
  if (!needsGrad(...inputs)) return output;
  const node: GradNode = { op, inputs: inputs.map((t) => t ?? null), backward };
  output.requiresGrad = true;
  output.gradNode = node;
  return output;
}
