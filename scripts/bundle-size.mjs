#!/usr/bin/env node
// Bundle size of @tensorgrad/core + @tensorgrad/backend-cpu as a browser app ships them.
//
// Bundles two entries from the built packages, resolved as a user's bundler resolves them: the
// package name through node_modules, then package.json `exports` under the browser + import
// conditions, so from dist/. Each entry is bundled twice, as ESM for the browser, minified (esbuild's
// minifier for both), then gzipped (level 9):
//   rollup   Rollup 4 (what Vite builds with), tree-shaking through ES namespaces: `nn.Linear`
//            keeps nn/linear.js, not the rest of `nn`
//   esbuild  esbuild --bundle --minify --format=esm --platform=browser, which keeps the whole of
//            every namespace a program touches (`import { nn }` keeps all of nn, optim and
//            functional: esbuild does not tree-shake a re-exported namespace, evanw/esbuild#1420)
// The entries:
//   mlp         scripts/bundle-size/mlp.mjs, a typical training program (nn.Sequential/Linear/ReLU,
//               optim.Adam, nn.CrossEntropyLoss and F.crossEntropy, tidy, noGrad)
//   everything  scripts/bundle-size/everything.mjs: all of both packages
// Prints a table and exits 1 when the typical program's Rollup bundle is over BUDGET_GZIP_BYTES
// gzipped, or when any bundle imports a Node built-in (a browser bundle must not). `--json` prints
// the measurements as JSON; `--analyze` adds esbuild's per-file breakdown of its bundles.
//
// Usage: node scripts/bundle-size.mjs [--json] [--analyze]   (needs the packages built; `pnpm build`
// runs it after building). Also used by packages/core/src/bundle-size.test.ts (`measureBundles()`).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';
import { rollup } from 'rollup';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** The typical program's budget, gzipped (issue 16), ... */
export const BUDGET_GZIP_BYTES = 50 * 1024;
/** ... bundled by Rollup (esbuild keeps whole namespaces: see the top of this file). */
export const BUDGET_BUNDLER = 'rollup';

/** The measured entries: name → file. */
export const ENTRIES = {
  mlp: path.join(here, 'bundle-size', 'mlp.mjs'),
  everything: path.join(here, 'bundle-size', 'everything.mjs'),
};

const PACKAGES = { '@tensorgrad/core': 'packages/core', '@tensorgrad/backend-cpu': 'packages/backend-cpu' };
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

// Records every import of a Node built-in (and keeps it external, so the build reports it instead of failing).
function nodeBuiltinsPlugin(found) {
  return {
    name: 'node-builtins',
    setup(build) {
      build.onResolve({ filter: /^[a-z:/_]+$/ }, (args) => {
        if (!NODE_BUILTINS.has(args.path) && !args.path.startsWith('node:')) return undefined;
        found.push(`${args.path} (imported by ${path.relative(root, args.importer)})`);
        return { path: args.path, external: true };
      });
    },
  };
}

// The package.json that owns `file`, walking up (cached).
const owners = new Map();
function ownerPackage(file) {
  let dir = path.dirname(file);
  while (!owners.has(dir)) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      owners.set(dir, { dir, json: JSON.parse(fs.readFileSync(pj, 'utf8')) });
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return owners.get(dir);
}

// `exports["."]` under the conditions a browser ESM build resolves with (as @rollup/plugin-node-resolve
// with `browser: true`, or Vite): browser, import, module, default.
function exportTarget(entry) {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object') return null;
  for (const [condition, value] of Object.entries(entry)) {
    if (!['browser', 'import', 'module', 'default'].includes(condition)) continue;
    const target = exportTarget(value);
    if (target) return target;
  }
  return null;
}

// Node module resolution of bare package names for Rollup, which has none of its own: node_modules
// up from the importer, then `modules`; a package's "sideEffects": false applies to its files, as
// @rollup/plugin-node-resolve does. Relative imports inside the packages are exact file names (.js).
function nodeResolvePlugin(modules, nodeBuiltins) {
  const sideEffects = (file) => ownerPackage(file)?.json.sideEffects !== false;
  return {
    name: 'node-resolve',
    resolveId(source, importer) {
      if (NODE_BUILTINS.has(source) || source.startsWith('node:')) {
        nodeBuiltins.push(`${source} (imported by ${path.relative(root, importer)})`);
        return { id: source, external: true };
      }
      if (!importer || source.startsWith('.') || path.isAbsolute(source)) {
        const file = fs.realpathSync(importer && !path.isAbsolute(source) ? path.resolve(path.dirname(importer), source) : source);
        return { id: file, moduleSideEffects: sideEffects(file) };
      }
      const name = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0];
      if (name !== source) throw new Error(`bundle-size: no subpath imports expected, got ${source}`);
      const dirs = [];
      for (let dir = path.dirname(importer); ; dir = path.dirname(dir)) {
        dirs.push(path.join(dir, 'node_modules'));
        if (path.dirname(dir) === dir) break;
      }
      for (const dir of [...dirs, modules]) {
        const pkgDir = path.join(dir, name);
        if (!fs.existsSync(path.join(pkgDir, 'package.json'))) continue;
        const json = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
        const target = json.exports ? exportTarget(json.exports['.'] ?? json.exports) : json.module ?? json.main;
        if (!target) throw new Error(`bundle-size: ${name} exports nothing for browser + import`);
        const file = fs.realpathSync(path.join(pkgDir, target));
        return { id: file, moduleSideEffects: sideEffects(file) };
      }
      throw new Error(`bundle-size: cannot resolve ${source} from ${importer}`);
    },
  };
}

