/** vitest project of the GPU conformance app: one long test per mode, so generous timeouts. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'gpu-conformance', testTimeout: 600_000, hookTimeout: 600_000 },
});
