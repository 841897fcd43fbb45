/**
 * nanoGPT's `train.py` loop: AdamW with decay / no-decay groups, linear warmup then cosine decay
 * to `minLr`, gradient clipping, periodic train / val loss estimates, and a safetensors checkpoint
 * whenever the val loss improves.
 *
 * @example
 * ```ts
 * const result = await trainGPT(CharData.shakespeare(), { ...NANOGPT_CPU, maxIters: 100 }, { onLog: console.log });
 * ```
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Checkpoint, manualSeed, nn, save, tidy } from '@tensorgrad/core';
import type { CharData, Split } from './data';
import { GPT, type GPTConfig } from './model';

/** Everything a training run reads, nanoGPT's names in camelCase. */
export interface TrainConfig {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  batchSize: number;
  dropout: number;
  bias: boolean;
  maxIters: number;
  learningRate: number;
  minLr: number;
  warmupIters: number;
  lrDecayIters: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  gradClip: number;
  evalInterval: number;
  evalIters: number;
  logInterval: number;
  seed: number;
}

/**
 * The configuration nanoGPT's README runs on a CPU: `train_shakespeare_char.py` with
 * `--block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000
 * --lr_decay_iters=2000 --dropout=0.0 --eval_iters=20` (its val loss: 1.88).
 */
export const NANOGPT_CPU: TrainConfig = {
  nLayer: 4,
  nHead: 4,
  nEmbd: 128,
  blockSize: 64,
  batchSize: 12,
  dropout: 0,
  bias: false,
  maxIters: 2000,
  learningRate: 1e-3,
  minLr: 1e-4,
  warmupIters: 100,
  lrDecayIters: 2000,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1,
  evalInterval: 250,
  evalIters: 20,
  logInterval: 10,
  seed: 1337,
};

/** The learning rate at iteration `it`: linear warmup, cosine decay to `minLr`, then `minLr`. */
export function learningRateAt(it: number, c: Pick<TrainConfig, 'learningRate' | 'minLr' | 'warmupIters' | 'lrDecayIters'>): number {
  if (it < c.warmupIters) return (c.learningRate * (it + 1)) / (c.warmupIters + 1);
  if (it > c.lrDecayIters) return c.minLr;
  const ratio = (it - c.warmupIters) / Math.max(1, c.lrDecayIters - c.warmupIters);
  return c.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (c.learningRate - c.minLr);
}

/** One progress line's numbers. */
export interface IterLog {
  iter: number;
  loss: number;
  lr: number;
  msPerIter: number;
  tokensPerSecond: number;
}

/** One evaluation's numbers. */
export interface EvalLog {
  iter: number;
  trainLoss: number;
  valLoss: number;
  saved: boolean;
}

/** Callbacks and output of {@link trainGPT}. */
export interface TrainHooks {
  onLog?: (log: IterLog) => void;
  onEval?: (log: EvalLog) => void;
  /** Where to save the checkpoint (none if absent). */
  out?: string;
}

/** Mean loss over `evalIters` random batches of each split, in eval mode. */
export async function estimateLoss(model: GPT, data: CharData, c: TrainConfig): Promise<Record<Split, number>> {
  model.eval();
  const out = { train: 0, val: 0 };
  for (const split of ['train', 'val'] as const) {
    let sum = 0;
    for (let k = 0; k < c.evalIters; k++) {
      const loss = tidy(() => {
        const { x, y } = data.batch(split, c.batchSize, c.blockSize);
        return model.forward(x, y).loss!;
      });
      sum += (await loss.data())[0]!;
      loss.dispose();
    }
    out[split] = sum / c.evalIters;
  }
  model.train();
  return out;
}

/** The model's constructor arguments for a run over `data`. */
export function modelConfig(c: TrainConfig, vocabSize: number): GPTConfig {
  return { blockSize: c.blockSize, vocabSize, nLayer: c.nLayer, nHead: c.nHead, nEmbd: c.nEmbd, dropout: c.dropout, bias: c.bias };
}

/** Train a GPT on `data` with config `c`; returns the model and the best val loss seen. */
export async function trainGPT(data: CharData, c: TrainConfig, hooks: TrainHooks = {}): Promise<{ model: GPT; bestValLoss: number; lastValLoss: number }> {
  manualSeed(c.seed);
  const model = new GPT(modelConfig(c, data.vocabSize));
  const optimizer = model.configureOptimizers(c.weightDecay, c.learningRate, [c.beta1, c.beta2]);
  let bestValLoss = Infinity;
  let lastValLoss = Infinity;
  let windowStart = performance.now();
  let windowIters = 0;
  model.train();
  for (let iter = 0; iter <= c.maxIters; iter++) {
    const lr = learningRateAt(iter, c);
    for (const g of optimizer.paramGroups) g.lr = lr;

    if (iter % c.evalInterval === 0 || iter === c.maxIters) {
      const losses = await estimateLoss(model, data, c);
      lastValLoss = losses.val;
      const improved = losses.val < bestValLoss;
      if (improved) bestValLoss = losses.val;
      const saved = improved && iter > 0 && hooks.out !== undefined;
      if (saved) saveCheckpoint(hooks.out!, model, optimizer, data, c, iter, bestValLoss);
      hooks.onEval?.({ iter, trainLoss: losses.train, valLoss: losses.val, saved });
      windowStart = performance.now(); // evaluation time does not count as training time
      windowIters = 0;
    }
    if (iter === c.maxIters) break;

    const loss = tidy(() => {
      const { x, y } = data.batch('train', c.batchSize, c.blockSize);
      const l = model.forward(x, y).loss!;
      optimizer.zeroGrad();
      l.backward();
      if (c.gradClip > 0) nn.utils.clipGradNorm_(model.parameters(), c.gradClip);
      optimizer.step();
      return l;
    });
    windowIters++;
    if (iter % c.logInterval === 0 || iter === c.maxIters - 1) {
      const value = (await loss.data())[0]!; // waits for the device, so the time below is real
      const ms = (performance.now() - windowStart) / windowIters;
      hooks.onLog?.({ iter, loss: value, lr, msPerIter: ms, tokensPerSecond: (c.batchSize * c.blockSize * 1000) / ms });
      windowStart = performance.now();
      windowIters = 0;
    }
    loss.dispose();
  }
  return { model, bestValLoss, lastValLoss };
}

/** Write model, optimizer, configuration and vocabulary to one safetensors checkpoint. */
export function saveCheckpoint(path: string, model: GPT, optimizer: ReturnType<GPT['configureOptimizers']>, data: CharData, c: TrainConfig, iter: number, bestValLoss: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const checkpoint: Checkpoint = {
    model: model.stateDict(),
    optimizer: optimizer.stateDict() as unknown as Checkpoint,
    modelArgs: { ...model.config },
    config: { ...c },
    iterNum: iter,
    bestValLoss,
    vocab: data.chars.join(''),
  };
  save(checkpoint, path);
}
