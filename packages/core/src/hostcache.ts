/**
 * Host copies of small tensors' values, for ops whose output shape or checks depend on the values
 * of an index tensor (`x.index(mask)`, range checks) on backends that cannot read synchronously
 * (gpujs on WebGPU). Keyed by the tensor's storage: storage is never mutated (kernels make new
 * storage, in-place ops rebind it), so a view of the same storage has the same values, and an
 * entry goes with its storage when the garbage collector takes it.
 */
import type { DType, TypedArray } from './backend';
import { fmt } from './shape';
import type { Tensor } from './tensor';

const cache = new WeakMap<object, TypedArray>();

function arrayFor(dtype: DType, values: ArrayLike<number>): TypedArray {
  if (dtype === 'float32') return Float32Array.from(values);
  if (dtype === 'int32') return Int32Array.from(values);
  return Uint8Array.from(values, (v) => (v ? 1 : 0));
}

/**
 * @internal Remember `values` (row-major, `t.numel()` of them) as the host copy of `t`'s storage,
 * for {@link hostValues}. The values are copied, so the caller may reuse its array.
 *
 * @example
 * ```ts
 * rememberHost(idx, new Int32Array([2, 0, 1])); // tensor() does this for small int32/bool data
 * ```
 */
export function rememberHost(t: Tensor, values: TypedArray): void {
  if (values.length !== t.numel()) {
    throw new Error(`rememberHost: ${values.length} values do not fill shape ${fmt(t.shape)} (${t.numel()} elements)`);
  }
  cache.set(t._storage(), arrayFor(t.dtype, values));
}

/**
 * @internal The host copy of `t`'s values remembered by {@link rememberHost}, or null. The array is
 * shared: read it, never write it.
 *
 * @example
 * ```ts
 * const values = hostValues(idx); // Int32Array or null
 * ```
 */
export function hostValues(t: Tensor): TypedArray | null {
  return cache.get(t._storage()) ?? null;
}

/**
 * @internal `t`'s values on the host, for an op that needs them now (`op` names it in the error):
 * the remembered copy, else a synchronous read, else an error saying how to make the values
 * readable. Read the result, never write it.
 *
 * @example
 * ```ts
 * const positions = readHost('index', idx, 'index tensor');
 * ```
 */
export function readHost(op: string, t: Tensor, what = 'tensor'): TypedArray {
  const cached = hostValues(t);
  if (cached) return cached;
  const b = t._backend();
  if (b.readSync && b.supports.syncRead) return t.dataSync();
  throw new Error(
    `${op}: needs the values of the ${t.dtype} ${what} of shape ${fmt(t.shape)} on the host, but backend '${b.name}' cannot read synchronously; ` +
      `make the index with tensor(await idx.data(), { dtype: '${t.dtype}' })`,
  );
}
