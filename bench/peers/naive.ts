/**
 * The naive pure-TS reference ops (lib/reference): what plain JavaScript loops reach. They run
 * at about 0.5 GFLOP/s, so a whole VGG layer at batch 8 would take minutes: the runner times a
 * slice of the case (one image, and as many output channels or rows as fit in `budgetFlops`)
 * and the harness scales the time up (Runner.estimateFactor); the tables mark such cells "~".
 */
import * as cn from '../../lib/index.js';
import { convFlops } from '../layers.js';
import type { ConvCase, GemmCase, Peer, PoolCase, Runner } from './types.js';

function runner(op: () => cn.Tensor, estimateFactor: number): Runner {
  let last: cn.Tensor | null = null;
  return {
    run() {
      last = op();
    },
    // A slice's output is not the case's output, so there is nothing to compare.
    output: () => (estimateFactor === 1 && last ? last.data : null),
    dispose() {
      last = null;
    },
    estimateFactor: estimateFactor === 1 ? undefined : estimateFactor,
  };
}

/** @param budgetFlops work per timed call above which the case is sliced. */
export function naivePeer(budgetFlops: number): Peer {
  return {
    name: 'naive',
    version: 'lib/reference',
    multiThreaded: false,
    slow: true,
    async conv(c: ConvCase) {
      const l = c.layer;
      const full = convFlops(l, c.batch);
      // Slice whole groups (depthwise: channels) or, with one group, output channels.
      const perImage = convFlops(l, 1);
      const batch = full > budgetFlops ? 1 : c.batch;
      const fraction = Math.min(1, budgetFlops / perImage);
      const groups = l.groups > 1 && fraction < 1 ? Math.max(1, Math.floor(l.groups * fraction)) : l.groups;
      const coutPerGroup = l.cout / l.groups;
      const cinPerGroup = l.cin / l.groups;
      const cout = l.groups > 1 ? groups * coutPerGroup : Math.max(1, Math.min(l.cout, Math.floor(l.cout * fraction)));
      const cin = groups * cinPerGroup;
      const x = cn.tensor(c.x.subarray(0, batch * cin * l.h * l.w), [batch, cin, l.h, l.w]);
      const w = cn.tensor(c.w.subarray(0, cout * cinPerGroup * l.k * l.k), [cout, cinPerGroup, l.k, l.k]);
      const b = cn.tensor(c.b.subarray(0, cout), [cout]);
      const params = {
        stride: [l.stride, l.stride] as [number, number],
        padding: [l.pad, l.pad, l.pad, l.pad] as [number, number, number, number],
        dilation: [1, 1] as [number, number],
        groups,
      };
      const factor = (c.batch / batch) * (l.cout / cout);
      return runner(() => cn.reference.conv2d(x, w, b, params), factor);
    },
    async pool(c: PoolCase) {
      const l = c.layer;
      const x = cn.tensor(c.x, [c.batch, l.c, l.h, l.h]);
      const params = {
        kernel: [l.k, l.k] as [number, number], stride: [l.stride, l.stride] as [number, number],
        padding: [l.pad, l.pad] as [number, number], dilation: [1, 1] as [number, number], ceilMode: false,
      };
      return runner(() => cn.reference.maxPool2d(x, params), 1);
    },
    async gemm(c: GemmCase) {
      const { m, n, k } = c.shape;
      const rows = Math.max(1, Math.min(m, Math.floor(budgetFlops / (2 * n * k))));
      const a = cn.tensor(c.a.subarray(0, rows * k), [rows, k]);
      const b = cn.tensor(c.b, [k, n]);
      return runner(() => cn.reference.matmul(a, b), m / rows);
    },
  };
}
