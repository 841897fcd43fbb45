import { fileURLToPath } from 'node:url';
import { runLongLoop } from '@tensorgrad/conformance';
import { describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));

// the criterion: 10,000 synchronous steps (no await, no tidy) of a small MLP with Adam add
// < 100 MB of RSS after step 1,000; inside tidy < 50 MB. Memory is asserted, never time.
describe('worker: memory of a synchronous training loop', () => {
  it.each([
    { tidy: false, limit: 100 },
    { tidy: true, limit: 50 },
  ])('10,000 steps, tidy: $tidy, grow RSS by < $limit MB after step 1,000', ({ tidy, limit }) => {
    const r = runLongLoop({ module: '@tensorgrad/backend-worker', factory: 'workerBackend({ threads: 2 })', steps: 10_000, tidy, cwd });
    console.log(`worker tidy=${tidy}: RSS ${r.rssAt1000.toFixed(0)} MB at step 1,000, ${r.rssEnd.toFixed(0)} MB at the end (+${r.growth.toFixed(0)} MB), peak ${r.rssPeak.toFixed(0)} MB (${r.seconds.toFixed(1)} s)`);
    expect(r.lastLoss).toBeLessThan(r.firstLoss); // it trained
    expect(r.growth).toBeLessThan(limit);
  }, 240_000);
});
