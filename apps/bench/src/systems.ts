/**
 * The systems under test. Each runs in its own child process (`bench.js --system NAME`), so one
 * system's state (a detached ArrayBuffer, a grown WebAssembly memory, JIT tiers, worker threads)
 * never slows another. A system prepares each case and returns a function that runs it once,
 * synchronously, to completion. Libraries are imported on demand, so a process loads only its own.
 */
import type { Backend } from '@tensorgrad/core';
import type { ElementwiseOp } from './cases';
import { CNN_LR, CNN_MOMENTUM, labels, MLP_LR, MLP_SIZES, uniform } from './data';

export interface System {
  /** Facts for the report: backend, mode, threads, which build runs. */
  info(): Record<string, string>;
  /** An `n × n` float32 matrix product (inputs made once); the returned function runs one. */
  matmul(n: number): () => void;
  /** `op` on `n` float32 elements (inputs made once, a fresh output each run). */
  elementwise(op: ElementwiseOp, n: number): () => void;
  /** One training step (forward, backward, SGD update, the loss read back) of the 784-256-128-10 MLP; returns the loss. */
  mlpStep(batch: number): () => number;
  /** One training step of the trainer's MNIST CNN (apps/train/src/models.ts) on `[batch, 1, 28, 28]`; returns the loss. */
  cnnStep(batch: number): () => number;
  close(): Promise<void>;
}

/** Inputs of the elementwise cases, shared by the cases of one size (16M floats are 64 MB). */
export function inputCache<T>(make: (values: Float32Array) => T): (n: number, which: 0 | 1) => T {
  const cache = new Map<string, T>();
  return (n, which) => {
    const key = `${n}:${which}`;
    let t = cache.get(key);
    if (t === undefined) {
      t = make(uniform(n, 11 + which, -4, 4));
      cache.set(key, t);
    }
    return t;
  };
}

/** A tensorgrad system on `backend`: the same code for every backend. */
async function tensorgrad(backend: Backend, info: () => Record<string, string>): Promise<System> {
  const { manualSeed, nn, optim, setBackend, tensor, tidy } = await import('@tensorgrad/core');
  await setBackend(backend);
  manualSeed(0);
  const input = inputCache((values) => tensor(values, { shape: [values.length] }));

  /** A step function over `model` (train mode), `optimizer`, a fixed batch. */
  const trainer = (model: InstanceType<typeof nn.Sequential>, optimizer: { zeroGrad(): void; step(): void }, x: ReturnType<typeof tensor>, y: ReturnType<typeof tensor>) => {
    const criterion = new nn.CrossEntropyLoss();
    model.train();
    return () => {
      const loss = tidy(() => {
        const loss = criterion.forward(model.forward(x), y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return loss;
      });
      const value = loss.item(); // a training loop reads its loss
      loss.dispose();
      return value;
    };
  };

  return {
    info,
    matmul(n) {
      const a = tensor(uniform(n * n, 1), { shape: [n, n] });
      const b = tensor(uniform(n * n, 2), { shape: [n, n] });
      return () => a.matmul(b).dispose();
    },
    elementwise(op, n) {
      const a = input(n, 0);
      if (op === 'add') {
        const b = input(n, 1);
        return () => a.add(b).dispose();
      }
      return op === 'relu' ? () => a.relu().dispose() : () => a.exp().dispose();
    },
    mlpStep(batch) {
      const [i, h1, h2, o] = MLP_SIZES;
      const model = new nn.Sequential(new nn.Linear(i, h1), new nn.ReLU(), new nn.Linear(h1, h2), new nn.ReLU(), new nn.Linear(h2, o));
      const optimizer = new optim.SGD(model.parameters(), { lr: MLP_LR });
      const x = tensor(uniform(batch * i, 3, 0, 1), { shape: [batch, i] });
      const y = tensor(labels(batch), { shape: [batch], dtype: 'int32' });
      return trainer(model, optimizer, x, y);
    },
    cnnStep(batch) {
      // the trainer's `cnn()` (apps/train/src/models.ts), written out: the bench does not depend on the app
      const model = new nn.Sequential(
        new nn.Conv2d(1, 8, 3, { padding: 1 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Conv2d(8, 16, 3, { padding: 1 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Dropout(0.25),
        new nn.Linear(16 * 7 * 7, 10),
      );
      const optimizer = new optim.SGD(model.parameters(), { lr: CNN_LR, momentum: CNN_MOMENTUM });
      const x = tensor(uniform(batch * 28 * 28, 4, 0, 1), { shape: [batch, 1, 28, 28] });
      const y = tensor(labels(batch), { shape: [batch], dtype: 'int32' });
      return trainer(model, optimizer, x, y);
    },
    close: async () => backend.close?.(),
  };
}

/** The systems, in table order; `label` is the column heading. */
export const SYSTEM_NAMES = ['cpu', 'worker', 'gpujs', 'tfjs-cpu', 'tfjs-wasm'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/** Whether a system is a TensorFlow.js one (the reference side of the ratios). */
export const isTfjs = (name: string): boolean => name.startsWith('tfjs-');

/** Every system by name. */
export const SYSTEMS: Record<SystemName, () => Promise<System>> = {
  async cpu() {
    const { cpuBackend } = await import('@tensorgrad/backend-cpu');
    return tensorgrad(cpuBackend(), () => ({ library: 'tensorgrad', backend: 'cpu (one thread)' }));
  },
  async worker() {
    const { workerBackend } = await import('@tensorgrad/backend-worker');
    const backend = workerBackend();
    return tensorgrad(backend, () => ({ library: 'tensorgrad', backend: `worker (${backend.threads} threads, the calling one included)` }));
  },
  async gpujs() {
    const { gpujsBackend } = await import('@tensorgrad/backend-gpujs');
    const backend = gpujsBackend();
    const system = await tensorgrad(backend, () => {
      const s = backend.stats();
      const fallback = backend.device === 'webasm' || backend.device === 'cpu';
      return {
        library: 'tensorgrad',
        backend: `gpujs, mode '${backend.device}'${fallback ? ' (fallback: no GPU here)' : ''}`,
        fallback: String(fallback),
        hostThreshold: String(backend.hostThreshold),
        ops: `${s.hostOps} on the host (backend-cpu kernels), ${s.deviceOps} on the device`,
      };
    });
    return system;
  },
  'tfjs-cpu': async () => (await import('./tfjs')).tfjsSystem('cpu'),
  'tfjs-wasm': async () => (await import('./tfjs')).tfjsSystem('wasm'),
};
