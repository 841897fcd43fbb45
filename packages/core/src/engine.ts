/** What core and the backends ask of the JavaScript engine beyond the language: V8's flags, in Node. */

/** A Node built-in module at call time (`process.getBuiltinModule`, Node 20.16+), or undefined outside Node. */
export function nodeBuiltin<T>(name: string): T | undefined {
  return (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process?.getBuiltinModule?.(name) as T | undefined;
}

/**
 * Run `fn` with the V8 flag `--<flag>` on, and turn it off again when `fn` returns or throws; returns
 * what `fn` returns. For engine features that one V8 release has complete behind a flag and the next
 * turns on by default: a backend compiles its module that needs one inside (backend-cpu's
 * relaxed-SIMD gemm on Node 20, whose V8 11.3 has relaxed SIMD behind
 * `--experimental-wasm-relaxed-simd`; Node 22 and current browsers have it on), so the flag is on
 * only while that module compiles. Outside Node (a browser, where `process` is missing) `fn` just
 * runs; a runtime whose `node:v8` refuses the flag throws what it throws, before `fn` runs. Call it
 * only where the feature is missing (check first), so an engine that has the feature, and may no
 * longer know its flag, is never asked.
 *
 * @example
 * ```ts
 * import { withV8Flag } from '@tensorgrad/core';
 * const fused = withV8Flag('experimental-wasm-relaxed-simd', () => WebAssembly.validate(relaxedBytes));
 * ```
 */
export function withV8Flag<T>(flag: string, fn: () => T): T {
  const set = (prefix: string): void => nodeBuiltin<{ setFlagsFromString(flags: string): void }>('node:v8')?.setFlagsFromString(`--${prefix}${flag}`);
  set('');
  try {
    return fn();
  } finally {
    set('no-');
  }
}
