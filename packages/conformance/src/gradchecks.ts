/** The ops the suite gradchecks on every backend, and one deliberately wrong backward that must be caught. */
import { type Tensor, einsum, slice } from '@tensorgrad/core';
import type { HostTensor } from './evaluate';
import { functionalFn } from './ops';
import { hostRandom } from './properties';

/** A function to gradcheck, its inputs (all requiring grad), and whether its backward is right. */
export interface GradcheckCase {
  readonly name: string;
  readonly inputs: HostTensor[];
  readonly fn: (...xs: Tensor[]) => Tensor;
  /** False for the deliberately wrong backward: gradcheck must reject it. */
  readonly correct: boolean;
}

/** Host int32 values (index tensors, class targets). */
const ints = (shape: number[], data: number[]): HostTensor => ({ shape, data, dtype: 'int32' });

/** Host bool values (masks). */
const bools = (shape: number[], data: boolean[]): HostTensor => ({ shape, data, dtype: 'bool' });

/**
 * Values at least 0.3 away from zero, of both signs (for |x| and the p-norms, whose gradients
 * jump at 0): `hostRandom` magnitudes in [0.3, 2), every other one negated.
 */
const awayFromZero = (shape: number[], seed: number): HostTensor => {
  const h = hostRandom(shape, seed, 0.3, 2);
  return { shape, data: Float32Array.from(h.data as Float32Array, (v, i) => (i % 2 === 1 ? -v : v)) };
};

/**
 * Distinct values 0.3 apart in a scrambled order (for sort, topk and max pooling: no two
 * elements within the difference step of each other, so the selection never changes under it).
 */
const distinct = (shape: number[], seed: number): HostTensor => {
  let n = 1;
  for (const d of shape) n *= d;
  // a stride coprime with n visits every rank once
  let stride = 7 + (seed % 5) * 2;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  while (gcd(stride, n) !== 1) stride++;
  return { shape, data: Float32Array.from({ length: n }, (_, i) => ((i * stride + seed) % n) * 0.3 - n * 0.15) };
};

