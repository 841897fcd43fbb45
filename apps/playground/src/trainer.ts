/**
 * Training a small classifier (an MLP over flat inputs, cross-entropy over its logits) one step
 * at a time: the code both tabs and the test hook run. Everything here is synchronous but the
 * reads of results, which go through `await t.data()` so that every backend works.
 */
import { functional as F, manualSeed, nn, noGrad, optim, tensor, tidy, type Backend, type Tensor } from '@tensorgrad/core';
import { seededRandom } from './random';

/** Activation functions between hidden layers. */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid'] as const;
/** One of {@link ACTIVATIONS}. */
export type Activation = (typeof ACTIVATIONS)[number];
/** Optimizers the page offers. */
export const OPTIMIZERS = ['sgd', 'adam'] as const;
/** One of {@link OPTIMIZERS}. */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Examples: `size` rows of `features` inputs (row-major) and their class. */
export interface Examples {
  readonly inputs: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
}

/** What a {@link Trainer} trains: the data, the network's shape and the optimizer's settings. */
export interface TrainerOptions {
  readonly features: number;
  readonly classes: number;
  readonly train: Examples;
  readonly test: Examples;
  /** Widths of the hidden layers, e.g. `[8, 8]`; `[]` is a linear model. */
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly optimizer: OptimizerName;
  readonly lr: number;
  /** Examples per step; at or above the training set's size every step takes all of it. */
  readonly batchSize: number;
  /** Seeds the initial weights and the batches (default 1). */
  readonly seed?: number;
}

/** Loss (and accuracy) of the model on a set of examples. */
export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
}

/**
 * Check `options` and say what is wrong with them, naming the field, or return them.
 *
 * @example
 * ```ts
 * checkTrainerOptions({ ...options, lr: -1 }); // throws: lr must be a positive number, got -1
 * ```
 */
export function checkTrainerOptions(options: TrainerOptions): TrainerOptions {
  const { features, classes, train, test, hidden, activation, optimizer, lr, batchSize } = options;
  const fail = (what: string) => {
    throw new Error(`Trainer: ${what}`);
  };
  if (!Number.isInteger(features) || features < 1) fail(`features must be a positive integer, got ${String(features)}`);
  if (!Number.isInteger(classes) || classes < 2) fail(`classes must be an integer of at least 2, got ${String(classes)}`);
  for (const [name, set] of [['train', train], ['test', test]] as const) {
    if (!set || !(set.inputs instanceof Float32Array) || !(set.labels instanceof Int32Array)) fail(`${name} must hold a Float32Array of inputs and an Int32Array of labels`);
    if (set.size < 1 || set.inputs.length !== set.size * features || set.labels.length !== set.size) {
      fail(`${name} holds ${set.inputs.length} inputs and ${set.labels.length} labels for ${set.size} examples of ${features} features`);
    }
  }
  if (!Array.isArray(hidden) || hidden.some((w) => !Number.isInteger(w) || w < 1 || w > 4096)) fail(`hidden must be a list of layer widths (integers in [1, 4096]), got ${JSON.stringify(hidden)}`);
  if (hidden.length > 8) fail(`at most 8 hidden layers, got ${hidden.length}`);
  if (!(ACTIVATIONS as readonly string[]).includes(activation)) fail(`activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(activation)}`);
  if (!(OPTIMIZERS as readonly string[]).includes(optimizer)) fail(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(optimizer)}`);
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) fail(`lr must be a positive number, got ${String(lr)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) fail(`batchSize must be a positive integer, got ${String(batchSize)}`);
  return options;
}

/**
 * An MLP: `features → hidden[0] → … → classes`, `activation` after every hidden layer.
 *
 * @example
 * ```ts
 * const model = buildMlp(2, [8, 8], 2, 'tanh'); // Linear(2, 8), Tanh, Linear(8, 8), Tanh, Linear(8, 2)
 * ```
 */
export function buildMlp(features: number, hidden: readonly number[], classes: number, activation: Activation): nn.Sequential {
  const layers: nn.Module[] = [];
  let width = features;
  for (const h of hidden) {
    layers.push(new nn.Linear(width, h));
    layers.push(activation === 'relu' ? new nn.ReLU() : activation === 'tanh' ? new nn.Tanh() : new nn.Sigmoid());
    width = h;
  }
  layers.push(new nn.Linear(width, classes));
  return new nn.Sequential(...layers);
}

/**
 * One model with its optimizer and data on the current backend. Create it after `setBackend`
 * (every tensor it makes lives on that backend); make another for another backend.
 *
 * @example
 * ```ts
 * await setBackend(cpuBackend());
 * const trainer = new Trainer(options);
 * const loss = await trainer.step(); // one optimizer step, its batch's loss
 * ```
 */
