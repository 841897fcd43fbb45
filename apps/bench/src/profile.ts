/**
 * `pnpm --filter @tensorgrad/bench run profile`: where one training step's time goes, kernel by kernel.
 *
 *   node dist/profile.js [--system cpu|worker] [--case "GPT iteration"] [--steps N] [--warmup N] [--top N]
 *
 * Builds the bench's own case (the same model, weights and batch as `pnpm bench`, through
 * systems.ts), wraps every function of the backend's kernel table in a timer, runs `--warmup`
 * untimed steps (a worker's kernels reach their steady speed only after a thousand calls or so)
 * and then `--steps` timed ones, and prints milliseconds per step for each kernel (matrix
 * products keyed by their shapes and transposes, each with the GFLOP/s it ran at, elementwise
 * kernels by their op, permutes by shape and order), the kernels' total (the products' with their
 * GFLOP a step and average rate) and the rest: the engine, op dispatch and JavaScript between
 * kernels. The timers cost a little on every call, so the total runs a few % above the bench's.
 * worker's numbers are the calling thread's wall time inside each kernel.
 */
import { Command } from 'commander';
import { CASES, selectCases } from './cases';
import { SYSTEMS } from './systems';
import { profileReport, stepOf, timeKernels } from './kernel-times';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const values = new Command('profile')
    .description("where one training step's time goes, kernel by kernel (the bench's models, weights and batches)")
    .option('--system <name>', 'cpu or worker', 'cpu')
    .option('--case <name>', 'the training step: GPT iteration, makemore MLP step, LSTM step, MNIST Net step, MLP step or CNN step (or a word of it)', 'GPT iteration')
    .option('--steps <n>', 'timed steps', '10')
    .option('--warmup <n>', 'untimed steps first', '3')
    .option('--top <n>', 'kernels to list, the slowest first', '30')
    .showHelpAfterError()
    .parse(args[0] === '--' ? args.slice(1) : args, { from: 'user' }) // `pnpm run profile -- --steps 5` passes the separator on
    .opts<{ system: string; case: string; steps: string; warmup: string; top: string }>();
  const name = values.system;
  if (name !== 'cpu' && name !== 'worker') throw new Error(`profile: --system must be cpu or worker, got '${name}'`);
  const [c] = selectCases(CASES, values.case);
  if (c === undefined) throw new Error(`profile: no case matches '${values.case}'`);
  const steps = Number(values.steps);
  const top = Number(values.top);
  const warmup = Number(values.warmup);
  if (!(Number.isInteger(steps) && steps > 0)) throw new Error(`profile: --steps must be a positive integer, got '${values.steps}'`);
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new Error(`profile: --warmup must be a non-negative integer, got '${values.warmup}'`);
  if (!(Number.isInteger(top) && top > 0)) throw new Error(`profile: --top must be a positive integer, got '${values.top}'`);
  const system = await SYSTEMS[name]();
  const { getBackend } = await import('@tensorgrad/core');
  const timing = timeKernels(getBackend().kernels);
  const step = stepOf(system, c);
  for (let i = 0; i < warmup; i++) step();
  timing.reset();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const stepMs = (performance.now() - t0) / steps;
  console.log(`${c.name} on tensorgrad ${name}, ${steps} steps after ${warmup} warm-up ones (${JSON.stringify(system.info())})\n`);
  console.log(profileReport(timing.times, steps, stepMs, top));
  await system.close();
}

await main();
