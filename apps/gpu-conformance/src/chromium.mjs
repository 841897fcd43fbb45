/**
 * Builds the conformance page (esbuild, browser platform, no aliases), serves it cross-origin
 * isolated on 127.0.0.1, and drives headless Chromium (playwright-core, the system's browser)
 * to run it in one gpu.js mode, collecting the page's result, errors and console errors.
 * Used by chromium.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

/**
 * @typedef {import('playwright-core').Browser} Browser
 * @typedef {import('./run-suite.mjs').SuiteResult} SuiteResult
 */

/** The app's folder (apps/gpu-conformance). */
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The Chromium binary: `TENSORGRAD_CHROMIUM`, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.TENSORGRAD_CHROMIUM || '/usr/bin/chromium';

/** Whether {@link CHROMIUM} is there to launch. */
export const chromiumAvailable = () => existsSync(CHROMIUM);

/**
 * Chromium's flags: new headless mode; WebGL2 and WebGPU on SwiftShader (Chromium's CPU
 * Vulkan / GL implementation, so no GPU or display is needed); WebGPU enabled even where
 * Chromium would block it as unsafe on this platform; none of the background traffic a
 * fresh profile starts; `gc()` for the suite's memory tests. `--no-sandbox`: CI runs as root.
 */
/** @type {readonly string[]} */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--js-flags=--expose-gc',
];

/**
 * Bundle page/conformance.ts into `outDir/page.js` with esbuild's JS API (browser platform,
 * ESM, no aliases: the packages' own `browser` fields and lazy Node imports must suffice),
 * and write `outDir/index.html` that loads it. `page` names the entry in page/ (`conformance`,
 * `threshold`).
 *
 * @param {string} outDir
 * @param {string} [page]
 * @returns {Promise<void>}
 */
export async function buildPage(outDir, page = 'conformance') {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(APP_DIR, `page/${page}.ts`)],
    outfile: join(outDir, 'page.js'),
    platform: 'browser',
    bundle: true,
    format: 'esm',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  await writeFile(
    join(outDir, 'index.html'),
    '<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>tensorgrad gpu conformance</title></head>\n' +
      '<body><pre id="status">loading</pre>\n' +
      // an error before the suite starts (the bundle failing to load or to evaluate) ends the wait at once
      '<script>\n' +
      'const early = (what) => { if (window.__progress === undefined && !window.__result) window.__result = { error: `the page failed before the suite started: ${what}` }; };\n' +
      'addEventListener("error", (e) => early(e.message));\n' +
      'addEventListener("unhandledrejection", (e) => early(String(e.reason)));\n' +
      '</script>\n' +
      '<script type="module" src="./page.js" onerror="early(\'page.js did not load\')"></script></body></html>\n',
  );
}

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * Serve `dir` on 127.0.0.1 (a free port), every response cross-origin isolated
 * (COOP `same-origin`, COEP `require-corp`).
 *
 * @param {string} dir
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function serve(dir) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
        res.end(body);
      },
      () => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found'),
    );
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(undefined));
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok(undefined));
      }),
  };
}

/**
 * Launch headless Chromium ({@link CHROMIUM}) with {@link CHROMIUM_FLAGS}.
 *
 * @returns {Promise<Browser>}
 */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS], timeout: 60_000 });
}

/**
 * The page's result, with what went wrong around it: uncaught exceptions and unhandled
 * rejections in the page, its console.error messages, `navigator.gpu.requestAdapter()` (the
 * adapter's description, or why there is none) and `crossOriginIsolated` (the server's COOP and
 * COEP headers at work).
 *
 * @typedef {(SuiteResult | { mode: string, error: string, ms?: number }) & {
 *   pageErrors: string[], consoleErrors: string[], adapter: string, crossOriginIsolated: boolean }} PageResult
 */

/**
 * Open `url` with `query` (e.g. `{ mode: 'webgl2' }`) in a fresh browser context and wait (at
 * most `timeoutMs`) for the page's `window.__result`. `onLine` sees the page's failure lines as
 * they land.
 *
 * @param {Browser} browser
 * @param {string} url
 * @param {Record<string, string> & { mode: string }} query
 * @param {number} timeoutMs
 * @param {{ onLine?: (line: string) => void }} [options]
 * @returns {Promise<PageResult>}
 */
export async function runInPage(browser, url, query, timeoutMs, options = {}) {
  const { mode } = query;
  const context = await browser.newContext();
  const page = await context.newPage();
  /** @type {string[]} */
  const pageErrors = [];
  /** @type {string[]} */
  const consoleErrors = [];
  page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
    else if (m.type() === 'info' && m.text().startsWith('[conformance]')) options.onLine?.(m.text());
  });
  const started = Date.now();
  try {
    await page.goto(`${url}/?${new URLSearchParams(query)}`, { waitUntil: 'load' });
    const crossOriginIsolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    const adapter = await page.evaluate(describeAdapter);
    try {
      await page.waitForFunction(() => /** @type {{ __result?: unknown }} */ (window).__result !== undefined, null, { timeout: timeoutMs, polling: 500 });
    } catch (e) {
      const done = await page.evaluate(() => /** @type {{ __progress?: number }} */ (window).__progress ?? 0).catch(() => '?');
      return { mode, error: `no result after ${timeoutMs} ms (${done} tests finished): ${String(e).split('\n')[0]}`, ms: Date.now() - started, pageErrors, consoleErrors, adapter, crossOriginIsolated };
    }
    const result = /** @type {SuiteResult | { error: string }} */ (await page.evaluate(() => /** @type {{ __result?: unknown }} */ (window).__result));
    return /** @type {PageResult} */ ({ mode, ...result, pageErrors, consoleErrors, adapter, crossOriginIsolated });
  } finally {
    await context.close();
  }
}

/**
 * In the page: `navigator.gpu.requestAdapter()`'s adapter, described, or why there is none.
 *
 * @returns {Promise<string>}
 */
async function describeAdapter() {
  const gpu = /** @type {{ gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> } }} */ (/** @type {unknown} */ (navigator)).gpu;
  if (!gpu) return 'navigator.gpu is undefined';
  try {
    const a = await gpu.requestAdapter();
    if (!a) return 'navigator.gpu.requestAdapter() returned null';
    const i = a.info ?? {};
    return `webgpu adapter: ${['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter']
      .filter((k) => i[k] !== undefined && i[k] !== '')
      .map((k) => `${k}=${String(i[k])}`)
      .join(' ')}`;
  } catch (e) {
    return `requestAdapter() threw ${String(e)}`;
  }
}
