/**
 * The benchmark cases: what each one runs, how its time becomes the reported value, and how
 * long each system may spend on it per round. Pure data and arithmetic (tested in cases.test.ts);
 * the systems (systems.ts, tfjs.ts) know how to run each kind of work.
 */

/** What a case reports: GFLOP/s and GB/s are better higher, ms/step and ms/token lower. */
export type Unit = 'GFLOP/s' | 'GB/s' | 'ms/step' | 'ms/token';

/** The elementwise ops measured in GB/s. */
export type ElementwiseOp = 'add' | 'relu' | 'exp';

/** The work one run of a case does. */
export type Work =
  | { readonly kind: 'matmul'; readonly n: number }
  | { readonly kind: 'elementwise'; readonly op: ElementwiseOp; readonly n: number }
  | { readonly kind: 'mlp'; readonly batch: number }
  | { readonly kind: 'cnn'; readonly batch: number }
  | GptTrainWork
  | GptGenerateWork
  | { readonly kind: 'makemore'; readonly batch: number; readonly vocab: number; readonly context: number; readonly embed: number; readonly hidden: number; readonly lr: number; readonly seed: number }
  | { readonly kind: 'lstm'; readonly batch: number; readonly steps: number; readonly hidden: number; readonly lr: number; readonly seed: number }
  | { readonly kind: 'mnist-net'; readonly batch: number; readonly lr: number; readonly seed: number };

/** nanoGPT's model size (its `GPTConfig`, in apps/gpt's spelling). */
export interface GptSize {
  readonly vocabSize: number;
  readonly blockSize: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nEmbd: number;
  readonly dropout: number;
  readonly bias: boolean;
}

/**
 * One nanoGPT training iteration: forward with targets, zero the gradients, backward, clip the
 * gradient norm, an AdamW step (`configureOptimizers(weightDecay, lr, betas)`), the loss read back.
 */
export interface GptTrainWork {
  readonly kind: 'gpt-train';
  readonly batch: number;
  readonly config: GptSize;
  readonly weightDecay: number;
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly clip: number;
  readonly seed: number;
}

/**
 * Sampling in eval mode at batch 1: one run is `generate(prompt, tokens)` from a `prompt`-token
 * context (token id 0), temperature and top-k as given; the case reports the run's time / `tokens`.
 */
export interface GptGenerateWork {
  readonly kind: 'gpt-generate';
  readonly config: GptSize;
  readonly prompt: number;
  readonly tokens: number;
  readonly temperature: number;
  readonly topK: number | null;
}

export interface Case {
  readonly name: string;
  readonly unit: Unit;
  readonly work: Work;
  /** At most this many samples per round (one block per system per round)... */
  readonly maxRuns: number;
  /** ...and no more once a block has taken this long (a block has at least one sample). */
  readonly budgetMs: number;
  /** Untimed runs before a system's first block of the case, at least this many (measure.ts's `warmUp`)... */
  readonly warmupRuns: number;
  /** ...and more until the warm-up has taken this long: the JIT has settled by then (see `warmUp`). */
  readonly warmupMs: number;
  /** The step draws dropout masks: first losses differ between libraries (their random streams differ). */
  readonly dropout?: boolean;
}

const M = 1024 * 1024;

