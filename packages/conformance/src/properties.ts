/**
 * Random-shape tests with fast-check: algebraic properties any backend must satisfy, and
 * differential tests that run one random op on the backend under test and on a reference
 * backend (normally `cpu`) and compare forward values and gradients.
 */
import fc from 'fast-check';
import { type Tensor, cat, functional, tensor, tidy, uniformAt } from '@tensorgrad/core';
import { type Tolerance, mismatch } from './compare';
import { type Evaluation, type HostTensor, evaluate } from './evaluate';

/** Deterministic host values in `[lo, hi)` for a shape, from a seed. */
export function hostRandom(shape: readonly number[], seed: number, lo = -2, hi = 2): HostTensor {
  let n = 1;
  for (const d of shape) n *= d;
  const data = Float32Array.from({ length: n }, (_, i) => lo + (hi - lo) * uniformAt(seed >>> 0, i));
  return { shape, data };
}

const dimSize = fc.integer({ min: 1, max: 5 });
const shapeArb = (minRank: number, maxRank: number) => fc.array(dimSize, { minLength: minRank, maxLength: maxRank });
const seedArb = fc.integer({ min: 0, max: 0x7fffffff });

/** Two shapes that broadcast together: a common output shape, each input dropping leading dims and setting some to 1. */
export const broadcastPair = fc
  .record({
    out: shapeArb(0, 4),
    dropA: fc.nat(4),
    dropB: fc.nat(4),
    onesA: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    onesB: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  })
  .map(({ out, dropA, dropB, onesA, onesB }) => {
    const derive = (drop: number, ones: boolean[]) =>
      out.slice(Math.min(drop, out.length)).map((d, i) => (ones[i] ? 1 : d));
    return [derive(dropA, onesA), derive(dropB, onesB)] as const;
  });

/** One random differential test: host inputs and the op to run on them. */
interface Sample {
  readonly label: string;
  readonly inputs: HostTensor[];
  readonly run: (xs: Tensor[]) => Tensor;
  /** Sums or normalises many terms: compared with atol 1e-4. */
  readonly loose?: boolean;
  /** The elementwise op it exercises (PyTorch's name), where a device may declare its own tolerance. */
  readonly op?: string;
}

const unaryOps: Record<string, { run: (x: Tensor) => Tensor; lo?: number; hi?: number }> = {
  neg: { run: (x) => x.neg() },
  exp: { run: (x) => x.exp() },
  log: { run: (x) => x.log(), lo: 0.5, hi: 3 },
  sqrt: { run: (x) => x.sqrt(), lo: 0.5, hi: 3 },
  abs: { run: (x) => x.abs() },
  sin: { run: (x) => x.sin() },
  cos: { run: (x) => x.cos() },
  tanh: { run: (x) => x.tanh() },
  sigmoid: { run: (x) => x.sigmoid() },
  relu: { run: (x) => x.relu() },
  square: { run: (x) => x.square() },
  reciprocal: { run: (x) => x.reciprocal(), lo: 0.5, hi: 3 },
};

const binaryOps: Record<string, { run: (a: Tensor, b: Tensor) => Tensor; a?: [number, number]; b?: [number, number] }> = {
  add: { run: (a, b) => a.add(b) },
  sub: { run: (a, b) => a.sub(b) },
  mul: { run: (a, b) => a.mul(b) },
  div: { run: (a, b) => a.div(b), b: [0.5, 3] },
  pow: { run: (a, b) => a.pow(b), a: [0.5, 3] },
  maximum: { run: (a, b) => a.maximum(b) },
  minimum: { run: (a, b) => a.minimum(b) },
};

const reduceOps: Record<string, (x: Tensor, dim: number[] | undefined, keepdim: boolean) => Tensor> = {
  sum: (x, d, k) => x.sum(d, k),
  mean: (x, d, k) => x.mean(d, k),
  max: (x, d, k) => x.max(d, k),
  min: (x, d, k) => x.min(d, k),
  logsumexp: (x, d, k) => x.logsumexp(d, k),
  var: (x, d, k) => x.var(d, k, { correction: 0 }),
};

