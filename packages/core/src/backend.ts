/**
 * The kernel contract: what a compute backend provides, and nothing more.
 *
 * A backend is a plain object: storage methods plus a table of kernels. Core calls
 * nothing else. Every kernel is synchronous in its dispatch and returns a new
 * {@link DataId}; the result may still be computing on the device. Kernels never
 * mutate their inputs. Shapes are row-major and contiguous: a `DataId` holds exactly
 * `numel(shape)` elements of its dtype.
 */

/** A tensor's shape: one length per dimension, `[]` for a scalar. */
export type Shape = readonly number[];

/** Element types. `float32` carries gradients; `int32` and `bool` hold indices, targets and masks. */
export type DType = 'float32' | 'int32' | 'bool';

/** Host arrays for each dtype: `float32` → `Float32Array`, `int32` → `Int32Array`, `bool` → `Uint8Array`. */
export type TypedArray = Float32Array | Int32Array | Uint8Array;

/** An opaque handle to a backend's storage. Only the backend that made it looks inside. */
export type DataId = object;

/** What a kernel needs to know about an input: its storage, shape and dtype. */
export interface TensorInfo {
  /** The storage, made by this backend. */
  readonly id: DataId;
  /** The dimensions. */
  readonly shape: Shape;
  /** The element type. */
  readonly dtype: DType;
}

/** The closed set of elementwise functions of one argument. Output dtype is float32 unless noted. */
export type UnaryOp =
  | 'neg' // keeps int32
  | 'abs' // keeps int32
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'square'
  | 'reciprocal'
  | 'sign'
  | 'erf'
  | 'floor'
  | 'logicalNot'; // bool → bool

/** Elementwise functions of two arguments, with NumPy broadcasting. */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq' // comparisons return bool
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge';

/** Reductions over a set of axes. `argmax`/`argmin` take exactly one axis and return int32. */
export type ReduceOp = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

/** Options of the optional fused conv2d kernels (NCHW input, OIHW weight). */
export interface Conv2dAttrs {
  /** Step between windows, the same for height and width. */
  readonly stride: number;
  /** Zeros added on each side of height and width. */
  readonly padding: number;
}

/** Options of the optional fused `maxPool2d` kernels (NCHW input, no padding, floor output size). */
export interface Pool2dAttrs {
  /** Window height and width. */
  readonly kernelSize: readonly [number, number];
  /** Step between windows along height and width. */
  readonly stride: readonly [number, number];
}

/**
 * Options of the optional fused `sgdStep` kernel: one parameter's update of PyTorch 1.13's
 * `torch.optim.SGD`: `d = ±grad + weightDecay·p`; with momentum `buf = momentum·buf + (1 −
 * dampening)·d` (the first buffer is `d` itself) and `d = nesterov ? d + momentum·buf : buf`;
 * then `p − lr·d`.
 */
export interface SgdStepAttrs {
  /** The learning rate. */
  readonly lr: number;
  /** Momentum factor; 0 keeps no buffer. */
  readonly momentum: number;
  /** Dampening of the momentum. */
  readonly dampening: number;
  /** L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** Nesterov momentum. */
  readonly nesterov: boolean;
  /** Step along `+grad` (maximise) instead of `−grad`. */
  readonly maximize: boolean;
}

/**
 * Options of the optional fused `adamStep` kernel: one parameter's update of PyTorch 1.13's
 * `torch.optim.Adam` (or `AdamW` with `decoupled`) at step `step` (counting from 1).
 */
export interface AdamStepAttrs {
  /** The learning rate. */
  readonly lr: number;
  /** Decay of the first moment average. */
  readonly beta1: number;
  /** Decay of the second moment average. */
  readonly beta2: number;
  /** Added to the denominator. */
  readonly eps: number;
  /** L2 penalty added to the gradient (Adam), or the decoupled decay of the weights (AdamW). */
  readonly weightDecay: number;
  /** AdamW: shrink `p` by `1 − lr·weightDecay` instead of adding `weightDecay·p` to the gradient. */
  readonly decoupled: boolean;
  /** Divide by the running maximum of the second moment (AMSGrad). */
  readonly amsgrad: boolean;
  /** Step along `+grad` instead of `−grad`. */
  readonly maximize: boolean;
  /** This update's step number, from 1 (for the bias corrections). */
  readonly step: number;
}

/**
 * The required primitives, which every backend implements and conformance tests.
 *
 * Dtype rules: binary inputs have the same dtype (core casts first); arithmetic keeps it,
 * comparisons give `bool`. `where` takes a bool `cond`. Output shapes are given where
 * they are not obvious so that a backend never recomputes broadcasting.
 */
