/**
 * The page bundle: runs @tensorgrad/backend-gpujs's conformance suite in the browser on one
 * backend in the mode that `?mode=` names (webgl2, webgl, webgpu...), every op on the device
 * (`?hostThreshold=`, default 0), and leaves what it found in `window.__result` for the
 * Playwright driver (src/chromium.ts). `?numRuns=` sets fast-check's runs per property.
 */
import { MODES, type GpujsMode } from '@tensorgrad/backend-gpujs';
import { runSuite, type SuiteResult } from '../src/run-suite.mjs';

declare global {
  interface Window {
    /** Set once, when the run ends: the result, or `{ error }`. */
    __result?: SuiteResult | { error: string };
    /** Tests finished so far, for a driver that wants progress. */
    __progress?: number;
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode') ?? 'webgl2';
  if (!(MODES as readonly string[]).includes(mode)) throw new Error(`unknown ?mode=${mode} (one of ${MODES.join(', ')})`);
  const hostThreshold = Number(params.get('hostThreshold') ?? 0);
  const numRuns = params.has('numRuns') ? Number(params.get('numRuns')) : undefined;
  window.__progress = 0;
  const status = document.getElementById('status');
  window.__result = await runSuite({
    mode: mode as GpujsMode,
    hostThreshold,
    numRuns,
    onTest: (name, outcome, error) => {
      window.__progress = (window.__progress ?? 0) + 1;
      if (status) status.textContent = `${window.__progress} tests: ${name} ${outcome}`;
      // the driver shows these as they land (console.info is neither an error nor the matrix)
      if (outcome === 'fail') console.info(`[conformance] FAIL ${name}: ${error ?? ''}`);
    },
  });
  if (status) status.textContent = 'done';
}

main().catch((e: unknown) => {
  window.__result = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
});
