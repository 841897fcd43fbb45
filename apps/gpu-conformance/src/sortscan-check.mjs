/**
 * A focused check of backend-gpujs's cumsum and sort kernels in headless Chromium (webgl2,
 * webgpu and webgl on SwiftShader): bundles sortscan-check.page.ts, serves it, runs it in each
 * mode and prints one line per mode. Exits 1 when a mode failed a case or did not run on the device.
 * Usage (after building the packages' dist/): node apps/gpu-conformance/src/sortscan-check.mjs [webgl2] [webgpu] [webgl]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launch, runInPage, serve } from './chromium.mjs';

/**
 * What sortscan-check.page.ts leaves in `window.__result`, with runInPage's additions.
 *
 * @typedef {({ mode: string, device: string, renderer: string, passed: number, failures: string[], deviceOps: number, hostOps: number }
 *   | { mode: string, error: string }) & { pageErrors: string[] }} CheckResult
 */

const modes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['webgl2', 'webgpu', 'webgl'];
const dir = await mkdtemp(join(tmpdir(), 'sortscan-check-'));
let failed = false;
try {
  await build({
    entryPoints: [fileURLToPath(new URL('./sortscan-check.page.ts', import.meta.url))],
    outfile: join(dir, 'page.js'),
    platform: 'browser',
    bundle: true,
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
  });
  await writeFile(join(dir, 'index.html'), '<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module" src="./page.js"></script></body></html>\n');
  const server = await serve(dir);
  const browser = await launch();
  try {
    for (const mode of modes) {
      const r = /** @type {CheckResult} */ (/** @type {unknown} */ (await runInPage(browser, server.url, { mode }, 300_000)));
      const ok = !('error' in r) && r.device === mode && r.failures.length === 0 && r.passed > 0 && r.deviceOps > 0 && r.pageErrors.length === 0;
      if (!ok) failed = true;
      if ('error' in r) {
        console.log(`sortscan-check ${mode}: ERROR ${r.error} ${r.pageErrors.join(' | ')}`);
        continue;
      }
      console.log(`sortscan-check ${mode}: ${r.passed} passed, ${r.failures.length} failed; device ${r.device} (${r.renderer}), deviceOps ${r.deviceOps}, hostOps ${r.hostOps}${r.pageErrors.length ? `; page errors: ${r.pageErrors.join(' | ')}` : ''}`);
      for (const f of r.failures) console.log(`  FAIL ${f}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
