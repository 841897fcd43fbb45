import { afterEach, describe, expect, it } from 'vitest';
import { randn, setBackend, tensor } from '@tensorgrad/core';
import { workerBackend, type WorkerBackend } from './index';

describe('a worker fault', () => {
  let backend: WorkerBackend;
  afterEach(() => backend.close());

  it('fails the op when a worker exits mid-op, naming op and worker, and the next op succeeds', async () => {
    backend = workerBackend({ threads: 2 });
    await setBackend(backend);
    const a = randn([384, 384]);
    const want = a.matmul(a).dataSync();
    backend._injectFault('exit');
    expect(() => a.matmul(a)).toThrow('worker backend: matmul failed: worker 1 exited with code 1');
    // the pool replaced the worker: the same product splits again and is right
    const before = backend._stats().workerChunks;
    expect(Array.from(a.matmul(a).dataSync())).toEqual(Array.from(want));
    expect(backend._stats().workerChunks).toBeGreaterThanOrEqual(before);
  });

  it('fails the op when a worker throws, and the worker lives on', async () => {
    backend = workerBackend({ threads: 2, splitThreshold: 0 });
    await setBackend(backend);
    const x = tensor([1, 2, 3, 4]);
    backend._injectFault('throw');
    expect(() => x.add(x)).toThrow('worker backend: add failed: worker 1 threw Error: injected fault');
    expect(Array.from(x.add(x).dataSync())).toEqual([2, 4, 6, 8]);
  });

  it('survives a worker dying again and again, each time failing only that op', async () => {
    backend = workerBackend({ threads: 3, splitThreshold: 0 });
    await setBackend(backend);
    const x = tensor([1, 2, 3, 4, 5, 6]);
    for (let round = 0; round < 3; round++) {
      backend._injectFault('exit');
      expect(() => x.mul(2)).toThrow(/worker backend: mul failed: worker [12] exited with code 1$/);
      expect(Array.from(x.mul(2).dataSync())).toEqual([2, 4, 6, 8, 10, 12]);
    }
  });

  it('leaves no output of a failed op behind', async () => {
    backend = workerBackend({ threads: 2, splitThreshold: 0 });
    await setBackend(backend);
    const x = tensor([1, 2, 3, 4]);
    const live = backend.memory().tensors;
    backend._injectFault('exit');
    expect(() => x.exp()).toThrow(/exp failed/);
    expect(backend.memory().tensors).toBe(live);
  });
});

describe('a stopped watchdog', () => {
  it('fails the waiting op after the heartbeat stalls, and the restarted pool runs the next op', async () => {
    const backend = workerBackend({ threads: 2, splitThreshold: 0 });
    try {
      await setBackend(backend);
      const x = tensor([1, 2, 3, 4]);
      backend._injectFault('watchdog');
      await new Promise((resolve) => setTimeout(resolve, 500)); // the watchdog and its workers are gone
      const started = performance.now();
      expect(() => x.add(1)).toThrow(/worker backend: add failed: the pool's watchdog thread stopped \(no heartbeat for 5 s while worker 1 ran\); the pool was restarted/);
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(Array.from(x.add(1).dataSync())).toEqual([2, 3, 4, 5]);
    } finally {
      await backend.close();
    }
  }, 60_000);
});
