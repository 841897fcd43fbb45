import { defineConfig } from 'tsup';

// An app, not a library: `node dist/bench.js` runs the benchmark, `node dist/thresholds.js` the split-threshold sweep.
export default defineConfig({
  entry: ['src/bench.ts', 'src/thresholds.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
  // TensorFlow.js is loaded at run time, with its own files (the .wasm builds), never bundled
  external: [/^@tensorflow\//],
});
