/** Row specs of the GEMM, conv and pool sections: which cases, with which data. */
import { uniform } from './data.js';
import { convFlops, poolOps, type ConvLayer, type GemmShape, type PoolLayer } from './layers.js';
import type { ConvCase, GemmCase, PoolCase } from './peers/types.js';
import type { RowSpec } from './rows.js';

/** SGEMM rows: C = A B with A [m, k] and B [k, n] as plain inputs (no prepacking anywhere). */
export function gemmRows(shapes: readonly GemmShape[]): RowSpec<GemmCase>[] {
  return shapes.map((shape) => ({
    id: `gemm/${shape.m}x${shape.n}x${shape.k}`,
    label: shape.label,
    batch: 1,
    work: 2 * shape.m * shape.n * shape.k,
    makeCase: () => ({ shape, a: uniform(shape.m * shape.k, 11), b: uniform(shape.k * shape.n, 12, 1 / Math.sqrt(shape.k)) }),
    prepare: (peer, c, threads) => peer.gemm?.(c, threads),
  }));
}

/** Conv rows: each layer at each batch size, weights scaled by 1/sqrt(fan-in) like a real net. */
export function convRows(layers: readonly ConvLayer[], batches: readonly number[]): RowSpec<ConvCase>[] {
  return layers.flatMap((layer) =>
    batches.map((batch) => ({
      id: layer.id,
      label: layer.label,
      model: layer.model,
      batch,
      work: convFlops(layer, batch),
      makeCase: () => {
        const fanIn = (layer.cin / layer.groups) * layer.k * layer.k;
        return {
          layer,
          batch,
          x: uniform(batch * layer.cin * layer.h * layer.w, 1),
          w: uniform(layer.cout * fanIn, 2, 1 / Math.sqrt(fanIn)),
          b: uniform(layer.cout, 3, 0.1),
        };
      },
      prepare: (peer, c, threads) => peer.conv?.(c, threads),
    })),
  );
}

/** Max-pool rows at each batch size. */
export function poolRows(layers: readonly PoolLayer[], batches: readonly number[]): RowSpec<PoolCase>[] {
  return layers.flatMap((layer) =>
    batches.map((batch) => ({
      id: layer.id,
      label: layer.label,
      model: layer.id.split('/')[0],
      batch,
      work: poolOps(layer, batch),
      makeCase: () => ({ layer, batch, x: uniform(batch * layer.c * layer.h * layer.h, 4) }),
      prepare: (peer, c, threads) => peer.pool?.(c, threads),
    })),
  );
}
