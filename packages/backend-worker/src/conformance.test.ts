import { describe, expect, it } from 'vitest';
import { runConformance } from '@tensorgrad/conformance';
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { workerBackend, type WorkerBackend } from './index';

// with the measured thresholds the golden tensors are small enough to run inline...
runConformance({ name: 'worker', createBackend: () => workerBackend({ threads: 2 }), reference: () => cpuBackend() });

// ...so the suite runs again with every kernel of two or more output units split across three threads
let split: WorkerBackend | undefined;
runConformance({
  name: 'worker (every kernel split)',
  createBackend: () => (split = workerBackend({ threads: 3, splitThreshold: 0 })),
  reference: () => cpuBackend(),
});

describe('conformance of the split path', () => {
  it('ran the second suite on the workers', () => {
    const stats = split!._stats();
    expect(stats.split).toBeGreaterThan(1000);
    // inline: kernels of a single output unit, which the scalar programs (the seed example's loops) launch by the thousand
    expect(stats.split).toBeGreaterThan(stats.inline / 2);
    expect(stats.workerChunks).toBeGreaterThanOrEqual(stats.split); // every split kernel ran a chunk on a worker
    expect(stats.lateWorkers).toBe(0);
  });
});