export interface RequiredKernels {
  /** `f(x)` elementwise. */
  unary(op: UnaryOp, x: TensorInfo): DataId;
  /** `a op b` with NumPy broadcasting to `outShape` (inputs may have lower rank). */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: Shape): DataId;
  /** `cond ? a : b` elementwise, all three broadcast to `outShape`; output dtype is `a.dtype`. */
  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: Shape): DataId;
  /**
   * Reduce over `axes` (sorted, non-negative, non-empty). The output shape is `x.shape`
   * with those axes removed. `sum` of bool/int32 gives int32; `max`/`min` keep the dtype.
   */
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataId;
  /**
   * Batched matrix product of float32 tensors of equal rank ≥ 2. `a` is `[...batchA, m, k]`
   * (`[...batchA, k, m]` with `transposeA`), `b` is `[...batchB, k, n]` (`[..., n, k]` with
   * `transposeB`); batch dimensions broadcast NumPy-style to `outShape = [...batch, m, n]`.
   * `triangle`, a hint from causal attention: every `a` matrix, as the product reads it, is square
   * and zero above (`'lower'`) or below (`'upper'`) its diagonal, so a backend may skip those
   * zeros (the result differs from the dense product only where `b` holds an infinity or NaN).
   * A backend may also ignore it.
   */
  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, outShape: Shape, triangle?: 'lower' | 'upper'): DataId;
  /** Axes reordered: output dim `i` is input dim `perm[i]`. */
  permute(x: TensorInfo, perm: readonly number[]): DataId;
  /** Broadcast `x` (rank ≤ `shape.length`, NumPy rules) to `shape`, materialised. */
  expand(x: TensorInfo, shape: Shape): DataId;
  /** The block starting at `begin` with lengths `size`, one entry per dim. */
  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): DataId;
  /** Pad each dim `i` with `padding[i][0]` before and `padding[i][1]` after, filled with `value`. */
  pad(x: TensorInfo, padding: readonly (readonly [number, number])[], value: number): DataId;
  /** Join tensors of one dtype along `axis`; all other dims are equal. */
  concat(xs: readonly TensorInfo[], axis: number): DataId;
  /**
   * torch.gather: `out[i][j][k] = x[i][index[i][j][k]][k]` for `axis = 1`. `index` is int32 with
   * the rank of `x`; output has `index.shape` and `x.dtype`. Indices are already validated.
   */
  gather(x: TensorInfo, axis: number, index: TensorInfo): DataId;
  /**
   * The adjoint of gather: a float32 tensor of `shape`, zero but for
   * `out[i][index[i][j][k]][k] += src[i][j][k]` (for `axis = 1`). `index` and `src` share a shape.
   */
  scatterAdd(shape: Shape, axis: number, index: TensorInfo, src: TensorInfo): DataId;
  /**
   * Inclusive prefix sums along `axis` (`reverse`: from the end, `out[i] = x[i] + … + x[n-1]`)
   * of a float32 or int32 tensor; same shape and dtype.
   */
  cumsum(x: TensorInfo, axis: number, reverse: boolean): DataId;
  /**
   * Stable sort along `axis` of a float32 or int32 tensor: `[values, indices]`, values of
   * `x.dtype` and int32 indices into `axis`, both of `x.shape`; ascending, or descending when
   * `descending` (equal values keep their order either way). NaN sorts above every number, as in PyTorch.
   */
  sort(x: TensorInfo, axis: number, descending: boolean): DataId[];
  /** Convert to `dtype`: float→int32 truncates toward zero, anything→bool is `x != 0`. */
  cast(x: TensorInfo, dtype: DType): DataId;
  /** A new tensor of `shape` with every element `value`. */
  fill(shape: Shape, value: number, dtype: DType): DataId;
  /** Uniform floats in [0, 1): element `i` is {@link uniformAt}`(seed, i)`, identical on every backend. */
  randomUniform(shape: Shape, seed: number): DataId;
  /** Standard normal floats: element `i` is {@link normalAt}`(seed, i)`, identical on every backend. */
  randomNormal(shape: Shape, seed: number): DataId;
}

/**
 * Optional fused kernels. A backend declares the ones it has (and lists them in
 * `supports.fused`); core composes the same result from primitives where one is absent.
 */
