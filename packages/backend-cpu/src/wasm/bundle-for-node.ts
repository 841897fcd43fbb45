/**
 * A test helper: TypeScript source (importing this folder's modules, and core's sources for
 * `@tensorgrad/core`) bundled by esbuild (tsup's, so nothing needs building first) into one ES
 * module in a temp folder, for a child Node or a worker thread to run. Used by
 * gemm-variants.test.ts and relaxed-threads.test.ts; no package entry reaches it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundled module's path, and a way to remove its temp folder. */
export interface NodeBundle {
  readonly file: string;
  remove(): void;
}

/**
 * `contents` (TypeScript, resolved from this folder) bundled into `<temp>/<name>.mjs`, beside a
 * package.json that makes it an ES module.
 *
 * @example
 * ```ts
 * const bundle = await bundleForNode("import { gemmVariant } from './gemm'; console.log(gemmVariant());", 'variant');
 * try { spawnSync(process.execPath, [bundle.file]); } finally { bundle.remove(); }
 * ```
 */
export async function bundleForNode(contents: string, name: string): Promise<NodeBundle> {
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as { build(options: object): Promise<unknown> };
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const file = join(dir, `${name}.mjs`);
    await esbuild.build({
      stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
      alias: { '@tensorgrad/core': fileURLToPath(new URL('../../../core/src/index.ts', import.meta.url)) },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: file,
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    return { file, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
