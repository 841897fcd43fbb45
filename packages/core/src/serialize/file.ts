/**
 * Saving and loading safetensors files in Node, synchronously. Node's `fs` is reached through
 * `process.getBuiltinModule` (Node ≥ 20.16) at call time, so core has no import-time Node dependency.
 */
import { nodeBuiltin } from '../engine';
import type { Tensor } from '../tensor';
import { describe } from '../validate';
import type { Checkpoint } from './checkpoint';
import { type SerializeOptions, deserialize, deserializeCheckpoint, serializeAs } from './safetensors';

type Fs = typeof import('node:fs');

function nodeFs(op: string): Fs {
  const fs = nodeBuiltin<Fs>('node:fs');
  if (fs === undefined) {
    throw new Error(
      `${op}: needs Node.js >= 20.16 (process.getBuiltinModule); in a browser use serialize(stateDict) / deserialize(bytes) and store the bytes yourself`,
    );
  }
  return fs;
}

/**
 * Write a state dict to `path` as a safetensors file (Node), which PyTorch reads with
 * `safetensors.torch.load_file(path)`. A checkpoint (nested objects with numbers and strings
 * beside the tensors: a model's and an optimizer's state, the iteration) is written too, its
 * structure in the file's metadata; read it back with {@link loadCheckpoint}.
 *
 * @example
 * ```ts
 * save(model.stateDict(), 'mnist-mlp.safetensors');
 * save({ model: model.stateDict(), optimizer: opt.stateDict(), iter: 3 }, 'ckpt.safetensors');
 * ```
 */
export function save(stateDict: Record<string, Tensor> | Checkpoint, path: string, options: SerializeOptions = {}): void {
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
  if (arguments.length > 1) throw new Error(`load: takes (path), got ${arguments.length} arguments; tensors load onto the current backend (move them with .to(...))`);
  return readFile('load', path, deserialize);
}

/**
 * Read a checkpoint written by {@link save} (Node): the same nesting of objects, arrays,
 * numbers, strings and tensors. A plain state dict file gives its name → Tensor object.
 *
 * @example
 * ```ts
 * const ck = loadCheckpoint('ckpt.safetensors');
 * model.loadStateDict(ck.model as Record<string, Tensor>);
 * opt.loadStateDict(ck.optimizer as never);
 * ```
 */
export function loadCheckpoint(path: string): Checkpoint {
  if (arguments.length > 1) throw new Error(`loadCheckpoint: takes (path), got ${arguments.length} arguments`);
  return readFile('loadCheckpoint', path, deserializeCheckpoint);
}

function readFile<T>(op: string, path: string, parse: (bytes: Uint8Array) => T): T {
  if (typeof path !== 'string' || path === '') throw new Error(`${op}: path must be a non-empty string (a file name), got ${describe(path)}`);
  const bytes = nodeFs(op).readFileSync(path);
  try {
    return parse(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    const msg = (e as Error).message.replace(/^(deserialize|deserializeCheckpoint): /, '');
    throw new Error(`${op}: ${path}: ${msg}`, { cause: e });
  }
}
