/**
 * Where the time of backend-cpu's WebAssembly kernels goes, on one thread, in one process:
 *   products     for each matrix product of the GPT and MLP steps (named as `profile.js` names them),
 *                the micro-kernel alone on one block already packed in the module's memory, and
 *                the whole product from JavaScript arrays (staging into the module, packing, and
 *                copying C out included), both as GFLOP/s and as a share of this processor's SIMD peak
 *   elementwise  an add from JavaScript arrays (operands staged into the module's memory a chunk at
 *                a time, the sum copied out), the module's add alone on chunks already there, and
 *                the copies alone
 *   worker       the same add and a product on backend-worker, split across its threads and inline
 * Every operand is hot (just used), so these are the kernels' best; inside a training step the
 * operands come from the kernels before. Rounds run every measurement in turn, so that a change in
 * this VM's speed hits all of them alike; the best of the rounds is printed.
 *
 *   node dist/staging.js [--rounds 3]
 */
import { elementwiseProbe, gemmProbe, wasmBinary, wasmGemm } from '@tensorgrad/backend-cpu';
import { Command } from 'commander';
import { uniform } from './data';
import { simdPeak } from './floor';

/** A product `[m, k] @ [k, n]`, each operand stored transposed where flagged, with the name `profile.js` gives it. */
export interface ProductShape {
  readonly name: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

const shape = (name: string, m: number, k: number, n: number, transA = false, transB = false): ProductShape => ({ name, m, k, n, transA, transB });

/** The products that take most of the GPT step's and the MLP step's time (see `profile.js`). */
export const PRODUCTS: readonly ProductShape[] = [
  shape('GPT: 768x128 @ 128x512', 768, 128, 512),
  shape('GPT: 768x512 @ 512x128', 768, 512, 128),
  shape('GPT: 768x128T @ 768x512', 128, 768, 512, true),
  shape('GPT: 768x512 @ 128x512T', 768, 512, 128, false, true),
  shape('GPT: 768x128 @ 384x128T', 768, 128, 384, false, true),
  shape('MLP: 64x784 @ 256x784T', 64, 784, 256, false, true),
  shape('MLP: 64x256T @ 64x784', 256, 64, 784, true),
  shape('MLP: 64x128 @ 128x256', 64, 128, 256),
];

/** gemm.ts's blocking: at most 128 rows (a multiple of 4), 256 steps of depth, 2,048 columns (a multiple of 8), in near-equal blocks. */
export function blocks(p: Pick<ProductShape, 'm' | 'k' | 'n'>): { mc: number; kc: number; nc: number } {
  const size = (n: number, most: number, unit: number) => Math.ceil(Math.ceil(n / Math.ceil(n / most)) / unit) * unit;
  return { mc: size(p.m, 128, 4), kc: size(p.k, 256, 1), nc: size(p.n, 2048, 8) };
}

/** Best milliseconds per call of `fn` over `samples` samples of about `sampleMs` each. */
export function best(fn: () => void, samples = 9, sampleMs = 2): number {
  let reps = 1;
  for (let t = performance.now(); ; reps *= 2) {
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t >= sampleMs) break;
    t = performance.now();
  }
  let ms = Infinity;
  for (let s = 0; s < samples; s++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    ms = Math.min(ms, (performance.now() - t) / reps);
  }
  return ms;
}

/** GFLOP/s of the micro-kernel alone on one packed block of `p`'s blocking, and of the whole product. */
export function measureProduct(p: ProductShape, samples = 9): { kernel: number; whole: number } {
  const g = gemmProbe();
  if (g === null) throw new Error('staging: WebAssembly SIMD is not available here');
  const { mc, kc, nc } = blocks(p);
  // the packed areas hold finite values (no denormals) from the products before
  const kernelMs = best(() => g.fn.kernel(g.packedA * 4, g.packedB * 4, g.scratch * 4, nc * 4, kc, mc / 4, nc / 8, 0), samples);
  const a = uniform(p.m * p.k, 1);
  const b = uniform(p.k * p.n, 2);
  const c = new Float32Array(p.m * p.n);
  const wholeMs = best(() => wasmGemm(a, 0, p.transA, b, 0, p.transB, c, 0, p.m, p.n, p.k, 0, p.m, false), samples);
  return { kernel: (2 * mc * kc * nc) / kernelMs / 1e6, whole: (2 * p.m * p.k * p.n) / wholeMs / 1e6 };
}

/** Microseconds of an add of `n` floats: from JavaScript arrays (staged), the module's add alone on chunks already in it, the copies alone. */
export function measureAdd(n: number, samples = 9): { staged: number; kernel: number; copies: number } {
  const e = elementwiseProbe();
  if (e === null) throw new Error('staging: WebAssembly SIMD is not available here');
  const { fn, mem, chunk } = e;
  const a = uniform(n, 1);
  const b = uniform(n, 2);
  const out = new Float32Array(n);
  mem.set(a.subarray(0, Math.min(n, chunk)), 0);
  mem.set(b.subarray(0, Math.min(n, chunk)), chunk);
  const staged = best(() => wasmBinary('add', a, 0, 0, b, 0, 0, out, 0, 1, n), samples);
  const kernel = best(() => {
    for (let s = 0; s < n; s += chunk) fn.binary(0, 0, chunk * 4, 2 * chunk * 4, Math.min(chunk, n - s)); // op 0: add
  }, samples);
  const copies = best(() => {
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      mem.set(a.subarray(s, s + m), 0);
      mem.set(b.subarray(s, s + m), chunk);
      out.set(mem.subarray(2 * chunk, 2 * chunk + m), s);
    }
  }, samples);
  return { staged: staged * 1000, kernel: kernel * 1000, copies: copies * 1000 };
}

