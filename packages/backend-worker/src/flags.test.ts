import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withoutFlags } from './pool';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

// node flags a Worker refuses in its execArgv (ERR_WORKER_INVALID_EXEC_ARGV), from the issue
const FLAGS: string[][] = [
  ['--expose-gc'],
  ['--max-old-space-size=4096'],
  ['--stack-size=2000'],
  ['--jitless'],
  ['--title', 'tensorgrad-test'],
  ['--trace-gc'],
  ['--abort-on-uncaught-exception'],
  ['--max-semi-space-size=64'],
];

const esm = `import { workerBackend } from '@tensorgrad/backend-worker'; import { randn, setBackend } from '@tensorgrad/core'; const b = workerBackend({ threads: 2, splitThreshold: 0 }); await setBackend(b); const a = randn([64, 64]); const y = a.matmul(a); console.log('result', y.shape.join('x'), b._stats().split > 0); await b.close();`;
const cjs = `const { workerBackend } = require('@tensorgrad/backend-worker'); const { randn, setBackend } = require('@tensorgrad/core'); const b = workerBackend({ threads: 2, splitThreshold: 0 }); setBackend(b).then(async () => { const a = randn([64, 64]); const y = a.matmul(a); console.log('result', y.shape.join('x'), b._stats().split > 0); await b.close(); });`;

describe('the worker backend under node flags a Worker refuses', () => {
  for (const flags of FLAGS) {
    for (const [kind, args] of [
      ['ESM', ['--input-type=module', '-e', esm]],
      ['CJS', ['-e', cjs]],
    ] as const) {
      it(`starts and computes under ${flags.join(' ')} (${kind})`, () => {
        const r = spawnSync(process.execPath, [...flags, ...args], { cwd: packageRoot, encoding: 'utf8', timeout: 60_000 });
        expect(r.stderr).not.toContain('ERR_WORKER_INVALID_EXEC_ARGV');
        // the split ran on the threads: the pool started under these flags
        expect(r.stdout).toContain('result 64x64 true');
        expect(r.status).toBe(0);
      });
    }
  }
});

describe('withoutFlags', () => {
  it('drops refused flags with their values, keeps the rest', () => {
    const argv = ['--conditions=dev', '--expose-gc', '--title', 'x', '--max-old-space-size=100', '--stack-size', '900', '--enable-source-maps'];
    expect(withoutFlags(argv, new Set(['--expose-gc', '--title', '--max-old-space-size=100', '--stack-size']))).toEqual(['--conditions=dev', '--enable-source-maps']);
  });
});
