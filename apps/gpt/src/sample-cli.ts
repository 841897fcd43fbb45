/**
 * `pnpm --filter @tensorgrad/gpt sample`: load a checkpoint written by `train` and print text
 * sampled with temperature and top-k, as nanoGPT's `sample.py`.
 *
 * @example
 * ```sh
 * pnpm --filter @tensorgrad/gpt sample --tokens 300 --temperature 0.8 --top-k 200
 * ```
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, program } from 'commander';
import { Tensor, loadCheckpoint, manualSeed, setBackend, tensor } from '@tensorgrad/core';
import { BACKEND_NAMES, type BackendName, UsageError, createBackend } from '../../train/src/backends';
import { CharData } from './data';
import { nonNegativeInt, positiveInt, positiveNumber, runMain } from './cli';
import { GPT, type GPTConfig } from './model';

const DEFAULT_CHECKPOINT = fileURLToPath(new URL('../out/ckpt.safetensors', import.meta.url));

program
  .name('tensorgrad-gpt-sample')
  .description('Generate text from a GPT checkpoint written by `train`.')
  .addOption(new Option('-b, --backend <name>', 'compute backend').choices(BACKEND_NAMES).default('cpu'))
  .option('-c, --checkpoint <path>', 'checkpoint to load (default: apps/gpt/out/ckpt.safetensors)')
  .option('--start <text>', 'prompt the samples continue', '\n')
  .option('-n, --num-samples <n>', 'how many samples', positiveInt, 2)
  .option('-t, --tokens <n>', 'characters generated per sample', positiveInt, 300)
  .option('--temperature <x>', 'below 1: more conservative, above 1: more random', positiveNumber, 0.8)
  .option('--top-k <n>', 'sample among the k most likely characters only', positiveInt, 200)
  .option('-s, --seed <n>', 'seed of the sampling', nonNegativeInt, 1337)
  .showHelpAfterError('(run with --help for the options)');

interface Flags {
  backend: BackendName;
  checkpoint?: string;
  start: string;
  numSamples: number;
  tokens: number;
  temperature: number;
  topK: number;
  seed: number;
}

async function main(argv: string[]): Promise<void> {
  program.parse(argv[0] === '--' ? argv.slice(1) : argv, { from: 'user' });
  const f = program.opts<Flags>();
  const path = f.checkpoint ? resolve(process.env.INIT_CWD ?? process.cwd(), f.checkpoint) : DEFAULT_CHECKPOINT;
  await setBackend(await createBackend(f.backend));
  let ck;
  try {
    ck = loadCheckpoint(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new UsageError(`no checkpoint at ${path}: run \`pnpm --filter @tensorgrad/gpt train\` first, or pass --checkpoint`);
    throw e;
  }
  const vocab = ck.vocab;
  if (typeof vocab !== 'string' || ck.modelArgs === null || typeof ck.modelArgs !== 'object' || ck.model === null || typeof ck.model !== 'object') {
    throw new UsageError(`${path} is not a checkpoint written by \`train\` (it needs model, modelArgs and vocab)`);
  }
  const data = new CharData([...vocab], new Int32Array(0), new Int32Array(0));
  const model = new GPT(ck.modelArgs as unknown as GPTConfig);
  model.loadStateDict(ck.model as Record<string, Tensor>);
  model.eval();
  manualSeed(f.seed);
  let prompt: number[];
  try {
    prompt = data.encode(f.start);
  } catch (e) {
    throw new UsageError(`--start: ${(e as Error).message}`);
  }
  if (prompt.length === 0) throw new UsageError('--start must not be empty (the default is a newline)');
  for (let s = 0; s < f.numSamples; s++) {
    const idx = tensor(Int32Array.from(prompt), { dtype: 'int32' }).view(1, -1);
    const out = model.generate(idx, f.tokens, { temperature: f.temperature, topK: f.topK });
    console.log(data.decode(await out.data()));
    console.log('---------------');
    out.dispose();
    idx.dispose();
  }
}

runMain(main);