/** `16M` for 16 × 2^20: the element counts of the elementwise cases. */
export function formatCount(n: number): string {
  if (n >= M && n % M === 0) return `${n / M}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

/** Bytes an elementwise op reads and writes on float32 data: two inputs and an output for `add`, one and one for `relu` and `exp`. */
export function bytesMoved(op: ElementwiseOp, n: number): number {
  return (op === 'add' ? 3 : 2) * 4 * n;
}

/** The reported value of one sample of `ms` milliseconds. */
export function valueOf(c: Case, ms: number): number {
  const w = c.work;
  switch (w.kind) {
    case 'matmul':
      return (2 * w.n ** 3) / (ms * 1e6);
    case 'elementwise':
      return bytesMoved(w.op, w.n) / (ms * 1e6);
    case 'gpt-generate':
      return ms / w.tokens;
    default:
      return ms;
  }
}

/** Samples per second of a training step that takes `ms`, or undefined for cases that are not training steps. */
export function samplesPerSecond(c: Case, ms: number): number | undefined {
  return c.work.kind === 'mlp' || c.work.kind === 'cnn' ? (c.work.batch * 1000) / ms : undefined;
}

/** Whether a larger value of `unit` is better. */
export function higherIsBetter(unit: Unit): boolean {
  return unit !== 'ms/step' && unit !== 'ms/token';
}

/** How many times faster `a` is than `b` in `unit`: above 1 when `a` wins. */
export function speedUp(unit: Unit, a: number, b: number): number {
  return higherIsBetter(unit) ? a / b : b / a;
}

const matmul = (n: number, maxRuns: number, budgetMs: number): Case => ({
  name: `matmul ${n}`,
  unit: 'GFLOP/s',
  work: { kind: 'matmul', n },
  maxRuns,
  budgetMs,
  warmupRuns: 5,
  warmupMs: 2 * budgetMs,
});

const elementwise = (op: ElementwiseOp, n: number): Case => ({
  name: `${op} ${formatCount(n)}`,
  unit: 'GB/s',
  work: { kind: 'elementwise', op, n },
  maxRuns: n > M ? 6 : 30,
  budgetMs: n > M ? 400 : 200,
  warmupRuns: n > M ? 3 : 10,
  warmupMs: 300,
});

const training = (kind: 'mlp' | 'cnn', batch: number, budgetMs: number): Case => ({
  name: `${kind === 'mlp' ? 'MLP' : 'CNN'} step (batch ${batch})`,
  unit: 'ms/step',
  work: { kind, batch },
  maxRuns: 20,
  budgetMs,
  warmupRuns: 20, // the workers' JIT warms up on their share of each kernel, later than the calling thread's
  warmupMs: 3000, // the MLP step at batch 64 settles after ~1,000 steps on cpu (2.8 ms over its first 100, 2.2 from then)
});

/** nanoGPT's CPU configuration (its README's shakespeare_char run on a laptop). */
export const GPT_SIZE: GptSize = { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: false };

/** The cases beside PyTorch (issue 15): real models' steps, the same weights and batches in every library. */
const PYTORCH_CASES: readonly Case[] = [
  {
    name: 'GPT iteration',
    unit: 'ms/step',
    work: { kind: 'gpt-train', batch: 12, config: GPT_SIZE, weightDecay: 0.1, lr: 1e-3, betas: [0.9, 0.99], clip: 1.0, seed: 41 },
    maxRuns: 10,
    budgetMs: 2000,
    warmupRuns: 3,
    warmupMs: 6000, // cpu settles after ~50 iterations (148 ms over its first 5, 131 from the 50th)
  },
  {
    name: 'GPT generation (per token)',
    unit: 'ms/token',
    work: { kind: 'gpt-generate', config: GPT_SIZE, prompt: 1, tokens: 63, temperature: 1, topK: null },
    maxRuns: 6,
    budgetMs: 1500,
    warmupRuns: 2,
    warmupMs: 3000, // cpu settles after ~10 calls (157 ms for the first, 50 from the 10th)
  },
  {
    name: 'makemore MLP step',
    unit: 'ms/step',
    work: { kind: 'makemore', batch: 32, vocab: 27, context: 3, embed: 10, hidden: 200, lr: 0.1, seed: 51 },
    maxRuns: 100,
    budgetMs: 400,
    warmupRuns: 50,
    warmupMs: 2000, // settles after ~1,500 steps (0.69 ms over the first 200, 0.22 from the 1,500th)
  },
  {
    name: 'LSTM step',
    unit: 'ms/step',
    work: { kind: 'lstm', batch: 97, steps: 999, hidden: 51, lr: 0.01, seed: 61 },
    maxRuns: 2,
    budgetMs: 1000, // PyTorch takes ~0.8 s a step: one or two samples a round
    warmupRuns: 1,
    warmupMs: 1,
  },
  {
    name: 'MNIST Net step',
    unit: 'ms/step',
    work: { kind: 'mnist-net', batch: 64, lr: 1.0, seed: 71 },
    maxRuns: 8,
    budgetMs: 1500,
    warmupRuns: 3,
    warmupMs: 3000,
    dropout: true,
  },
];

/** Every case, in the order of the table. */
export const CASES: readonly Case[] = [
  matmul(128, 40, 150),
  matmul(256, 20, 200),
  matmul(512, 10, 300),
  matmul(1024, 5, 400),
  ...(['add', 'relu', 'exp'] as const).flatMap((op) => [elementwise(op, M), elementwise(op, 16 * M)]),
  training('mlp', 64, 500),
  training('mlp', 256, 600),
  { ...training('cnn', 64, 600), dropout: true },
  ...PYTORCH_CASES,
];

/** `c` with its per-round and warm-up time budgets scaled by `factor` (`--quick` halves them). */
export function scaleBudget(c: Case, factor: number): Case {
  return { ...c, budgetMs: c.budgetMs * factor, warmupMs: c.warmupMs * factor, maxRuns: Math.max(1, Math.round(c.maxRuns * factor)) };
}

/**
 * The cases a `--cases` filter picks: comma-separated words, each matching every case whose
 * name contains it (case-insensitive), or only the case of that exact name when there is one.
 * An empty or missing filter picks every case; a word that matches nothing is an error.
 *
 * @example
 * ```ts
 * selectCases(CASES, 'matmul 1024,mlp step').map((c) => c.name); // ['matmul 1024', 'MLP step (batch 64)', 'MLP step (batch 256)']
 * ```
 */
export function selectCases(all: readonly Case[], filter: string | undefined): Case[] {
  const words = (filter ?? '')
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== '');
  if (words.length === 0) return [...all];
  const picked = new Set<Case>();
  for (const word of words) {
    const exact = all.filter((c) => c.name.toLowerCase() === word);
    const matches = exact.length > 0 ? exact : all.filter((c) => c.name.toLowerCase().includes(word));
    if (matches.length === 0) {
      throw new Error(`bench: --cases '${word}' matches no case; cases: ${all.map((c) => c.name).join(', ')}`);
    }
    for (const c of matches) picked.add(c);
  }
  return all.filter((c) => picked.has(c)); // table order, whatever the order of the words
}
