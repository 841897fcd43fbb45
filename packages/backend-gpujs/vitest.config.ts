import { defineConfig } from 'vitest/config';

export default defineConfig({
  // gpu.js compiles every kernel on first use: the device-path conformance run takes a while
  test: { name: 'backend-gpujs', testTimeout: 60_000, hookTimeout: 120_000 },
});
