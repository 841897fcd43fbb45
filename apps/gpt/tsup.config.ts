import { defineConfig } from 'tsup';

// An app, not a library: ESM entry points for `node dist/train-cli.js` and `node dist/sample-cli.js`.
export default defineConfig({
  entry: ['src/train-cli.ts', 'src/sample-cli.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
