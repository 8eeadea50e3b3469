/** Shared pieces of the kernel tests: the ISAs this machine runs, comparisons that print the case. */
import { native, type NativeIsa } from '../../lib/native.js';

/** Every ISA the CPU supports: each kernel test runs once per entry, in this process, by passing
 * `isa` to the native entry (the binding's test hook); test/kernels/isa-env.test.ts checks
 * separately that CONVNODE_ISA selects the same kernels in a child process. */
export const ISAS: NativeIsa[] = native.CpuInfo().availableIsas as NativeIsa[];

export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296 - 0.5;
  };
}

export function randomArray(n: number, rnd: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rnd() * 2;
  return a;
}

/** max |a - b| relative to max(1, max |b|); throws with the whole case when above tol. */
export function expectClose(got: Float32Array, want: Float32Array, tol: number, context: unknown): void {
  if (got.length !== want.length) {
    throw new Error(`length ${got.length} != ${want.length} for ${JSON.stringify(context)}`);
  }
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) maxAbs = Math.max(maxAbs, Math.abs(want[i]));
  const scale = Math.max(1, maxAbs);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * scale)) {
      throw new Error(
        `mismatch at ${i}: got ${got[i]}, want ${want[i]} (|err| ${err}, tol ${tol} x ${scale}) for ${JSON.stringify(context)}`,
      );
    }
  }
}
