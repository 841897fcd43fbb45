/**
 * The one run the page (page/conformance.ts, bundled for Chromium) and the Node headless-gl
 * script (src/headlessgl-run.mjs) share: the conformance suite of @tensorgrad/backend-gpujs on
 * ONE long-lived backend in a named gpu.js mode, every op forced onto the device
 * (`hostThreshold: 0`), cpuBackend as the differential reference. Plain JavaScript (typed by
 * JSDoc, checked by tsc with checkJs) so Node runs it as is and esbuild bundles it.
 */
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { gpujsBackend } from '@tensorgrad/backend-gpujs';
import { runConformance, runRegistered } from '@tensorgrad/conformance/standalone';

/**
 * @typedef {import('@tensorgrad/backend-gpujs').GpujsMode} GpujsMode
 * @typedef {import('@tensorgrad/backend-gpujs').GpujsStats} GpujsStats
 */

/**
 * What one run found (`error` alone when the run could not start or threw outside a test).
 *
 * @typedef {object} SuiteResult
 * @property {string} mode the mode requested
 * @property {string} [device] the mode that really ran (`backend.device`)
 * @property {string} [renderer] what the device says it is (`backend.renderer`: GL renderer or WebGPU adapter)
 * @property {number} [passed]
 * @property {number} [failed]
 * @property {number} [skipped]
 * @property {{ name: string, error: string }[]} [failures]
 * @property {GpujsStats | null} [stats] the backend's counters after the last test (before close)
 * @property {Record<string, unknown> | null} [tolerance] the per-op tolerances the device declares
 * @property {string} [matrix] what the suite printed with console.log (its support matrix)
 * @property {string[]} [warnings] what was printed with console.warn meanwhile (a mode fallback, say)
 * @property {string} [defaultHostThreshold] `hostThreshold` of a backend in this mode made without one (as text: JSON has no Infinity)
 * @property {number} ms wall time of the run, in milliseconds
 * @property {string} [error] a top-level error: the run did not complete
 */

/**
 * Run the suite once on one `gpujsBackend({ mode, hostThreshold })`.
 *
 * @param {{ mode: GpujsMode, hostThreshold?: number, numRuns?: number,
 *   onTest?: (name: string, outcome: 'pass' | 'fail' | 'skip', error?: string) => void }} options
 * @returns {Promise<SuiteResult>}
 */
export async function runSuite({ mode, hostThreshold = 0, numRuns, onTest }) {
  const started = performance.now();
  /** @type {string[]} */
  const logged = [];
  /** @type {string[]} */
  const warnings = [];
  /** @type {import('@tensorgrad/backend-gpujs').GpujsBackend | null} */
  let backend = null;
  /** @type {GpujsStats | null} */
  let stats = null;
  const { log, warn } = console;
  const text = (/** @type {unknown[]} */ args) => args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ');
  console.log = (...args) => {
    logged.push(text(args));
    log.apply(console, args);
  };
  console.warn = (...args) => {
    warnings.push(text(args));
    warn.apply(console, args);
  };
  try {
    runConformance({
      name: `gpujs-${mode}`,
      createBackend: async () => {
        const b = gpujsBackend({ mode, hostThreshold });
        await b.ready?.();
        backend = b;
        return b;
      },
      reference: () => cpuBackend(),
      ...(numRuns ? { numRuns } : {}),
    });
    const r = await runRegistered((name, outcome, error) => {
      // the counters as the last test left them, before afterAll closes the backend
      if (backend) stats = backend.stats();
      onTest?.(name, outcome, error);
    });
    /** @type {import('@tensorgrad/backend-gpujs').GpujsBackend} */
    const b = /** @type {any} */ (backend);
    // what a user who names the mode and nothing else gets on this device
    const plain = gpujsBackend({ mode });
    await plain.ready?.();
    const defaultHostThreshold = String(plain.hostThreshold);
    await plain.close?.();
    return {
      mode,
      device: b ? b.device : undefined,
      renderer: rendererOf(b),
      passed: r.passed,
      failed: r.failed,
      skipped: r.skipped,
      failures: r.failures,
      stats: stats ?? (b ? b.stats() : null),
      tolerance: b?.supports.tolerance ?? null,
      defaultHostThreshold,
      matrix: logged.join('\n'),
      warnings,
      ms: performance.now() - started,
    };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 6).join('\n')}` : ''}` : String(e);
    return { mode, error, matrix: logged.join('\n'), warnings, ms: performance.now() - started };
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/**
 * `backend.renderer` where this build of backend-gpujs has it.
 *
 * @param {unknown} b
 * @returns {string | undefined}
 */
function rendererOf(b) {
  try {
    const r = b && /** @type {{ renderer?: unknown }} */ (b).renderer;
    return typeof r === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}
