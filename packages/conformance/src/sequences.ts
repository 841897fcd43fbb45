/**
 * Sequences of ops on one long-lived backend whose answers must not depend on what ran before:
 * a device that caches compiled kernels can carry one call's sizes, dtypes or argument kinds
 * into the next (gpu.js 2.24.1 in WebGL did, for uploads after a texture copy). Each sequence
 * checks its values against arithmetic done here in plain JavaScript.
 */
import { type Tensor, arange, manualSeed, nn, optim, randn, tensor, tidy } from '@tensorgrad/core';
import { type Tolerance, assertClose } from './compare';

/** Values of `t`, then `t` disposed. */
async function take(t: Tensor): Promise<number[]> {
  try {
    return Array.from(await t.data(), Number);
  } finally {
    t.dispose();
  }
}

/** Tensors of several lengths written (uploaded) in turn with a bool → float copy between them: every one reads back as written. */
export async function uploadsAfterCopies(tol: Tolerance): Promise<void> {
  for (const n of [15, 12, 7, 33, 12, 1, 64]) {
    const values = Array.from({ length: n }, (_, i) => i + n / 10);
    const x = tensor(values);
    const copied = tidy(() => x.ge(0.1).float()); // a copy kernel whose argument is a device value
    const next = tensor(values.map((v) => -v)); // then a write of the same length
    assertClose(`upload of ${n} values after a copy`, x.shape, await take(x), [n], values, tol);
    assertClose(`bool → float copy of ${n} values`, copied.shape, await take(copied), [n], values.map((v) => +(v >= 0.1)), tol);
    assertClose(`the next upload of ${n} values`, next.shape, await take(next), [n], values.map((v) => -v), tol);
  }
}

/** `x.ge(0.1).float()` and then `a.add(b)` on 3×4 tensors: the sum is right from its first element to its last. */
export async function castThenAdd(tol: Tolerance): Promise<void> {
  const xs = Array.from({ length: 12 }, (_, i) => (i - 5) / 10);
  const as = Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
  const bs = Array.from({ length: 12 }, (_, i) => Math.cos(2 * i));
  const mask = tidy(() => tensor(xs, { shape: [3, 4] }).ge(0.1).float());
  assertClose('x.ge(0.1).float()', mask.shape, await take(mask), [3, 4], xs.map((v) => +(v >= 0.1)), tol);
  const sum = tidy(() => tensor(as, { shape: [3, 4] }).add(tensor(bs, { shape: [3, 4] })));
  assertClose('a.add(b) after the cast', sum.shape, await take(sum), [3, 4], as.map((a, i) => a + bs[i]!), tol);
}

/** max and min reductions and their gradients after tensors of other sizes and dtypes went before them. */
export async function reductionsAfterOtherOps(tol: Tolerance): Promise<void> {
  // something of another size and dtype first
  await take(tidy(() => arange(0, 20).reshape([4, 5]).gt(3).float().sum(0)));
  const values = [0.5, -1.5, 2.25, 3, -0.75, 1, 4.5, -2, 0.25, 2, -3.5, 1.75];
  for (const op of ['max', 'min'] as const) {
    const x = tensor(values, { shape: [3, 4], requiresGrad: true });
    const y = tidy(() => {
      const r = op === 'max' ? x.max(1) : x.min(1);
      r.sum().backward();
      return r.detach();
    });
    const rows = [0, 1, 2].map((r) => values.slice(4 * r, 4 * r + 4));
    const want = rows.map((row) => (op === 'max' ? Math.max(...row) : Math.min(...row)));
    // the gradient of a sum of row extremes: 1 where the (unique) extreme is, 0 elsewhere
    const wantGrad = rows.flatMap((row, r) => row.map((v) => (v === want[r] ? 1 : 0)));
    assertClose(`${op}(1) after other ops`, y.shape, await take(y), [3], want, tol);
    assertClose(`grad of ${op}(1).sum()`, x.grad!.shape, await take(x.grad!), [3, 4], wantGrad, tol);
    x.dispose();
  }
}

/**
 * The seed example's loop (a Linear(1, 1) trained with SGD on MSE, 20 epochs) and then a
 * 256×512 @ 512×128 product of fresh random matrices, against the same product computed here
 * in float64.
 */
export async function matmulAfterTraining(tol: Tolerance): Promise<void> {
  manualSeed(11);
  const model = new nn.Linear(1, 1);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
  const criterion = new nn.MSELoss();
  const xs = tensor([[1], [2], [3], [4]]);
  const ys = tensor([[2], [4], [6], [8]]);
  for (let epoch = 0; epoch < 20; epoch++) {
    tidy(() => {
      const loss = criterion.forward(model.forward(xs), ys);
      optimizer.zeroGrad();
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), 1.0);
      optimizer.step();
    });
  }
  for (const p of model.parameters()) {
    p.grad?.dispose();
    p.dispose();
  }
  xs.dispose();
  ys.dispose();
  const [M, K, N] = [256, 512, 128];
  manualSeed(12);
  const a = randn([M, K]);
  const b = randn([K, N]);
  const av = await a.data();
  const bv = await b.data();
  const got = await take(tidy(() => a.matmul(b)));
  a.dispose();
  b.dispose();
  const want = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const aik = av[i * K + k]!;
      for (let j = 0; j < N; j++) want[i * N + j] += aik * bv[k * N + j]!;
    }
  }
  // sums of 512 products of N(0, 1) values: the README's allowance for sums of many terms
  assertClose(`[${M},${K}] @ [${K},${N}] after training`, [M, N], got, [M, N], want, { rtol: tol.rtol, atol: Math.max(tol.atol, 1e-3) });
}