/** Random samples of every differential op family. */
export const differentialSamples: Record<string, fc.Arbitrary<Sample>> = {
  unary: fc.record({ op: fc.constantFrom(...Object.keys(unaryOps)), shape: shapeArb(0, 4), seed: seedArb }).map(({ op, shape, seed }) => {
    const spec = unaryOps[op]!;
    return { label: `${op} ${JSON.stringify(shape)}`, op, inputs: [hostRandom(shape, seed, spec.lo ?? -2, spec.hi ?? 2)], run: ([x]) => spec.run(x!) };
  }),
  binary: fc.record({ op: fc.constantFrom(...Object.keys(binaryOps)), shapes: broadcastPair, seed: seedArb }).map(({ op, shapes, seed }) => {
    const spec = binaryOps[op]!;
    const [la, ha] = spec.a ?? [-2, 2];
    const [lb, hb] = spec.b ?? [-2, 2];
    return {
      label: `${op} ${JSON.stringify(shapes[0])} ${JSON.stringify(shapes[1])}`,
      op,
      inputs: [hostRandom(shapes[0], seed, la, ha), hostRandom(shapes[1], seed + 1, lb, hb)],
      run: ([a, b]) => spec.run(a!, b!),
    };
  }),
  reduce: fc
    .record({
      op: fc.constantFrom(...Object.keys(reduceOps)),
      shape: shapeArb(1, 4),
      dims: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      all: fc.boolean(),
      keepdim: fc.boolean(),
      seed: seedArb,
    })
    .map(({ op, shape, dims, all, keepdim, seed }) => {
      let dim: number[] | undefined = shape.map((_, i) => i).filter((i) => dims[i]);
      if (all || dim.length === 0) dim = undefined;
      return {
        label: `${op} ${JSON.stringify(shape)} dim=${JSON.stringify(dim)} keepdim=${keepdim}`,
        inputs: [hostRandom(shape, seed)],
        run: ([x]) => reduceOps[op]!(x!, dim, keepdim),
        loose: true,
      };
    }),
  matmul: fc
    .record({ batch: broadcastPair, m: dimSize, k: dimSize, n: dimSize, vecA: fc.boolean(), vecB: fc.boolean(), seed: seedArb })
    .map(({ batch, m, k, n, vecA, vecB, seed }) => {
      // torch.matmul: a 1-D operand is a vector (only without batch dims on that side)
      const a = vecA ? [k] : [...batch[0].slice(-2), m, k];
      const b = vecB ? [k] : [...batch[1].slice(-2), k, n];
      return {
        label: `matmul ${JSON.stringify(a)} @ ${JSON.stringify(b)}`,
        inputs: [hostRandom(a, seed), hostRandom(b, seed + 1)],
        run: ([x, y]) => x!.matmul(y!),
        loose: true,
      };
    }),
  shape: fc.record({ shape: shapeArb(1, 4), perm: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), seed: seedArb }).map(({ shape, perm, seed }) => {
    // a random permutation: sort dims by random keys
    const dims = shape.map((_, i) => i).sort((i, j) => perm[i]! - perm[j]! || i - j);
    return {
      label: `permute ${JSON.stringify(shape)} ${JSON.stringify(dims)} then reshape [-1]`,
      inputs: [hostRandom(shape, seed)],
      run: ([x]) => x!.permute(dims).reshape([-1]),
    };
  }),
  softmax: fc.record({ shape: shapeArb(1, 3), dim: fc.nat(2), seed: seedArb }).map(({ shape, dim, seed }) => {
    const d = dim % shape.length;
    return {
      label: `softmax ${JSON.stringify(shape)} dim ${d}`,
      inputs: [hostRandom(shape, seed, -3, 3)],
      run: ([x]) => functional.softmax(x!, d),
      loose: true,
    };
  }),
};

