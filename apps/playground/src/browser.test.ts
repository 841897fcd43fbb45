/**
 * The page in headless Chromium: built with Vite, served by Vite's preview server (COOP + COEP),
 * driven with playwright-core. Per backend (cpu, worker, gpujs) it trains spirals through
 * `window.__playground.train`; on cpu it trains from the Start button and measures the gaps
 * between animation frames; it trains the MNIST MLP and classifies a drawing; it saves a
 * screenshot to artifacts/playground.png; and conformance.html runs the conformance suite inside
 * the page on one long-lived backend of each kind. Skipped without Chromium, except on CI (CI
 * set), where that fails.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractMnist } from '../scripts/extract-mnist.mjs';
import { ISOLATION_HEADERS } from '../vite.config';
import type { ConformanceResult } from './conformance-page';
import type { PlaygroundHook } from './main';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.TENSORGRAD_CHROMIUM || '/usr/bin/chromium';
const IN_CI = Boolean(process.env.CI);
const missing = existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM}: apt-get install chromium (Debian), or set TENSORGRAD_CHROMIUM to a Chromium/Chrome binary`;
const skip = Boolean(missing) && !IN_CI;
if (skip) console.log(`playground chromium: SKIPPED: ${missing} (on CI, with CI set, this fails instead)`);

/**
 * The flags apps/gpu-conformance runs Chromium with: WebGL2 on SwiftShader, no sandbox (CI runs
 * as root), no background traffic, and `gc()` for the conformance suite's memory tests.
 */
