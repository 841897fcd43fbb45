// Bundle check.mjs with the sources of core, backend-cpu, conformance (fixtures included) and this
// backend, gpu.js and its parser, into dist/bin/check.mjs; beside it the `webgpu` package
// with only its linux-x64 Dawn binary. What the device machine needs is then dist/ (~20 MB).
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..');
const require = createRequire(import.meta.url);
// esbuild comes with tsup, the workspace's bundler
const esbuild = createRequire(require.resolve('tsup'))('esbuild');

const out = join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'bin'), { recursive: true });

await esbuild.build({
  entryPoints: [join(here, 'check.mjs')],
  outfile: join(out, 'bin', 'check.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // gpu.js is CommonJS: give its require() calls a real require in the ESM bundle
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  alias: {
    '@tensorgrad/core': join(packages, 'core', 'src', 'index.ts'),
    '@tensorgrad/backend-cpu': join(packages, 'backend-cpu', 'src', 'index.ts'),
    '@tensorgrad/conformance/standalone': join(packages, 'conformance', 'src', 'standalone.ts'),
    // the suite's vitest calls go to conformance's in-process runner, as in its standalone build
    vitest: join(packages, 'conformance', 'src', 'standalone', 'vitest.ts'),
  },
  // Dawn is loaded from dist/node_modules/webgpu; headless-gl, when present, from the machine
  external: ['webgpu', 'gl'],
  logLevel: 'warning',
});

const webgpu = dirname(require.resolve('webgpu/package.json', { paths: [join(here, '..')] }));
const target = join(out, 'bin', 'node_modules', 'webgpu');
mkdirSync(join(target, 'dist'), { recursive: true });
for (const f of ['package.json', 'index.js']) cpSync(join(webgpu, f), join(target, f));
cpSync(join(webgpu, 'dist', 'linux-x64.dawn.node'), join(target, 'dist', 'linux-x64.dawn.node'));
writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module', private: true }) + '\n');
console.log(`built ${join(out, 'bin', 'check.mjs')}`);