async function withEsbuild(entry, modules) {
  const nodeBuiltins = [];
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
    nodePaths: [modules],
    absWorkingDir: root,
    outfile: path.join(modules, 'out.js'),
    plugins: [nodeBuiltinsPlugin(nodeBuiltins)],
  });
  const js = out.outputFiles.find((f) => f.path.endsWith('.js')).contents;
  const [output] = Object.values(out.metafile.outputs);
  const inputs = Object.fromEntries(Object.entries(output.inputs).map(([file, v]) => [file, v.bytesInOutput]));
  return { js, nodeBuiltins, inputs, metafile: out.metafile };
}

async function withRollup(entry, modules) {
  const nodeBuiltins = [];
  const bundle = await rollup({
    input: entry,
    plugins: [nodeResolvePlugin(modules, nodeBuiltins)],
    // core's modules import each other in cycles (tensor.js ↔ the ops), which ES modules allow
    onwarn: (w) => {
      if (w.code !== 'CIRCULAR_DEPENDENCY') throw new Error(`bundle-size: rollup: ${w.message}`);
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    const chunk = output.find((o) => o.type === 'chunk');
    // minified as the esbuild bundle is
    const { code } = await esbuild.transform(chunk.code, { minify: true, format: 'esm', platform: 'browser' });
    const inputs = Object.fromEntries(Object.entries(chunk.modules).map(([file, m]) => [path.relative(root, file), m.renderedLength]));
    return { js: Buffer.from(code), nodeBuiltins, inputs };
  } finally {
    await bundle.close();
  }
}

/**
 * Bundle each entry with each bundler and measure it.
 * @returns {Promise<Array<{ name: string, bundler: 'esbuild' | 'rollup', code: Uint8Array, minBytes: number, gzipBytes: number, nodeBuiltins: string[], inputs: Record<string, number>, analysis?: string }>>}
 *   `code`: the minified bundle; `inputs`: each bundled file's bytes in the (esbuild: minified; rollup: unminified) output.
 */
export async function measureBundles({ analyze = false } = {}) {
  for (const [name, dir] of Object.entries(PACKAGES)) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    const entry = path.join(root, dir, pkg.module);
    if (!fs.existsSync(entry)) throw new Error(`bundle-size: ${name} is not built (${path.relative(root, entry)} is missing); run pnpm build first`);
  }
  // a node_modules of our own, outside the workspace: @tensorgrad/* link to the packages, as an install does
  const modules = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-bundle-size-'));
  try {
    fs.mkdirSync(path.join(modules, '@tensorgrad'));
    for (const [name, dir] of Object.entries(PACKAGES)) fs.symlinkSync(path.join(root, dir), path.join(modules, name), 'dir');
    const results = [];
    for (const [name, entry] of Object.entries(ENTRIES)) {
      for (const [bundler, bundle] of [['rollup', withRollup], ['esbuild', withEsbuild]]) {
        const { js, nodeBuiltins, inputs, metafile } = await bundle(entry, modules);
        results.push({
          name,
          bundler,
          code: js,
          minBytes: js.byteLength,
          gzipBytes: zlib.gzipSync(js, { level: 9 }).byteLength,
          nodeBuiltins,
          inputs,
          ...(analyze && metafile ? { analysis: await esbuild.analyzeMetafile(metafile) } : {}),
        });
      }
    }
    return results;
  } finally {
    fs.rmSync(modules, { recursive: true, force: true });
  }
}

const kb = (bytes) => (bytes / 1024).toFixed(1);

async function main() {
  const args = process.argv.slice(2);
  const results = await measureBundles({ analyze: args.includes('--analyze') });
  const gated = results.find((r) => r.name === 'mlp' && r.bundler === BUDGET_BUNDLER);
  const failures = [];
  if (gated.gzipBytes > BUDGET_GZIP_BYTES) {
    failures.push(`the typical program (mlp, ${BUDGET_BUNDLER}) is ${kb(gated.gzipBytes)} KB gzipped, over its budget of ${kb(BUDGET_GZIP_BYTES)} KB`);
  }
  for (const r of results) for (const b of r.nodeBuiltins) failures.push(`${r.name} (${r.bundler}): the browser bundle imports the Node built-in ${b}`);
  if (args.includes('--json')) {
    console.log(JSON.stringify(results.map(({ analysis, code, ...r }) => r), null, 2));
  } else {
    console.log('bundle size of @tensorgrad/core + @tensorgrad/backend-cpu for the browser (ESM, minified, gzip -9)');
    console.log(`  ${'entry'.padEnd(12)}${'bundler'.padEnd(9)}${'min KB'.padStart(8)}${'gzip KB'.padStart(9)}`);
    for (const r of results) {
      const budget = r === gated ? `   budget ${kb(BUDGET_GZIP_BYTES)} KB gzip` : '';
      console.log(`  ${r.name.padEnd(12)}${r.bundler.padEnd(9)}${kb(r.minBytes).padStart(8)}${kb(r.gzipBytes).padStart(9)}${budget}`);
    }
    for (const r of results) if (r.analysis) console.log(`\n${r.name} (${r.bundler}):${r.analysis}`);
  }
  for (const f of failures) console.error(`bundle-size: ${f}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
