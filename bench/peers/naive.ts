/**
 * The naive pure-TS reference ops (lib/reference): what plain JavaScript loops reach. Too slow
 * to run whole layers in the suite's time, so they are timed on a slice sized by `budgetMs`
 * (see slice.ts); the tables mark scaled cells "~".
 */
import * as cn from '../../lib/index.js';
import { chooseSlice } from './slice.js';
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

/** @param budgetMs time per timed call above which the case is sliced. */
export function naivePeer(budgetMs: number): Peer {
  return {
    name: 'naive',
    version: 'lib/reference',
    multiThreaded: false,
    slow: true,
    async conv(c: ConvCase) {
      const l = c.layer;
      // Units: whole groups when grouped (depthwise: channels), else output channels.
      const grouped = l.groups > 1;
      const cinPerGroup = l.cin / l.groups;
      const coutPerGroup = l.cout / l.groups;
      const make = (units: number, images: number) => {
        const groups = grouped ? units : 1;
        const cin = grouped ? units * cinPerGroup : l.cin;
        const cout = grouped ? units * coutPerGroup : units;
        const x = cn.tensor(c.x.subarray(0, images * cin * l.h * l.w), [images, cin, l.h, l.w]);
        const w = cn.tensor(c.w.subarray(0, cout * cinPerGroup * l.k * l.k), [cout, cinPerGroup, l.k, l.k]);
        const b = cn.tensor(c.b.subarray(0, cout), [cout]);
        const params = {
          stride: [l.stride, l.stride] as [number, number],
          padding: [l.pad, l.pad, l.pad, l.pad] as [number, number, number, number],
          dilation: [1, 1] as [number, number],
          groups,
        };
        return () => cn.reference.conv2d(x, w, b, params);
      };
      const s = chooseSlice(make(1, 1), grouped ? l.groups : l.cout, c.batch, budgetMs);
      return runner(make(s.units, s.images), s.factor);
    },
    async pool(c: PoolCase) {
      const l = c.layer;
      const make = (channels: number, images: number) => {
        const x = cn.tensor(c.x.subarray(0, images * channels * l.h * l.h), [images, channels, l.h, l.h]);
        const params = {
          kernel: [l.k, l.k] as [number, number], stride: [l.stride, l.stride] as [number, number],
          padding: [l.pad, l.pad] as [number, number], dilation: [1, 1] as [number, number], ceilMode: false,
        };
        return () => cn.reference.maxPool2d(x, params);
      };
      // Pools are cheap: the whole batch is always below budget in practice, but slicing by
      // channel is correct for the same reason as for conv.
      const s = chooseSlice(make(1, 1), l.c, c.batch, budgetMs);
      return runner(make(s.units, s.images), s.factor);
    },
    async gemm(c: GemmCase) {
      const { m, n, k } = c.shape;
      const b = cn.tensor(c.b, [k, n]);
      const make = (rows: number) => {
        const a = cn.tensor(c.a.subarray(0, rows * k), [rows, k]);
        return () => cn.reference.matmul(a, b);
      };
      const s = chooseSlice(make(1), m, 1, budgetMs);
      return runner(make(s.units), s.factor);
    },
  };
}
