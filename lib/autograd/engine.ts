/**
 * Reverse-mode differentiation over the recorded graph: a topological order from the root,
 * then each node's backward closure in reverse, summing gradients that meet at a tensor.
 */
import { formatShape, rangeError, typeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { noGrad } from './grad-mode.js';

function sumInto(target: Float32Array, source: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}

/** Nodes reachable from root, parents before children (iterative DFS: deep nets are fine). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (visited.has(t)) continue;
    visited.add(t);
    stack.push([t, true]);
    for (const input of t.gradNode?.inputs ?? []) {
      if (input && input.requiresGrad && !visited.has(input)) stack.push([input, false]);
    }
  }
  return order.reverse();
}

export function runBackward(root: Tensor, gradient: Tensor | undefined, retainGraph: boolean): void {
  if (!root.requiresGrad) {
    throw rangeError('backward', 'tensor', 'a tensor that requires grad (computed from a parameter)', 'a tensor with requiresGrad = false');
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw rangeError('backward', 'gradient', `a gradient tensor of shape ${formatShape(root.shape)} for a non-scalar output`, 'none');
    }
    seed = new Tensor(new Float32Array([1]), root.shape);
  } else {
    if (!(gradient instanceof Tensor)) throw typeError('backward', 'gradient', 'a Tensor', String(gradient));
    if (gradient.size !== root.size || gradient.shape.some((d, i) => d !== root.shape[i]) || gradient.ndim !== root.ndim) {
      throw rangeError('backward', 'gradient', `shape ${formatShape(root.shape)}`, `shape ${formatShape(gradient.shape)}`);
    }
    seed = gradient;
  }

  const grads = new Map<Tensor, Tensor>();
  // Gradients that several paths add to are copied once, so no op's output is modified.
  const owned = new Set<Tensor>();
  // Pending gradients per storage buffer: an intermediate gradient is disposed (its native
  // buffer freed now rather than by a later GC) once its node has run, unless another pending
  // gradient still reads that buffer (add passes g through; reshape returns a view).
  const pending = new Map<ArrayBufferLike, number>();
  const hold = (g: Tensor, delta: number): void => {
    const buffer = g.data.buffer;
    const n = (pending.get(buffer) ?? 0) + delta;
    if (n > 0) pending.set(buffer, n);
    else pending.delete(buffer);
  };
  const accumulate = (t: Tensor, g: Tensor): void => {
    const existing = grads.get(t);
    if (!existing) {
      grads.set(t, g);
      hold(g, 1);
      return;
    }
    if (!owned.has(existing)) {
      const copy = new Tensor(existing.data.slice(), existing.shape);
      hold(existing, -1);
      grads.set(t, copy);
      hold(copy, 1);
      owned.add(copy);
      sumInto(copy.data, g.data);
    } else {
      sumInto(existing.data, g.data);
    }
  };
  accumulate(root, seed);

  noGrad(() => {
    // Frees g if it is an op's gradient output nothing else still reads (never the caller's seed).
    const release = (g: Tensor): void => {
      hold(g, -1);
      if (g !== gradient && !pending.has(g.data.buffer)) g.dispose();
    };
    for (const t of topologicalOrder(root)) {
      const g = grads.get(t);
      if (!g) continue;
      const node = t.gradNode;
      if (!node) {
        // A leaf: add into .grad (a fresh buffer the user may modify in place).
        if (t.grad) sumInto(t.grad.data, g.data);
        else t.grad = new Tensor(g.data.slice(), t.shape);
        grads.delete(t);
        release(g);
        continue;
      }
      if (node.released) {
        throw rangeError(
          'backward',
          'graph',
          'a graph not yet backpropagated through (pass { retainGraph: true } to the first backward)',
          `a second backward through ${node.op}`,
        );
      }
      const inputGrads = node.backward(g);
      if (!retainGraph) node.released = true;
      node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (input && input.requiresGrad && gi) accumulate(input, gi);
      });
      grads.delete(t);
      release(g);
    }
  });
}
