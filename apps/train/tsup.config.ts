import { defineConfig } from 'tsup';

// An app, not a library: ESM entry points for `node dist/main.js` and `node dist/seed.js`.
export default defineConfig({
  entry: ['src/main.ts', 'src/seed.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
