/**
 * tfjs 4.22's wasm backend has no Conv2DBackpropFilter kernel, so any conv layer's training
 * step throws "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" (tfjs does not
 * fall back to another backend). The bench registers one, as the anchors (peers-js.md §3) did:
 * a 2-D filter gradient is the 3-D one with depth 1, which the wasm backend does have
 * (Conv3DBackpropFilterV2). x [N,H,W,C] and dy [N,OH,OW,K] are viewed as [N,1,H,W,C] and
 * [N,1,OH,OW,K]; the result [1,KH,KW,C,K] is viewed back as [KH,KW,C,K]. The bench prints that
 * this was done rather than hiding it.
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
      // Conv3DBackpropFilterV2 takes only 'valid' / 'same' padding, NHWC, and no dilation.
      if ((pad !== 'valid' && pad !== 'same') || (dataFormat !== undefined && dataFormat !== 'NHWC') || dil[0] !== 1 || dil[1] !== 1) {
        throw new Error(`Conv2DBackpropFilter shim: expected 'valid'/'same' padding, NHWC, dilation 1, got ${JSON.stringify({ pad, dataFormat, dilations })}`);
      }
      const reshape = tf.getKernel('Reshape', 'wasm')!.kernelFunc as unknown as (a: object) => TensorInfo;
      const filter3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm')!.kernelFunc as unknown as (a: object) => TensorInfo;
      const b = backend as unknown as { disposeData(id: object): void };
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
