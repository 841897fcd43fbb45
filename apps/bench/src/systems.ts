/**
 * The systems under test. Each runs in its own child process (`bench.js --system NAME`), so one
 * system's state (a detached ArrayBuffer, JIT tiers, worker threads) never slows another.
 * A system prepares each case and returns a function that runs it once, synchronously.
 */
import { nn, optim, randn, setBackend, tensor, tidy, type Backend } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { workerBackend } from '@tensorgrad/backend-worker';

export interface System {
  /** An `n × n` float32 matrix product; the returned function runs one. */
  matmul(n: number): () => void;
  /** One training step (forward, backward, SGD) of the 784-256-128-10 MLP on a random batch. */
  mlpStep(batch: number): () => void;
  close(): Promise<void>;
}

/** A tensorgrad system on `backend`: the same code for every backend. */
async function tensorgrad(backend: Backend): Promise<System> {
  await setBackend(backend);
  return {
    matmul(n) {
      const a = randn([n, n]);
      const b = randn([n, n]);
      return () => a.matmul(b).dispose();
    },
    mlpStep(batch) {
      const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
      const criterion = new nn.CrossEntropyLoss();
      const x = randn([batch, 784]);
      const y = tensor(Array.from({ length: batch }, (_, i) => (i * 7) % 10), { dtype: 'int32' });
      return () => {
        const loss = tidy(() => {
          const loss = criterion.forward(model.forward(x), y);
          optimizer.zeroGrad();
          loss.backward();
          optimizer.step();
          return loss;
        });
        loss.item(); // a training loop reads its loss
        loss.dispose();
      };
    },
    close: async () => backend.close?.(),
  };
}

/** Every system by name. */
export const SYSTEMS: Record<string, () => Promise<System>> = {
  cpu: () => tensorgrad(cpuBackend()),
  worker: () => tensorgrad(workerBackend()),
};
