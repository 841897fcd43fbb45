/**
 * Storage lifetime: reference-counted backend data, `tidy` scopes, and the
 * FinalizationRegistry that frees the data of tensors nobody can reach any more.
 */
import type { Backend, DataId } from './backend';
import { getBackend } from './registry';

/** Backend data shared by the tensors that view it (reshape and friends share, never copy). */
export class Storage {
  refs = 0;
  constructor(
    readonly backend: Backend,
    readonly id: DataId,
  ) {}

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs === 0) this.backend.dispose(this.id);
  }
}

/** A tensor's link to its storage; the FinalizationRegistry holds this cell, never the tensor. */
export interface StorageCell {
  storage: Storage | null;
}

const collected = new FinalizationRegistry<StorageCell>((cell) => {
  const s = cell.storage;
  cell.storage = null;
  s?.release();
});

/** Start tracking a tensor: its storage is released when it is disposed or collected. */
export function track(owner: object, cell: StorageCell): void {
  collected.register(owner, cell);
  const scope = scopes[scopes.length - 1];
  if (scope) scope.push(owner as Disposable);
}


interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Disposable[][] = [];
const kept = new WeakSet<object>();

/** Open a scope; every tensor created until {@link endScope} is recorded in it. */
export function startScope(): void {
  scopes.push([]);
}

/** Close the innermost scope, disposing what it recorded except `keep` and tensors marked with {@link keep}. */
export function endScope(survivors: ReadonlySet<object>): void {
  const scope = scopes.pop();
  if (!scope) return;
  const outer = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) {
      outer?.push(t); // a returned tensor belongs to the enclosing scope now
    } else if (!kept.has(t) && !t.isDisposed) {
      t.dispose();
    }
  }
}

/**
 * Mark a tensor to survive every enclosing `tidy` (parameters, gradients, optimizer state).
 *
 * @example
 * ```ts
 * let w: Tensor;
 * tidy(() => { w = keep(randn([3])); });
 * ```
 */
export function keep<T extends object>(t: T): T {
  kept.add(t);
  return t;
}

/**
 * Run `fn` and free every tensor it created, except the ones it returns (a tensor, or
 * tensors inside a returned array or plain object), the tensors their autograd graph reads
 * (so `backward()` still works on a returned loss), and ones marked with {@link keep}.
 * Freeing is an optimisation: tensors left alone are collected by the garbage collector.
 *
 * @example
 * ```ts
 * const y = tidy(() => x.mul(2).add(1).relu()); // the two intermediates are freed now
 * ```
 */
export function tidy<T>(fn: () => T): T {
  startScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    endScope(new Set());
    throw e;
  }
  endScope(withGraphs(collectTensors(result)));
  return result;
}

// a returned tensor's graph stays usable: the tensors its recorded ops read survive too
function withGraphs(roots: Set<object>): Set<object> {
  const stack = [...roots] as { _node?: { inputs: readonly object[]; backward: unknown } | null }[];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (!t._node?.backward) continue; // a freed graph (after backward) keeps nothing alive
    for (const input of t._node.inputs) {
      if (!roots.has(input)) {
        roots.add(input);
        stack.push(input as (typeof stack)[number]);
      }
    }
  }
  return roots;
}

function collectTensors(value: unknown, out = new Set<object>()): Set<object> {
  if (value && typeof value === 'object') {
    if ('dispose' in value && 'shape' in value) out.add(value);
    else if (Array.isArray(value)) for (const v of value) collectTensors(v, out);
    else if (Object.getPrototypeOf(value) === Object.prototype || value instanceof Map) {
      for (const v of value instanceof Map ? value.values() : Object.values(value)) collectTensors(v, out);
    }
  }
  return out;
}

/**
 * Live tensors and bytes on the current backend.
 *
 * @example
 * ```ts
 * const before = memory().tensors;
 * tidy(() => { ones([1000]).mul(2); });
 * memory().tensors === before; // true
 * ```
 */
export function memory(): {
  /** Live storages. */
  tensors: number;
  /** Their total size in bytes. */
  bytes: number;
} {
  return getBackend().memory();
}
