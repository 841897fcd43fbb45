import { defineConfig } from 'tsup';

// An app, not a library: `node dist/bench.js` runs the benchmark, `node dist/thresholds.js` the split-threshold sweep,
// `node dist/profile.js` one step's time per kernel, `node dist/staging.js` where the WebAssembly kernels' time goes.
export default defineConfig({
  entry: ['src/bench.ts', 'src/thresholds.ts', 'src/profile.ts', 'src/staging.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
  // TensorFlow.js is loaded at run time, with its own files (the .wasm builds), never bundled
  external: [/^@tensorflow\//],
});
