/**
 * The systems under test. Each runs in its own child process (`bench.js --system NAME`), so one
 * system's state (a detached ArrayBuffer, a grown WebAssembly memory, JIT tiers, worker threads)
 * never slows another. A system prepares each case and returns a function that runs it once,
 * synchronously, to completion. Libraries are imported on demand, so a process loads only its own.
 */
import type { Backend, Tensor } from '@tensorgrad/core';
import type { ElementwiseOp, GptGenerateWork, GptTrainWork, Work } from './cases';
import { CNN_LR, CNN_MOMENTUM, initValues, labels, MLP_LR, MLP_SIZES, tokens, uniform, type InitScheme } from './data';

/** The work of the cases beside PyTorch, by kind. */
export type MakemoreWork = Extract<Work, { kind: 'makemore' }>;
export type LstmWork = Extract<Work, { kind: 'lstm' }>;
export type MnistNetWork = Extract<Work, { kind: 'mnist-net' }>;

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
  /** One nanoGPT training iteration (apps/gpt's GPT); returns the loss. Absent where the library cannot run it. */
  gptStep?(work: GptTrainWork): () => number;
  /** One `generate` call in eval mode (the case divides its time by the tokens). */
  gptGenerate?(work: GptGenerateWork): () => void;
  /** One step of makemore part 2's MLP (embedding, tanh hidden layer, cross-entropy, SGD); returns the loss. */
  makemoreStep?(work: MakemoreWork): () => number;
  /** One step of pytorch/examples' time_sequence_prediction model (two LSTM cells over the sequence, MSE, Adam). */
  lstmStep?(work: LstmWork): () => number;
  /** One step of pytorch/examples' MNIST `Net` (two convs, max-pool, dropout, two linears, NLL, Adadelta). */
  mnistNetStep?(work: MnistNetWork): () => number;
  close(): Promise<void>;
}

/**
 * The batches of the cases beside PyTorch, the same numbers in every library (../torch/serve.py
 * makes them alike from ../torch/tgdata.py): token ids and targets, sequences, images.
 *
 * @example
 * ```ts
 * const { x, y } = gptBatch(work); // [batch, block] ids and the next ids
 * ```
 */
