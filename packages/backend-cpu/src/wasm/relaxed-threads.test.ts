import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { bundleForNode } from './bundle-for-node';
import { relaxedBuild } from './gemm';
import { WASM_BYTES } from './gemm.generated';
import { instantiateSimd } from './instantiate';
import { compileRelaxed } from './relaxed-threads.compile';

/** Compiles of each build per thread: when a thread's compile turned V8's flag off again, about 1 in 75 failed in a worker (8 of 600). */
const COMPILES = 300;

describe('relaxed SIMD in several threads at once', () => {
  it.skipIf(instantiateSimd(relaxedBuild(WASM_BYTES), {}, true) === null)(
    'every thread that compiles the relaxed builds while others do gets them (V8 flags are per process)',
    async () => {
      // the worker threads run relaxed-threads.compile.ts, bundled from these sources
      const bundle = await bundleForNode(
        [
          "import { parentPort, workerData } from 'node:worker_threads';",
          "import { compileRelaxed } from './relaxed-threads.compile';",
          "parentPort.postMessage('ready');",
          'parentPort.postMessage(compileRelaxed(new Int32Array(workerData.go), workerData.compiles));',
        ].join('\n'),
        'relaxed-threads',
      );
      const workers: Worker[] = [];
      try {
        const go = new Int32Array(new SharedArrayBuffer(4));
        const ready: Promise<void>[] = [];
        const failed: Promise<number>[] = [];
        for (let t = 0; t < 2; t++) {
          const w = new Worker(bundle.file, { workerData: { go: go.buffer, compiles: COMPILES } });
          workers.push(w);
          const messages: ((m: unknown) => void)[] = [];
          const next = () => new Promise<unknown>((resolve, reject) => (messages.push(resolve), w.once('error', reject)));
          w.on('message', (m: unknown) => messages.shift()?.(m));
          ready.push(next().then(() => undefined));
          failed.push(next().then((m) => m as number));
        }
        await Promise.all(ready);
        Atomics.store(go, 0, 1); // all three threads start compiling at once
        const main = compileRelaxed(go, COMPILES);
        expect({ main, workers: await Promise.all(failed) }).toEqual({ main: 0, workers: [0, 0] });
      } finally {
        await Promise.all(workers.map((w) => w.terminate()));
        bundle.remove();
      }
    },
    120_000,
  );
});
