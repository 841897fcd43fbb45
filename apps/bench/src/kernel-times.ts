/**
 * The pieces of `profile` (src/profile.ts) that other code uses too: timers around a backend's
 * kernel table, the key and FLOP count of one kernel call, the report, and the step function of a
 * bench case. Kept apart from the command so that importing them never runs it.
 */
import type { Case } from './cases';
import type { System } from './systems';

/** Time spent in one kernel key, how many calls, and for matrix products the floating-point operations they did. */
export interface KernelTime {
  ms: number;
  calls: number;
  /** Multiplies and adds of the dense products, 2·m·n·k each (a causal product's skipped zeros count too); 0 for other kernels. */
  flops: number;
}

interface ShapeLike {
  readonly shape: readonly number[];
}

const dims = (t: unknown): string => ((t as ShapeLike | null)?.shape ?? []).join('x');

/**
 * The floating-point operations of one call of a kernel: for `matmul(a, b, transposeA, transposeB,
 * outShape)`, 2·k per output element (k the depth: `a`'s last dim, or its second last when
 * transposed); 0 for every other kernel.
 *
 * @example
 * ```ts
 * kernelFlops('matmul', [{ shape: [768, 128] }, { shape: [512, 128] }, false, true, [768, 512]]); // 2·768·512·128 = 100,663,296
 * kernelFlops('binary', ['add']); // 0
 * ```
 */
export function kernelFlops(name: string, args: readonly unknown[]): number {
  if (name !== 'matmul') return 0;
  const a = (args[0] as ShapeLike | null)?.shape ?? [];
  const out = (args[4] as readonly number[] | undefined) ?? [];
  const k = a[a.length - (args[2] ? 2 : 1)] ?? 0;
  return 2 * k * out.reduce((p, d) => p * d, 1);
}

/**
 * The key one kernel call is counted under: its name, with the op for unary/binary/reduce/fused
 * calls, the operands' shapes and transposes for matmul, the shape and order for permute.
 *
 * @example
 * ```ts
 * kernelKey('matmul', [{ shape: [8, 4] }, { shape: [3, 4] }, false, true]); // 'matmul 8x4 @ 3x4T'
 * kernelKey('binary', ['add']); // 'binary:add'
 * ```
 */
export function kernelKey(name: string, args: readonly unknown[]): string {
  if (name === 'unary' || name === 'binary' || name === 'reduce') return `${name}:${String(args[0])}`;
  if (name === 'matmul') return `matmul ${dims(args[0])}${args[2] ? 'T' : ''} @ ${dims(args[1])}${args[3] ? 'T' : ''}`;
  if (name === 'permute') return `permute ${dims(args[0])} [${(args[1] as readonly number[]).join(',')}]`;
  return name;
}

/**
 * Wrap every function of `kernels` (a backend's kernel table, changed in place) in a timer;
 * returns the running totals by {@link kernelKey} and a way to clear them.
 *
 * @example
 * ```ts
 * const timing = timeKernels(getBackend().kernels);
 * step();
 * timing.times; // Map { 'matmul 768x128 @ 128x512' => { ms: 1.7, calls: 4 }, ... }
 * ```
 */
export function timeKernels(kernels: object): { readonly times: Map<string, KernelTime>; reset(): void } {
  const times = new Map<string, KernelTime>();
  const table = kernels as Record<string, unknown>;
  for (const name of Object.keys(table)) {
    const f = table[name];
    if (typeof f !== 'function') continue;
    table[name] = function timed(this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return (f as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        const ms = performance.now() - t0; // before the bookkeeping below, which is not the kernel's time
        const key = kernelKey(name, args);
        const flops = kernelFlops(name, args);
        const entry = times.get(key);
        if (entry) {
          entry.ms += ms;
          entry.calls++;
          entry.flops += flops;
        } else times.set(key, { ms, calls: 1, flops });
      }
    };
  }
  return { times, reset: () => times.clear() };
}

/** GFLOP/s of `flops` operations in `ms` milliseconds, to three figures. */
const rate = (flops: number, ms: number): string => (ms > 0 ? (flops / ms / 1e6).toPrecision(3) : '–');

/**
 * The report: each kernel's milliseconds and calls per step, largest first (the `top` of them),
 * each matrix product with the rate it ran at; then the matrix products' total (and their work
 * per step and average rate), the other kernels' and the time outside kernels.
 *
 * @example
 * ```ts
 * profileReport(new Map([['binary:add', { ms: 2, calls: 4, flops: 0 }]]), 2, 3, 10); // a table of 1 row, then the totals
 * ```
 */
export function profileReport(times: ReadonlyMap<string, KernelTime>, steps: number, stepMs: number, top: number): string {
  const rows = [...times].sort((a, b) => b[1].ms - a[1].ms);
  const sum = (pick: (key: string) => boolean, of: (t: KernelTime) => number = (t) => t.ms) => rows.filter(([k]) => pick(k)).reduce((s, [, t]) => s + of(t), 0) / steps;
  const isProduct = (k: string) => k.startsWith('matmul');
  const matmul = sum(isProduct);
  const flops = sum(isProduct, (t) => t.flops);
  const other = sum((k) => !isProduct(k));
  const lines = rows.slice(0, top).map(([key, t]) => {
    const row = `${(t.ms / steps).toFixed(3).padStart(9)} ms ${(t.calls / steps).toFixed(0).padStart(5)}×  ${key}`;
    return t.flops > 0 ? `${row}  (${rate(t.flops, t.ms)} GFLOP/s)` : row;
  });
  lines.push(
    '',
    `${stepMs.toFixed(2)} ms per step: matrix products ${matmul.toFixed(2)} ms (${(flops / 1e9).toPrecision(3)} GFLOP, ${rate(flops, matmul)} GFLOP/s), other kernels ${other.toFixed(2)} ms, outside kernels ${(stepMs - matmul - other).toFixed(2)} ms`,
  );
  return lines.join('\n');
}

/**
 * The step function a case gives on `system` (the training cases beside PyTorch, the MLP and CNN
 * steps, and one `generate` call of GPT generation).
 *
 * @example
 * ```ts
 * const step = stepOf(await SYSTEMS.cpu(), gptIteration); // step() runs one iteration
 * ```
 */
export function stepOf(system: System, c: Case): () => unknown {
  const w = c.work;
  if (w.kind === 'gpt-train' && system.gptStep) return system.gptStep(w);
  if (w.kind === 'makemore' && system.makemoreStep) return system.makemoreStep(w);
  if (w.kind === 'lstm' && system.lstmStep) return system.lstmStep(w);
  if (w.kind === 'mnist-net' && system.mnistNetStep) return system.mnistNetStep(w);
  if (w.kind === 'mlp') return system.mlpStep(w.batch);
  if (w.kind === 'cnn') return system.cnnStep(w.batch);
  if (w.kind === 'gpt-generate' && system.gptGenerate) return system.gptGenerate(w);
  throw new Error(`profile: case '${c.name}' is not a model step (choose GPT iteration, GPT generation, makemore MLP step, LSTM step, MNIST Net step, MLP step or CNN step)`);
}
