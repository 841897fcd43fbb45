import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // the Dawn binding locates its .node file from its own folder: never bundle it (nor headless-gl)
  external: ['webgpu', 'gl', 'gpu.js'],
});
