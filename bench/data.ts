/** Deterministic test data and the layout conversions the peers need. */

/**
 * Uniform values in [-scale, scale) from a fixed-seed xorshift generator, so that every peer
 * and every run sees the same numbers (and a mismatch is reproducible).
 */
export function uniform(count: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(count);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** [N, C, H, W] -> [N, H, W, C] (tfjs and convnetjs are channels-last). */
export function nchwToNhwc(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++) out[((b * h + y) * w + xx) * c + ch] = x[((b * c + ch) * h + y) * w + xx];
  return out;
}

/** [N, H, W, C] -> [N, C, H, W]. */
export function nhwcToNchw(x: ArrayLike<number>, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * c * h * w);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++) out[((b * c + ch) * h + y) * w + xx] = x[((b * h + y) * w + xx) * c + ch];
  return out;
}

/** PyTorch conv weight [Cout, Cin/g, kh, kw] -> tfjs conv2d filter [kh, kw, Cin, Cout]. */
export function oihwToHwio(wt: Float32Array, cout: number, cin: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(wt.length);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * cin + i) * cout + o] = wt[((o * cin + i) * kh + y) * kw + x];
  return out;
}

/**
 * Largest |a - b| divided by the largest |b|: the relative error used to check that a peer
 * computed the same thing as the reference run, independent of the output's scale.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return NaN;
    if (d > diff) diff = d;
    const m = Math.abs(b[i]);
    if (m > scale) scale = m;
  }
  return diff / (scale || 1);
}
