/**
 * The value fit's WebAssembly SIMD kernels (wasm/value-fit-kernels.wat, assembled into the checked-in
 * wasm/value-fit-kernels.wasm by `pnpm build:wasm`): matrix products and Adam's update whose results are the
 * scalar JavaScript kernels' to the last bit (math/gemm.ts, math/adam-moments.ts), computed two float64 lanes at
 * a time. The module is compiled once per thread, synchronously, on first use; each instance has its own memory.
 * Users: the value fit (simd-mlp-regression.ts) and the policies' host forward (simd-mlp-forward.ts).
 */
import { readFileSync } from 'node:fs';

/** Pointers are byte offsets into `memory`; counts and strides are in elements (see the .wat file). */
export interface ValueFitKernels {
  readonly memory: WebAssembly.Memory;
  /** C[i, j] = Σ_p A[i·sai + p·sap] · B[p·n + j] (+ bias[j] unless bias is 0); A, bias, C float32, B float64. */
  gemm(a: number, sai: number, sap: number, b: number, bias: number, c: number, m: number, n: number, k: number): void;
  /** dst[r·cols + c] = src[r·sr + c·sc]: float32 to float64, transposed when sr = 1. */
  promote(src: number, sr: number, sc: number, dst: number, rows: number, cols: number): void;
  /** One Adam step, as AdamMoments.update (c1 = 1 − β₁, c2 = 1 − β₂, stepSize = α/(1 − β₁ᵗ), correction 1 − β₂ᵗ). */
  adam(
    params: number,
    gradient: number,
    first: number,
    second: number,
    count: number,
    beta1: number,
    c1: number,
    beta2: number,
    c2: number,
    stepSize: number,
    correction: number,
    epsilon: number,
  ): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where the runtime has no WebAssembly SIMD. */
export function valueFitKernelsModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = readFileSync(new URL('../../wasm/value-fit-kernels.wasm', import.meta.url));
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

/**
 * Hands this thread the module another thread compiled (a worker thread gets it with its start: run from the
 * TypeScript sources, its code is a bundle in a data: URL, from which the binary's file cannot be found).
 */
export function provideValueFitKernels(module: WebAssembly.Module | null): void {
  compiled = module;
}

/** Whether this runtime runs the SIMD kernels (Node ≥ 16.4 does). */
export function simdKernelsSupported(): boolean {
  return valueFitKernelsModule() !== null;
}

/** A fresh instance with at least `bytes` of memory. Throws where `simdKernelsSupported()` is false. */
export function instantiateValueFitKernels(bytes: number): ValueFitKernels {
  const module = valueFitKernelsModule();
  if (module === null) throw new Error('this runtime has no WebAssembly SIMD');
  const kernels = new WebAssembly.Instance(module).exports as unknown as ValueFitKernels;
  const missing = bytes - kernels.memory.buffer.byteLength;
  if (missing > 0) kernels.memory.grow(Math.ceil(missing / 65536));
  return kernels;
}

/**
 * Lays out buffers in the kernels' memory: 16-byte-aligned byte ranges from 16 on (address 0 means "none" to the
 * kernels). Take every range first, then instantiate with `end` bytes.
 */
export class KernelArena {
  end = 16;

  /** The byte offset of a new range of `bytes`. */
  take(bytes: number): number {
    const start = this.end;
    this.end += Math.ceil(bytes / 16) * 16;
    return start;
  }
}