export interface FusedKernels {
  /** Softmax over the last axis of a float32 tensor. */
  softmax?(x: TensorInfo): DataId;
  /** Log-softmax over the last axis of a float32 tensor. */
  logSoftmax?(x: TensorInfo): DataId;
  /**
   * The gradient of a softmax over the last axis, from its output `y` and the incoming `dy` (both
   * float32, of one shape): `scale · y ⊙ (dy − Σ_last dy ⊙ y)`, one kernel instead of four ops.
   */
  softmaxBackward?(y: TensorInfo, dy: TensorInfo, scale: number): DataId;
  /**
   * Attention's weights from its scores `x` (float32 `[..., L, S]`): softmax over the last axis of
   * `scale · x`, and with `causal` only key `j ≤ i` for query `i` (the others 0), as
   * `softmax(where(tril(ones(L, S)), scale · x, −∞))`: one kernel instead of three ops.
   */
  attentionSoftmax?(x: TensorInfo, scale: number, causal: boolean): DataId;
  /** NCHW input `[n, c, h, w]` with OIHW weight `[o, c, kh, kw]` → `[n, o, oh, ow]`, no bias. */
  conv2d?(x: TensorInfo, w: TensorInfo, attrs: Conv2dAttrs): DataId;
  /** Gradient of conv2d with respect to its input, of shape `xShape`. */
  conv2dBackwardInput?(dy: TensorInfo, w: TensorInfo, xShape: Shape, attrs: Conv2dAttrs): DataId;
  /** Gradient of conv2d with respect to its weight, of shape `wShape`. */
  conv2dBackwardWeight?(x: TensorInfo, dy: TensorInfo, wShape: Shape, attrs: Conv2dAttrs): DataId;
  /**
   * Max pooling of a float32 NCHW input `[n, c, h, w]` → `[n, c, oh, ow]` with
   * `oh = ⌊(h − kh) / sh⌋ + 1` (likewise `ow`); NaN wins a window, as in PyTorch.
   */
  maxPool2d?(x: TensorInfo, attrs: Pool2dAttrs): DataId;
  /**
   * Where {@link FusedKernels.maxPool2d} found each maximum, the index its gradient is scattered
   * by: int32 `[n, c, oh, ow]`, each the flat position `row · w + col` within its `h × w` plane of
   * the window's first maximum in row-major order (a NaN counts as the maximum), as PyTorch picks it.
   */
  maxPool2dIndices?(x: TensorInfo, attrs: Pool2dAttrs): DataId;
  /**
   * One SGD update of a float32 parameter (see {@link SgdStepAttrs}). `momentumBuffer` is null
   * on the first step with momentum (and always without). Returns the new parameter, then the
   * new momentum buffer when `attrs.momentum` is not 0; the inputs are left unchanged.
   */
  sgdStep?(param: TensorInfo, grad: TensorInfo, momentumBuffer: TensorInfo | null, attrs: SgdStepAttrs): DataId[];
  /**
   * One Adam/AdamW update of a float32 parameter (see {@link AdamStepAttrs}); the moment
   * averages have the parameter's shape, `maxExpAvgSq` is given exactly when `attrs.amsgrad`.
   * Returns the new parameter, `expAvg`, `expAvgSq` and, with amsgrad, `maxExpAvgSq`.
   */
  adamStep?(param: TensorInfo, grad: TensorInfo, expAvg: TensorInfo, expAvgSq: TensorInfo, maxExpAvgSq: TensorInfo | null, attrs: AdamStepAttrs): DataId[];
  /**
   * One LSTM cell step, as `torch.nn.LSTMCell` computes it after its two matrix products (the
   * arguments of PyTorch's `_thnn_fused_lstm_cell`): the gate pre-activations are
   * `inputGates + hiddenGates + inputBias + hiddenBias`, with `inputGates = x·W_ihᵀ` and
   * `hiddenGates = h·W_hhᵀ` float32 `[n, 4·h]` in PyTorch's order i, f, g, o, and the biases
   * `[4·h]` or null (none); `c` is the cell state `[n, h]`. Returns `[h', c', act]`:
   * `c' = σ(f)·c + σ(i)·tanh(g)` and `h' = σ(o)·tanh(c')`, each `[n, h]`, and the activated gates
   * `act = [σ(i), σ(f), tanh(g), σ(o)]` (`[n, 4·h]`, the workspace PyTorch's fused cell saves for its backward).
   */
  lstmCell?(inputGates: TensorInfo, hiddenGates: TensorInfo, c: TensorInfo, inputBias: TensorInfo | null, hiddenBias: TensorInfo | null): DataId[];
  /**
   * The gradient of {@link FusedKernels.lstmCell} from its saved `act`, its input `c` and its
   * output `cNext`, given the gradient `dh` of `h'` and `dc` of `c'` (either may be null: zero).
   * Returns `[dGates, dC]`, of the shapes of `act` and `c` (`dGates` is the gradient of both
   * gate inputs; a bias's is its sum over the rows).
   */
  lstmCellBackward?(act: TensorInfo, c: TensorInfo, cNext: TensorInfo, dh: TensorInfo | null, dc: TensorInfo | null): DataId[];
  /**
   * GELU of a float32 tensor, `x·Φ(x)` (`approximate: 'tanh'`: `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`),
   * as `torch.nn.functional.gelu`. Returns `[y, saved]`, both of `x`'s shape: `saved` is whatever the
   * backend's {@link FusedKernels.geluBackward} reads (backend-cpu: the slope `d gelu(x)/dx`, so that
   * the backward is one multiply); core only passes it back.
   */
  gelu?(x: TensorInfo, approximate: 'none' | 'tanh'): DataId[];
  /**
   * Cross-entropy of float32 `logits` `[n, c]` against int32 class indices `target` `[n]`, each in
   * `[0, c)` (core checks them), as `torch.nn.functional.cross_entropy(..., reduction='none')`:
   * returns `[loss, probs]`, the per-row `loss = logsumexp(logits[i]) − logits[i, target[i]]`
   * (`[n]`, rounded as `−logSoftmax(logits)[i, target[i]]`) and the softmax `probs` (`[n, c]`)
   * that {@link FusedKernels.crossEntropyBackward} reads.
   */
  crossEntropy?(logits: TensorInfo, target: TensorInfo): DataId[];
  /**
   * The gradient of {@link FusedKernels.crossEntropy} with respect to its logits, from the saved
   * `probs` `[n, c]`, the `target` `[n]` and the gradient `dy` `[n]` of the per-row loss:
   * `dy[i] · (probs[i, j] − [j = target[i]])`, `[n, c]`.
   */
  crossEntropyBackward?(probs: TensorInfo, target: TensorInfo, dy: TensorInfo): DataId;
  /**
   * The gradient of `tanh`, `sigmoid` or `relu` from its float32 output `y` and the gradient `dy` of
   * it (both of one shape): `dy·(1 − y²)`, `dy·y·(1 − y)`, or `dy` where `y > 0` and +0 elsewhere
   * (core passes relu's input as `y`: it is above 0 exactly where the output is), in one pass
   * instead of two to four ops.
   */
  activationBackward?(op: 'tanh' | 'sigmoid' | 'relu', y: TensorInfo, dy: TensorInfo): DataId;
  /** The gradient of {@link FusedKernels.gelu}: `dy · gelu'(x)`, from `x` and what the forward saved. */
  geluBackward?(x: TensorInfo, saved: TensorInfo, dy: TensorInfo, approximate: 'none' | 'tanh'): DataId;
  /**
   * Layer norm of a float32 `x` over its last `cols` elements (rows = the rest), as
   * `torch.nn.functional.layer_norm`: `(x − mean)/√(var + eps)·w + b`, with `w` and `b` of `cols`
   * elements or null. Returns `[y, mean, rstd]`: `y` of `x`'s shape, the rows' means and
   * `1/√(var + eps)` as `[rows]`.
   */
  layerNorm?(x: TensorInfo, w: TensorInfo | null, b: TensorInfo | null, cols: number, eps: number): DataId[];
  /**
   * The gradients of {@link FusedKernels.layerNorm} from `x`, `w`, the saved `mean` and `rstd`,
   * and `dy`: returns `[dx, dw, db]`, `dx` of `x`'s shape, `dw` and `db` `[cols]` (the sums over
   * the rows of `dy·x̂` and `dy`).
   */
  layerNormBackward?(x: TensorInfo, w: TensorInfo | null, mean: TensorInfo, rstd: TensorInfo, dy: TensorInfo, cols: number): DataId[];
}

