/** Machine facts, the thread count and memory accounting. */
import { native } from './native.js';
import { int } from './ops/args.js';
import { liveTensorStats } from './tensor.js';

export interface CpuInfo {
  /** The kernel family in use: 'avx512', 'avx2' or 'generic'. */
  isa: 'generic' | 'avx2' | 'avx512';
  /** The best family this CPU supports. */
  bestIsa: 'generic' | 'avx2' | 'avx512';
  /** CONVNODE_ISA as given ('' when unset); an unsupported request falls back to bestIsa. */
  requestedIsa: string;
  availableIsas: string[];
  features: Record<string, boolean>;
  /** Cores available to this process (its CPU affinity). */
  cores: number;
  openmp: boolean;
  threads: number;
  /** Whether glibc's malloc thresholds were raised for tensor-sized blocks (CONVNODE_MALLOC_TUNING=0 opts out). */
  mallocTuned: boolean;
}

/** @example cn.cpuInfo().isa // 'avx512' */
export function cpuInfo(): CpuInfo {
  return native.CpuInfo();
}

/**
 * Threads used by every kernel (default: the cores available to the process). Process-wide.
 * @example cn.setNumThreads(1)
 */
export function setNumThreads(n: number): void {
  native.SetNumThreads(int('setNumThreads', 'n', n, 1));
}

/** @example cn.getNumThreads() // 2 */
export function getNumThreads(): number {
  return native.GetNumThreads();
}

export interface MemoryInfo {
  /** Op outputs not yet disposed or garbage-collected. */
  liveTensors: number;
  liveTensorBytes: number;
  /** All op outputs allocated so far in this thread. */
  outputsAllocated: number;
  outputBytesAllocated: number;
  /** V8's count of ArrayBuffer memory (ours and everyone's). */
  arrayBufferBytes: number;
}

/** @example cn.memory().liveTensorBytes */
export function memory(): MemoryInfo {
  const live = liveTensorStats();
  const nat = native.Memory();
  return {
    liveTensors: live.tensors,
    liveTensorBytes: live.bytes,
    outputsAllocated: nat.outputsAllocated,
    outputBytesAllocated: nat.outputBytesAllocated,
    arrayBufferBytes: process.memoryUsage().arrayBuffers,
  };
}
