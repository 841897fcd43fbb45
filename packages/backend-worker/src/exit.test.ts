import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Run a one-line script with the built package; it must end by itself, without close(). */
function runScript(args: string[]): { status: number | null; stdout: string; stderr: string; seconds: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: packageRoot, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - started) / 1000 };
}

describe('a script that uses the backend', () => {
  it('exits by itself when done (ESM)', () => {
    const line = `import { workerBackend } from '@tensorgrad/backend-worker'; import { randn, setBackend } from '@tensorgrad/core'; await setBackend(workerBackend({ threads: 2, splitThreshold: 0 })); console.log(randn([64, 64]).matmul(randn([64, 64])).shape.join('x'));`;
    const r = runScript(['--input-type=module', '-e', line]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('64x64');
    expect(r.status).toBe(0);
    expect(r.seconds).toBeLessThan(10);
  });

  it('exits by itself when done (CommonJS)', () => {
    const line = `const { workerBackend } = require('@tensorgrad/backend-worker'); const { randn, setBackend } = require('@tensorgrad/core'); setBackend(workerBackend({ threads: 2, splitThreshold: 0 })).then(() => console.log(randn([64, 64]).matmul(randn([64, 64])).shape.join('x')));`;
    const r = runScript(['-e', line]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('64x64');
    expect(r.status).toBe(0);
    expect(r.seconds).toBeLessThan(10);
  });
});
