/**
 * @internal Test helpers for fused kernels (imported by tests only, never by the package's entry):
 * the cpu backend with some fused kernels taken away, so the composition they replace runs, and a
 * comparison of every number two runs of a program give.
 */
import { expect } from 'vitest';
import type { Backend, FusedKernels } from './backend';
import { manualSeed } from './creation';
import { setBackend } from './registry';
import type { Tensor } from './tensor';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
export { cpuBackend };

/** The cpu backend without the fused kernels `names`, so that the compositions of tensor ops run. */
export function withoutFused(names: readonly (keyof FusedKernels)[]): Backend {
  const b = cpuBackend();
  const gone = new Set<string>(names);
  return {
    ...b,
    supports: { ...b.supports, fused: b.supports.fused.filter((k) => !gone.has(k)) },
    kernels: { ...b.kernels, ...Object.fromEntries(names.map((n) => [n, undefined])) },
  };
}

/** Every number a program gives on `backend` (from seed `seed`): its outputs and the gradients it asks for, flattened. */
export async function numbers(backend: Backend, program: () => Tensor[], seed: number): Promise<number[][]> {
  await setBackend(backend);
  manualSeed(seed);
  return program().map((t) => Array.from(t.dataSync()));
}

/** `a` and `b` agree element by element within `tol` relative (absolute below 1). */
export function expectClose(a: number[][], b: number[][], tol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((xs, i) => {
    expect(xs.length).toBe(b[i]!.length);
    xs.forEach((x, j) => expect(Math.abs(x - b[i]![j]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]![j]!))));
  });
}
