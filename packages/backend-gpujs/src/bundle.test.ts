import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

describe('backend-gpujs in a browser bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpujs-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles with core for the browser with no aliases and no Node built-ins', async () => {
    // an app with the two packages installed (linked to this workspace's builds)
    const scope = join(dir, 'node_modules', '@tensorgrad');
    mkdirSync(scope, { recursive: true });
    symlinkSync(join(__dirname, '..', '..', 'core'), join(scope, 'core'), 'dir');
    symlinkSync(join(__dirname, '..'), join(scope, 'backend-gpujs'), 'dir');
    const entry = join(dir, 'entry.js');
    writeFileSync(
      entry,
      [
        "import { setBackend, tensor } from '@tensorgrad/core';",
        "import { gpujsBackend } from '@tensorgrad/backend-gpujs';",
        "await setBackend(gpujsBackend({ mode: 'webgl2' }));",
        'console.log(await tensor([1, 2]).mul(2).data());',
      ].join('\n'),
    );
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    // gpu.js's browser build, not its Node entry (which requires headless-gl)
    expect(inputs.some((p) => p.includes('gpu.js') && p.includes('gpu-browser'))).toBe(true);
    expect(inputs.filter((p) => p.includes('node_modules/webgpu/') || p.startsWith('node:'))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:|require\(["'](module|fs|path|url)["']\)/);
  });
});
