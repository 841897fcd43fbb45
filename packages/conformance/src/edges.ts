/**
 * Edge values where PyTorch gives a definite answer: C's `pow` at ±0, ±1, ±inf and NaN, sums
 * and means and logsumexps of infinities, softmax over a zero-size dim. The expected values were
 * computed with PyTorch 2 (float32 tensors) by the commands quoted at each table.
 */
import { type Tensor, functional as F, tensor, tidy } from '@tensorgrad/core';
import { type Tolerance, assertClose } from './compare';

const inf = Infinity;

/** Values of `t`, then `t` disposed. */
async function take(t: Tensor): Promise<number[]> {
  try {
    return Array.from(await t.data(), Number);
  } finally {
    t.dispose();
  }
}

/**
 * `[base, exponent, torch.pow(base, exponent)]`, from
 * `/usr/bin/python3 -c "import torch; print(torch.pow(torch.tensor(bases), torch.tensor(exps)).tolist())"`.
 */
export const POW_EDGES: readonly (readonly [number, number, number])[] = [
  [1, NaN, 1],
  [1, inf, 1],
  [1, -inf, 1],
  [-1, inf, 1],
  [-1, -inf, 1],
  [0, 0, 1],
  [0, -1, inf],
  [-0, -1, -inf],
  [2, inf, inf],
  [0.5, inf, 0],
  [-0.5, -inf, inf],
  [-2.834, inf, inf],
  [-2.834, -inf, 0],
  [-inf, -1.201, 0],
  [-inf, 3, -inf],
  [-inf, 2, inf],
  [inf, -1, 0],
  [inf, 0.5, inf],
  [-2, 3, -8],
  [-2, -2, 0.25],
  [-2, 0.5, NaN],
  [NaN, 0, 1],
  // no [NaN, 1, NaN] here: WGSL lets an implementation assume no NaN reaches a shader (SwiftShader's
  // WebGPU gives Infinity), so a NaN base has no defined result on webgpu; core's edges test keeps it on cpu
  [-8, 1 / 3, NaN],
  [0, -inf, inf],
  [-0, -3, -inf],
];

/** `pow` at C's special values, elementwise and with a number exponent, and d/dx x^0 = 0 at x = 0. */
export async function powEdges(tol: Tolerance): Promise<void> {
  const bases = POW_EDGES.map((r) => r[0]);
  const exps = POW_EDGES.map((r) => r[1]);
  const want = POW_EDGES.map((r) => r[2]);
  const n = POW_EDGES.length;
  const got = await take(tidy(() => tensor(bases).pow(tensor(exps))));
  assertClose('pow(bases, exponents)', [n], got, [n], want, tol);
  for (let i = 0; i < n; i++) {
    // the sign of an infinite or zero result matters too (pow(-0, -1) is -inf)
    if (want[i] === 0 || !Number.isFinite(want[i]!)) {
      if (Object.is(got[i], want[i]) || (Number.isNaN(want[i]!) && Number.isNaN(got[i]!)) || (want[i] === 0 && got[i] === 0)) continue;
      throw new Error(`pow(${bases[i]}, ${exps[i]}) gave ${got[i]}, PyTorch gives ${want[i]}`);
    }
  }
  // a number exponent goes through the same kernel with a broadcast 0-d operand
  for (const e of [inf, -inf, NaN, 0]) {
    const rows = POW_EDGES.filter((r) => Object.is(r[1], e));
    if (rows.length === 0) continue;
    const gotScalar = await take(tidy(() => tensor(rows.map((r) => r[0])).pow(e)));
    assertClose(`pow(bases, ${e})`, [rows.length], gotScalar, [rows.length], rows.map((r) => r[2]), tol);
  }
  // torch: x = tensor([0., 2., -1.], requires_grad=True); pow(x, 0).sum().backward(); x.grad → [0, 0, 0]
  for (const exponent of ['number', 'tensor'] as const) {
    const x = tensor([0, 2, -1], { requiresGrad: true });
    tidy(() => (exponent === 'number' ? x.pow(0) : x.pow(tensor(0))).sum().backward());
    assertClose(`d/dx pow(x, 0) (${exponent} exponent) at [0, 2, -1]`, x.grad!.shape, await take(x.grad!), [3], [0, 0, 0], tol);
    x.dispose();
  }
}

