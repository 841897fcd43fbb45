/**
 * The conformance suite of @tensorgrad/backend-gpujs in headless Chromium, where gpu.js's
 * WebGL2, WebGPU and WebGL kernels really run (on SwiftShader): one backend per mode, every op on
 * the device. Skipped without Chromium, except on CI (CI set), where that fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, it } from 'vitest';
import { CHROMIUM, buildPage, chromiumAvailable, launch, runInPage, serve } from './chromium.mjs';
import { NUM_RUNS, availability, expectRanOnDevice, summarize } from './report';

const { skip, missing } = availability(
  'chromium',
  chromiumAvailable() ? null : `no Chromium at ${CHROMIUM}: apt-get install chromium (Debian), or set TENSORGRAD_CHROMIUM to a Chromium/Chrome binary`,
);

/** Per mode, how long the page may take (below the project's 600 s test timeout). */
const PAGE_TIMEOUT_MS = 540_000;

let setup: Promise<{ browser: Browser; url: string; close: () => Promise<void> }> | null = null;
/** Build, serve and launch once, for both modes. */
const started = () =>
  (setup ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tensorgrad-gpu-page-'));
    await buildPage(dir);
    const server = await serve(dir);
    const browser = await launch();
    return {
      browser,
      url: server.url,
      close: async () => {
        await browser.close();
        await server.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  })());

afterAll(async () => {
  if (setup) await (await setup).close();
});

// one mode after the other: side by side, SwiftShader's threads slow both pages and the
// whole file takes as long
describe('gpu-conformance: headless Chromium', () => {
  for (const mode of ['webgl2', 'webgpu', 'webgl'] as const) {
    it.skipIf(skip)(`runs every conformance case on one ${mode} backend in headless Chromium, kernels on the device`, async () => {
      if (missing) throw new Error(`CI is set, so this cannot be skipped: ${missing}`);
      const { browser, url } = await started();
      const r = await runInPage(browser, url, { mode, ...(NUM_RUNS ? { numRuns: String(NUM_RUNS) } : {}) }, PAGE_TIMEOUT_MS);
      summarize('chromium', r);
      expectRanOnDevice(r, mode);
    });
  }
});