function compareEvaluations(label: string, got: Evaluation, want: Evaluation, tol: Tolerance): string {
  const problems = [mismatch(`${label}: output`, got.output.shape, got.output.data, want.output.shape, want.output.data, tol)];
  want.grads.forEach((w, i) => {
    const g = got.grads[i];
    if (!w) return;
    if (!g) problems.push(`${label}: no gradient reached input ${i}`);
    else problems.push(mismatch(`${label}: grad of input ${i}`, g.shape, g.data, w.shape, w.data, tol));
  });
  return problems.filter(Boolean).join('\n');
}

/**
 * Run `sample` here and on the reference (switching the current backend around it) and compare
 * within `tol`, or within `toleranceFor(op)` for a sample of one elementwise op.
 */
export async function runDifferential(
  sample: Sample,
  base: Tolerance,
  onReference: <T>(fn: () => Promise<T>) => Promise<T>,
  toleranceFor: (op: string) => Tolerance = () => base,
): Promise<void> {
  const tol = sample.op ? toleranceFor(sample.op) : base;
  const upstream = (shape: readonly number[]) => hostRandom(shape, 7, -1, 1);
  const got = await evaluate(sample.inputs, sample.run, upstream);
  const want = await onReference(() => evaluate(sample.inputs, sample.run, upstream));
  const t = sample.loose ? { rtol: tol.rtol, atol: Math.max(tol.atol, 1e-4) } : tol;
  const report = compareEvaluations(sample.label, got, want, t);
  if (report) throw new Error(report);
}

// ---- properties that hold on any backend, reference or not

const read = async (t: Tensor): Promise<{ shape: number[]; data: Float32Array }> => ({ shape: t.shape.slice(), data: Float32Array.from(await t.data()) });

/** Values of `fn`'s tensors, with everything freed afterwards. */
async function values(fn: () => Tensor[]): Promise<{ shape: number[]; data: Float32Array }[]> {
  const ts = tidy(fn);
  try {
    return await Promise.all(ts.map(read));
  } finally {
    for (const t of ts) t.dispose();
  }
}

const host = (h: HostTensor): Tensor => tensor(Array.from(h.data, Number), { shape: h.shape as number[] });

