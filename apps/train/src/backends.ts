/** The backend `--backend` names: cpu always, worker and gpujs when their packages are installed. */
import type { Backend } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';

/** The backend names `--backend` accepts. */
export const BACKEND_NAMES = ['cpu', 'worker', 'gpujs'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

const optional = {
  worker: { pkg: '@tensorgrad/backend-worker', factory: 'workerBackend' },
  gpujs: { pkg: '@tensorgrad/backend-gpujs', factory: 'gpujsBackend' },
} as const;

/** An error whose message is meant for the user as is: one line, no stack trace. */
export class UsageError extends Error {}

/**
 * Create the backend called `name`. The worker and gpujs packages are imported on demand,
 * so the trainer runs with only the CPU backend installed.
 *
 * @example
 * ```ts
 * await setBackend(await createBackend('worker'));
 * ```
 */
export async function createBackend(name: BackendName): Promise<Backend> {
  if (name === 'cpu') return cpuBackend();
  const { pkg, factory } = optional[name];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(/* @vite-ignore */ pkg as string)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((e as Error).message).includes(pkg)) {
      throw new UsageError(`--backend ${name} needs ${pkg}, which is not installed: run \`pnpm add ${pkg}\` (or \`npm install ${pkg}\`)`);
    }
    throw new UsageError(`--backend ${name}: ${pkg} failed to load: ${(e as Error).message}`);
  }
  const create = mod[factory];
  if (typeof create !== 'function') {
    throw new UsageError(`--backend ${name}: ${pkg} does not export ${factory}(); rebuild it with \`pnpm --filter ${pkg} build\``);
  }
  return (await (create as () => Backend | Promise<Backend>)()) as Backend;
}
