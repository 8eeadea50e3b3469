/**
 * convnode's compiled path: the layer as a one-op model in cn.InferenceSession (weights copied
 * and, for Winograd layers, transformed once), which is what ORT's one-node session is compared
 * with on equal terms. Eager cn.conv2d has no such set-up step.
 * Timed: `session.runSync(x)`. onnxruntime-node's `run` executes the model on the JS thread
 * (inside a setImmediate), so the like-for-like call is our synchronous one; `await
 * session.run(x)` also hands the run to convnode's native queue and back (~30-50 us on the
 * 2-core dev VM, 2026-11-25), which the whole-model rows (bench/models.ts) do include.
 */
import * as cn from '../../lib/index.js';
import type { ConvCase, Peer, PoolCase, Runner } from './types.js';

type Session = { runSync(x: cn.Tensor): cn.Tensor; release(): void };
type SessionClass = { create(model: (x: cn.Tensor) => cn.Tensor, o: { inputShape: number[] }): Promise<Session> };

async function sessionRunner(Session: SessionClass, model: (x: cn.Tensor) => cn.Tensor, x: cn.Tensor): Promise<Runner> {
  const session = await Session.create(model, { inputShape: [...x.shape] });
  let last: cn.Tensor | null = null;
  return {
    async run() {
      last?.dispose();
      last = session.runSync(x);
    },
    output: () => (last ? last.data : null),
    dispose() {
      last?.dispose();
      last = null;
      session.release();
    },
  };
}

/** The peer, or null when this build has no InferenceSession. */
export function sessionPeer(): Peer | null {
  const Session = (cn as unknown as { InferenceSession?: SessionClass }).InferenceSession;
  if (!Session || typeof Session.create !== 'function') return null;
  return {
    name: 'convnode-plan',
    version: 'InferenceSession',
    multiThreaded: true,
    slow: false,
    async conv(c: ConvCase, threads: number) {
      cn.setNumThreads(threads);
      const l = c.layer;
      const w = cn.tensor(c.w, [l.cout, l.cin / l.groups, l.k, l.k]);
      const b = cn.tensor(c.b, [l.cout]);
      const options = { stride: l.stride, padding: l.pad, groups: l.groups };
      return sessionRunner(Session, (x) => cn.conv2d(x, w, b, options), cn.tensor(c.x, [c.batch, l.cin, l.h, l.w]));
    },
    async pool(c: PoolCase, threads: number) {
      cn.setNumThreads(threads);
      const l = c.layer;
      const options = { kernelSize: l.k, stride: l.stride, padding: l.pad };
      return sessionRunner(Session, (x) => cn.maxPool2d(x, options), cn.tensor(c.x, [c.batch, l.c, l.h, l.h]));
    },
  };
}
