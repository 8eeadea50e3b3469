/** Naive pooling (resolved parameters), the oracle for the native pooling kernels. */
import { Tensor } from '../tensor.js';

export interface RefPoolParams {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

function outSize(size: number, k: number, s: number, pad: number, d: number, ceil: boolean): number {
  const span = size + 2 * pad - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // A window may not start in the right padding.
  if (ceil && (out - 1) * s >= size + pad) out -= 1;
  return out;
}

type Window = (plane: Float32Array, h: number, w: number, oy: number, ox: number) => number;

function pool(x: Tensor, p: RefPoolParams, reduce: Window): Tensor {
  const [n, c, h, w] = x.shape;
  const outH = outSize(h, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode);
  const outW = outSize(w, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode);
  const out = new Float32Array(n * c * outH * outW);
  for (let plane = 0; plane < n * c; plane++) {
    const src = x.data.subarray(plane * h * w, (plane + 1) * h * w);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) out[(plane * outH + oy) * outW + ox] = reduce(src, h, w, oy, ox);
    }
  }
  return new Tensor(out, [n, c, outH, outW]);
}

export function maxPool2d(x: Tensor, p: RefPoolParams): Tensor {
  return pool(x, p, (src, h, w, oy, ox) => {
    let best = -Infinity;
    for (let ky = 0; ky < p.kernel[0]; ky++) {
      for (let kx = 0; kx < p.kernel[1]; kx++) {
        const iy = oy * p.stride[0] - p.padding[0] + ky * p.dilation[0];
        const ix = ox * p.stride[1] - p.padding[1] + kx * p.dilation[1];
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
          const v = src[iy * w + ix];
          if (Number.isNaN(v)) return NaN;
          best = Math.max(best, v);
        }
      }
    }
    return best;
  });
}

export function avgPool2d(
  x: Tensor,
  p: Omit<RefPoolParams, 'dilation'> & { countIncludePad: boolean; divisorOverride?: number },
): Tensor {
  return pool(x, { ...p, dilation: [1, 1] }, (src, h, w, oy, ox) => {
    let sum = 0;
    let inside = 0;
    let insidePadded = 0;
    for (let ky = 0; ky < p.kernel[0]; ky++) {
      for (let kx = 0; kx < p.kernel[1]; kx++) {
        const iy = oy * p.stride[0] - p.padding[0] + ky;
        const ix = ox * p.stride[1] - p.padding[1] + kx;
        // Cells of the padded input count when countIncludePad; cells past it (ceil mode) never.
        if (iy < h + p.padding[0] && ix < w + p.padding[1]) insidePadded++;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
          sum += src[iy * w + ix];
          inside++;
        }
      }
    }
    const divisor = p.divisorOverride ? p.divisorOverride : p.countIncludePad ? insidePadded : inside;
    return sum / divisor;
  });
}

export function lpPool2d(x: Tensor, p: Omit<RefPoolParams, 'dilation' | 'padding'> & { p: number }): Tensor {
  return pool(x, { ...p, padding: [0, 0], dilation: [1, 1] }, (src, h, w, oy, ox) => {
    let sum = 0;
    let inside = 0;
    for (let ky = 0; ky < p.kernel[0]; ky++) {
      for (let kx = 0; kx < p.kernel[1]; kx++) {
        const iy = oy * p.stride[0] + ky;
        const ix = ox * p.stride[1] + kx;
        if (iy < h && ix < w) {
          sum += Math.pow(src[iy * w + ix], p.p);
          inside++;
        }
      }
    }
    // PyTorch: avg_pool2d(x^p) * kH*kW, then ^(1/p); partial (ceil-mode) windows are rescaled.
    return Math.pow((sum / inside) * p.kernel[0] * p.kernel[1], 1 / p.p);
  });
}

function adaptive(x: Tensor, outH: number, outW: number, reduce: (values: number[]) => number): Tensor {
  const [n, c, h, w] = x.shape;
  const out = new Float32Array(n * c * outH * outW);
  for (let plane = 0; plane < n * c; plane++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = Math.floor((oy * h) / outH);
      const y1 = Math.ceil(((oy + 1) * h) / outH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = Math.floor((ox * w) / outW);
        const x1 = Math.ceil(((ox + 1) * w) / outW);
        const values: number[] = [];
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) values.push(x.data[(plane * h + iy) * w + ix]);
        out[(plane * outH + oy) * outW + ox] = reduce(values);
      }
    }
  }
  return new Tensor(out, [n, c, outH, outW]);
}

export function adaptiveAvgPool2d(x: Tensor, outH: number, outW: number): Tensor {
  return adaptive(x, outH, outW, (v) => v.reduce((a, b) => a + b, 0) / v.length);
}

export function adaptiveMaxPool2d(x: Tensor, outH: number, outW: number): Tensor {
  return adaptive(x, outH, outW, (v) => v.reduce((m, b) => (Number.isNaN(m) || Number.isNaN(b) ? NaN : Math.max(m, b)), -Infinity));
}

export function globalAvgPool2d(x: Tensor): Tensor {
  return adaptiveAvgPool2d(x, 1, 1);
}

export function globalMaxPool2d(x: Tensor): Tensor {
  return adaptiveMaxPool2d(x, 1, 1);
}