/** Every kernel a backend can offer. */
export type KernelTable = RequiredKernels & FusedKernels;

/** Names of the fused kernels, for `supports.fused`. */
export type FusedKernelName = keyof FusedKernels;

/**
 * A device whose arithmetic is looser than float32's on some op (a GPU's approximate `sin`,
 * say): the tolerance its results are held to, and why. Conformance applies it, in place of
 * its default, to that op's cases and prints it with the support matrix.
 *
 * @example
 * ```ts
 * const t: DeviceTolerance = { atol: 2e-4, reason: "SwiftShader's sin/cos are off by up to 1.9e-4" };
 * ```
 */
export interface DeviceTolerance {
  /** Absolute tolerance. */
  readonly atol: number;
  /** Relative tolerance (the suite's default when absent). */
  readonly rtol?: number;
  /** What about the device makes it necessary, measured. */
  readonly reason: string;
}

/** What a backend can do, declared up front. */
export interface BackendSupports {
  /** `readSync` works (false on devices that only read back asynchronously). */
  readonly syncRead: boolean;
  /** The fused kernels present in `kernels`. */
  readonly fused: readonly FusedKernelName[];
  /**
   * Per op (PyTorch's name, as the conformance cases name it: `'sin'`), where the device in use
   * is measurably less exact than float32 arithmetic. Absent: float32 everywhere.
   */
  readonly tolerance?: Readonly<Record<string, DeviceTolerance>>;
}

