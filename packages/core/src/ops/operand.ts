/** Checks of the operands ops accept (a Tensor or a number), with the op and argument named. */
import { Tensor } from '../tensor';

/** How an unaccepted operand reads in an error message. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (Array.isArray(v)) return `an array (${v.length} elements); wrap it with tensor(...)`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}; wrap it with tensor(...)`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof v} (${String(v)})`;
}

/**
 * Throws naming the op and the argument where an operand is neither a Tensor nor a number
 * (`undefined`, `null`, a string, an array, an object), as PyTorch refuses them.
 */
export function checkOperands(op: string, xs: readonly unknown[], names: readonly string[] = ['input', 'other']): void {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x instanceof Tensor || typeof x === 'number') continue;
    throw new Error(`${op}: argument '${names[i] ?? `#${i}`}' must be a Tensor or a number, got ${describe(x)}`);
  }
}

/** Throws naming the op and the argument unless `x` is a Tensor. */
export function checkTensor(op: string, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: argument '${name}' must be a Tensor, got ${describe(x)}`);
}

/** `x` for a Tensor, null for `null`/`undefined` (an absent optional tensor); throws naming the op and the argument otherwise. */
export function optionalTensor(op: string, name: string, x: unknown): Tensor | null {
  if (x === null || x === undefined) return null;
  if (!(x instanceof Tensor)) throw new Error(`${op}: argument '${name}' must be a Tensor or null, got ${describe(x)}`);
  return x;
}

/**
 * Throws unless `tensors` is an array of Tensors (as `cat([a, b], dim)` takes), naming the op;
 * `cat(a, b)` (tensors as separate arguments) gets a hint.
 */
export function checkTensorList(op: string, tensors: unknown, given: number): void {
  if (!Array.isArray(tensors)) {
    const hint = tensors instanceof Tensor && given > 1 ? `; pass the tensors as one array: ${op}([a, b], dim)` : '';
    throw new Error(`${op}: expected an array of Tensors, got ${describe(tensors)}${hint}`);
  }
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`${op}: entry ${i} of the tensors is not a Tensor, got ${describe(t)}`);
  });
}
