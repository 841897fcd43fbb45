// tsup configs for a package whose ESM build keeps one output file per source module, so that its
// ES namespace re-exports (`export * as nn from './nn/index'`) and unused modules stay visible to a
// user's bundler, which can then drop the modules a program never reaches. One bundled file would
// turn each namespace into an object with a getter per export, which keeps every module of it alive.
// CJS (require) stays one bundled file, dist/index.cjs; the types stay one rolled-up dist/index.d.ts
// (and .d.cts). Used by packages/core and packages/backend-cpu (tsup.config.ts).
import path from 'node:path';
import { buildSync, type Plugin } from 'esbuild';
import type { Options } from 'tsup';

// The source modules of the package: every file under src/ that src/index.ts reaches (tests and
// test helpers are not reached).
function sourceModules(): string[] {
  const { metafile } = buildSync({ entryPoints: ['src/index.ts'], bundle: true, write: false, metafile: true, logLevel: 'silent', format: 'esm', platform: 'neutral', external: ['@tensorgrad/*'] });
  return Object.keys(metafile.inputs).filter((file) => file.startsWith('src/') && file.endsWith('.ts'));
}

// Each relative import stays an import of the other module's output file, named as Node's ESM
// resolution needs it: `./nn/index` → `./nn/index.js`, `./ops` (a folder) → `./ops/index.js`.
const perFileImports: Plugin = {
  name: 'per-file-imports',
  setup(build) {
    build.onResolve({ filter: /^\.\.?(\/|$)/ }, async (args) => {
      if (args.kind === 'entry-point' || args.pluginData === 'per-file') return undefined; // the entry itself; the resolve below
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'per-file' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      let target = path.relative(args.resolveDir, resolved.path).split(path.sep).join('/').replace(/\.ts$/, '.js');
      if (!target.startsWith('.')) target = `./${target}`;
      return { path: target, external: true };
    });
  },
};

/** The three builds (they run at once; only the first cleans dist/, and it keeps what the other two write). */
export function perFileConfigs(common: Options = {}): Options[] {
  return [
    {
      ...common,
      entry: sourceModules(),
      format: ['esm'],
      bundle: true,
      splitting: false,
      esbuildPlugins: [perFileImports],
      clean: ['!index.cjs', '!index.cjs.map', '!index.d.ts', '!index.d.cts'],
      sourcemap: true,
      target: 'node20',
    },
    { ...common, entry: ['src/index.ts'], format: ['cjs'], sourcemap: true, target: 'node20' },
    // index.d.ts for `import`, index.d.cts for `require`
    { ...common, entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: { only: true } },
  ];
}
