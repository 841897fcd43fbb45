/**
 * The benchmark cases: what each one runs, how its time becomes the reported value, and how
 * long each system may spend on it per round. Pure data and arithmetic (tested in cases.test.ts);
 * the systems (systems.ts, tfjs.ts) know how to run each kind of work.
 */

/** What a case reports: GFLOP/s and GB/s are better higher, ms/step lower. */
export type Unit = 'GFLOP/s' | 'GB/s' | 'ms/step';

/** The elementwise ops measured in GB/s. */
export type ElementwiseOp = 'add' | 'relu' | 'exp';

/** The work one run of a case does. */
export type Work =
  | { readonly kind: 'matmul'; readonly n: number }
  | { readonly kind: 'elementwise'; readonly op: ElementwiseOp; readonly n: number }
  | { readonly kind: 'mlp'; readonly batch: number }
  | { readonly kind: 'cnn'; readonly batch: number };

export interface Case {
  readonly name: string;
  readonly unit: Unit;
  readonly work: Work;
  /** At most this many samples per round (one block per system per round)... */
  readonly maxRuns: number;
  /** ...and no more once a block has taken this long (a block has at least one sample). */
  readonly budgetMs: number;
  /** Untimed runs before a system's first block of the case, at most this many... */
  readonly warmupRuns: number;
  /** ...and no more once the warm-up has taken this long (at least one). */
  readonly warmupMs: number;
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
  return unit !== 'ms/step';
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
  warmupMs: 1500,
});

/** Every case, in the order of the table. */
export const CASES: readonly Case[] = [
  matmul(128, 40, 150),
  matmul(256, 20, 200),
  matmul(512, 10, 300),
  matmul(1024, 5, 400),
  ...(['add', 'relu', 'exp'] as const).flatMap((op) => [elementwise(op, M), elementwise(op, 16 * M)]),
  training('mlp', 64, 500),
  training('mlp', 256, 600),
  training('cnn', 64, 600),
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
 * selectCases(CASES, 'matmul 1024,mlp').map((c) => c.name); // ['matmul 1024', 'MLP step (batch 64)', 'MLP step (batch 256)']
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