const FLAGS = ['--headless=new', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--js-flags=--expose-gc'];

/** Where the screenshot goes. */
export const SCREENSHOT = join(APP_DIR, 'artifacts', 'playground.png');

let browser: Browser | null = null;
let server: PreviewServer | null = null;
let url = '';

beforeAll(async () => {
  if (skip) return;
  if (missing) throw new Error(`CI is set, so this cannot be skipped: ${missing}`);
  extractMnist();
  await build({ root: APP_DIR, configFile: join(APP_DIR, 'vite.config.ts'), logLevel: 'warn' });
  server = await preview({ root: APP_DIR, configFile: join(APP_DIR, 'vite.config.ts'), logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  url = server.resolvedUrls?.local[0] ?? '';
  if (!url) throw new Error('vite preview gave no local URL');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page on the app, with its uncaught errors and console errors collected. */
async function open(query = ''): Promise<{ page: Page; pageErrors: string[]; consoleErrors: string[]; close: () => Promise<void> }> {
  const context = await browser!.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(url + query, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__playground !== undefined, null, { timeout: 30_000 });
  expect(await page.evaluate(() => crossOriginIsolated), 'the page is cross-origin isolated (COOP + COEP)').toBe(true);
  return { page, pageErrors, consoleErrors, close: () => context.close() };
}

type Hook = PlaygroundHook;
declare const window: { __playground?: Hook; __conformance?: ConformanceResult };

describe.skipIf(skip)('playground in headless Chromium', () => {
  for (const backend of ['cpu', 'worker', 'gpujs', 'gpujs-webgpu'] as const) {
    it(`trains spirals with adam on ${backend}: the loss falls below half of the first`, async () => {
      // gpujs with every op on the GPU (by default it keeps small ops on the host on SwiftShader),
      // worker with every kernel split across the Web Workers (by default these small ones run inline)
      const { page, pageErrors, consoleErrors, close } = await open(backend.startsWith('gpujs') ? '?gpujs=device' : backend === 'worker' ? '?worker=split' : '');
      try {
        const r = await page.evaluate((b) => window.__playground!.train({ dataset: 'spirals', backend: b, steps: 300, optimizer: 'adam', lr: 0.03, hidden: [16, 16], activation: 'tanh' }), backend);
        console.log(`playground ${backend}${r.device ? ` [${r.device}${r.deviceOps !== undefined ? `, ${r.deviceOps} ops on the GPU` : ''}${r.workerChunks !== undefined ? `, ${r.workerChunks} chunks on the workers` : ''}]` : ''}: loss ${r.losses[0]!.toFixed(3)} -> ${r.losses.at(-1)!.toFixed(3)} in ${r.losses.length} steps, test loss ${r.testLoss.toFixed(3)}`);
        expect(r.backend).toBe(backend.startsWith('gpujs') ? 'gpujs' : backend); // the backend's own name
        expect(r.losses).toHaveLength(300);
        expect(r.losses.at(-1)!).toBeLessThan(0.5 * r.losses[0]!);
        if (backend === 'worker') expect(r.workerChunks, 'chunks the Web Workers ran').toBeGreaterThan(1000);
        if (backend.startsWith('gpujs')) {
          expect(r.device).toMatch(backend === 'gpujs' ? /^webgl2/ : /^webgpu/);
          expect(r.deviceOps, 'ops the GPU ran').toBeGreaterThan(1000);
        }
        expect(pageErrors, 'uncaught errors in the page').toEqual([]);
        expect(consoleErrors, 'console.error messages of the page').toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it('trains from the Start button on cpu with no gap over 200 ms between animation frames, and screenshots it', async () => {
    const { page, pageErrors, consoleErrors, close } = await open();
    try {
      await page.selectOption('#pg-dataset', 'spirals');
      await page.waitForFunction(() => /step 0 · train loss \d/.test(document.getElementById('pg-status')!.textContent ?? ''), null, { timeout: 30_000 });
      await page.click('#pg-start');
      await page.waitForFunction(() => window.__playground!.isRunning(), null, { timeout: 10_000 });
      await page.waitForTimeout(2500);
      expect(await page.evaluate(() => window.__playground!.isRunning()), 'still training after 2.5 s').toBe(true);
      await page.click('#pg-pause');
      await page.waitForFunction(() => !window.__playground!.isRunning(), null, { timeout: 10_000 });
      const gaps = await page.evaluate(() => window.__playground!.frameGaps());
      const total = gaps.reduce((s, g) => s + g, 0);
      const largest = Math.max(...gaps);
      const status = await page.textContent('#pg-status');
      console.log(`playground UI run on cpu: ${gaps.length} frames over ${(total / 1000).toFixed(2)} s, largest gap ${largest.toFixed(1)} ms; ${status}`);
      expect(total).toBeGreaterThanOrEqual(2000);
      expect(largest).toBeLessThanOrEqual(200);
      expect(Number(/step (\d+)/.exec(status ?? '')?.[1])).toBeGreaterThan(50);
      await mkdir(join(APP_DIR, 'artifacts'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`playground screenshot: ${SCREENSHOT}`);
      expect(pageErrors, 'uncaught errors in the page').toEqual([]);
      expect(consoleErrors, 'console.error messages of the page').toEqual([]);
    } finally {
      await close();
    }
  });

  it('trains the MNIST MLP above chance and classifies a drawn digit', async () => {
    const { page, pageErrors, consoleErrors, close } = await open();
    try {
      const r = await page.evaluate(() => window.__playground!.trainMnist({ backend: 'cpu', steps: 200 }));
      console.log(`playground mnist cpu: loss ${r.losses[0]!.toFixed(3)} -> ${r.losses.at(-1)!.toFixed(3)} in ${r.losses.length} steps, test accuracy ${(r.testAccuracy * 100).toFixed(1)}%`);
      expect(r.losses).toHaveLength(200);
      expect(r.testAccuracy).toBeGreaterThan(0.5); // chance is 0.1
      // a vertical stroke on the pad, with the mouse (pointer events)
      const box = (await page.locator('#mn-pad').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
      await page.mouse.down();
      for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.07 * i));
      await page.mouse.up();
      await page.waitForFunction(() => /^\d \(\d+%\)/.test(document.getElementById('mn-guess')!.textContent ?? ''), null, { timeout: 10_000 });
      console.log(`playground mnist: a vertical stroke reads as ${await page.textContent('#mn-guess')}`);
      expect(pageErrors, 'uncaught errors in the page').toEqual([]);
      expect(consoleErrors, 'console.error messages of the page').toEqual([]);
    } finally {
      await close();
    }
  });
});

/** How long the suite may take in the page, per backend (it takes 10–60 s here). */
const SUITE_TIMEOUT_MS = 300_000;

describe.skipIf(skip)('the conformance suite inside the page (conformance.html)', () => {
  for (const backend of ['cpu', 'worker', 'gpujs'] as const) {
    it(
      `passes every case on one long-lived ${backend} backend in the page`,
      async () => {
        const context = await browser!.newContext();
        const page = await context.newPage();
        const pageErrors: string[] = [];
        const consoleErrors: string[] = [];
        page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
        page.on('console', (m) => {
          if (m.type() === 'error') consoleErrors.push(m.text());
        });
        try {
          await page.goto(new URL(`conformance.html?backend=${backend}`, url).href, { waitUntil: 'load' });
          expect(await page.evaluate(() => crossOriginIsolated), 'the page is cross-origin isolated (COOP + COEP)').toBe(true);
          await page.waitForFunction(() => window.__conformance !== undefined, null, { timeout: SUITE_TIMEOUT_MS - 20_000, polling: 500 });
          const r = (await page.evaluate(() => window.__conformance))!;
          const failures = (r.failures ?? []).slice(0, 10).map((f) => `\n  ${f.name}: ${f.error.split('\n')[0]}`).join('');
          console.log(`conformance in the page, ${backend}: ${r.error ?? `${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`} in ${(r.ms / 1000).toFixed(1)} s; ran on ${JSON.stringify(r.ranOn ?? {})}${failures}`);
          expect(r.error).toBeUndefined();
          expect(r.failed).toBe(0);
          expect(r.passed).toBeGreaterThan(400);
          if (backend === 'worker') {
            // every kernel of two or more output units was split: the Web Workers really ran chunks
            expect(Number(r.ranOn?.split)).toBeGreaterThan(1000);
            expect(Number(r.ranOn?.workerChunks)).toBeGreaterThanOrEqual(Number(r.ranOn?.split));
          }
          if (backend === 'gpujs') {
            expect(r.ranOn?.device).toBe('webgl2');
            expect(Number(r.ranOn?.deviceOps)).toBeGreaterThan(1000);
          }
          expect(pageErrors, 'uncaught errors in the page').toEqual([]);
          expect(consoleErrors, 'console.error messages of the page').toEqual([]);
        } finally {
          await context.close();
        }
      },
      SUITE_TIMEOUT_MS,
    );
  }
});

describe.skipIf(skip)('without a bundler: examples/importmap.html (the README\'s browser quick start)', () => {
  /** Serve a user's folder (the page beside node_modules/@tensorgrad/* as npm installs them) with `headers`, open it, and hand the page to `check`. */
  async function withImportMapPage(headers: Record<string, string>, check: (page: Page, errors: string[]) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'tensorgrad-importmap-'));
    let site: PreviewServer | null = null;
    const context = await browser!.newContext();
    try {
      await cp(join(APP_DIR, 'examples', 'importmap.html'), join(dir, 'index.html'));
      for (const pkg of ['core', 'backend-cpu', 'backend-worker']) {
        await cp(join(APP_DIR, '..', '..', 'packages', pkg, 'dist'), join(dir, 'node_modules', '@tensorgrad', pkg, 'dist'), { recursive: true });
      }
      // Vite's preview server as a plain static server for that folder
      site = await preview({ root: dir, configFile: false, logLevel: 'warn', build: { outDir: dir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false, headers } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(site.resolvedUrls!.local[0]!, { waitUntil: 'load' });
      await page.waitForFunction(() => (window as { __losses?: unknown }).__losses !== undefined, null, { timeout: 60_000 });
      await check(page, errors);
    } finally {
      await context.close();
      await site?.close();
      await rm(dir, { recursive: true, force: true });
    }
  }

  const lossesOf = (page: Page) => page.evaluate(() => (window as { __losses?: Record<string, number[]> }).__losses!);

  it('trains the seed example on cpu and on the worker backend, from the packages\' files through an import map', async () => {
    await withImportMapPage(ISOLATION_HEADERS, async (page, errors) => {
      const losses = await lossesOf(page);
      console.log(`import map page: ${Object.entries(losses).map(([b, l]) => `${b} ${l[0]!.toFixed(3)} -> ${l.at(-1)!.toFixed(4)}`).join(', ')}`);
      expect(Object.keys(losses)).toEqual(['cpu', 'worker']);
      for (const l of Object.values(losses)) expect(l.at(-1)!).toBeLessThan(0.05 * l[0]!);
      expect(losses.worker).toEqual(losses.cpu); // the same kernels, split or not
      expect(errors, 'errors in the page').toEqual([]);
    });
  }, 120_000);

  it('on a page that is not cross-origin isolated, cpu trains and workerBackend() throws, naming the two headers', async () => {
    await withImportMapPage({}, async (page, errors) => {
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(Object.keys(await lossesOf(page))).toEqual(['cpu']);
      // as text: vitest would rewrite an import() inside a function it ships to the page
      const message = (await page.evaluate(
        "import('@tensorgrad/backend-worker').then(({ workerBackend }) => { try { workerBackend(); return 'no error'; } catch (e) { return e.message; } })",
      )) as string;
      console.log(`not isolated: ${message}`);
      expect(message).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
      expect(message).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
      expect(message).toMatch(/cpuBackend\(\)/);
      expect(errors, 'errors in the page').toEqual([]);
    });
  }, 120_000);
});
