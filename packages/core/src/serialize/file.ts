/**
 * Saving and loading safetensors files in Node, synchronously. Node's `fs` is reached through
 * `process.getBuiltinModule` (Node ≥ 20.16) at call time, so core has no import-time Node dependency.
 */
import type { Tensor } from '../tensor';
import { describe } from '../validate';
import { type SerializeOptions, deserialize, serializeAs } from './safetensors';

type Fs = typeof import('node:fs');

function nodeFs(op: string): Fs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') {
    throw new Error(
      `${op}: needs Node.js >= 20.16 (process.getBuiltinModule); in a browser use serialize(stateDict) / deserialize(bytes) and store the bytes yourself`,
    );
  }
  return proc.getBuiltinModule('node:fs') as Fs;
}

/**
 * Write a state dict to `path` as a safetensors file (Node), which PyTorch reads with
 * `safetensors.torch.load_file(path)`.
 *
 * @example
 * ```ts
 * save(model.stateDict(), 'mnist-mlp.safetensors');
 * ```
 */
export function save(stateDict: Record<string, Tensor>, path: string, options: SerializeOptions = {}): void {
  if (typeof path !== 'string' || path === '') throw new Error(`save: path must be a non-empty string (a file name), got ${describe(path)}`);
  if (arguments.length > 3) throw new Error(`save: takes (stateDict, path, options?), got ${arguments.length} arguments`);
  const bytes = serializeAs('save', stateDict, options);
  nodeFs('save').writeFileSync(path, bytes);
}

/**
 * Read a safetensors file (Node) into tensors on the current backend, e.g. weights PyTorch saved
 * with `safetensors.torch.save_file(model.state_dict(), path)`.
 *
 * @example
 * ```ts
 * model.loadStateDict(load('mnist-mlp.safetensors'));
 * ```
 */
export function load(path: string): Record<string, Tensor> {
  if (typeof path !== 'string' || path === '') throw new Error(`load: path must be a non-empty string (a file name), got ${describe(path)}`);
  if (arguments.length > 1) throw new Error(`load: takes (path), got ${arguments.length} arguments; tensors load onto the current backend (move them with .to(...))`);
  const bytes = nodeFs('load').readFileSync(path);
  try {
    return deserialize(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    const msg = (e as Error).message.replace(/^deserialize: /, '');
    throw new Error(`load: ${path}: ${msg}`, { cause: e });
  }
}
