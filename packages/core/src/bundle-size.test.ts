// Issue 16: a typical training program's browser bundle of core + backend-cpu stays under 50 KB
// gzipped, and imports no Node built-in. Measured by scripts/bundle-size.mjs (which `pnpm build`
// runs too) from the built packages' dist/, so this needs `pnpm build` first (`pnpm test` does it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

interface Measurement {
  name: string;
  bundler: 'esbuild' | 'rollup';
  code: Uint8Array;
  minBytes: number;
  gzipBytes: number;
  nodeBuiltins: string[];
  inputs: Record<string, number>;
}
interface BundleSize {
  BUDGET_GZIP_BYTES: number;
  BUDGET_BUNDLER: 'rollup';
  measureBundles(): Promise<Measurement[]>;
}

const script = new URL('../../../scripts/bundle-size.mjs', import.meta.url).href;
let bundleSize: BundleSize;
let results: Measurement[];

beforeAll(async () => {
  bundleSize = (await import(script as string)) as BundleSize;
  results = await bundleSize.measureBundles();
});

const find = (name: string, bundler: string): Measurement => results.find((r) => r.name === name && r.bundler === bundler)!;

describe('bundle size of core + backend-cpu (browser, ESM, minified)', () => {
  it('the typical program (an MLP trained with Adam on cross-entropy) is under 50 KB gzipped', () => {
    const mlp = find('mlp', bundleSize.BUDGET_BUNDLER);
    expect(bundleSize.BUDGET_GZIP_BYTES).toBe(50 * 1024);
    expect(mlp.gzipBytes).toBeGreaterThan(10 * 1024); // a real bundle, not an empty one
    expect(mlp.gzipBytes).toBeLessThan(bundleSize.BUDGET_GZIP_BYTES);
  });

  it('the typical program leaves out the modules it never reaches', () => {
    const files = Object.keys(find('mlp', 'rollup').inputs);
    for (const module of ['optim/lr-scheduler.js', 'nn/recurrent.js', 'nn/transformer.js', 'serialize/safetensors.js', 'data/dataloader.js']) {
      expect(files, module).not.toContain(`packages/core/dist/${module}`);
    }
    expect(files).toContain('packages/core/dist/optim/adam.js');
  });

  it('no bundle imports a Node built-in', () => {
    expect(results.length).toBe(4);
    for (const r of results) expect(r.nodeBuiltins, `${r.name} (${r.bundler})`).toEqual([]);
    for (const r of results) expect(new TextDecoder().decode(r.code), `${r.name} (${r.bundler})`).not.toMatch(/(?:\bfrom|\bimport)\s*\(?\s*["']node:/);
  });

  it('the bundled typical program runs and learns', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-bundle-'));
    try {
      for (const bundler of ['rollup', 'esbuild']) {
        const file = path.join(dir, `mlp-${bundler}.mjs`);
        fs.writeFileSync(file, find('mlp', bundler).code);
        const { result } = (await import(pathToFileURL(file).href)) as { result: { first: number; last: number; accuracy: number } };
        expect(result.last).toBeLessThan(result.first / 4);
        expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
