/** A garbage collection on demand, wherever the suite runs. */

type Builtin = (id: string) => unknown;

/**
 * A function that runs a full garbage collection: `globalThis.gc` where the engine exposes it
 * (`node --expose-gc`, Chromium with `--js-flags=--expose-gc`), else in Node the same function
 * obtained through `node:v8` and `node:vm` (no import: this module also runs in pages).
 * Throws, saying how to expose one, where neither is available.
 *
 * @example
 * ```ts
 * const gc = forcedGc();
 * gc();
 * ```
 */
export function forcedGc(): () => void {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: Builtin } }).process?.getBuiltinModule;
  if (typeof getBuiltinModule === 'function') {
    (getBuiltinModule('node:v8') as { setFlagsFromString(flags: string): void }).setFlagsFromString('--expose-gc');
    return (getBuiltinModule('node:vm') as { runInNewContext(code: string): unknown }).runInNewContext('gc') as () => void;
  }
  throw new Error('conformance: this test forces a garbage collection: run node with --expose-gc, or Chromium with --js-flags=--expose-gc');
}
