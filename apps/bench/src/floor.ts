/**
 * The floor that a step's matrix products set on its time here, for the report beside PyTorch: this
 * processor's peak rate of WebAssembly SIMD multiply-adds on one thread, and each case's product
 * work counted over one step. WebAssembly's vectors are 128 bits (four floats), whatever the
 * processor: a core that issues two vector multiply-adds a cycle does 16 floating-point
 * operations a cycle there, where PyTorch's OpenBLAS, on a processor with AVX-512, does 64. A step
 * whose products alone, at that peak, take longer than a target allows cannot meet it with any
 * tensorgrad kernel on this processor.
 */
import { getBackend, withV8Flag } from '@tensorgrad/core';
import wabtInit from 'wabt';
import type { Case } from './cases';
import { stepOf, timeKernels } from './kernel-times';
import { SYSTEMS, type System } from './systems';

/** Independent accumulators of the peak loop: more than a multiply-add's latency times the two a cycle issued, so none waits. */
const ACCUMULATORS = 10;

/**
 * The peak loop's module: `run(n, x)` does `n` rounds of {@link ACCUMULATORS} independent
 * `acc += x·0.999` on four lanes each, in registers (no memory), as one fused multiply-add
 * (`f32x4.relaxed_madd`) or a multiply and an add (plain SIMD), and returns lane 0 of their sum.
 *
 * @example
 * ```ts
 * wabt.parseWat('peak.wat', peakWat(true), { simd: true, relaxed_simd: true }); // run(1000, 1) ≈ 10·1000·0.999
 * ```
 */
export function peakWat(fused: boolean): string {
  const accs = Array.from({ length: ACCUMULATORS }, (_, i) => `$c${i}`);
  const madd = (acc: string) =>
    fused
      ? `(local.set ${acc} (f32x4.relaxed_madd (local.get $x) (local.get $y) (local.get ${acc})))`
      : `(local.set ${acc} (f32x4.add (local.get ${acc}) (f32x4.mul (local.get $x) (local.get $y))))`;
  const sum = accs.slice(1).reduce((s, acc) => `(f32x4.add ${s} (local.get ${acc}))`, `(local.get ${accs[0]})`);
  return `(module
  (func (export "run") (param $n i32) (param $v f32) (result f32)
    (local $x v128) (local $y v128) ${accs.map((a) => `(local ${a} v128)`).join(' ')}
    (local.set $x (f32x4.splat (local.get $v)))
    (local.set $y (f32x4.splat (f32.const 0.999)))
    (loop $l
      ${accs.map(madd).join('\n      ')}
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (f32x4.extract_lane 0 ${sum})))`;
}

/** The part of the WebAssembly JS API used here (the repo's TypeScript libs do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  instantiate(bytes: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

/** The peak rate found, and the instruction it came from. */
export interface SimdPeak {
  /** Floating-point operations per second on one thread, in billions (a multiply-add counts two). */
  readonly gflops: number;
  /** `'fused multiply-add'` (relaxed SIMD) or `'multiply and add'` (plain SIMD, where relaxed SIMD is missing). */
  readonly instruction: 'fused multiply-add' | 'multiply and add';
}

/**
 * The peak loop, compiled: relaxed SIMD where the engine has it (Node 20 behind V8's flag, which
 * tensorgrad's own modules turn on too), else plain SIMD.
 *
 * @example
 * ```ts
 * const { run, fused } = await peakLoop(); // run(1000, 1) ≈ 9990
 * ```
 */
export async function peakLoop(): Promise<{ run: (n: number, x: number) => number; fused: boolean }> {
  const wabt = await wabtInit();
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  for (const fused of [true, false]) {
    const parsed = wabt.parseWat('peak.wat', peakWat(fused), { simd: true, relaxed_simd: fused });
    try {
      const { buffer } = parsed.toBinary({});
      // the relaxed module validates only with V8's flag on Node 20, as backend-cpu's instantiateSimd turns it on for its gemm
      if (!withV8Flag('experimental-wasm-relaxed-simd', () => wasm.validate(buffer))) continue;
      const { instance } = await wasm.instantiate(buffer);
      return { run: instance.exports.run as (n: number, x: number) => number, fused };
    } finally {
      parsed.destroy();
    }
  }
  throw new Error('bench: this engine runs no WebAssembly SIMD, so there is no SIMD peak to measure');
}

/**
 * The peak: the peak loop run for about `ms` milliseconds in runs of ~10 ms, the fastest run's
 * rate. Best of many, because on a shared machine the slow runs are the ones another guest took.
 *
 * @example
 * ```ts
 * await simdPeak(); // { gflops: 49.6, instruction: 'fused multiply-add' } on a 3.1 GHz core with two FMA ports
 * ```
 */