export function gptBatch(w: GptTrainWork): { x: Int32Array; y: Int32Array } {
  const { blockSize: T, vocabSize } = w.config;
  const ids = tokens(w.batch * (T + 1), w.seed, vocabSize);
  const x = new Int32Array(w.batch * T);
  const y = new Int32Array(w.batch * T);
  for (let b = 0; b < w.batch; b++) {
    x.set(ids.subarray(b * (T + 1), b * (T + 1) + T), b * T);
    y.set(ids.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
  }
  return { x, y };
}

/**
 * The LSTM case's input and target: a `[batch, steps + 1]` sequence of uniforms in [-1, 1), the
 * input its first `steps` columns and the target its last `steps` (predict the next value).
 *
 * @example
 * ```ts
 * const { input, target } = lstmBatch(work); // both [97, 999], row-major
 * ```
 */
export function lstmBatch(w: LstmWork): { input: Float32Array; target: Float32Array } {
  const n = w.steps + 1;
  const seq = uniform(w.batch * n, w.seed);
  const input = new Float32Array(w.batch * w.steps);
  const target = new Float32Array(w.batch * w.steps);
  for (let b = 0; b < w.batch; b++) {
    input.set(seq.subarray(b * n, b * n + w.steps), b * w.steps);
    target.set(seq.subarray(b * n + 1, (b + 1) * n), b * w.steps);
  }
  return { input, target };
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
  const { cat, functional: F, manualSeed, nn, noGrad, optim, setBackend, tensor, tidy, zeros } = await import('@tensorgrad/core');
  const { GPT } = await import('../../gpt/src/model');
  await setBackend(backend);
  manualSeed(0);
  const input = inputCache((values) => tensor(values, { shape: [values.length] }));

  /** Overwrite every parameter of `model` with the bench's deterministic values (data.ts's initValues). */
  const initialise = (model: InstanceType<typeof nn.Module>, scheme: InitScheme, key: string): void => {
    const named = model.namedParameters();
    const values = initValues(scheme, key, named.map(([n, p]) => [n, p.shape] as const));
    noGrad(() => {
      named.forEach(([, p], i) => {
        const t = tensor(values[i]!, { shape: [...p.shape] });
        p.copy_(t);
        t.dispose();
      });
    });
  };

  /** A step function: `loss()` (inside a tidy), zero the gradients, backward, `beforeStep`, step, the loss read back. */
  const stepper = (optimizer: { zeroGrad(): void; step(): void }, loss: () => Tensor, beforeStep?: () => void) => () => {
    const l = tidy(() => {
      const l = loss();
      optimizer.zeroGrad();
      l.backward();
      beforeStep?.();
      optimizer.step();
      return l;
    });
    const value = l.item();
    l.dispose();
    return value;
  };

  /** makemore part 2's MLP, with PyTorch module names (C, l1, l2). */
  class Makemore extends nn.Module {
    C: InstanceType<typeof nn.Embedding>;
    l1: InstanceType<typeof nn.Linear>;
    l2: InstanceType<typeof nn.Linear>;
    constructor(w: MakemoreWork) {
      super();
      this.C = new nn.Embedding(w.vocab, w.embed);
      this.l1 = new nn.Linear(w.context * w.embed, w.hidden);
      this.l2 = new nn.Linear(w.hidden, w.vocab);
    }
    forward(x: Tensor): Tensor {
      const e = this.C.forward(x); // [B, context, embed]
      return this.l2.forward(this.l1.forward(e.view(x.shape[0]!, -1)).tanh());
    }
  }

  /** time_sequence_prediction's `Sequence`: two LSTM cells stepped over the columns, a linear read-out. */
  class Sequence extends nn.Module {
    lstm1: InstanceType<typeof nn.LSTMCell>;
    lstm2: InstanceType<typeof nn.LSTMCell>;
    linear: InstanceType<typeof nn.Linear>;
    constructor(readonly hidden: number) {
      super();
      this.lstm1 = new nn.LSTMCell(1, hidden);
      this.lstm2 = new nn.LSTMCell(hidden, hidden);
      this.linear = new nn.Linear(hidden, 1);
    }
    forward(input: Tensor): Tensor {
      const shape = [input.shape[0]!, this.hidden];
      let [h, c, h2, c2] = [zeros(shape), zeros(shape), zeros(shape), zeros(shape)];
      const outputs: Tensor[] = [];
      for (const x of input.split(1, 1)) {
        [h, c] = this.lstm1.forward(x, [h, c]);
        [h2, c2] = this.lstm2.forward(h, [h2, c2]);
        outputs.push(this.linear.forward(h2));
      }
      return cat(outputs, 1);
    }
  }

  /** pytorch/examples mnist's `Net`. */
  class Net extends nn.Module {
    conv1: InstanceType<typeof nn.Conv2d>;
    conv2: InstanceType<typeof nn.Conv2d>;
    dropout1: InstanceType<typeof nn.Dropout>;
    dropout2: InstanceType<typeof nn.Dropout>;
    fc1: InstanceType<typeof nn.Linear>;
    fc2: InstanceType<typeof nn.Linear>;
    constructor() {
      super();
      this.conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
      this.conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
      this.dropout1 = new nn.Dropout(0.25);
      this.dropout2 = new nn.Dropout(0.5);
      this.fc1 = new nn.Linear(9216, 128);
      this.fc2 = new nn.Linear(128, 10);
    }
    forward(x: Tensor): Tensor {
      let h = this.conv2.forward(this.conv1.forward(x).relu()).relu();
      h = this.dropout1.forward(F.maxPool2d(h, 2)).flatten(1);
      h = this.dropout2.forward(this.fc1.forward(h).relu());
      return F.logSoftmax(this.fc2.forward(h), 1);
    }
  }

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
      initialise(model, 'fan-in', 'mlp'); // the same weights as TF.js and PyTorch
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
    gptStep(w) {
      const model = new GPT({ ...w.config });
      initialise(model, { kind: 'gpt', nLayer: w.config.nLayer }, 'gpt');
      model.train();
      const optimizer = model.configureOptimizers(w.weightDecay, w.lr, [w.betas[0], w.betas[1]]);
      const params = model.parameters();
      const { x: xs, y: ys } = gptBatch(w);
      const shape = [w.batch, w.config.blockSize];
      const x = tensor(xs, { shape, dtype: 'int32' });
      const y = tensor(ys, { shape, dtype: 'int32' });
      return stepper(optimizer, () => model.forward(x, y).loss!, () => nn.utils.clipGradNorm_(params, w.clip));
    },
    gptGenerate(w) {
      const model = new GPT({ ...w.config });
      initialise(model, { kind: 'gpt', nLayer: w.config.nLayer }, 'gpt');
      model.eval();
      const idx = tensor(new Int32Array(w.prompt), { shape: [1, w.prompt], dtype: 'int32' });
      return () => {
        tidy(() => {
          model.generate(idx, w.tokens, { temperature: w.temperature, topK: w.topK }).dataSync();
        });
      };
    },
    makemoreStep(w) {
      const model = new Makemore(w);
      initialise(model, 'fan-in', 'makemore');
      model.train();
      const optimizer = new optim.SGD(model.parameters(), { lr: w.lr });
      const x = tensor(tokens(w.batch * w.context, w.seed, w.vocab), { shape: [w.batch, w.context], dtype: 'int32' });
      const y = tensor(tokens(w.batch, w.seed + 1, w.vocab), { shape: [w.batch], dtype: 'int32' });
      return stepper(optimizer, () => F.crossEntropy(model.forward(x), y));
    },
    lstmStep(w) {
      const model = new Sequence(w.hidden);
      initialise(model, 'fan-in', 'lstm');
      model.train();
      const optimizer = new optim.Adam(model.parameters(), { lr: w.lr });
      const { input, target } = lstmBatch(w);
      const x = tensor(input, { shape: [w.batch, w.steps] });
      const y = tensor(target, { shape: [w.batch, w.steps] });
      return stepper(optimizer, () => F.mseLoss(model.forward(x), y));
    },
    mnistNetStep(w) {
      const model = new Net();
      initialise(model, 'fan-in', 'mnist-net');
      model.train();
      const optimizer = new optim.Adadelta(model.parameters(), { lr: w.lr });
      const x = tensor(uniform(w.batch * 28 * 28, w.seed, 0, 1), { shape: [w.batch, 1, 28, 28] });
      const y = tensor(labels(w.batch), { shape: [w.batch], dtype: 'int32' });
      return stepper(optimizer, () => F.nllLoss(model.forward(x), y));
    },
    close: async () => backend.close?.(),
  };
}

