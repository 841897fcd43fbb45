/**
 * Runs src/headlessgl-run.mjs under Xvfb (`xvfb-run -a`, a free display) and reads its one JSON
 * line; and says up front whether that can work here (xvfb-run on PATH, gpu.js's `gl` package
 * built). Used by headlessgl.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { APP_DIR } from './chromium.mjs';
import type { RunResult } from './report';

/** gpu.js's `gl` package folder (the copy gpu.js itself loads), or null when it is not installed. */
export function glPackageDir(): string | null {
  try {
    const require = createRequire(join(APP_DIR, 'package.json'));
    const backend = require.resolve('@tensorgrad/backend-gpujs/package.json');
    const gpujs = dirname(createRequire(backend).resolve('gpu.js/package.json'));
    return dirname(createRequire(join(gpujs, 'package.json')).resolve('gl/package.json'));
  } catch {
    return null;
  }
}

/** What is missing for the headless-gl run, or null when nothing is. */
export function headlessGlMissing(): string | null {
  const missing: string[] = [];
  if (spawnSync('sh', ['-c', 'command -v xvfb-run && command -v xauth'], { encoding: 'utf8' }).status !== 0) {
    missing.push('xvfb-run/xauth are not on PATH: apt-get install xvfb xauth');
  }
  const gl = glPackageDir();
  if (!gl) missing.push("gpu.js's optional gl package is not installed (pnpm install)");
  else if (!existsSync(join(gl, 'build/Release/webgl.node'))) {
    missing.push(`headless-gl is not built (${gl}/build/Release/webgl.node is missing): apt-get install libxi-dev libglu1-mesa-dev libglew-dev, then pnpm setup:gpu`);
  }
  return missing.length ? missing.join('; ') : null;
}

/**
 * `xvfb-run -a -s '-screen 0 1280x1024x24' node --expose-gc src/headlessgl-run.mjs`: its own
 * process group, killed whole after `timeoutMs`. The child's stderr (the matrix, failure
 * lines) is passed to `onStderr`.
 */
export function runHeadlessGl(timeoutMs: number, onStderr: (chunk: string) => void = () => {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24 -nolisten tcp', process.execPath, '--expose-gc', 'src/headlessgl-run.mjs'], {
      cwd: APP_DIR,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      onStderr(s);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    const fail = (error: string): RunResult => ({ mode: 'headlessgl', error, ms: Date.now() - started });
    child.on('error', (e) => {
      clearTimeout(timer);
      done(fail(`could not start xvfb-run: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (timedOut) return done(fail(`killed after ${timeoutMs} ms; stderr ends: ${stderr.slice(-2000)}`));
      if (!line) return done(fail(`exited with ${code ?? signal} and no JSON line; stderr ends: ${stderr.slice(-2000)}`));
      try {
        done(JSON.parse(line) as RunResult);
      } catch (e) {
        done(fail(`unreadable JSON line (${String(e)}): ${line.slice(0, 500)}`));
      }
    });
  });
}
