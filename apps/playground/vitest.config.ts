/** vitest project of the playground: unit tests in Node, and the page in headless Chromium (one build, one browser). */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'playground', environment: 'node', include: ['src/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
