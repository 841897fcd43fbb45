import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { memory, nn, optim, setBackend, tensor, tidy } from '@tensorgrad/core';
import { workerBackend } from './index';

// zeroGrad() drops each parameter's old gradient, as PyTorch does, and the garbage collector frees
// it: collect before each count so the test measures live tensors, not the collector's schedule
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settledMemory(): Promise<{ tensors: number; bytes: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0)); // finalizers run as tasks after a collection
  }
  return memory();
}

describe('memory', () => {
  it('stays flat over 2,000 training steps of a small MLP, split across the workers', async () => {
    const backend = workerBackend({ threads: 2, splitThreshold: 0 });
    await setBackend(backend);
    try {
      const model = new nn.Sequential(new nn.Linear(8, 32), new nn.ReLU(), new nn.Linear(32, 3));
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const criterion = new nn.CrossEntropyLoss();
      const x = tensor(Array.from({ length: 16 * 8 }, (_, i) => Math.sin(i)), { shape: [16, 8] });
      const y = tensor(Array.from({ length: 16 }, (_, i) => i % 3), { dtype: 'int32' });
      const seen: Record<number, { tensors: number; bytes: number }> = {};
      let first = 0;
      let last = 0;
      for (let step = 1; step <= 2000; step++) {
        const loss = tidy(() => {
          const loss = criterion.forward(model.forward(x), y);
          optimizer.zeroGrad();
          loss.backward();
          optimizer.step();
          return loss;
        });
        const value = loss.item();
        loss.dispose();
        if (step === 1) first = value;
        last = value;
        if (step === 100 || step === 2000) seen[step] = await settledMemory();
      }
      expect(last).toBeLessThan(first / 2); // it trained
      expect(seen[2000]).toEqual(seen[100]);
      expect(backend._stats().workerChunks).toBeGreaterThan(2000);
    } finally {
      await backend.close();
    }
  }, 120_000);
});
