/**
 * Naive convolution, written to be obviously right: the test oracle and the pure-JS baseline.
 * Parameters are given fully resolved (no defaults, no padding shorthands).
 */
import { Tensor } from '../tensor.js';

export interface RefConv2dParams {
  stride: [number, number];
  /** [top, bottom, left, right] */
  padding: [number, number, number, number];
  dilation: [number, number];
  groups: number;
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, p: RefConv2dParams): Tensor {
  const [n, cin, h, w] = x.shape;
  const [cout, cinPerGroup, kh, kw] = weight.shape;
  const [sh, sw] = p.stride;
  const [top, bottom, left, right] = p.padding;
  const [dh, dw] = p.dilation;
  const outH = Math.floor((h + top + bottom - dh * (kh - 1) - 1) / sh) + 1;
  const outW = Math.floor((w + left + right - dw * (kw - 1) - 1) / sw) + 1;
  const coutPerGroup = cout / p.groups;
  const X = x.data;
  const W = weight.data;
  const out = new Float32Array(n * cout * outH * outW);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < cout; oc++) {
      const g = Math.floor(oc / coutPerGroup);
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          let sum = bias ? bias.data[oc] : 0;
          for (let icg = 0; icg < cinPerGroup; icg++) {
            const ic = g * cinPerGroup + icg;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - top + ky * dh;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - left + kx * dw;
                if (ix < 0 || ix >= w) continue;
                sum += X[((b * cin + ic) * h + iy) * w + ix] * W[((oc * cinPerGroup + icg) * kh + ky) * kw + kx];
              }
            }
          }
          out[((b * cout + oc) * outH + oy) * outW + ox] = sum;
        }
      }
    }
  }
  return new Tensor(out, [n, cout, outH, outW]);
}
