/**
 * Memory over a long synchronous training loop, measured in a fresh Node process: a 784-64-10
 * MLP, batch 32, Adam, the README's loop (forward, loss, zeroGrad, backward, step) with no
 * `await` anywhere, optionally inside `tidy`. A separate process, so that nothing else running
 * in the test runner moves its RSS.
 */
import type { spawnSync as SpawnSync } from 'node:child_process';

// node:child_process at call time, not imported: this module is also bundled into pages (standalone)
function spawner(): typeof SpawnSync {
  const builtin = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process?.getBuiltinModule;
  if (typeof builtin !== 'function') throw new Error('runLongLoop: needs Node (20.16 or later): it runs the loop in a child process');
  return (builtin('node:child_process') as { spawnSync: typeof SpawnSync }).spawnSync;
}

/** What {@link runLongLoop} runs. */
export interface LongLoopOptions {
  /** The package to import the backend from, e.g. `'@tensorgrad/backend-cpu'` (resolved from `cwd`). */
  readonly module: string;
  /** The factory call that makes the backend, e.g. `'cpuBackend()'`. */
  readonly factory: string;
  /** Training steps (the acceptance criterion: 10,000). */
  readonly steps: number;
  /** Wrap each step in `tidy`. */
  readonly tidy: boolean;
  /** Where the script runs (a package that depends on `module` and `@tensorgrad/core`). */
  readonly cwd: string;
  /** Node flags for the child process. */
  readonly execArgv?: readonly string[];
}

/** RSS in MB: at step 1,000 (or the first tenth), at the end, and the peak after step 1,000; the loss at both ends. */
export interface LongLoopResult {
  /** RSS (MB) at step 1,000 (or at the first tenth of a shorter run). */
  readonly rssAt1000: number;
  /** RSS (MB) after the last step. */
  readonly rssEnd: number;
  /** The largest RSS (MB) seen after step 1,000, sampled every 100 steps. */
  readonly rssPeak: number;
  /** `rssEnd - rssAt1000`: what the loop added after warming up, to the end (the issue's criterion; `rssPeak` says how high it went meanwhile). */
  readonly growth: number;
  /** The loss at step 1. */
  readonly firstLoss: number;
  /** The loss at the last step (below `firstLoss`: the loop trained). */
  readonly lastLoss: number;
  /** Wall time of the loop, for information only. */
  readonly seconds: number;
}

function script(o: LongLoopOptions): string {
  const mark = Math.min(1000, Math.floor(o.steps / 10));
  return `
import { functional as F, manualSeed, nn, optim, randn, setBackend, tensor, tidy } from '@tensorgrad/core';
import * as backends from ${JSON.stringify(o.module)};
const { ${o.factory.split('(')[0]} } = backends;
const backend = ${o.factory};
await setBackend(backend);
manualSeed(1);
const model = new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const x = randn([32, 784]);
const y = tensor(Array.from({ length: 32 }, (_, i) => i % 10), { dtype: 'int32' });
const mb = () => process.memoryUsage().rss / 1e6;
const started = performance.now();
let at = 0, peak = 0, first = 0, last = 0;
const body = () => {
  const loss = F.crossEntropy(model.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  return loss;
};
for (let s = 1; s <= ${o.steps}; s++) {
  const loss = ${o.tidy ? 'tidy(body)' : 'body()'};
  if (s === 1) first = loss.item();
  if (s === ${o.steps}) last = loss.item();
  if (s === ${mark}) at = mb();
  if (s > ${mark} && s % 100 === 0) peak = Math.max(peak, mb());
}
const end = mb();
peak = Math.max(peak, end);
console.log(JSON.stringify({ rssAt1000: at, rssEnd: end, rssPeak: peak, growth: end - at, firstLoss: first, lastLoss: last, seconds: (performance.now() - started) / 1000 }));
await backend.close?.();
`;
}

/**
 * Run the loop in a fresh Node process and return its memory.
 *
 * @example
 * ```ts
 * const r = runLongLoop({ module: '@tensorgrad/backend-cpu', factory: 'cpuBackend()', steps: 10_000, tidy: false, cwd: packageRoot });
 * expect(r.growth).toBeLessThan(100);
 * ```
 */
export function runLongLoop(o: LongLoopOptions): LongLoopResult {
  const r = spawner()(process.execPath, [...(o.execArgv ?? []), '--input-type=module', '-e', script(o)], { cwd: o.cwd, encoding: 'utf8', timeout: 300_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(`long loop on ${o.factory} failed (exit ${String(r.status)}${r.signal ? `, ${r.signal}` : ''}):\n${r.stderr}\n${r.stdout}`);
  }
  return JSON.parse(line) as LongLoopResult;
}
