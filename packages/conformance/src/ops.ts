/**
 * PyTorch's op names, as the fixtures write them, mapped to tensorgrad calls. One entry per
 * PyTorch op; `attrs` are PyTorch's keyword arguments, renamed here to tensorgrad's options.
 */
import { type Tensor, cat, functional, stack, where } from '@tensorgrad/core';

/** PyTorch keyword arguments of one case. */
export type Attrs = Record<string, unknown>;

/** Runs one PyTorch op on tensorgrad tensors. */
export type OpRunner = (inputs: readonly Tensor[], attrs: Attrs) => Tensor;

type AnyFn = (...args: never[]) => unknown;

/**
 * A function of `functional` by name, or a clear error while core does not export it yet
 * (looked up at call time so that a missing function fails its cases, not the whole suite).
 */
export function functionalFn(name: string): (...args: unknown[]) => Tensor {
  const f = (functional as unknown as Record<string, AnyFn | undefined>)[name];
  if (typeof f !== 'function') {
    throw new Error(`functional.${name} is not exported by @tensorgrad/core; the conformance case needs it`);
  }
  return f as unknown as (...args: unknown[]) => Tensor;
}

type Dim = number | number[] | undefined;
const dimOf = (a: Attrs): Dim => a.dim as Dim;
const keepdimOf = (a: Attrs): boolean => (a.keepdim as boolean | undefined) ?? false;
const reduction = (a: Attrs) => ({ reduction: a.reduction as 'mean' | 'sum' | 'none' });

const unary = (f: (x: Tensor) => Tensor): OpRunner => ([x]) => f(x!);
const binary = (f: (a: Tensor, b: Tensor) => Tensor): OpRunner => ([a, b]) => f(a!, b!);

/**
 * Every op of the fixtures: PyTorch name → tensorgrad call.
 *
 * @example
 * ```ts
 * const y = OPS.leaky_relu([x], { negative_slope: 0.01 }); // functional.leakyRelu(x, 0.01)
 * ```
 */
