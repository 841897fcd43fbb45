/**
 * `pnpm --filter @tensorgrad/gpt train`: train the character-level GPT on tinyshakespeare with
 * nanoGPT's CPU configuration (flags change it) and save a safetensors checkpoint.
 *
 * @example
 * ```sh
 * pnpm --filter @tensorgrad/gpt train
 * pnpm --filter @tensorgrad/gpt train --backend worker --iters 500 --n-layer 2
 * ```
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, program } from 'commander';
import { getBackend, setBackend } from '@tensorgrad/core';
import { BACKEND_NAMES, type BackendName, UsageError, createBackend } from '../../train/src/backends';
import { CharData } from './data';
import { nonNegativeInt, positiveInt, positiveNumber, probability, runMain } from './cli';
import { NANOGPT_CPU, type TrainConfig, trainGPT } from './trainer';

/** Where `train` saves and `sample` reads by default. */
export const DEFAULT_CHECKPOINT = fileURLToPath(new URL('../out/ckpt.safetensors', import.meta.url));

const d = NANOGPT_CPU;
program
  .name('tensorgrad-gpt-train')
  .description("Train a character-level GPT (nanoGPT's model.py) on tinyshakespeare; defaults are nanoGPT's CPU configuration.")
  .addOption(new Option('-b, --backend <name>', 'compute backend').choices(BACKEND_NAMES).default('cpu'))
  .option('--n-layer <n>', 'transformer blocks', positiveInt, d.nLayer)
  .option('--n-head <n>', 'attention heads', positiveInt, d.nHead)
  .option('--n-embd <n>', 'width of the residual stream', positiveInt, d.nEmbd)
  .option('--block-size <n>', 'context length', positiveInt, d.blockSize)
  .option('--batch-size <n>', 'sequences per step', positiveInt, d.batchSize)
  .option('--dropout <p>', 'dropout probability', probability, d.dropout)
  .option('--bias', 'biases in linear layers and layer norms', d.bias)
  .option('-i, --iters <n>', 'optimizer steps (max_iters)', positiveInt, d.maxIters)
  .option('--lr <x>', 'peak learning rate', positiveNumber, d.learningRate)
  .option('--min-lr <x>', 'learning rate at the end of the cosine', positiveNumber, d.minLr)
  .option('--warmup-iters <n>', 'linear warmup steps', nonNegativeInt, d.warmupIters)
  .option('--lr-decay-iters <n>', 'steps of the cosine decay (default: --iters)', positiveInt)
  .option('--weight-decay <x>', 'AdamW decay of the weight matrices', Number, d.weightDecay)
  .option('--beta2 <x>', "AdamW's second beta", positiveNumber, d.beta2)
  .option('--grad-clip <x>', 'clip the gradient norm to this (0: off)', Number, d.gradClip)
  .option('--eval-interval <n>', 'estimate train / val loss every n steps', positiveInt, d.evalInterval)
  .option('--eval-iters <n>', 'batches per loss estimate', positiveInt, d.evalIters)
  .option('--log-interval <n>', 'print a progress line every n steps', positiveInt, d.logInterval)
  .option('-s, --seed <n>', 'seed of the initialisation and the batches', nonNegativeInt, d.seed)
  .option('-o, --out <path>', 'checkpoint path (default: apps/gpt/out/ckpt.safetensors)')
  .showHelpAfterError('(run with --help for the options)');

interface Flags {
  backend: BackendName;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  batchSize: number;
  dropout: number;
  bias: boolean;
  iters: number;
  lr: number;
  minLr: number;
  warmupIters: number;
  lrDecayIters?: number;
  weightDecay: number;
  beta2: number;
  gradClip: number;
  evalInterval: number;
  evalIters: number;
  logInterval: number;
  seed: number;
  out?: string;
}

async function main(argv: string[]): Promise<void> {
  const started = performance.now();
  program.parse(argv[0] === '--' ? argv.slice(1) : argv, { from: 'user' });
  const f = program.opts<Flags>();
  if (f.nEmbd % f.nHead !== 0) throw new UsageError(`--n-embd (${f.nEmbd}) must be divisible by --n-head (${f.nHead})`);
  const config: TrainConfig = {
    ...NANOGPT_CPU,
    nLayer: f.nLayer, nHead: f.nHead, nEmbd: f.nEmbd, blockSize: f.blockSize, batchSize: f.batchSize, dropout: f.dropout, bias: f.bias,
    maxIters: f.iters, learningRate: f.lr, minLr: f.minLr, warmupIters: f.warmupIters, lrDecayIters: f.lrDecayIters ?? f.iters,
    weightDecay: f.weightDecay, beta2: f.beta2, gradClip: f.gradClip, evalInterval: f.evalInterval, evalIters: f.evalIters,
    logInterval: f.logInterval, seed: f.seed,
  };
  const out = f.out ? resolve(process.env.INIT_CWD ?? process.cwd(), f.out) : DEFAULT_CHECKPOINT;
  await setBackend(await createBackend(f.backend));
  const data = CharData.shakespeare();
  const width = String(config.maxIters).length;
  console.log(
    `tinyshakespeare: ${data.vocabSize} characters, ${data.train.length.toLocaleString('en-US')} train / ${data.val.length.toLocaleString('en-US')} val tokens; ` +
      `GPT ${config.nLayer} layers × ${config.nHead} heads × ${config.nEmbd} wide, block ${config.blockSize}, batch ${config.batchSize}, ` +
      `${config.maxIters} iterations on ${f.backend}`,
  );
  const { bestValLoss } = await trainGPT(data, config, {
    out,
    onLog: (l) =>
      console.log(
        `iter ${String(l.iter).padStart(width)}: loss ${l.loss.toFixed(4)}, ${l.msPerIter.toFixed(1)} ms/iter, ` +
          `${Math.round(l.tokensPerSecond).toLocaleString('en-US')} tokens/s, lr ${l.lr.toExponential(2)}`,
      ),
    onEval: (e) =>
      console.log(`step ${e.iter}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}${e.saved ? `, saved ${out}` : ''}`),
  });
  console.log(`best val loss ${bestValLoss.toFixed(4)} in ${((performance.now() - started) / 1000).toFixed(1)} s on ${getBackend().name}; checkpoint ${out}`);
}

runMain(main);
