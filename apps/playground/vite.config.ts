/**
 * Vite config of the playground: a static page (relative asset paths, so dist/ can be served
 * from any folder), cross-origin isolated in dev and preview (COOP + COEP) so the worker backend
 * gets SharedArrayBuffer, and module Web Workers. Pages: index.html (the playground) and
 * conformance.html (the conformance suite in the page).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Headers that make the page cross-origin isolated (`crossOriginIsolated === true`). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The HTML entries of the build. */
function pages(): Record<string, string> {
  const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));
  return { index: page('index.html'), conformance: page('conformance.html') };
}

export default defineConfig({
  base: './',
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
    // the pages: the playground, and the in-page conformance run
    rolldownOptions: { input: pages() },
  },
});