export class Trainer {
  readonly options: TrainerOptions;
  /** The backend the model lives on. */
  readonly backend: Backend;
  readonly model: nn.Sequential;
  /** Optimizer steps taken. */
  steps = 0;
  private readonly optimizer: optim.Optimizer;
  private readonly trainX: Tensor;
  private readonly trainY: Tensor;
  private readonly testX: Tensor;
  private readonly testY: Tensor;
  private readonly random: () => number;
  private disposed = false;

  constructor(options: TrainerOptions, backend: Backend) {
    this.options = checkTrainerOptions(options);
    this.backend = backend;
    const { features, classes, train, test, hidden, activation, lr, seed = 1 } = options;
    manualSeed(seed);
    this.random = seededRandom(seed + 1);
    this.model = buildMlp(features, hidden, classes, activation);
    this.optimizer = options.optimizer === 'adam' ? new optim.Adam(this.model.parameters(), { lr }) : new optim.SGD(this.model.parameters(), { lr });
    this.trainX = tensor(train.inputs, { shape: [train.size, features] });
    this.trainY = tensor(train.labels, { shape: [train.size], dtype: 'int32' });
    this.testX = tensor(test.inputs, { shape: [test.size, features] });
    this.testY = tensor(test.labels, { shape: [test.size], dtype: 'int32' });
  }

  /** The batch of the next step: all training examples, or `batchSize` drawn without replacement. */
  private batch(): [Tensor, Tensor] {
    const { train, batchSize } = this.options;
    if (batchSize >= train.size) return [this.trainX, this.trainY];
    const picked = new Int32Array(batchSize);
    const seen = new Set<number>();
    for (let i = 0; i < batchSize; i++) {
      let k: number;
      do k = Math.floor(this.random() * train.size);
      while (seen.has(k));
      seen.add(k);
      picked[i] = k;
    }
    const index = tensor(picked, { shape: [batchSize], dtype: 'int32' });
    return [this.trainX.indexSelect(0, index), this.trainY.indexSelect(0, index)];
  }

  /**
   * One optimizer step on one batch; resolves with the batch's loss (read before the step).
   *
   * @example
   * ```ts
   * const first = await trainer.step();
   * ```
   */
  async step(): Promise<number> {
    if (this.disposed) throw new Error('Trainer.step: this trainer was disposed (reset or a backend switch made a new one)');
    const loss = tidy(() => {
      const [x, y] = this.batch();
      const l = F.crossEntropy(this.model.forward(x) as Tensor, y);
      this.optimizer.zeroGrad();
      l.backward();
      this.optimizer.step();
      return l.detach();
    });
    this.steps++;
    try {
      const value = (await loss.data())[0]!;
      if (!Number.isFinite(value)) throw new Error(`Trainer.step: the loss is ${value} at step ${this.steps}; lower the learning rate and reset`);
      return value;
    } finally {
      loss.dispose();
    }
  }

  /**
   * Class probabilities of `inputs` (`count × features`, row-major): `count × classes`, row-major.
   *
   * @example
   * ```ts
   * const p = await trainer.predict(new Float32Array([0.5, -0.5]), 1); // [p0, p1]
   * ```
   */
  async predict(inputs: Float32Array, count: number): Promise<Float32Array> {
    if (this.disposed) throw new Error('Trainer.predict: this trainer was disposed (reset or a backend switch made a new one)');
    const { features } = this.options;
    if (!(inputs instanceof Float32Array) || !Number.isInteger(count) || count < 1 || inputs.length !== count * features) {
      throw new Error(`Trainer.predict: expected a Float32Array of ${count} × ${features} inputs, got ${inputs instanceof Float32Array ? inputs.length : typeof inputs} values`);
    }
    const probs = noGrad(() => tidy(() => F.softmax(this.model.forward(tensor(inputs, { shape: [count, features] })) as Tensor, 1)));
    try {
      return Float32Array.from(await probs.data());
    } finally {
      probs.dispose();
    }
  }

  /** Mean loss and accuracy over the training set or the test set. */
  async evaluate(which: 'train' | 'test'): Promise<Evaluation> {
    if (this.disposed) throw new Error('Trainer.evaluate: this trainer was disposed (reset or a backend switch made a new one)');
    if (which !== 'train' && which !== 'test') throw new Error(`Trainer.evaluate: expected 'train' or 'test', got ${JSON.stringify(which)}`);
    const x = which === 'train' ? this.trainX : this.testX;
    const y = which === 'train' ? this.trainY : this.testY;
    const [loss, correct] = noGrad(() =>
      tidy(() => {
        const logits = this.model.forward(x) as Tensor;
        return [F.crossEntropy(logits, y), logits.argmax(1).eq(y).sum()] as const;
      }),
    );
    try {
      const [l, c] = await Promise.all([loss.data(), correct.data()]);
      return { loss: l[0]!, accuracy: c[0]! / y.shape[0]! };
    } finally {
      loss.dispose();
      correct.dispose();
    }
  }

  /** Free the model's, optimizer's and data's tensors. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of [this.trainX, this.trainY, this.testX, this.testY, ...this.model.parameters()]) t.dispose();
  }
}