/** The Node systems (this file and tfjs.ts), in table order. */
export const NODE_SYSTEM_NAMES = ['cpu', 'worker', 'gpujs', 'tfjs-cpu', 'tfjs-wasm'] as const;
export type SystemName = (typeof NODE_SYSTEM_NAMES)[number];

/** The PyTorch systems (../torch/serve.py, started by torch.ts). */
export const TORCH_SYSTEM_NAMES = ['torch-1', 'torch-2'] as const;

/** Every system, in table order. */
export const SYSTEM_NAMES = [...NODE_SYSTEM_NAMES, ...TORCH_SYSTEM_NAMES] as const;

/** Whether a system is a TensorFlow.js one (the reference side of the ratios). */
export const isTfjs = (name: string): boolean => name.startsWith('tfjs-');

/** Whether a system is a PyTorch one. */
export const isTorch = (name: string): boolean => name.startsWith('torch-');

/** Every Node system by name. */
export const SYSTEMS: Record<SystemName, () => Promise<System>> = {
  async cpu() {
    const { cpuBackend, gemmVariant } = await import('@tensorgrad/backend-cpu');
    return tensorgrad(cpuBackend(), () => ({ library: 'tensorgrad', backend: `cpu (one thread; matrix products on ${gemmVariant()})` }));
  },
  async worker() {
    const { workerBackend } = await import('@tensorgrad/backend-worker');
    const { gemmVariant } = await import('@tensorgrad/backend-cpu');
    const backend = workerBackend();
    return tensorgrad(backend, () => ({ library: 'tensorgrad', backend: `worker (${backend.threads} threads, the calling one included; matrix products on ${gemmVariant()})` }));
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