/** The functional ops of API.md Part 2 and the new methods, each gradchecked on small inputs. */
const PART2_CASES: readonly GradcheckCase[] = [
  {
    name: 'index with a slice and an int32 tensor: x[1:3, idx]',
    inputs: [hostRandom([3, 5], 101), ints([3], [4, 0, 2])],
    fn: (x, idx) => x.index(slice(1, 3), idx!),
    correct: true,
  },
  {
    name: 'indexPut_ into a clone: y[:, 1:3] = v, times y (both operands)',
    inputs: [hostRandom([3, 4], 102), hostRandom([3, 2], 103)],
    fn: (x, v) => {
      const y = x.clone();
      y.indexPut_([null, slice(1, 3)], v!);
      return y.mul(y);
    },
    correct: true,
  },
  { name: 'tril(1) times x', inputs: [hostRandom([4, 4], 104)], fn: (x) => x.tril(1).mul(x), correct: true },
  {
    name: 'maskedFill(mask, -1) times x',
    inputs: [hostRandom([3, 4], 105), bools([3, 4], [true, false, false, true, false, true, true, false, false, false, true, false])],
    fn: (x, mask) => x.maskedFill(mask!, -1).mul(x),
    correct: true,
  },
  { name: 'cumsum over dim 1, squared', inputs: [hostRandom([3, 4], 106)], fn: (x) => x.cumsum(1).square(), correct: true },
  { name: 'flip([0, 2]) times x', inputs: [hostRandom([2, 3, 2], 107)], fn: (x) => x.flip([0, 2]).mul(x), correct: true },
  { name: 'repeat([2, 1, 2]), squared', inputs: [hostRandom([2, 3], 108)], fn: (x) => x.repeat([2, 1, 2]).square(), correct: true },
  { name: 'split([1, 3], 1), the second piece squared', inputs: [hostRandom([3, 4], 109)], fn: (x) => x.split([1, 3], 1)[1]!.square(), correct: true },
  { name: 'std over dim 1 (correction 1)', inputs: [hostRandom([3, 5], 110)], fn: (x) => x.std(1, false, { correction: 1 }), correct: true },
  { name: 'norm p=2 over dim 1', inputs: [awayFromZero([3, 4], 111)], fn: (x) => x.norm(2, 1), correct: true },
  { name: 'norm p=1 over dim 1, away from 0', inputs: [awayFromZero([3, 4], 112)], fn: (x) => x.norm(1, 1), correct: true },
  {
    name: "einsum('bij,bjk->bik')",
    inputs: [hostRandom([2, 3, 4], 113), hostRandom([2, 4, 2], 114)],
    fn: (a, b) => einsum('bij,bjk->bik', a!, b!),
    correct: true,
  },
  { name: 'outer(a, b)', inputs: [hostRandom([3], 115), hostRandom([4], 116)], fn: (a, b) => a.outer(b!), correct: true },
  { name: 'sort over dim 1 (values), squared', inputs: [distinct([3, 4], 117)], fn: (x) => x.sort(1).values.square(), correct: true },
  { name: 'topk(2) over dim 1 (values), squared', inputs: [distinct([3, 5], 118)], fn: (x) => x.topk(2, 1).values.square(), correct: true },
  {
    name: 'scaledDotProductAttention (causal)',
    inputs: [hostRandom([2, 3, 4], 119), hostRandom([2, 3, 4], 120), hostRandom([2, 3, 4], 121)],
    fn: (q, k, v) => functionalFn('scaledDotProductAttention')(q, k, v, { isCausal: true }),
    correct: true,
  },
  {
    // L = S = 8, 8 wide: the four products with a triangular left operand (P·v and the gradients
    // through Pᵀ, dS and dSᵀ) are large enough for backend-cpu's batched kernel, which skips the zeros
    name: 'scaledDotProductAttention (causal, L = S = 8: triangular products)',
    inputs: [hostRandom([2, 8, 8], 190), hostRandom([2, 8, 8], 191), hostRandom([2, 8, 8], 192)],
    fn: (q, k, v) => functionalFn('scaledDotProductAttention')(q, k, v, { isCausal: true }),
    correct: true,
  },
  {
    name: 'pad([1, 2, 0, 1], value 0.5), squared',
    inputs: [hostRandom([2, 3], 122)],
    fn: (x) => functionalFn('pad')(x, [1, 2, 0, 1], { value: 0.5 }).square(),
    correct: true,
  },
  { name: 'normalize (p 2, dim 1)', inputs: [hostRandom([3, 4], 123)], fn: (x) => functionalFn('normalize')(x, { p: 2, dim: 1 }), correct: true },
  {
    name: 'batchNorm in training mode with weight and bias',
    inputs: [hostRandom([4, 3], 124), hostRandom([3], 125, 0.5, 2), hostRandom([3], 126)],
    fn: (x, w, b) => functionalFn('batchNorm')(x, null, null, { weight: w, bias: b, training: true, eps: 1e-5 }),
    correct: true,
  },
  {
    name: 'groupNorm (2 groups of 2 channels) with weight and bias',
    inputs: [hostRandom([2, 4, 3], 127), hostRandom([4], 128, 0.5, 2), hostRandom([4], 129)],
    fn: (x, w, b) => functionalFn('groupNorm')(x, 2, w, b, 1e-5),
    correct: true,
  },
  {
    name: 'rmsNorm over the last dim with weight',
    inputs: [hostRandom([3, 4], 130), hostRandom([4], 131, 0.5, 2)],
    fn: (x, w) => functionalFn('rmsNorm')(x, [4], w, 1e-5),
    correct: true,
  },
  {
    name: 'conv1d with groups 2 and padding 1',
    inputs: [hostRandom([1, 4, 6], 132), hostRandom([4, 2, 3], 133), hostRandom([4], 134)],
    fn: (x, w, b) => functionalFn('conv1d')(x, w, b, { padding: 1, groups: 2 }),
    correct: true,
  },
  {
    name: 'conv2d with dilation 2 and groups 2',
    inputs: [hostRandom([1, 4, 4, 4], 135), hostRandom([4, 2, 2, 2], 136), hostRandom([4], 137)],
    fn: (x, w, b) => functionalFn('conv2d')(x, w, b, { dilation: 2, groups: 2 }),
    correct: true,
  },
  {
    name: 'adaptiveAvgPool2d to [2, 3] (overlapping windows), squared',
    inputs: [hostRandom([1, 2, 5, 5], 138)],
    fn: (x) => functionalFn('adaptiveAvgPool2d')(x, [2, 3]).square(),
    correct: true,
  },
  {
    name: 'maxPool2d (kernel 3, stride 2, padding 1)',
    inputs: [distinct([1, 2, 4, 4], 139)],
    fn: (x) => functionalFn('maxPool2d')(x, 3, 2, 1),
    correct: true,
  },
  {
    name: 'crossEntropy with labelSmoothing 0.1',
    inputs: [hostRandom([3, 4], 140), ints([3], [2, 0, 3])],
    fn: (x, t) => functionalFn('crossEntropy')(x, t, { labelSmoothing: 0.1 }),
    correct: true,
  },
];

/** The gradcheck cases: smooth ops away from kinks, plus a straight-through "sin" whose gradient is 2. */
export const GRADCHECK_CASES: readonly GradcheckCase[] = [
  { name: 'tanh(x) * x', inputs: [hostRandom([3, 4], 1)], fn: (x) => x.tanh().mul(x), correct: true },
  { name: 'sigmoid(x) * exp(x)', inputs: [hostRandom([2, 3], 2)], fn: (x) => x.sigmoid().mul(x.exp()), correct: true },
  {
    name: 'broadcast a * b / (b + 3)',
    inputs: [hostRandom([3, 4], 3), hostRandom([4], 4, 0.5, 2)],
    fn: (a, b) => a.mul(b).div(b.add(3)),
    correct: true,
  },
  { name: 'batched matmul [2,3,4] @ [4,2]', inputs: [hostRandom([2, 3, 4], 5), hostRandom([4, 2], 6)], fn: (a, b) => a.matmul(b), correct: true },
  { name: 'logsumexp over dim 1', inputs: [hostRandom([3, 4], 7)], fn: (x) => x.logsumexp(1), correct: true },
  { name: 'softmax over the last dim', inputs: [hostRandom([3, 5], 8)], fn: (x) => functionalFn('softmax')(x, -1), correct: true },
  {
    name: 'layerNorm with weight and bias',
    inputs: [hostRandom([3, 5], 9), hostRandom([5], 10), hostRandom([5], 11)],
    fn: (x, w, b) => functionalFn('layerNorm')(x, [5], w, b, 1e-5),
    correct: true,
  },
  {
    // forward is sin(x) (2x - 2x cancels), backward is the constant 2 of the attached 2x: wrong on purpose
    name: 'a deliberately wrong backward (sin with gradient 2) is rejected',
    inputs: [hostRandom([2, 3], 12)],
    fn: (x) => x.detach().sin().add(x.mul(2)).sub(x.mul(2).detach()),
    correct: false,
  },
  ...PART2_CASES,
];
