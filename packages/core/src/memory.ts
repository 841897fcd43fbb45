/**
 * Storage lifetime: reference-counted backend data, `tidy` scopes, and the
 * FinalizationRegistry that accounts for the data of tensors nobody can reach any more.
 *
 * Nothing long-lived holds a tensor's data. Each storage has a slot in a slab of typed arrays
 * (its reference count and its backend's token); the registry holds, for each tensor, only a
 * number that leads to the slot. When every tensor of a storage has been collected, the backend
 * gets its token back (`Backend.collected`) and releases what the garbage collector cannot
 * (device memory, live-tensor counts). So host data is reclaimed by the garbage collector as soon as its tensors
 * are unreachable, even in a synchronous loop that never lets the registry's callbacks run; and
 * where the engine can run those callbacks synchronously (V8's `cleanupSome`, reachable in
 * Node), core runs them every few hundred new tensors, so counts and device memory follow too.
 */
import type { Backend, DataId } from './backend';
import { nodeBuiltin, withV8Flag } from './engine';
import { getBackend } from './registry';

// ---- the backend of the kernel being launched: every tensor a kernel reads must live on it

let launching: Backend | null = null;

/** @internal Run `fn` (a kernel launch on `b`); tensors whose `_info()` it reads must be on `b`. */
export function onBackend<T>(b: Backend, fn: () => T): T {
  const outer = launching;
  launching = b;
  try {
    return fn();
  } finally {
    launching = outer;
  }
}

/** @internal The backend of the kernel being launched, if any. */
export function launchingOn(): Backend | null {
  return launching;
}

// ---- the slab: one slot per storage

let refs = new Int32Array(1024);
let tokens = new Float64Array(1024);
/** Per slot: the backend to hand the token back to, or (a backend without `lease`) the storage to dispose. */
const owners: (Backend | Storage | undefined)[] = [];
const vacant: number[] = [];
let top = 0;

function takeSlot(): number {
  const v = vacant.pop();
  if (v !== undefined) return v;
  if (top === refs.length) {
    const r = new Int32Array(refs.length * 2);
    r.set(refs);
    refs = r;
    const t = new Float64Array(tokens.length * 2);
    t.set(tokens);
    tokens = t;
  }
  return top++;
}

function vacate(slot: number): void {
  owners[slot] = undefined;
  vacant.push(slot);
}

/** Backend data shared by the tensors that view it (reshape and friends share, never copy). */
export class Storage {
  /** @internal Its slot in the slab; -1 once freed. */
  slot: number;

  constructor(
    readonly backend: Backend,
    readonly id: DataId,
  ) {
    const slot = takeSlot();
    refs[slot] = 0;
    if (backend.lease && backend.collected) {
      tokens[slot] = backend.lease(id);
      owners[slot] = backend;
    } else {
      owners[slot] = this; // the old contract: the data lives until the registry's callback disposes it
    }
    this.slot = slot;
  }

  /** @internal Tensors holding it. */
  get refs(): number {
    return this.slot < 0 ? 0 : refs[this.slot]!;
  }

  retain(): this {
    if (this.slot < 0) throw new Error('internal: retain of a freed storage');
    refs[this.slot]!++;
    return this;
  }

  release(): void {
    const slot = this.slot;
    if (slot < 0) return;
    if (--refs[slot]! === 0) {
      this.slot = -1;
      vacate(slot);
      this.backend.dispose(this.id);
    }
  }
}

// a registry whose cleanupSome exists (a V8 staging feature, in a fresh context), else the plain one
function makeRegistry(callback: (slot: number) => void): FinalizationRegistry<number> & { cleanupSome?: () => void } {
  try {
    const Registry = withV8Flag('harmony-weak-refs-with-cleanup-some', () => nodeBuiltin<{ runInNewContext(code: string): unknown }>('node:vm')?.runInNewContext('FinalizationRegistry')) as
      | (typeof FinalizationRegistry & { prototype: { cleanupSome?: unknown } })
      | undefined;
    if (typeof Registry?.prototype.cleanupSome === 'function') return new Registry(callback);
  } catch {
    // not V8, or V8 without the feature: the callbacks run when the event loop turns
  }
  return new FinalizationRegistry(callback);
}

// ---- watches: what the registry holds for a tensor, the index of its storage's slot in `watched`,
// so that an in-place assignment moves the watch to the new slot without registering again

const watched: number[] = [];
const idle: number[] = [];

const collected = makeRegistry((w: number) => {
  const slot = watched[w]!;
  idle.push(w);
  if (--refs[slot]! !== 0) return;
  const owner = owners[slot]!;
  vacate(slot);
  if (owner instanceof Storage) {
    owner.slot = -1;
    owner.backend.dispose(owner.id);
  } else {
    owner.collected!(tokens[slot]!);
  }
});

/** Tensors tracked so far: the registry's callbacks run synchronously every 256 of them. */
let tracked = 0;

/** What the registry and scopes handle: a tensor. */
interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
  /** @internal What stands for it in the FinalizationRegistry while registered (its watch), else null. */
  _tracked: { readonly watch: number } | null;
  /** @internal Its storage's slot. */
  _slot(): number;
}

// The registry watches a token object that only the tensor references, not the tensor itself: it
// dies with the tensor, and V8's young-generation collector keeps a registered object alive (and
// promotes it to the old generation with everything it reaches). A tensor that dies young costs
// the old generation its token, some 30 bytes, instead of its graph node, storage and typed arrays
// (over 1 KB for a loss). Each registration also puts a cell in the old generation, so the
// registry holds a watch whose slot `retrack` can change, rather than the slot itself.
function register(t: Disposable): void {
  if (t._tracked || t.isDisposed) return;
  const token = { watch: idle.pop() ?? watched.length };
  watched[token.watch] = t._slot();
  t._tracked = token;
  collected.register(token, token.watch, token);
}

/**
 * Start tracking a tensor: its storage's slot loses its reference when the tensor is collected.
 * Inside `tidy` the scope holds it and registers it only if it survives the scope: a tensor the
 * scope disposes never costs the registry anything.
 */
export function track(owner: Disposable): void {
  const scope = scopes[scopes.length - 1];
  if (scope) scope.push(owner);
  else register(owner);
  if ((++tracked & 255) === 0) collected.cleanupSome?.();
}

/** A tensor moved to other storage (an in-place assignment): the registry holds the new slot. */
export function retrack(owner: Disposable): void {
  const token = owner._tracked;
  if (token) watched[token.watch] = owner._slot();
}

/** Stop tracking a disposed tensor: the registry forgets it now. */
export function untrack(owner: Disposable): void {
  const token = owner._tracked;
  if (!token) return;
  owner._tracked = null;
  if (collected.unregister(token)) idle.push(token.watch);
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
      if (outer) outer.push(t); // a returned tensor belongs to the enclosing scope now
      else register(t);
    } else if (kept.has(t)) {
      register(t);
    } else if (!t.isDisposed) {
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
  collected.cleanupSome?.(); // tensors the collector found dead since the last sweep stop counting now
  return getBackend().memory();
}
