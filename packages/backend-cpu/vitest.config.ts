import { defineConfig } from 'vitest/config';

export default defineConfig({
  // the wasm kernel's generated module (gitignored) is made before any test imports src
  test: { name: 'backend-cpu', globalSetup: ['./scripts/vitest-setup.mjs'] },
});
