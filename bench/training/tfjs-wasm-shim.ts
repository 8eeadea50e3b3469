/**
 * tfjs 4.22's wasm backend has no Conv2DBackpropFilter kernel, so any conv layer's training
 * step throws "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" (tfjs does not
 * fall back to another backend). The bench registers one, as the anchors (peers-js.md §3) did:
 * a 2-D filter gradient is the 3-D one with depth 1, which the wasm backend does have
 * (Conv3DBackpropFilterV2). x [N,H,W,C] and dy [N,OH,OW,K] are viewed as [N,1,H,W,C] and
 * [N,1,OH,OW,K]; the result [1,KH,KW,C,K] is viewed back as [KH,KW,C,K]. The bench prints that
 * this was done rather than hiding it.
 *
 * That wasm Conv3DBackpropFilterV2 is itself wrong for strides > 1 (its result differs from
 * tfjs-cpu's and from plain loops; test/bench/tfjs-wasm-shim.test.ts), so strided layers take
 * another route through kernels that are right: with s the stride and pt, pl the top/left
 * padding,
 *   dw[a][b][c][k] = sum over n, oh, ow of x[n][oh*s + a - pt][ow*s + b - pl][c] * dy[n][oh][ow][k]
 * is a stride-1 convolution of x transposed to [C, H, W, N] (batch C, channels N) with dy
 * transposed to [OH, OW, N, K] as the filter, dilated by s, padded by pt / pl before and by
 * whatever makes the output KH x KW after (x is first cut when that is negative); the
 * [C, KH, KW, K] result is transposed to [KH, KW, C, K].
 */
import type * as tfType from '@tensorflow/tfjs';

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

export function registerWasmConv2dBackpropFilter(tf: typeof tfType): boolean {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false; // a later tfjs has its own
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as unknown as { x: TensorInfo; dy: TensorInfo };
      const { strides, pad, dataFormat, dilations, filterShape } = attrs as unknown as {
        strides: number | [number, number]; pad: unknown; dataFormat: string; dilations?: number | [number, number]; filterShape: [number, number, number, number];
      };
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      const dil = dilations === undefined ? [1, 1] : typeof dilations === 'number' ? [dilations, dilations] : dilations;
      // Both routes below handle 'valid' / 'same' padding, NHWC and dilation 1 (all the bench uses).
      if ((pad !== 'valid' && pad !== 'same') || (dataFormat !== undefined && dataFormat !== 'NHWC') || dil[0] !== 1 || dil[1] !== 1) {
        throw new Error(`Conv2DBackpropFilter shim: expected 'valid'/'same' padding, NHWC, dilation 1, got ${JSON.stringify({ pad, dataFormat, dilations })}`);
      }
      const kernel = (name: string) => tf.getKernel(name, 'wasm')!.kernelFunc as unknown as (a: object) => TensorInfo;
      const reshape = kernel('Reshape');
      const b = backend as unknown as { disposeData(id: object): void };
      if (sh > 1 || sw > 1) {
        const [n, h, w, c] = x.shape;
        const [, oh, ow] = dy.shape;
        const [kh, kw] = filterShape;
        const before = (size: number, out: number, k: number, st: number): number => (pad === 'same' ? Math.floor(Math.max((out - 1) * st + k - size, 0) / 2) : 0);
        const pt = before(h, oh, kh, sh);
        const pl = before(w, ow, kw, sw);
        // The last input row/column any output reads, counted from the first real one.
        const lastRow = (oh - 1) * sh + kh - 1 - pt;
        const lastCol = (ow - 1) * sw + kw - 1 - pl;
        const rows = Math.min(h, lastRow + 1);
        const cols = Math.min(w, lastCol + 1);
        const xCut = rows < h || cols < w ? kernel('Slice')({ inputs: { x }, backend, attrs: { begin: [0, 0, 0, 0], size: [n, rows, cols, c] } }) : x;
        const xt = kernel('Transpose')({ inputs: { x: xCut }, backend, attrs: { perm: [3, 1, 2, 0] } });
        const dyt = kernel('Transpose')({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
        const out = kernel('Conv2D')({
          inputs: { x: xt, filter: dyt }, backend,
          attrs: { strides: [1, 1], dilations: [sh, sw], pad: [[0, 0], [pt, lastRow + 1 - rows], [pl, lastCol + 1 - cols], [0, 0]], dataFormat: 'NHWC' },
        });
        const dw = kernel('Transpose')({ inputs: { x: out }, backend, attrs: { perm: [1, 2, 0, 3] } });
        for (const t of [xt, dyt, out, ...(xCut === x ? [] : [xCut])]) b.disposeData(t.dataId);
        return dw as never;
      }
      const filter3d = kernel('Conv3DBackpropFilterV2');
      const x5 = reshape({ inputs: { x }, backend, attrs: { shape: [x.shape[0], 1, ...x.shape.slice(1)] } });
      const dy5 = reshape({ inputs: { x: dy }, backend, attrs: { shape: [dy.shape[0], 1, ...dy.shape.slice(1)] } });
      const dw5 = filter3d({ inputs: { x: x5, dy: dy5 }, backend, attrs: { strides: [1, sh, sw], pad, filterShape: [1, ...filterShape] } });
      const dw = reshape({ inputs: { x: dw5 }, backend, attrs: { shape: filterShape } });
      // Reshape shares the data and counts a reference: release the views made here.
      for (const t of [x5, dy5, dw5]) b.disposeData(t.dataId);
      return dw as never;
    },
  });
  return true;
}
