import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Core's tests run ops on the CPU backend, which depends on core: both resolve to source here, so
// the tests need no build and see one copy of core.
export default defineConfig({
  resolve: {
    alias: {
      '@tensorgrad/backend-cpu': fileURLToPath(new URL('../backend-cpu/src/index.ts', import.meta.url)),
      '@tensorgrad/core': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: { name: 'core' },
});
