import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const common = {
  format: ['esm'] as const,
  dts: true,
  sourcemap: true,
  target: 'node20',
  external: ['fast-check', '@tensorgrad/core'],
};

export default defineConfig([
  // ESM only: the suite imports vitest, which cannot be require()d (vitest 4 is ESM-only)
  { ...common, entry: ['src/index.ts'], clean: true, external: [...common.external, 'vitest'] },
  // the same suite compiled against the in-process runner, for pages and bundled scripts
  {
    ...common,
    entry: ['src/standalone.ts'],
    // vitest is a peer dependency (external by default): here it is the runner beside the suite
    noExternal: ['vitest'],
    esbuildOptions(options) {
      options.alias = { vitest: fileURLToPath(new URL('./src/standalone/vitest.ts', import.meta.url)) };
    },
  },
]);