/** The algebraic properties; each run frees what it creates. */
export function properties(tol: Tolerance): { name: string; property: fc.IAsyncPropertyWithHooks<[unknown]> }[] {
  const loose = { rtol: tol.rtol, atol: Math.max(tol.atol, 1e-4) };
  const list: { name: string; arb: fc.Arbitrary<unknown>; check: (v: never) => Promise<void> }[] = [
    {
      name: 'broadcasting add commutes, gradients included',
      arb: fc.record({ shapes: broadcastPair, seed: seedArb }),
      check: async ({ shapes, seed }: { shapes: readonly [number[], number[]]; seed: number }) => {
        const a = hostRandom(shapes[0], seed);
        const b = hostRandom(shapes[1], seed + 1);
        const up = (s: readonly number[]) => hostRandom(s, seed + 2);
        const ab = await evaluate([a, b], ([x, y]) => x!.add(y!), up);
        const ba = await evaluate([b, a], ([y, x]) => y!.add(x!), up);
        const report = compareEvaluations('a + b vs b + a', ab, { output: ba.output, grads: [ba.grads[1]!, ba.grads[0]!] }, { rtol: 0, atol: 0 });
        if (report) throw new Error(report);
      },
    },
    {
      name: "a broadcast input's gradient counts the elements it was broadcast to",
      arb: fc.record({ shapes: broadcastPair, seed: seedArb }),
      check: async ({ shapes, seed }: { shapes: readonly [number[], number[]]; seed: number }) => {
        const [ga, gb] = await values(() => {
          const x = host(hostRandom(shapes[0], seed));
          x.requiresGrad_(true);
          const y = host(hostRandom(shapes[1], seed + 1));
          y.requiresGrad_(true);
          x.add(y).sum().backward();
          return [x.grad!, y.grad!];
        });
        const rank = Math.max(shapes[0].length, shapes[1].length);
        let outN = 1;
        for (let i = 1; i <= rank; i++) outN *= Math.max(shapes[0][shapes[0].length - i] ?? 1, shapes[1][shapes[1].length - i] ?? 1);
        const count = (s: readonly number[]) => outN / s.reduce((p, d) => p * d, 1);
        const report = [
          mismatch('grad of a', ga!.shape, ga!.data, shapes[0], new Array(ga!.data.length).fill(count(shapes[0])), { rtol: 0, atol: 0 }),
          mismatch('grad of b', gb!.shape, gb!.data, shapes[1], new Array(gb!.data.length).fill(count(shapes[1])), { rtol: 0, atol: 0 }),
        ]
          .filter(Boolean)
          .join('\n');
        if (report) throw new Error(report);
      },
    },
    {
      name: 'matmul associates: (A @ B) @ C ≈ A @ (B @ C)',
      arb: fc.record({ m: dimSize, k: dimSize, l: dimSize, n: dimSize, batch: shapeArb(0, 2), seed: seedArb }),
      check: async ({ m, k, l, n, batch, seed }: { m: number; k: number; l: number; n: number; batch: number[]; seed: number }) => {
        const [left, right] = await values(() => {
          const A = host(hostRandom([...batch, m, k], seed, -1, 1));
          const B = host(hostRandom([...batch, k, l], seed + 1, -1, 1));
          const C = host(hostRandom([l, n], seed + 2, -1, 1));
          return [A.matmul(B).matmul(C), A.matmul(B.matmul(C))];
        });
        const report = mismatch('(A @ B) @ C vs A @ (B @ C)', left!.shape, left!.data, right!.shape, right!.data, loose);
        if (report) throw new Error(report);
      },
    },
    {
      name: 'a full sum equals the sum of partial sums over any dim',
      arb: fc.record({ shape: shapeArb(1, 4), dim: fc.nat(3), seed: seedArb }),
      check: async ({ shape, dim, seed }: { shape: number[]; dim: number; seed: number }) => {
        const [whole, parts] = await values(() => {
          const x = host(hostRandom(shape, seed));
          return [x.sum(), x.sum(dim % shape.length).sum()];
        });
        const report = mismatch('sum() vs sum(dim).sum()', whole!.shape, whole!.data, parts!.shape, parts!.data, loose);
        if (report) throw new Error(report);
      },
    },
    {
      name: 'cat then narrow gives back each part exactly',
      arb: fc.record({ shape: shapeArb(1, 3), sizes: fc.array(dimSize, { minLength: 1, maxLength: 3 }), dim: fc.nat(2), seed: seedArb }),
      check: async ({ shape, sizes, dim, seed }: { shape: number[]; sizes: number[]; dim: number; seed: number }) => {
        const d = dim % shape.length;
        const parts = sizes.map((s, i) => hostRandom(shape.map((x, j) => (j === d ? s : x)), seed + i));
        const got = await values(() => {
          const joined = cat(parts.map(host), d);
          let start = 0;
          return sizes.map((s) => {
            const piece = joined.narrow(d, start, s);
            start += s;
            return piece;
          });
        });
        const report = got
          .map((g, i) => mismatch(`part ${i}`, g.shape, g.data, parts[i]!.shape, parts[i]!.data, { rtol: 0, atol: 0 }))
          .filter(Boolean)
          .join('\n');
        if (report) throw new Error(report);
      },
    },
    {
      name: 'softmax sums to one along its dim',
      arb: fc.record({ shape: shapeArb(1, 3), dim: fc.nat(2), seed: seedArb }),
      check: async ({ shape, dim, seed }: { shape: number[]; dim: number; seed: number }) => {
        const d = dim % shape.length;
        const [s] = await values(() => [functional.softmax(host(hostRandom(shape, seed, -5, 5)), d).sum(d)]);
        const report = mismatch('softmax(x).sum(dim)', s!.shape, s!.data, s!.shape, new Array(s!.data.length).fill(1), loose);
        if (report) throw new Error(report);
      },
    },
  ];
  return list.map(({ name, arb, check }) => ({ name, property: fc.asyncProperty(arb, (v) => check(v as never)) }));
}
