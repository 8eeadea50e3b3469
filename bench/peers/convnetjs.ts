/**
 * convnetjs 0.3: a classic pure-JS CNN library (Float64 volumes, channels-last [y][x][d], one
 * image per forward call, square kernels, no groups). Timed like the naive reference: on a slice
 * of the case (one image, fewer filters) sized by time (slice.ts), scaled up linearly (the cost
 * of its loops is linear in images and filters).
 */
import { createRequire } from 'node:module';
import { nchwToNhwc, nhwcToNchw } from '../data.js';
import { chooseSlice } from './slice.js';
import { UnsupportedCase, type ConvCase, type Peer, type PoolCase, type Runner } from './types.js';

interface Vol { sx: number; sy: number; depth: number; w: Float64Array }
interface Layer { forward(v: Vol, training: boolean): Vol; filters?: Vol[]; biases?: Vol }
interface ConvnetJs {
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
  ConvLayer: new (opt: Record<string, number>) => Layer;
  PoolLayer: new (opt: Record<string, number>) => Layer;
}

const require = createRequire(import.meta.url);

/** One image of an NCHW batch as a convnetjs volume. */
function toVol(cj: ConvnetJs, x: Float32Array, image: number, c: number, h: number, w: number): Vol {
  const v = new cj.Vol(w, h, c, 0);
  v.w.set(nchwToNhwc(x.subarray(image * c * h * w, (image + 1) * c * h * w), 1, c, h, w));
  return v;
}

/** Runs `layer` over `images` volumes; output() gives the NCHW batch when nothing was sliced. */
function runner(layer: Layer, vols: Vol[], outShape: [number, number, number], factor: number): Runner {
  let outs: Vol[] = [];
  return {
    run() {
      outs = vols.map((v) => layer.forward(v, false));
    },
    output() {
      if (factor !== 1 || outs.length === 0) return null;
      const [c, h, w] = outShape;
      const all = new Float32Array(outs.length * c * h * w);
      outs.forEach((o, i) => all.set(nhwcToNchw(o.w, 1, c, h, w), i * c * h * w));
      return all;
    },
    dispose() {
      outs = [];
    },
    estimateFactor: factor === 1 ? undefined : factor,
  };
}

/** @param budgetMs time per timed call above which the case is sliced. */
export function convnetjsPeer(budgetMs: number): Peer {
  const cj = require('convnetjs') as ConvnetJs;
  const version = (require('convnetjs/package.json') as { version: string }).version;
  return {
    name: 'convnetjs',
    version,
    multiThreaded: false,
    slow: true,
    async conv(c: ConvCase) {
      const l = c.layer;
      if (l.groups !== 1) throw new UnsupportedCase('convnetjs has no grouped or depthwise convolution');
      const fanIn = l.cin * l.k * l.k;
      const make = (filters: number, images: number) => {
        const layer = new cj.ConvLayer({ in_sx: l.w, in_sy: l.h, in_depth: l.cin, sx: l.k, filters, stride: l.stride, pad: l.pad });
        for (let o = 0; o < filters; o++) {
          // Filter volumes are [ky][kx][cin]: the OIHW weight of one output channel, channels-last.
          layer.filters![o].w.set(nchwToNhwc(c.w.subarray(o * fanIn, (o + 1) * fanIn), 1, l.cin, l.k, l.k));
          layer.biases!.w[o] = c.b[o];
        }
        const vols = Array.from({ length: images }, (_, i) => toVol(cj, c.x, i, l.cin, l.h, l.w));
        return { layer, vols };
      };
      const one = make(1, 1);
      const s = chooseSlice(() => one.layer.forward(one.vols[0], false), l.cout, c.batch, budgetMs);
      const { layer, vols } = make(s.units, s.images);
      return runner(layer, vols, [l.cout, l.outH, l.outW], s.factor);
    },
    async pool(c: PoolCase) {
      const l = c.layer;
      const layer = new cj.PoolLayer({ in_sx: l.h, in_sy: l.h, in_depth: l.c, sx: l.k, stride: l.stride, pad: l.pad });
      const vols = Array.from({ length: c.batch }, (_, i) => toVol(cj, c.x, i, l.c, l.h, l.h));
      return runner(layer, vols, [l.c, l.outH, l.outH], 1);
    },
  };
}
