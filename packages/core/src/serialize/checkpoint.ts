/**
 * Checkpoints: a model's and an optimizer's state with numbers and nesting beside the tensors, in
 * one safetensors file. Tensors go in the tensor table under dotted paths (`model.fc1.weight`,
 * `optimizer.state.0.expAvg`); the structure, with every non-tensor value, goes as JSON under the
 * `__metadata__` key `tensorgrad.checkpoint`. A plain name → Tensor object is written as it is,
 * with no such key, so PyTorch's `safetensors.torch.load_file` reads it as a state dict.
 */
import { Tensor } from '../tensor';
import { describe } from '../validate';

/** The `__metadata__` key holding a checkpoint's structure. */
export const CHECKPOINT_KEY = 'tensorgrad.checkpoint';

/**
 * What `save` and `serialize` accept: tensors, numbers (`Infinity` and `NaN` included), strings,
 * booleans and `null`, in arrays and plain objects nested to any depth.
 *
 * @example
 * ```ts
 * const ck: Checkpoint = { model: model.stateDict(), optimizer: opt.stateDict(), iter: 3, config: { nLayer: 4 } };
 * ```
 */
export type Checkpoint = { [key: string]: CheckpointValue };

/** One value of a {@link Checkpoint}. */
export type CheckpointValue = Tensor | number | string | boolean | null | readonly CheckpointValue[] | { [key: string]: CheckpointValue };

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/**
 * The tensors of `value` under dotted paths, and the structure as JSON (null for a flat name →
 * Tensor object, written as a plain state dict).
 */
export function flattenCheckpoint(op: string, value: object): { tensors: Record<string, Tensor>; tree: string | null } {
  const values = Object.values(value);
  if (values.every((v) => v instanceof Tensor)) return { tensors: value as Record<string, Tensor>, tree: null };
  const tensors: Record<string, Tensor> = Object.create(null);
  const seen = new Set<object>();
  const walk = (v: unknown, path: string[]): unknown => {
    const where = path.length > 0 ? `'${path.join('.')}'` : 'the checkpoint';
    if (v instanceof Tensor) {
      const name = path.join('.');
      if (Object.prototype.hasOwnProperty.call(tensors, name)) throw new Error(`${op}: two tensors of the checkpoint get the name '${name}'; a key must not contain '.' where that is ambiguous`);
      tensors[name] = v;
      return { $tensor: name };
    }
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
    if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
    if (Array.isArray(v) || isPlain(v)) {
      if (seen.has(v)) throw new Error(`${op}: ${where} refers back to itself; a checkpoint must be a tree`);
      seen.add(v);
      const out = Array.isArray(v)
        ? v.map((x, i) => walk(x, [...path, String(i)]))
        : Object.fromEntries(
            Object.entries(v).map(([k, x]) => {
              if (k === '$tensor' || k === '$number') throw new Error(`${op}: the key '${k}' at ${where} is reserved by the checkpoint format`);
              return [k, walk(x, [...path, k])];
            }),
          );
      seen.delete(v);
      return out;
    }
    const what = ArrayBuffer.isView(v) ? `a ${v.constructor.name}; wrap it with tensor(...)` : typeof v === 'function' ? 'a function' : describe(v);
    throw new Error(`${op}: ${where} is ${what}; a checkpoint holds tensors, numbers, strings, booleans, null, arrays and plain objects`);
  };
  const tree = walk(value, []);
  return { tensors, tree: JSON.stringify(tree) };
}

/** The checkpoint `tree` (JSON from {@link flattenCheckpoint}) with its tensors put back. */
export function rebuildCheckpoint(op: string, tree: string, tensors: Record<string, Tensor>): Checkpoint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(tree);
  } catch {
    throw new Error(`${op}: the metadata '${CHECKPOINT_KEY}' is not valid JSON`);
  }
  const back = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(back);
    if (isPlain(v)) {
      if (typeof v.$tensor === 'string') {
        const t = tensors[v.$tensor];
        if (!t) throw new Error(`${op}: the checkpoint refers to tensor '${v.$tensor}', which the file does not hold`);
        return t;
      }
      if (typeof v.$number === 'string') return Number(v.$number);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, back(x)]));
    }
    return v;
  };
  const out = back(parsed);
  if (!isPlain(out)) throw new Error(`${op}: the metadata '${CHECKPOINT_KEY}' does not hold an object`);
  return out as Checkpoint;
}
