#!/usr/bin/env node
/**
 * Where gpu.js device kernels start to beat the host (backend-cpu's kernels) in headless
 * Chromium, op by op and size by size: page/threshold.ts once per side, each in a fresh
 * browser context, for each mode named (default webgl2 and webgpu). Prints a table, the
 * crossover of each op, and one JSON line. Needs `pnpm build` and Chromium (as the tests).
 *
 *   node apps/gpu-conformance/src/threshold.mjs [webgl2] [webgpu] [webgl]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPage, launch, runInPage, serve } from './chromium.mjs';

const modes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['webgl2', 'webgpu'];
const dir = await mkdtemp(join(tmpdir(), 'tensorgrad-threshold-'));
await buildPage(dir, 'threshold');
const server = await serve(dir);
const browser = await launch();
/** @type {Record<string, unknown>} */
const summary = {};
try {
  for (const mode of modes) {
    /** @type {Record<string, any>} */
    const sides = {};
    for (const side of ['host', 'device']) {
      const r = /** @type {any} */ (await runInPage(browser, server.url, { mode, side }, 600_000));
      if (r.error) throw new Error(`${mode} ${side}: ${r.error}`);
      sides[side] = r;
    }
    console.log(`\n${mode} on ${sides.device.renderer} (device side ran '${sides.device.device}')`);
    console.log('op            elements    host us   device us   faster');
    /** @type {Record<string, number | null>} */
    const crossover = {};
    sides.host.rows.forEach((/** @type {{ op: string, n: number, us: number }} */ h, /** @type {number} */ i) => {
      const d = sides.device.rows[i];
      const faster = d.us < h.us ? 'device' : 'host';
      if (!(h.op in crossover)) crossover[h.op] = null;
      if (faster === 'device' && crossover[h.op] === null) crossover[h.op] = h.n;
      console.log(`${h.op.padEnd(12)} ${String(h.n).padStart(9)} ${h.us.toFixed(1).padStart(10)} ${d.us.toFixed(1).padStart(11)}   ${faster}`);
    });
    console.log(`crossover (first size where the device wins): ${JSON.stringify(crossover)}`);
    summary[mode] = { renderer: sides.device.renderer, crossover, host: sides.host.rows, device: sides.device.rows };
  }
} finally {
  await browser.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
console.log(`SUMMARY ${JSON.stringify(summary)}`);
