/** convnode itself: the eager ops, with weights created once as Tensors. */
import { createRequire } from 'node:module';
import * as cn from '../../lib/index.js';
import type { Conv2dAlgo } from '../../lib/index.js';
import type { ConvCase, GemmCase, Peer, PoolCase, Runner } from './types.js';

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Runs one op per call, keeping only the last output (each new one frees the previous). */
function runner(op: () => cn.Tensor): Runner {
  let last: cn.Tensor | null = null;
  return {
    run() {
      last?.dispose();
      last = op();
    },
    output: () => (last ? last.data : null),
    dispose() {
      last?.dispose();
      last = null;
    },
  };
}

/**
 * @param algo conv2d's `algo` option for every conv row ('auto' unless --algo says otherwise).
 */
export function convnodePeer(algo: string = 'auto'): Peer {
  return {
    name: 'convnode',
    version: `${version} (${cn.cpuInfo().isa})`,
    multiThreaded: true,
    slow: false,
    async conv(c: ConvCase, threads: number) {
      cn.setNumThreads(threads);
      const l = c.layer;
      const x = cn.tensor(c.x, [c.batch, l.cin, l.h, l.w]);
      const w = cn.tensor(c.w, [l.cout, l.cin / l.groups, l.k, l.k]);
      const b = cn.tensor(c.b, [l.cout]);
      const options = { stride: l.stride, padding: l.pad, groups: l.groups, algo: algo as Conv2dAlgo };
      return runner(() => cn.conv2d(x, w, b, options));
    },
    async pool(c: PoolCase, threads: number) {
      cn.setNumThreads(threads);
      const l = c.layer;
      const x = cn.tensor(c.x, [c.batch, l.c, l.h, l.h]);
      return runner(() => cn.maxPool2d(x, { kernelSize: l.k, stride: l.stride, padding: l.pad }));
    },
    async gemm(c: GemmCase, threads: number) {
      cn.setNumThreads(threads);
      const { m, n, k } = c.shape;
      const a = cn.tensor(c.a, [m, k]);
      const b = cn.tensor(c.b, [k, n]);
      return runner(() => cn.matmul(a, b));
    },
  };
}
