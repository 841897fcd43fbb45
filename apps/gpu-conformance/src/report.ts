/**
 * What the GPU conformance tests share: the up-front availability decision (skip locally, fail
 * on CI), the one summary line per mode that CI output shows, and the checks of a run's result.
 */
import { expect } from 'vitest';
import { DEFAULT_HOST_THRESHOLD, SOFTWARE_HOST_THRESHOLD, type GpujsMode } from '@tensorgrad/backend-gpujs';
import type { SuiteResult } from './run-suite.mjs';

/** A run's result as a test sees it: the suite's, or an error, plus what went wrong around it. */
export type RunResult = (SuiteResult | { mode: string; error: string; ms?: number }) & {
  pageErrors?: string[];
  consoleErrors?: string[];
  adapter?: string;
  crossOriginIsolated?: boolean;
};

/** Whether this is CI, where a missing browser or display fails the test instead of skipping it. */
export const IN_CI = Boolean(process.env.CI);

/** fast-check runs per property (`TENSORGRAD_GPU_NUM_RUNS`), the suite's default when unset. */
export const NUM_RUNS = process.env.TENSORGRAD_GPU_NUM_RUNS ? Number(process.env.TENSORGRAD_GPU_NUM_RUNS) : undefined;

/**
 * Decide up front: `missing` is null when everything is there; else the test is skipped
 * locally (said so on the console) and fails on CI with `missing` as its message.
 */
export function availability(what: string, missing: string | null): { skip: boolean; missing: string | null } {
  if (missing && !IN_CI) console.log(`gpu-conformance ${what}: SKIPPED: ${missing} (on CI, with CI set, this fails instead)`);
  return { skip: Boolean(missing) && !IN_CI, missing };
}

/** Print the one summary line of a run (and the suite's matrix), for CI logs. */
export function summarize(where: string, r: RunResult): void {
  const secs = ((r.ms ?? 0) / 1000).toFixed(1);
  if ('error' in r && r.error !== undefined) {
    console.log(`gpu-conformance ${where} ${r.mode}: ERROR after ${secs} s${r.adapter ? ` [${r.adapter}]` : ''}: ${r.error}`);
  } else {
    const s = r as SuiteResult;
    console.log(
      `gpu-conformance ${where} ${s.mode}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped; ` +
        `device ${s.device}${s.renderer ? ` (${s.renderer})` : ''}, deviceOps ${s.stats?.deviceOps ?? 0}, hostOps ${s.stats?.hostOps ?? 0}, compiled ${s.stats?.compiled ?? 0} in ${secs} s; ` +
        `default hostThreshold ${s.defaultHostThreshold}` +
        (r.adapter && s.mode === 'webgpu' ? ` [${r.adapter}]` : ''),
    );
    for (const f of s.failures ?? []) console.log(`  FAIL ${f.name}: ${f.error}`);
    for (const w of s.warnings ?? []) console.log(`  console.warn: ${w}`);
  }
  if ('matrix' in r && r.matrix) console.log(r.matrix);
}

/** Check that the suite ran to the end on `mode`, all of it passed, and gpu.js kernels really ran. */
export function expectRanOnDevice(r: RunResult, mode: string): void {
  expect('error' in r ? r.error : undefined, `the run did not complete on ${mode}`).toBeUndefined();
  const s = r as SuiteResult;
  expect(s.device, `backend.device: the mode that really ran`).toBe(mode);
  const failures = (s.failures ?? []).map((f) => `  ${f.name}: ${f.error}`).join('\n');
  expect.soft(s.failed, `${s.failed} conformance case(s) failed on ${mode}:\n${failures}\n`).toBe(0);
  expect.soft(s.passed, 'conformance cases passed').toBeGreaterThan(100);
  expect.soft(s.stats?.deviceOps ?? 0, 'gpu.js kernel launches (stats().deviceOps)').toBeGreaterThan(0);
  expect.soft(r.pageErrors ?? [], 'uncaught errors in the page').toEqual([]);
  expect.soft(r.consoleErrors ?? [], 'console.error messages of the page').toEqual([]);
  // a GPU emulated on the CPU keeps everything on the host by default (measured: the host is faster at every size)
  const software = /swiftshader|llvmpipe|lavapipe|softpipe/.test(s.renderer ?? '');
  expect.soft(s.defaultHostThreshold, `the default host threshold on '${s.renderer}'`).toBe(software ? String(SOFTWARE_HOST_THRESHOLD) : String(DEFAULT_HOST_THRESHOLD[mode as GpujsMode]));
  if (r.crossOriginIsolated !== undefined) expect.soft(r.crossOriginIsolated, 'the page is cross-origin isolated (COOP + COEP)').toBe(true);
}
