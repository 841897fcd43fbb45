/** The training loop: minibatch epochs over the train split, accuracy on the test split after each. */
import { nn, noGrad, optim, tensor, tidy } from '@tensorgrad/core';
import cliProgress from 'cli-progress';
import { type Dataset, IMAGE_SIZE, shuffledIndices, subset } from './data';

/** The optimizers `--optimizer` accepts. */
export const OPTIMIZER_NAMES = ['sgd', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** What one epoch measured. */
export interface EpochResult {
  epoch: number;
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
  seconds: number;
}

/** Options of {@link fit}. */
export interface FitOptions {
  train: Dataset;
  test: Dataset;
  inputShape: (batchSize: number) => number[];
  epochs: number;
  batchSize: number;
  /** SGD with momentum 0.9, or Adam with PyTorch's defaults. */
  optimizer: OptimizerName;
  /** The learning rate of the first epoch; it follows a cosine down to 0 over the epochs. */
  lr: number;
  seed: number;
  /** Draw a progress bar per epoch (on stderr, like tqdm). */
  progress?: boolean;
  onEpoch?: (result: EpochResult) => void;
}

/**
 * Train `model` on cross-entropy with a cosine learning-rate schedule, evaluating on the test split after every epoch.
 *
 * @example
 * ```ts
 * const results = await fit(mlp(), {
 *   train, test, inputShape: (n) => [n, 784], epochs: 8, batchSize: 128, optimizer: 'sgd', lr: 0.1, seed: 0,
 * });
 * ```
 */
export async function fit(model: nn.Module, opts: FitOptions): Promise<EpochResult[]> {
  const { train, test, inputShape, epochs, batchSize, lr, seed } = opts;
  const optimizer =
    opts.optimizer === 'adam' ? new optim.Adam(model.parameters(), { lr }) : new optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: epochs });
  const criterion = new nn.CrossEntropyLoss();
  const results: EpochResult[] = [];
  const bar = opts.progress
    ? new cliProgress.SingleBar(
        {
          format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} samples | loss {loss} | {speed} samples/s | eta {eta_formatted}',
          stream: process.stderr,
          clearOnComplete: true,
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    const shuffled = subset(train, shuffledIndices(train.size, seed * 1000 + epoch)); // a new batch order each epoch
    bar?.start(train.size, 0, { epoch, epochs, loss: '-', speed: '-' });
    const started = performance.now();
    let lossSum = 0;
    for (let start = 0; start < train.size; start += batchSize) {
      const n = Math.min(batchSize, train.size - start);
      const loss = tidy(() => {
        const x = tensor(shuffled.images.subarray(start * IMAGE_SIZE, (start + n) * IMAGE_SIZE), { shape: inputShape(n) });
        const y = tensor(shuffled.labels.subarray(start, start + n), { shape: [n], dtype: 'int32' });
        const loss = criterion.forward(model.forward(x), y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return loss;
      });
      const value = (await loss.data())[0]!;
      loss.dispose();
      lossSum += value * n;
      const done = start + n;
      bar?.update(done, { loss: value.toFixed(4), speed: Math.round(done / ((performance.now() - started) / 1000)) });
    }
    const seconds = (performance.now() - started) / 1000;
    bar?.stop();
    scheduler.step();
    const accuracy = await evaluate(model, test, inputShape);
    const result = { epoch, loss: lossSum / train.size, accuracy, samplesPerSecond: train.size / seconds, seconds };
    results.push(result);
    opts.onEpoch?.(result);
  }
  return results;
}

/**
 * The fraction of `data` that `model` labels correctly (argmax of its logits), without recording gradients.
 *
 * @example
 * ```ts
 * const accuracy = await evaluate(model, test, (n) => [n, 784]); // 0.97
 * ```
 */
export async function evaluate(model: nn.Module, data: Dataset, inputShape: (batchSize: number) => number[], batchSize = 500): Promise<number> {
  model.eval();
  let correct = 0;
  for (let start = 0; start < data.size; start += batchSize) {
    const n = Math.min(batchSize, data.size - start);
    const predicted = noGrad(() =>
      tidy(() => model.forward(tensor(data.images.subarray(start * IMAGE_SIZE, (start + n) * IMAGE_SIZE), { shape: inputShape(n) })).argmax(1)),
    );
    const labels = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < n; i++) if (labels[i] === data.labels[start + i]) correct++;
  }
  return correct / data.size;
}
