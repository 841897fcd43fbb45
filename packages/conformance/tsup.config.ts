import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  // ESM only: the suite imports vitest, which cannot be require()d (vitest 4 is ESM-only)
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: ['vitest', 'fast-check', '@tensorgrad/core'],
});