/**
 * A compute backend: storage plus kernels.
 *
 * @example
 * ```ts
 * import { setBackend } from '@tensorgrad/core';
 * import { cpuBackend } from '@tensorgrad/backend-cpu';
 * await setBackend(cpuBackend());
 * ```
 */
export interface Backend {
  /** The name tensors report in `t.backend` and that `setBackend(name)` finds. */
  readonly name: string;
  /** Declared capabilities. */
  readonly supports: BackendSupports;
  /** Copy host values into new storage. `values.length` equals the product of `shape`. */
  write(values: TypedArray, shape: Shape, dtype: DType): DataId;
  /** Read storage back to the host (always available). The caller owns the returned array. */
  read(id: DataId): Promise<TypedArray>;
  /** Read synchronously where the device allows it. The caller owns the returned array. */
  readSync?(id: DataId): TypedArray;
  /** Free storage. Called once per `DataId`, never after `collected` got its token. */
  dispose(id: DataId): void;
  /**
   * A token for `id`, for when its tensors become unreachable: a number (it references nothing,
   * so the garbage collector reclaims host data as soon as the tensors die, even in a loop that
   * never yields to the event loop). Core stores it and, once the FinalizationRegistry reports
   * every tensor of the storage collected, passes it to {@link Backend.collected} instead of
   * calling `dispose`. A backend without `lease` keeps the old contract: core holds `id` until
   * then and calls `dispose(id)`.
   *
   * @example
   * ```ts
   * lease(id) { return (id as HostData).values.byteLength; }, // the token: bytes to stop counting
   * collected(bytes) { live--; liveBytes -= bytes; },
   * ```
   */
  lease?(id: DataId): number;
  /**
   * The tensors of a leased storage were collected: release what the garbage collector cannot
   * (device memory, live-tensor counts). Called once per token, never after `dispose` of its `id`.
   * It may run synchronously inside any tensor creation (where the engine allows it), so it must
   * not create tensors or call back into core.
   */
  collected?(token: number): void;
  /** Live storage on this backend. */
  memory(): {
    /** Live storages. */
    tensors: number;
    /** Their total size in bytes. */
    bytes: number;
  };
  /** The kernels. */
  readonly kernels: KernelTable;
  /** Optional start-up work (compiling, spawning workers); `setBackend` awaits it. */
  ready?(): Promise<void>;
  /** Optional shutdown (workers, devices). */
  close?(): Promise<void> | void;
}

// ---- Seeded random numbers, shared by every backend so that manualSeed gives the same numbers everywhere.

/** A 32-bit integer hash of (seed, counter): counter-based, so any element can be computed alone. */
export function hash32(seed: number, counter: number): number {
  let h = (seed ^ Math.imul(counter, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  // a second round mixes in the seed again so nearby seeds decorrelate
  h = Math.imul(h ^ seed ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Element `i` of the uniform stream for `seed`: a float in [0, 1) with 24 random bits. */
export function uniformAt(seed: number, i: number): number {
  return (hash32(seed, i) >>> 8) / 16777216;
}

/** Element `i` of the standard-normal stream for `seed` (Box–Muller over two uniform draws). */
export function normalAt(seed: number, i: number): number {
  const u1 = ((hash32(seed, 2 * i) >>> 8) + 1) / 16777217; // in (0, 1]: log never sees 0
  const u2 = uniformAt(seed, 2 * i + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Number of elements in a shape. */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** A host array of `dtype` with `n` elements. */
export function allocate(dtype: DType, n: number): TypedArray {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
}
