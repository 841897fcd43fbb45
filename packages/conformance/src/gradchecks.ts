/** The ops the suite gradchecks on every backend, and one deliberately wrong backward that must be caught. */
import type { Tensor } from '@tensorgrad/core';
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
];
