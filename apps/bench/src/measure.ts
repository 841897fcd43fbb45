/** The middle value (mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Milliseconds of each of `runs` calls of `fn`, after `warmup` untimed calls. */
export function sample(fn: () => void, runs: number, warmup: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Cores' worth of CPU time this process gets with one busy thread per core, measured over `ms`:
 * about `availableParallelism()` on an idle machine, less when other processes compete (the
 * development machine is shared, and a 2-thread speed-up needs two free cores).
 */
export async function parallelCapacity(threads: number, ms = 300): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const spin = `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);`;
  const before = process.cpuUsage();
  const t0 = performance.now();
  const workers = Array.from({ length: threads - 1 }, () => new Worker(spin, { eval: true }));
  const done = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));
  new Function(spin)();
  await Promise.all(done);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (performance.now() - t0);
}

/** Limits of a block of samples: at most `maxRuns`, and none started after `budgetMs` (at least one always runs). */
export interface Budget {
  readonly maxRuns: number;
  readonly budgetMs: number;
}

/**
 * Milliseconds of each call of `fn`, calling it until `maxRuns` samples or until `budgetMs` have
 * passed since the first call, whichever comes first: a slow system gets fewer samples of a case
 * rather than making the run long. `now` is the clock (a parameter for tests).
 */
export function sampleFor(fn: () => unknown, { maxRuns, budgetMs }: Budget, now: () => number = () => performance.now()): number[] {
  const out: number[] = [];
  const start = now();
  while (out.length < Math.max(1, maxRuns) && (out.length === 0 || now() - start < budgetMs)) {
    const t0 = now();
    fn();
    out.push(now() - t0);
  }
  return out;
}

/** How long a warm-up lasts: at least `minRuns` calls, and more until `minMs` have passed since the first. */
export interface WarmUp {
  readonly minRuns: number;
  readonly minMs: number;
}

/**
 * Untimed calls of `fn`: at least `minRuns` (one at least), and on until `minMs` have passed since
 * the first, so that the timed samples come from the steady state a training loop spends its time
 * in. V8 goes on optimizing a training step's functions for its first few hundred calls (the MLP
 * step at batch 64 took 2.8 ms over its first 100 steps and 2.2 ms from the 1,000th on; the GPT
 * iteration 148 ms over its first 5 and 131 ms from the 50th); PyTorch has no JIT and gets the same
 * warm-up. Returns how many ran.
 *
 * @example
 * ```ts
 * warmUp(step, { minRuns: 20, minMs: 3000 }); // 20 steps, or as many as fit in 3 s if that is more
 * ```
 */
export function warmUp(fn: () => unknown, { minRuns, minMs }: WarmUp, now: () => number = () => performance.now()): number {
  const start = now();
  let runs = 0;
  do {
    fn();
    runs++;
  } while (now() - start < minMs || runs < minRuns);
  return runs;
}

/**
 * How fast each of `threads` threads computes while all of them are busy, over `ms`: the same
 * floating-point loop on every thread, in iterations per millisecond, this thread first. On this
 * kind of VM a core can run at half speed for seconds at a time (another guest busy on its
 * physical core), so a 2-thread speed-up over one thread on the faster core is at most
 * `sum / max` of these: {@link speedCeiling}.
 */
export async function threadSpeeds(threads: number, ms = 300): Promise<number[]> {
  const { Worker } = await import('node:worker_threads');
  // ctl[0]: workers ready; ctl[1]: 1 once the shared deadline is set; deadline[0]: when to stop (Date.now() ms)
  const ctl = new Int32Array(new SharedArrayBuffer(8));
  const deadline = new Float64Array(new SharedArrayBuffer(8));
  const spin = (c: Int32Array, d: Float64Array): number => {
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
    while (Atomics.load(c, 1) === 0) Atomics.wait(c, 1, 0, 5);
    const end = d[0]!;
    const f = new Float32Array(1024).fill(1);
    let iterations = 0;
    let s = 0;
    while (Date.now() < end) {
      for (let i = 0; i < 1024; i++) s += f[i]! * 1.0001;
      iterations++;
    }
    return iterations + (s < 0 ? 1 : 0); // s keeps the loop from being optimised away
  };
  const source = `const { parentPort, workerData } = require('node:worker_threads'); parentPort.postMessage((${spin.toString()})(workerData.ctl, workerData.deadline));`;
  const workers = Array.from({ length: threads - 1 }, () => new Worker(source, { eval: true, workerData: { ctl, deadline } }));
  const counts = workers.map((w) => new Promise<number>((resolve, reject) => w.once('message', resolve).once('error', reject)));
  // every thread starts spinning at once, however long the workers took to start
  while (Atomics.load(ctl, 0) < threads - 1) await new Promise((resolve) => setTimeout(resolve, 1));
  deadline[0] = Date.now() + ms;
  Atomics.store(ctl, 1, 1);
  Atomics.notify(ctl, 1);
  const own = spin(ctl, deadline); // the flag is already set: this thread starts at once
  return [own, ...(await Promise.all(counts))].map((n) => n / ms);
}

/**
 * The most a perfectly balanced split over threads of these `speeds` can gain over one thread on
 * the fastest of them: `sum / max` (2 on two equal cores, 1.5 when one runs at half speed).
 */
export function speedCeiling(speeds: readonly number[]): number {
  const max = Math.max(...speeds);
  return max > 0 ? speeds.reduce((a, b) => a + b, 0) / max : NaN;
}
