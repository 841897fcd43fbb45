/** Matrix products: `matmul` with torch.matmul's rules, built on one batched, transposing primitive. */
import { numel } from '../backend';
import { launch, operands, record, takeOwned } from '../op';
import { broadcastShapes, fmt, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { checkTensor } from './operand';
import { unbroadcast } from './unbroadcast';

/**
 * @internal `op(a) @ op(b)` for float32 tensors of equal rank >= 2, `op` = transpose of the last two
 * dims where flagged; batch dims broadcast. The gradients use the kernel's flags instead of
 * materialised transposes, so no operand is ever copied (`linear` runs `x @ wᵀ` on it).
 * `triangle` is the matmul kernel's hint about `op(a)` (causal attention's weights: `'lower'`, zero
 * above the diagonal), `gradTriangle` the same about the gradient that comes back (the scores'
 * gradient); the backward passes them on: `dA = G·op(b)ᵀ` has G on the left, and dB's product
 * has `op(a)ᵀ` or `Gᵀ` there, upper triangles.
 */
export function bmm(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean, triangle?: 'lower' | 'upper', gradTriangle?: 'lower'): Tensor {
  const r = a.ndim;
  const m = a.shape[transposeA ? r - 1 : r - 2]!;
  const n = b.shape[transposeB ? r - 2 : r - 1]!;
  const batch = broadcastShapes('matmul', [...a.shape].slice(0, -2), [...b.shape].slice(0, -2)); // spread: slices of a frozen shape are slow
  const shape = [...batch, m, n];
  const out = launch('matmul', a._backend(), shape, 'float32', (k) => k.matmul(a._info(), b._info(), transposeA, transposeB, shape, triangle));
  const upper = (transposeB ? gradTriangle : triangle) === 'lower' ? 'upper' : undefined;
  return record('matmul', out, [a, b], (g) => [
    // C = A·B: dA = G·Bᵀ; with A stored transposed, dAᵀ = B·Gᵀ (flags fold B's own transpose in)
    a.requiresGrad ? unbroadcast(transposeA ? bmm(b, g, transposeB, true) : bmm(g, b, false, !transposeB, gradTriangle), a.shape) : null,
    // dB = Aᵀ·G; with B stored transposed, dBᵀ = Gᵀ·A
    b.requiresGrad ? unbroadcast(transposeB ? bmm(g, a, true, transposeA, upper) : bmm(a, g, !transposeA, false, upper), b.shape) : null,
  ]);
}

/**
 * Matrix product with `torch.matmul`'s rules: 1-D·1-D is a dot product, a 1-D operand is promoted
 * to a matrix (a row on the left, a column on the right) and that dim is dropped from the result,
 * 2-D·2-D is the matrix product, and higher ranks are batches of matrices whose batch dims broadcast.
 *
 * @example
 * ```ts
 * matmul(randn([2, 3, 4]), randn([4, 5])); // shape [2, 3, 5]
 * matmul(tensor([1, 2]), tensor([3, 4]));  // 11
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'input', a);
  checkTensor('matmul', 'other', b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: both arguments need to be at least 1-D, but they are ${fmt(a.shape)} and ${fmt(b.shape)}; use mul for a scalar product`);
  }
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.shape[b.ndim === 1 ? 0 : b.ndim - 2]!;
  if (ka !== kb) throw new Error(`matmul: ${fmt(a.shape)} @ ${fmt(b.shape)}: inner dimensions ${ka} and ${kb} differ`);
  const batchA = [...a.shape].slice(0, -2);
  const batchB = [...b.shape].slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', batchA, batchB);
  } catch {
    throw new Error(`matmul: ${fmt(a.shape)} @ ${fmt(b.shape)}: batch dimensions ${fmt(batchA)} and ${fmt(batchB)} cannot be broadcast (each pair must be equal or 1)`);
  }
  const [x, y] = operands('matmul', [a, b], 'float32') as [Tensor, Tensor];
  // the casts made for it are this op's: the reshapes below must not free them; they live with the graph
  const made = takeOwned();
  let out: Tensor;
  try {
    out = product(x, y, batch, batchA, batchB, ka, kb);
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
  if (made.length > 0) {
    if (out._node) out._node.owned = [...(out._node.owned ?? []), ...made];
    else for (const t of made) if (t !== out) t.dispose();
  }
  return out;
}

function product(x: Tensor, y: Tensor, batch: number[], batchA: number[], batchB: number[], ka: number, kb: number): Tensor {
  const m = x.ndim === 1 ? 1 : x.shape[x.ndim - 2]!;
  const n = y.ndim === 1 ? 1 : y.shape[y.ndim - 1]!;
  // the result's shape: the promoted 1-D dims are dropped again
  const shape = [...batch, ...(x.ndim === 1 ? [] : [m]), ...(y.ndim === 1 ? [] : [n])];
  if (y.ndim <= 2 && x.ndim >= 2) {
    // a batch of matrices times one matrix: fold the batch into the rows, one 2-D product
    const out = bmm(as(x, [numel(x.shape.slice(0, -1)), ka]), as(y, [kb, n]), false, false);
    return as(out, shape);
  }
  const rank = Math.max(x.ndim, y.ndim, 2);
  const lhs = [...Array<number>(rank - 2 - batchA.length).fill(1), ...batchA, m, ka];
  const rhs = [...Array<number>(rank - 2 - batchB.length).fill(1), ...batchB, kb, n];
  return as(bmm(as(x, lhs), as(y, rhs), false, false), shape);
}

// `t` viewed as `shape` (zero-copy), or `t` itself when it already has it
function as(t: Tensor, shape: readonly number[]): Tensor {
  return sameShape(t.shape, shape) ? t : t.reshape(shape);
}