export async function simdPeak(ms = 300): Promise<SimdPeak> {
  const { run, fused } = await peakLoop();
  const flopsPerRound = ACCUMULATORS * 4 * 2;
  let n = 1 << 16;
  for (;;) {
    const t0 = performance.now();
    run(n, 1);
    if (performance.now() - t0 >= 10) break;
    n *= 2; // until one run takes ~10 ms
  }
  let best = 0;
  for (const end = performance.now() + ms; performance.now() < end; ) {
    const t0 = performance.now();
    run(n, 1);
    best = Math.max(best, (n * flopsPerRound) / ((performance.now() - t0) * 1e6));
  }
  return { gflops: best, instruction: fused ? 'fused multiply-add' : 'multiply and add' };
}

/** One step of a case on tensorgrad cpu, timed kernel by kernel: its matrix products' work and time, and the whole step's time. */
export interface StepTimes {
  /** Floating-point operations of the products a step (a token for generation): 2·m·n·k each, as the profiler counts them; conv2d's own kernels are not counted. */
  readonly flops: number;
  /** Milliseconds a step (a token) in the matrix products, their staging and packing included. */
  readonly products: number;
  /** Milliseconds a step (a token) in all, the timers' own small cost included. */
  readonly step: number;
}

/**
 * One step of case `c` on `system`, read from `timing` (the system's kernel table wrapped by
 * {@link timeKernels}): its products' work and milliseconds and the whole step's, per token for
 * generation. One step runs untimed first (a first step may differ: lazy state), more for
 * `warmMs` (the JIT settles; cf. the cases' own warm-ups), then steps are timed for at least
 * `timedMs` and 3 steps. Work and times come from the same steps, so the split holds whatever
 * this VM's speed at the time.
 *
 * @example
 * ```ts
 * const timing = timeKernels(getBackend().kernels);
 * stepTimes(system, timing, gptIteration, 1500, 1500); // e.g. { flops: 3.96e9, products: 84, step: 125 }
 * ```
 */
export function stepTimes(system: System, timing: ReturnType<typeof timeKernels>, c: Case, warmMs: number, timedMs: number): StepTimes {
  const run = stepOf(system, c);
  run();
  for (const end = performance.now() + warmMs; performance.now() < end; ) run();
  timing.reset();
  let steps = 0;
  const t0 = performance.now();
  for (const end = t0 + timedMs; steps < 3 || performance.now() < end; steps++) run();
  const wall = performance.now() - t0;
  let flops = 0;
  let ms = 0;
  for (const [key, t] of timing.times) {
    flops += t.flops;
    if (key.startsWith('matmul')) ms += t.ms;
  }
  const per = steps * (c.work.kind === 'gpt-generate' ? c.work.tokens : 1);
  return { flops: flops / per, products: ms / per, step: wall / per };
}

/** The floors' inputs, measured: the peak, and each case's products per step (or per token). */
export interface Floors {
  readonly peak: SimdPeak;
  /** Floating-point operations of the products per step (per token for generation), by case name. */
  readonly flops: Readonly<Record<string, number>>;
  /** tensorgrad cpu's step and the products' part of it, per step (per token), by case name ({@link stepTimes}). */
  readonly timed: Readonly<Record<string, Omit<StepTimes, 'flops'>>>;
}

/**
 * {@link Floors} for `cases`, counted and timed on a tensorgrad cpu system of its own (made here,
 * closed after), with `before` (a peak measured earlier, say before the rounds) kept where it was higher.
 *
 * @example
 * ```ts
 * const floors = await measureFloors(cases, await simdPeak()); // after the rounds, with the peak from before them
 * ```
 */
export async function measureFloors(cases: readonly Case[], before?: SimdPeak, warmMs = 1500, timedMs = 1500): Promise<Floors> {
  const after = await simdPeak();
  const peak = before !== undefined && before.gflops > after.gflops ? before : after;
  const system = await SYSTEMS.cpu(); // sets the backend: its kernel table is the one the steps call
  try {
    const timing = timeKernels(getBackend().kernels);
    const measured = cases.map((c) => [c.name, stepTimes(system, timing, c, warmMs, timedMs)] as const);
    return {
      peak,
      flops: Object.fromEntries(measured.map(([name, t]) => [name, t.flops])),
      timed: Object.fromEntries(measured.map(([name, { products, step }]) => [name, { products, step }])),
    };
  } finally {
    await system.close();
  }
}
