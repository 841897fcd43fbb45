/**
 * The backend registry: which backend new tensors go to, and backends by name for `t.to(name)`.
 * No backend is registered at import time: a backend is a value the user passes in.
 */
import type { Backend } from './backend';
import { describe } from './validate';

/**
 * Makes a backend for {@link registerBackend}; called once, on the first `setBackend(name)` or `t.to(name)`.
 *
 * @example
 * ```ts
 * const factory: BackendFactory = () => workerBackend({ threads: 2 });
 * registerBackend('worker', factory);
 * ```
 */
export type BackendFactory = () => Backend | Promise<Backend>;

const factories = new Map<string, BackendFactory>();
const instances = new Map<string, Backend>();
let current: Backend | null = null;
let fallback: (() => Backend) | null = null;

const NO_BACKEND =
  'no tensorgrad backend is set: install @tensorgrad/backend-cpu and call setBackend(cpuBackend())';

/**
 * Make `backend` (or the registered backend called `backend`) the one new tensors are created on.
 *
 * @example
 * ```ts
 * import { setBackend } from '@tensorgrad/core';
 * import { cpuBackend } from '@tensorgrad/backend-cpu';
 * await setBackend(cpuBackend());
 * await setBackend('cpu'); // by name, once known
 * ```
 */
export async function setBackend(backend: Backend | string): Promise<Backend> {
  if (typeof backend !== 'string' && !isBackend(backend)) {
    throw new Error(`setBackend: expected a backend (e.g. cpuBackend()) or the name of a registered one, got ${describe(backend)}`);
  }
  const b = typeof backend === 'string' ? await instantiate(backend) : backend;
  if (b.ready) await b.ready();
  instances.set(b.name, b);
  current = b;
  return b;
}

/**
 * Register a factory under a name, so that `setBackend(name)` and `t.to(name)` can create it on first use.
 *
 * @example
 * ```ts
 * registerBackend('worker', () => workerBackend({ threads: 2 }));
 * await setBackend('worker');
 * ```
 */
export function registerBackend(name: string, factory: BackendFactory): void {
  if (typeof name !== 'string' || name === '') throw new Error(`registerBackend: name must be a non-empty string, got ${describe(name)}`);
  if (typeof factory !== 'function') throw new Error(`registerBackend: factory must be a function returning a backend (or a promise of one), got ${describe(factory)}`);
  factories.set(name, factory);
}

/**
 * The current backend; throws when none is set.
 *
 * @example
 * ```ts
 * getBackend().name; // 'cpu'
 * ```
 */
export function getBackend(): Backend {
  if (!current) {
    if (!fallback) throw new Error(NO_BACKEND);
    current = fallback();
    instances.set(current.name, current);
  }
  return current;
}

/**
 * The backend to create on first use when none was set: what the `tensorgrad` package does
 * with the CPU backend. Libraries should leave this to applications.
 *
 * @example
 * ```ts
 * setDefaultBackend(() => cpuBackend());
 * tensor([1, 2]).backend; // 'cpu', without a setBackend call
 * ```
 */
export function setDefaultBackend(factory: () => Backend): void {
  if (typeof factory !== 'function') throw new Error(`setDefaultBackend: factory must be a function returning a backend, got ${describe(factory)}`);
  fallback = factory;
}

/**
 * Names of every backend known: registered factories and backends already in use.
 *
 * @example
 * ```ts
 * listBackends(); // ['cpu', 'worker']
 * ```
 */
export function listBackends(): string[] {
  return [...new Set([...instances.keys(), ...factories.keys()])];
}

/** The backend called `name`, created synchronously from its factory if needed (for `t.to(name)`). */
export function findBackend(name: string): Backend {
  const b = instances.get(name);
  if (b) return b;
  const f = factories.get(name);
  if (!f) {
    throw new Error(
      `no backend named '${name}': known backends are [${listBackends().join(', ')}]; call registerBackend('${name}', factory) or setBackend(...) first`,
    );
  }
  const made = f();
  if (made instanceof Promise) {
    throw new Error(`backend '${name}' is created asynchronously: call await setBackend('${name}') once before moving tensors to it`);
  }
  instances.set(name, made);
  return made;
}

/** Remember a backend by name without making it current (used when a backend object is passed to `to`). */
export function rememberBackend(b: Backend): void {
  if (!instances.has(b.name)) instances.set(b.name, b);
}

async function instantiate(name: string): Promise<Backend> {
  const b = instances.get(name);
  if (b) return b;
  const f = factories.get(name);
  if (!f) {
    throw new Error(
      `setBackend: no backend named '${name}': known backends are [${listBackends().join(', ')}]; register it with registerBackend('${name}', factory)`,
    );
  }
  const made = await f();
  instances.set(name, made);
  return made;
}

/** Whether `b` looks like a backend: a name, `write` and a kernel table. */
export function isBackend(b: unknown): b is Backend {
  return b !== null && typeof b === 'object' && typeof (b as Backend).name === 'string' && typeof (b as Backend).write === 'function' && typeof (b as Backend).kernels === 'object';
}