/** Microseconds of an add of [12, 64, 128] and a 768x128 @ 128x512 product on backend-worker, split across its threads and inline. */
export async function measureWorker(samples = 9): Promise<{ add: { split: number; inline: number }; product: { split: number; inline: number } }> {
  const { functional: F, noGrad, randn, setBackend } = await import('@tensorgrad/core');
  const { workerBackend } = await import('@tensorgrad/backend-worker');
  const split = workerBackend();
  const inline = workerBackend({ splitThreshold: Number.MAX_SAFE_INTEGER });
  const out = { add: { split: 0, inline: 0 }, product: { split: 0, inline: 0 } };
  for (const [name, backend] of [['split', split], ['inline', inline]] as const) {
    await setBackend(backend);
    const x = randn([12, 64, 128]);
    const y = randn([12, 64, 128]);
    const h = randn([768, 128]);
    const w = randn([512, 128]);
    out.add[name] = best(() => noGrad(() => x.add(y).dispose()), samples) * 1000;
    out.product[name] = best(() => noGrad(() => F.linear(h, w).dispose()), samples) * 1000;
    for (const t of [x, y, h, w]) t.dispose();
  }
  await split.close();
  await inline.close();
  return out;
}

async function main(args: string[]): Promise<void> {
  const { rounds } = new Command('staging')
    .description("where the time of backend-cpu's WebAssembly kernels goes: the micro-kernel alone, the whole product, staging's copies")
    .option('--rounds <n>', 'rounds of every measurement', '3')
    .parse(args[0] === '--' ? args.slice(1) : args, { from: 'user' })
    .opts<{ rounds: string }>();
  const n = Number(rounds);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`staging: --rounds must be a positive integer, got '${rounds}'`);
  const top = (xs: number[]) => Math.max(...xs);
  const low = (xs: number[]) => Math.min(...xs);
  const peaks: number[] = [];
  const products = PRODUCTS.map(() => ({ kernel: [] as number[], whole: [] as number[] }));
  const sizes = [16384, 98304, 393216];
  const adds = sizes.map(() => ({ staged: [] as number[], kernel: [] as number[], copies: [] as number[] }));
  const worker = { addSplit: [] as number[], addInline: [] as number[], productSplit: [] as number[], productInline: [] as number[] };
  for (let r = 0; r < n; r++) {
    peaks.push((await simdPeak(200)).gflops);
    PRODUCTS.forEach((p, i) => {
      const m = measureProduct(p);
      products[i]!.kernel.push(m.kernel);
      products[i]!.whole.push(m.whole);
    });
    sizes.forEach((s, i) => {
      const m = measureAdd(s);
      adds[i]!.staged.push(m.staged);
      adds[i]!.kernel.push(m.kernel);
      adds[i]!.copies.push(m.copies);
    });
    const w = await measureWorker();
    worker.addSplit.push(w.add.split);
    worker.addInline.push(w.add.inline);
    worker.productSplit.push(w.product.split);
    worker.productInline.push(w.product.inline);
  }
  const peak = top(peaks);
  const pct = (g: number) => `${g.toFixed(1)} (${((100 * g) / peak).toFixed(0)}%)`;
  console.log(`SIMD peak, one thread: ${peak.toFixed(1)} GFLOP/s (best of ${n} rounds; every figure below is the best of its ${n})\n`);
  console.log('product                          micro-kernel alone, one block   whole product from JS arrays');
  PRODUCTS.forEach((p, i) => console.log(`${p.name.padEnd(33)}${pct(top(products[i]!.kernel)).padEnd(32)}${pct(top(products[i]!.whole))}`));
  console.log('\nadd of n floats (us)   from JS arrays (staged)   the module\'s add alone   the copies alone');
  sizes.forEach((s, i) => console.log(`${String(s).padEnd(23)}${low(adds[i]!.staged).toFixed(1).padEnd(26)}${low(adds[i]!.kernel).toFixed(1).padEnd(25)}${low(adds[i]!.copies).toFixed(1)}`));
  console.log('\nbackend-worker (us)            split   inline');
  console.log(`add [12, 64, 128]              ${low(worker.addSplit).toFixed(1).padEnd(8)}${low(worker.addInline).toFixed(1)}`);
  console.log(`linear 768x128 -> 512          ${low(worker.productSplit).toFixed(1).padEnd(8)}${low(worker.productInline).toFixed(1)}`);
}

if (process.argv[1] !== undefined && /staging\.[jt]s$/.test(process.argv[1])) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