/**
 * Sums, means and logsumexps with infinities: inf stays inf, inf + -inf is NaN. From
 * `/usr/bin/python3 -c "import torch; t = torch.tensor(v); print(t.sum(), t.mean(), torch.logsumexp(t, 0))"`.
 */
export async function infiniteSums(tol: Tolerance): Promise<void> {
  const flat: [number[], number, number, number][] = [
    [[1, inf, 2], inf, inf, inf],
    [[1, -inf], -inf, -inf, 1],
    [[inf, -inf], NaN, NaN, inf],
    [[inf, inf, 1], inf, inf, inf],
  ];
  for (const [v, sum, mean, lse] of flat) {
    const label = `[${v.join(', ')}]`;
    assertClose(`sum(${label})`, [], await take(tidy(() => tensor(v).sum())), [], [sum], tol);
    assertClose(`mean(${label})`, [], await take(tidy(() => tensor(v).mean())), [], [mean], tol);
    assertClose(`logsumexp(${label}, 0)`, [], await take(tidy(() => tensor(v).logsumexp(0))), [], [lse], tol);
  }
  // t = torch.tensor([[1., inf], [2., 3.]]): t.sum(1) → [inf, 5], t.mean(0) → [1.5, inf], logsumexp(t, 1) → [inf, 3.3133]
  const m = [[1, inf], [2, 3]];
  assertClose('sum([[1, inf], [2, 3]], 1)', [2], await take(tidy(() => tensor(m).sum(1))), [2], [inf, 5], tol);
  assertClose('mean([[1, inf], [2, 3]], 0)', [2], await take(tidy(() => tensor(m).mean(0))), [2], [1.5, inf], tol);
  assertClose('logsumexp([[1, inf], [2, 3]], 1)', [2], await take(tidy(() => tensor(m).logsumexp(1))), [2], [inf, 3.3132617], tol);
  // logsumexp(torch.tensor([[-inf, -inf], [2., -inf]]), 1) → [-inf, 2]
  assertClose('logsumexp([[-inf, -inf], [2, -inf]], 1)', [2], await take(tidy(() => tensor([[-inf, -inf], [2, -inf]]).logsumexp(1))), [2], [-inf, 2], tol);
  // long rows (a device may sum them in chunks): t = torch.ones(5000); t[1234] = inf → sum inf, mean inf;
  // also t[4000] = -inf → sum nan; and torch.ones(5000) with t[10] = -inf → sum -inf, logsumexp 9.516993
  const long = (at: [number, number][]): number[] => {
    const v = new Array<number>(5000).fill(1);
    for (const [i, x] of at) v[i] = x;
    return v;
  };
  assertClose('sum of 5000 with one inf', [], await take(tidy(() => tensor(long([[1234, inf]])).sum())), [], [inf], tol);
  assertClose('mean of 5000 with one inf', [], await take(tidy(() => tensor(long([[1234, inf]])).mean())), [], [inf], tol);
  assertClose('sum of 5000 with inf and -inf', [], await take(tidy(() => tensor(long([[1234, inf], [4000, -inf]])).sum())), [], [NaN], tol);
  assertClose('sum of 5000 with one -inf', [], await take(tidy(() => tensor(long([[10, -inf]])).sum())), [], [-inf], tol);
  assertClose('logsumexp of 5000 with one -inf', [], await take(tidy(() => tensor(long([[10, -inf]])).logsumexp(0))), [], [9.516993522644043], tol);
}

/** softmax and logSoftmax over (or beside) a zero-size dim: an empty tensor of the same shape, as `torch.softmax(torch.zeros(s), d)`. */
export async function softmaxZeroSize(tol: Tolerance): Promise<void> {
  const cases: [number[], number][] = [
    [[0], 0],
    [[2, 0], 1],
    [[2, 0], 0],
    [[0, 3], 1],
  ];
  for (const [shape, dim] of cases) {
    for (const kind of ['softmax', 'logSoftmax'] as const) {
      const x = tensor([], { shape, requiresGrad: true });
      const y = tidy(() => {
        const out = F[kind](x, dim);
        out.sum().backward();
        return out.detach();
      });
      assertClose(`${kind}(zeros([${shape}]), ${dim})`, y.shape, await take(y), shape, [], tol);
      assertClose(`grad of ${kind}(zeros([${shape}]), ${dim}).sum()`, x.grad!.shape, await take(x.grad!), shape, [], tol);
      x.dispose();
    }
  }
}
