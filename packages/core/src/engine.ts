/** What core and the backends ask of the JavaScript engine beyond the language: V8's flags, in Node. */

/** A Node built-in module at call time (`process.getBuiltinModule`, Node 20.16+), or undefined outside Node. */
export function nodeBuiltin<T>(name: string): T | undefined {
  return (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process?.getBuiltinModule?.(name) as T | undefined;
}

/**
 * Turn the V8 flag `--<flag>` on and run `fn`; returns what `fn` returns. The flag stays on: V8's
 * flags belong to the process, not the thread, so a thread that turned it off again after its
 * compile could land between another thread's turning it on and that thread's compile, which then
 * fails (measured: 8 of 600 relaxed-SIMD compiles in two worker threads, while the main thread
 * turned the flag on and off around its own). For engine features that one V8 release has complete
 * behind a flag and the next turns on by default: a backend compiles its module that needs one
 * inside (backend-cpu's relaxed-SIMD gemm on Node 20, whose V8 11.3 has relaxed SIMD behind
 * `--experimental-wasm-relaxed-simd`; Node 22 and current browsers have it on). Outside Node (a
 * browser, where `process` is missing) `fn` just runs; a runtime whose `node:v8` refuses the flag
 * throws what it throws, before `fn` runs. Call it only where the feature is missing (check first),
 * so an engine that has the feature, and may no longer know its flag, is never asked.
 *
 * @example
 * ```ts
 * import { withV8Flag } from '@tensorgrad/core';
 * const fused = withV8Flag('experimental-wasm-relaxed-simd', () => WebAssembly.validate(relaxedBytes));
 * ```
 */
export function withV8Flag<T>(flag: string, fn: () => T): T {
  nodeBuiltin<{ setFlagsFromString(flags: string): void }>('node:v8')?.setFlagsFromString(`--${flag}`);
  return fn();
}
