import { defineConfig } from 'tsup';

export default defineConfig({
  // the worker entry is built beside index so that the pool can start it from the built files
  entry: ['src/index.ts', 'src/worker.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  shims: true,
  target: 'node20',
});
