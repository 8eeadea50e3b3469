/** Whether ops record the graph. Process-wide like PyTorch's thread-local flag (JS is single-threaded). */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording gradients (inference, optimizer updates, evaluation).
 * Synchronous only: an async fn would re-enable recording at its first await.
 * @example const logits = cn.noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** Turns recording on or off; returns the previous state. */
export function setGradEnabled(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}
