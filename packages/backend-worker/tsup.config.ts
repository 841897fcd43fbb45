import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // Node: the worker entry is built beside index so that the pool can start it from the built files
    entry: ['src/index.ts', 'src/worker.ts'],
    format: ['esm', 'cjs'],
    dts: { entry: 'src/index.ts' },
    sourcemap: true,
    shims: true,
    target: 'node20',
  },
  {
    // browsers (the `browser` export condition): the page's entry imports core and backend-cpu
    // like any module; the Web Worker's entry carries its own copy of backend-cpu's kernels, so it
    // loads as it is (a module worker sees no import map) and bundlers may copy it as an asset
    entry: { 'index.browser': 'src/index.browser.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
  },
  {
    entry: { 'worker.browser': 'src/worker.browser.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
    noExternal: [/.*/],
    minify: true,
  },
]);
