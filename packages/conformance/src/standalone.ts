/**
 * The conformance suite without vitest: `runConformance` registers the same tests on a small
 * in-process runner, and `runRegistered` runs them. For a browser page or a bundled script
 * where vitest cannot run (the GPU check, headless Chromium).
 *
 * @example
 * ```ts
 * import { runConformance, runRegistered } from '@tensorgrad/conformance/standalone';
 * import { cpuBackend } from '@tensorgrad/backend-cpu';
 * runConformance({ name: 'cpu', createBackend: () => cpuBackend() });
 * const { passed, failed, failures } = await runRegistered();
 * ```
 * @packageDocumentation
 */
export * from './index';
export { runRegistered, type StandaloneOutcome, type StandaloneResult } from './standalone/vitest';