export const OPS: Readonly<Record<string, OpRunner>> = {
  // elementwise, one input
  neg: unary((x) => x.neg()),
  exp: unary((x) => x.exp()),
  log: unary((x) => x.log()),
  sqrt: unary((x) => x.sqrt()),
  abs: unary((x) => x.abs()),
  tanh: unary((x) => x.tanh()),
  sigmoid: unary((x) => x.sigmoid()),
  relu: unary((x) => x.relu()),
  sin: unary((x) => x.sin()),
  cos: unary((x) => x.cos()),
  square: unary((x) => x.square()),
  reciprocal: unary((x) => x.reciprocal()),
  pow_scalar: ([x], a) => x!.pow(a.exponent as number),
  clamp: ([x], a) => x!.clamp(a.min as number | undefined, a.max as number | undefined),
  leaky_relu: ([x], a) => functionalFn('leakyRelu')(x, a.negative_slope),
  gelu: ([x]) => functionalFn('gelu')(x),
  gelu_tanh: ([x]) => functionalFn('gelu')(x, { approximate: 'tanh' }),
  silu: ([x]) => functionalFn('silu')(x),
  softplus: ([x]) => functionalFn('softplus')(x),

  // elementwise, two inputs, broadcasting
  add: binary((a, b) => a.add(b)),
  sub: binary((a, b) => a.sub(b)),
  mul: binary((a, b) => a.mul(b)),
  div: binary((a, b) => a.div(b)),
  pow: binary((a, b) => a.pow(b)),
  maximum: binary((a, b) => a.maximum(b)),
  minimum: binary((a, b) => a.minimum(b)),
  where: ([c, a, b]) => where(c!, a!, b!),

  // reductions (values only)
  sum: ([x], a) => x!.sum(dimOf(a), keepdimOf(a)),
  mean: ([x], a) => x!.mean(dimOf(a), keepdimOf(a)),
  max: ([x], a) => x!.max(dimOf(a), keepdimOf(a)),
  min: ([x], a) => x!.min(dimOf(a), keepdimOf(a)),
  logsumexp: ([x], a) => x!.logsumexp(dimOf(a), keepdimOf(a)),
  var: ([x], a) => x!.var(dimOf(a), keepdimOf(a), { correction: (a.correction as number | undefined) ?? 1 }),
  argmax: ([x], a) => x!.argmax(a.dim as number | undefined, keepdimOf(a)),

  // linear algebra
  matmul: binary((a, b) => a.matmul(b)),

  // shape
  reshape: ([x], a) => x!.reshape(a.shape as number[]),
  transpose: ([x], a) => x!.transpose(a.dim0 as number, a.dim1 as number),
  permute: ([x], a) => x!.permute(a.dims as number[]),
  unsqueeze: ([x], a) => x!.unsqueeze(a.dim as number),
  squeeze: ([x], a) => x!.squeeze(a.dim as number | undefined),
  expand: ([x], a) => x!.expand(a.shape as number[]),
  narrow: ([x], a) => x!.narrow(a.dim as number, a.start as number, a.length as number),
  flatten: ([x], a) => x!.flatten((a.start_dim as number | undefined) ?? 0, (a.end_dim as number | undefined) ?? -1),
  cat: (xs, a) => cat(xs, a.dim as number),
  stack: (xs, a) => stack(xs, a.dim as number),
  index_select: ([x, index], a) => x!.indexSelect(a.dim as number, index!),
  gather: ([x, index], a) => x!.gather(a.dim as number, index!),

  // functional
  softmax: ([x], a) => functionalFn('softmax')(x, a.dim),
  log_softmax: ([x], a) => functionalFn('logSoftmax')(x, a.dim),
  linear: ([x, w, b]) => functionalFn('linear')(x, w, b),
  layer_norm: ([x, w, b], a) => functionalFn('layerNorm')(x, a.normalized_shape, w, b, a.eps),
  embedding: ([index, w]) => functionalFn('embedding')(index, w),
  conv2d: ([x, w, b], a) => functionalFn('conv2d')(x, w, b, { stride: a.stride, padding: a.padding }),
  max_pool2d: ([x], a) => functionalFn('maxPool2d')(x, a.kernel_size, a.stride),
  avg_pool2d: ([x], a) => functionalFn('avgPool2d')(x, a.kernel_size, a.stride),

  // losses
  cross_entropy: ([x, t], a) => functionalFn('crossEntropy')(x, t, reduction(a)),
  nll_loss: ([x, t], a) => functionalFn('nllLoss')(x, t, reduction(a)),
  mse_loss: ([x, t], a) => functionalFn('mseLoss')(x, t, reduction(a)),
  l1_loss: ([x, t], a) => functionalFn('l1Loss')(x, t, reduction(a)),
  huber_loss: ([x, t], a) => functionalFn('huberLoss')(x, t, { ...reduction(a), delta: a.delta }),
  binary_cross_entropy: ([x, t], a) => functionalFn('binaryCrossEntropy')(x, t, reduction(a)),
  binary_cross_entropy_with_logits: ([x, t], a) => functionalFn('binaryCrossEntropyWithLogits')(x, t, reduction(a)),
};

/**
 * Ops whose results sum many terms or normalise (their float32 error grows with the number of
 * terms): the golden README allows `atol = 1e-4` for these, and only these.
 */
export const LOOSE_ATOL_OPS: ReadonlySet<string> = new Set([
  'var',
  'logsumexp',
  'layer_norm',
  'softmax',
  'log_softmax',
  'cross_entropy',
  'nll_loss',
  'mse_loss',
  'l1_loss',
  'huber_loss',
  'binary_cross_entropy',
  'binary_cross_entropy_with_logits',
  'conv2d',
  'avg_pool2d',
]);
