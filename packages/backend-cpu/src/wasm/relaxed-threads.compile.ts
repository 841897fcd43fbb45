/**
 * What relaxed-threads.test.ts runs in several threads at once: the relaxed-SIMD gemm builds
 * compiled over and over. Here so that the test's own thread and its worker threads (this file
 * bundled by esbuild) run the same code.
 */
import { createSharedGemm, relaxedBuild } from './gemm';
import { WASM_BYTES, WASM_SHARED_BYTES } from './gemm.generated';
import { instantiateSimd } from './instantiate';

/** The failed compiles of `compiles` of each relaxed build (own memory, shared memory) in this thread, once `go[0]` turns nonzero. */
export function compileRelaxed(go: Int32Array, compiles: number): number {
  while (Atomics.load(go, 0) === 0);
  const own = relaxedBuild(WASM_BYTES);
  const shared = relaxedBuild(WASM_SHARED_BYTES);
  const memory = createSharedGemm(1)?.memory ?? null; // a memory of the shared build's size
  let failed = memory === null ? 1 : 0;
  for (let i = 0; i < compiles; i++) {
    if (instantiateSimd(own, {}, true) === null) failed++;
    if (memory !== null && instantiateSimd(shared, { env: { memory } }, true) === null) failed++;
  }
  return failed;
}
