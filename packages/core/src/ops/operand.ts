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
