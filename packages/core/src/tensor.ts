/**
 * The Tensor handle: shape, dtype, a reference to backend storage and, when it takes part in
 * autograd, the node its op recorded. Every method is a thin call to the op of the same name.
 */
import type { Backend, DType, Shape, TensorInfo, TypedArray } from './backend';
import { type BackwardOptions, type Node, backward as runBackward } from './autograd';
import { Storage, keep, launchingOn, retrack, track, untrack } from './memory';
import { fmt } from './shape';
import * as unary from './ops/unary';
import * as binary from './ops/binary';
import * as compare from './ops/compare';
import * as reduce from './ops/reduce';
import { matmul } from './ops/matmul';
import * as shapeOps from './ops/shape';
import { gather, indexSelect } from './ops/indexing';
import { cast } from './ops/cast';
import { moveTo } from './ops/move';
import { logSoftmax, softmax } from './functional/softmax';
import type { TensorLike } from './op';
import { isGradEnabled, withGradMode } from './autograd';
import { nextSeed } from './creation';
import { index as indexOp, indexPut, type IndexItem } from './ops/index-ops';
import * as more from './ops/more';
import { rememberHost } from './hostcache';
import { checkBool, checkOptions, describe, isOptions } from './validate';

// int32/bool tensors up to this many elements keep a host copy of values read from them (hostcache.ts)
const HOST_COPY_LIMIT = 65536;
import { shapeArgs } from './validate';

// The shipped .d.ts names `Symbol.dispose`; declaring it here lets users compile without lib
// `esnext.disposable` or @types/node. Same declaration as those, so the interfaces merge cleanly.
declare global {
  interface SymbolConstructor {
    /** The method `using` calls at the end of its block (ES explicit resource management). */
    readonly dispose: unique symbol;
  }
}

const DTYPES: readonly string[] = ['float32', 'int32', 'bool'];

/** Nested arrays of numbers (or booleans for bool tensors), as `tolist()` returns. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array on a backend, with reverse-mode autograd, as `torch.Tensor`.
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * x.grad!.tolist(); // [[2, 4], [6, 8]]
 * ```
 */
export class Tensor {
  /** The size of each dimension. */
  readonly shape: readonly number[];
  /** The element type. */
  readonly dtype: DType;
  /** @internal */
  _node: Node | null = null;
  /** @internal */
  _retainsGrad = false;
  /** @internal Bumped by every in-place change of this tensor's values (PyTorch's version counter). */
  _version = 0;
  /** @internal The state before the last recorded in-place op: its storage, node and version. */
  _prev: Tensor | null = null;
  // the FinalizationRegistry holds only a number leading to the storage's slot, never the storage
  private storage: Storage | null;
  /** @internal Its token in the FinalizationRegistry while registered (see memory.ts), else null. */
  _tracked: { readonly watch: number } | null = null;
  private _requiresGrad = false;
  private _grad: Tensor | null = null;
  // whether `.grad` was handed to user code (or set by it): only a gradient nobody else can hold
  // is freed when it is replaced, e.g. by zeroGrad(); the others are left to the garbage collector
  private _gradShared = false;
  private disposed = false;

  /** @internal Use `tensor(...)` and the other creation functions. */
  constructor(storage: Storage, shape: Shape, dtype: DType) {
    // spread, not slice(): a frozen array's slice() takes V8's slow path (~250 ns against ~25)
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.storage = storage.retain();
    track(this);
  }

  // ---- identity and storage

  /** @internal Its storage's slot in the lifetime slab (memory.ts). */
  _slot(): number {
    return this._storage().slot;
  }

  /** @internal The storage, or a clear error if this tensor was disposed. */
  _storage(): Storage {
    const s = this.storage;
    if (!s || this.disposed) {
      throw new Error(`tensor of shape ${fmt(this.shape)} was disposed (by dispose() or tidy()) and cannot be used; keep it with keep(t) or create it outside tidy`);
    }
    return s;
  }

  /** @internal */
  _backend(): Backend {
    return this._storage().backend;
  }

  /** @internal What a kernel needs to read this tensor. */
  _info(): TensorInfo {
    const s = this._storage();
    const b = launchingOn();
    if (b !== null && s.backend !== b) {
      throw new Error(`operands on two backends, '${b.name}' and '${s.backend.name}' (a tensor of shape ${fmt(this.shape)}); move one with .to('${b.name}')`);
    }
    return { id: s.id, shape: this.shape, dtype: this.dtype };
  }

  /** @internal A new tensor sharing this one's storage under another shape (reshape, detach). */
  _view(shape: Shape): Tensor {
    return new Tensor(this._storage(), shape, this.dtype);
  }

  /** @internal Take `src`'s values in place (optimizer updates, gradient accumulation, `copy_`). */
  _assign(src: Tensor): this {
    const next = src._storage().retain();
    const prev = this._storage();
    this.storage = next;
    this._version++;
    retrack(this); // the registry now holds the new storage's slot for this tensor
    prev.release();
    return this;
  }

  /**
   * @internal An in-place op: `compute(self)` gives the new values out of place, from a tensor
   * standing for this one's current state; this tensor then takes them (its storage is rebound,
   * its version bumped). In grad mode the op is recorded like any other: the previous state
   * becomes a snapshot that the graph keeps (see autograd's `inputAt`), and this tensor gets the
   * op's node. A leaf that requires grad refuses, as in PyTorch.
   */
  _inplace(op: string, compute: (self: Tensor) => Tensor): this {
    const recording = isGradEnabled();
    if (recording && this._requiresGrad && this._node === null) {
      throw new Error(
        `${op}: cannot change in place a leaf tensor that requires grad (shape ${fmt(this.shape)}); run it inside noGrad(() => ...) (torch.no_grad()) or use the out-of-place op`,
      );
    }
    // in grad mode the op reads a snapshot of the current state, so the graph never loops back to this tensor
    const self = recording ? this._snapshot() : this;
    let r = compute(self);
    if (!(r instanceof Tensor)) throw new Error(`${op}: internal error: the out-of-place op returned ${String(r)}`);
    if (r.shape.length !== this.shape.length || r.shape.some((d, i) => d !== this.shape[i])) {
      throw new Error(`${op}: the result's shape ${fmt(r.shape)} is not ${fmt(this.shape)}; an in-place op cannot change the shape of the tensor it writes`);
    }
    if (r.dtype !== this.dtype) {
      if (r.dtype === 'float32' || (r.dtype === 'int32' && this.dtype === 'bool')) {
        throw new Error(`${op}: cannot write ${r.dtype} results into this ${this.dtype} tensor in place (as in PyTorch); convert the tensor first, e.g. x = x.float()`);
      }
      r = withGradMode(false, () => cast(r, this.dtype));
    }
    if (!r.requiresGrad) {
      // nothing to record: the values change, the version goes up, the node (if any) stays
      this._assign(r);
      if (self !== this && r !== self) self.dispose();
      if (r !== this && r !== self) r.dispose();
      return this;
    }
    this._become(r, self);
    // the graph owns the snapshot and the out-of-place result from here: backward frees them with the node
    // (as it frees what an op made for itself), the garbage collector where no backward runs
    const node = this._node!;
    node.owned = [...(node.owned ?? []), r, ...(self !== this ? [self] : [])];
    return this;
  }

  /** @internal A new handle on this tensor's current state: storage, node, version and history. */
  _snapshot(): Tensor {
    const s = new Tensor(this._storage(), this.shape, this.dtype);
    s._node = this._node;
    s._requiresGrad = this._requiresGrad;
    s._version = this._version;
    s._prev = this._prev;
    return keep(s); // the graph owns it from here, not an enclosing tidy
  }

  /** @internal Take `r`'s storage and node (the recorded in-place op), keeping `prev` as the previous state. */
  private _become(r: Tensor, prev: Tensor | null): void {
    const next = r._storage().retain();
    const old = this._storage();
    this.storage = next;
    retrack(this);
    old.release();
    this._node = r._node;
    this._requiresGrad = r.requiresGrad;
    this._version = Math.max(this._version, prev?._version ?? 0) + 1;
    this._prev = prev;
    keep(r); // the node's closure may read it; the garbage collector frees it with the graph
  }

  /** @internal A constant on this tensor's backend. */
  _constant(value: number, shape: Shape, dtype: DType = this.dtype): Tensor {
    const b = this._backend();
    return new Tensor(new Storage(b, b.kernels.fill(shape, value, dtype)), shape, dtype);
  }

  /** @internal */
  _setNode(node: Node): void {
    this._node = node;
    this._requiresGrad = true;
  }

  /** @internal Set `.grad` from the engine without the user-facing checks. */
  _setGradInternal(g: Tensor | null): void {
    this._grad = g ? keep(g) : null;
    this._gradShared = false;
  }

  /** @internal `.grad` for the engine and optimizers, which never keep it past the step. */
  _gradInternal(): Tensor | null {
    return this._grad;
  }

  /** The name of the backend holding this tensor's data, e.g. `'cpu'`. */
  get backend(): string {
    return this._backend().name;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  /** The shape, or the size of one dimension, as `torch.Tensor.size`. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    const d = dim < 0 ? dim + this.ndim : dim;
    if (d < 0 || d >= this.ndim) throw new Error(`size: dimension out of range (expected to be in range of [${-this.ndim}, ${this.ndim - 1}], but got ${dim})`);
    return this.shape[d]!;
  }

  // ---- autograd state

  /** Whether ops on this tensor are recorded for autograd. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  /** Turn recording on or off; only leaf float32 tensors may require grad (see {@link requiresGrad_}). */
  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }

  /**
   * Set `requiresGrad` in place on a leaf tensor and return it, as `torch.Tensor.requires_grad_`.
   *
   * @example
   * ```ts
   * const w = randn([3, 3]).requiresGrad_();
   * ```
   */
  requiresGrad_(flag = true): this {
    if (this._node) {
      if (!flag) throw new Error('requiresGrad_: only a leaf tensor can stop requiring grad; detach() gives one that does not');
      return this;
    }
    if (flag && this.dtype !== 'float32') {
      throw new Error(`requiresGrad_: only float32 tensors can require gradients (got ${this.dtype}); convert with .float()`);
    }
    this._requiresGrad = flag;
    return this;
  }

  /** True for tensors created by the user (no recorded op), as `torch.Tensor.is_leaf`. */
  get isLeaf(): boolean {
    return this._node === null;
  }

  /** The name of the op that created this tensor, or null for a leaf (like `grad_fn`). */
  get gradFn(): string | null {
    return this._node?.op ?? null;
  }

  /** The accumulated gradient, or null. Assignable, as in PyTorch (`p.grad = null` clears it). */
  get grad(): Tensor | null {
    if (this._grad) this._gradShared = true;
    return this._grad;
  }

  /** Replace the gradient (same shape, dtype and backend as this tensor) or clear it with null. */
  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!(g instanceof Tensor)) throw new Error('grad: assigned value must be a Tensor or null');
      if (g.shape.length !== this.shape.length || g.shape.some((d, i) => d !== this.shape[i])) {
        throw new Error(`grad: assigned grad has shape ${fmt(g.shape)} but the tensor has shape ${fmt(this.shape)}`);
      }
      if (g.dtype !== this.dtype) throw new Error(`grad: assigned grad has dtype ${g.dtype} but the tensor has dtype ${this.dtype}`);
      if (g._backend() !== this._backend()) throw new Error(`grad: assigned grad is on backend '${g.backend}' but the tensor is on '${this.backend}'`);
    }
    const prev = this._grad;
    const free = prev !== null && prev !== g && !this._gradShared;
    this._setGradInternal(g);
    this._gradShared = g !== null; // the caller holds the new one
    if (free) prev.dispose(); // the engine's own gradient, which no one else can reach: free it now, not at GC
  }

  /**
   * Keep `.grad` on this non-leaf tensor after backward, as `torch.Tensor.retain_grad`.
   *
   * @example
   * ```ts
   * const h = x.mul(2); h.retainGrad(); h.sum().backward(); h.grad; // ones
   * ```
   */
  retainGrad(): this {
    if (!this._requiresGrad) throw new Error("retainGrad: can't retain grad on a tensor that has requiresGrad: false");
    this._retainsGrad = true;
    return this;
  }

  /**
   * Backpropagate from this tensor, accumulating gradients into leaves, as `torch.Tensor.backward`.
   * A non-scalar tensor needs `gradient` of its own shape. The options may also come first, in place
   * of the gradient (PyTorch's keywords): `loss.backward({ retainGraph: true })`.
   *
   * @example
   * ```ts
   * loss.backward();
   * y.backward(onesLike(y), { retainGraph: true });
   * loss.backward({ retainGraph: true });
   * ```
   */
  backward(gradient?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    if (options === undefined && isOptions(gradient)) return runBackward(this, undefined, checkBackwardOptions(gradient));
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
      throw new Error(`backward: gradient must be a Tensor of the output's shape ${fmt(this.shape)} (or leave it out for a scalar), got ${describe(gradient)}`);
    }
    runBackward(this, gradient ?? undefined, options === undefined ? undefined : checkBackwardOptions(options));
  }

  /**
   * A tensor sharing this one's data, cut from the graph, as `torch.Tensor.detach`.
   *
   * @example
   * ```ts
   * const target = pred.detach();
   * ```
   */
  detach(): Tensor {
    return this._view(this.shape);
  }

  /**
   * Copy `src`'s values (broadcast to this shape, cast to this dtype) into this tensor in place, as
   * `torch.Tensor.copy_`; recorded for autograd like every in-place op (the gradient reaches `src`).
   *
   * @example
   * ```ts
   * noGrad(() => w.copy_(zerosLike(w)));
   * ```
   */
  copy_(src: Tensor | number): this {
    if (typeof src === 'number') return this.fill_(src);
    if (!(src instanceof Tensor)) throw new Error(`copy_: expected a Tensor (or a number) to copy from, got ${typeof src}`);
    let value = src;
    if (value._backend() !== this._backend()) value = moveTo(value, this._backend());
    if (value.dtype !== this.dtype) value = cast(value, this.dtype);
    const moved = value;
    if (moved === this) return this;
    // broadcast to this shape (the source may have fewer dims, as in PyTorch); the gradient goes to src
    return this._inplace('copy_', (self) => compare.where(self._constant(1, [], 'bool'), moved, self));
  }

  // ---- memory

  /** Whether {@link dispose} has run. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Free this tensor's data now (views keep shared data alive). Also `using t = ...`.
   *
   * @example
   * ```ts
   * const t = ones([1000]); t.dispose();
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const s = this.storage;
    this.storage = null;
    untrack(this);
    s?.release();
  }

  /** The same as {@link dispose}, for `using t = ...`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- reading

  /**
   * The values, row-major, as a new typed array (`Float32Array`, `Int32Array`, or `Uint8Array` for bool).
   * The storage stays alive until the read completes, even if nothing else references `t`
   * (`await x.mul(2).data()`) and the garbage collector runs meanwhile, or `t` is disposed.
   *
   * @example
   * ```ts
   * const values = await t.data();
   * ```
   */
  async data(): Promise<TypedArray> {
    // the read holds its own reference: a collection or dispose() during the await frees the storage only after it
    const s = this._storage().retain();
    try {
      const values = await s.backend.read(s.id);
      // a small index or mask read once can then index on backends that only read asynchronously
      if (this.dtype !== 'float32' && values.length <= HOST_COPY_LIMIT && this.storage === s) rememberHost(this, values);
      return values;
    } finally {
      s.release();
    }
  }

  /**
   * The values, read synchronously; throws on backends that can only read asynchronously.
   *
   * @example
   * ```ts
   * const values = t.dataSync();
   * ```
   */
  dataSync(): TypedArray {
    const s = this._storage();
    if (!s.backend.readSync || !s.backend.supports.syncRead) {
      throw new Error(`dataSync: backend '${s.backend.name}' cannot read synchronously; use await t.data() instead`);
    }
    return s.backend.readSync(s.id);
  }

  /**
   * The single value of a one-element tensor, as `torch.Tensor.item`.
   *
   * @example
   * ```ts
   * loss.item().toFixed(4);
   * ```
   */
  item(): number {
    if (this.numel() !== 1) {
      throw new Error(`item: a Tensor with ${this.numel()} elements (shape ${fmt(this.shape)}) cannot be converted to a number; only one-element tensors can`);
    }
    return this.dataSync()[0]!;
  }

  /**
   * The values as nested arrays (booleans for bool tensors), as `torch.Tensor.tolist`.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).tolist(); // [[1, 2], [3, 4]]
   * ```
   */
  tolist(): NestedArray {
    const flat = this.dataSync();
    const asValue = (v: number): number | boolean => (this.dtype === 'bool' ? v !== 0 : v);
    if (this.ndim === 0) return asValue(flat[0]!);
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.ndim - 1 ? asValue(flat[offset + i]!) : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** A short description: shape, dtype, backend and (for small tensors that read synchronously) values. */
  toString(): string {
    const head = `tensor(shape=${fmt(this.shape)}, dtype=${this.dtype}, backend=${this.disposed ? 'disposed' : this.backend}`;
    if (this.disposed || this.numel() > 100 || !this._backend().supports.syncRead) return `${head})`;
    return `${head}, ${JSON.stringify(this.tolist())})`;
  }

  // ---- moving and converting

  /**
   * Move to another backend (by name or object), or convert to a dtype; gradients flow through a move.
   *
   * @example
   * ```ts
   * const y = x.to('worker');
   * const i = x.to('int32');
   * ```
   */
  to(target: string | Backend | DType): Tensor {
    if (typeof target === 'string' && DTYPES.includes(target)) return cast(this, target as DType);
    return moveTo(this, target as string | Backend);
  }

  /** Convert to float32, as `torch.Tensor.float`. @example `mask.float().mean()` */
  float(): Tensor {
    return cast(this, 'float32');
  }

  /** Convert to int32 (truncating), as `torch.Tensor.int`. @example `x.int()` */
  int(): Tensor {
    return cast(this, 'int32');
  }

  /** Convert to bool (`x != 0`), as `torch.Tensor.bool`. @example `x.bool()` */
  bool(): Tensor {
    return cast(this, 'bool');
  }

  /** A copy with its own storage, in the graph, as `torch.Tensor.clone`. @example `x.clone()` */
  clone(): Tensor {
    return binary.add(this, 0);
  }

  // ---- elementwise

  /** `this + other`, broadcasting. @example `x.add(1)` */
  add(other: TensorLike, options?: binary.AlphaOptions): Tensor { return binary.add(this, other, options); }
  /** `this - other`, broadcasting. @example `x.sub(y)` */
  sub(other: TensorLike, options?: binary.AlphaOptions): Tensor { return binary.sub(this, other, options); }
  /** `this * other`, broadcasting. @example `x.mul(2)` */
  mul(other: TensorLike): Tensor { return binary.mul(this, other); }
  /** `this / other`, broadcasting. @example `x.div(y)` */
  div(other: TensorLike): Tensor { return binary.div(this, other); }
  /** `this ** exponent`, broadcasting. @example `x.pow(2)` */
  pow(exponent: TensorLike): Tensor { return binary.pow(this, exponent); }
  /** Elementwise maximum. @example `x.maximum(y)` */
  maximum(other: TensorLike): Tensor { return binary.maximum(this, other); }
  /** Elementwise minimum. @example `x.minimum(y)` */
  minimum(other: TensorLike): Tensor { return binary.minimum(this, other); }
  /** `-this`. @example `x.neg()` */
  neg(): Tensor { return unary.neg(this); }
  /** `e^this`. @example `x.exp()` */
  exp(): Tensor { return unary.exp(this); }
  /** Natural logarithm. @example `x.log()` */
  log(): Tensor { return unary.log(this); }
  /** Square root. @example `x.sqrt()` */
  sqrt(): Tensor { return unary.sqrt(this); }
  /** Absolute value. @example `x.abs()` */
  abs(): Tensor { return unary.abs(this); }
  /** Sine. @example `x.sin()` */
  sin(): Tensor { return unary.sin(this); }
  /** Cosine. @example `x.cos()` */
  cos(): Tensor { return unary.cos(this); }
  /** Hyperbolic tangent. @example `x.tanh()` */
  tanh(): Tensor { return unary.tanh(this); }
  /** Logistic sigmoid. @example `x.sigmoid()` */
  sigmoid(): Tensor { return unary.sigmoid(this); }
  /** `max(this, 0)`. @example `x.relu()` */
  relu(): Tensor { return unary.relu(this); }
  /** `this * this`. @example `x.square()` */
  square(): Tensor { return unary.square(this); }
  /** `1 / this`. @example `x.reciprocal()` */
  reciprocal(): Tensor { return unary.reciprocal(this); }
  /** -1, 0 or 1 by sign (no gradient). @example `x.sign()` */
  sign(): Tensor { return unary.sign(this); }
  /** Clamp into `[min, max]` (either may be omitted). @example `x.clamp(-1, 1)` */
  clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor { return unary.clamp(this, min, max); }
  /** Elementwise `==` (bool). @example `pred.eq(target)` */
  eq(other: TensorLike): Tensor { return compare.eq(this, other); }
  /** Elementwise `!=` (bool). @example `x.ne(0)` */
  ne(other: TensorLike): Tensor { return compare.ne(this, other); }
  /** Elementwise `<` (bool). @example `x.lt(0)` */
  lt(other: TensorLike): Tensor { return compare.lt(this, other); }
  /** Elementwise `<=` (bool). @example `x.le(0)` */
  le(other: TensorLike): Tensor { return compare.le(this, other); }
  /** Elementwise `>` (bool). @example `x.gt(0)` */
  gt(other: TensorLike): Tensor { return compare.gt(this, other); }
  /** Elementwise `>=` (bool). @example `x.ge(0)` */
  ge(other: TensorLike): Tensor { return compare.ge(this, other); }
  /** `this` where `condition`, else `other`, as `torch.Tensor.where`. @example `x.where(x.gt(0), 0)` */
  where(condition: Tensor, other: TensorLike): Tensor { return compare.where(condition, this, other); }

  // ---- reductions

  /** Sum over `dim` (all dims when omitted). @example `x.sum(1, true)` */
  sum(dim?: number | number[], keepdim = false): Tensor { return reduce.sum(this, dim, keepdim); }
  /** Mean over `dim`. @example `x.mean()` */
  mean(dim?: number | number[], keepdim = false): Tensor { return reduce.mean(this, dim, keepdim); }
  /** Maximum values over `dim` (values only). @example `x.max(1)` */
  max(dim?: number | number[], keepdim = false): Tensor { return reduce.max(this, dim, keepdim); }
  /** Minimum values over `dim` (values only). @example `x.min(1)` */
  min(dim?: number | number[], keepdim = false): Tensor { return reduce.min(this, dim, keepdim); }
  /** `log(sum(exp(x)))` over `dim`, computed stably. @example `x.logsumexp(-1)` */
  logsumexp(dim?: number | number[], keepdim = false): Tensor { return reduce.logsumexp(this, dim, keepdim); }
  /** Variance over `dim` with Bessel's correction by default. @example `x.var(0, false, { correction: 0 })` */
  var(dim?: number | number[], keepdim = false, options: { correction?: number } = {}): Tensor {
    return reduce.variance(this, dim, keepdim, options);
  }
  /** Index of the maximum (int32; flattened when `dim` is omitted). @example `logits.argmax(1)` */
  argmax(dim?: number, keepdim = false): Tensor { return reduce.argmax(this, dim, keepdim); }
  /** Index of the minimum (int32). @example `x.argmin(0)` */
  argmin(dim?: number, keepdim = false): Tensor { return reduce.argmin(this, dim, keepdim); }
  /** Softmax over `dim`. @example `logits.softmax(-1)` */
  softmax(dim: number): Tensor { return softmax(this, dim); }
  /** Log-softmax over `dim`. @example `logits.logSoftmax(-1)` */
  logSoftmax(dim: number): Tensor { return logSoftmax(this, dim); }

  // ---- linear algebra

  /** Matrix product with `torch.matmul` semantics (1-D, 2-D, batched). @example `x.matmul(w.t())` */
  matmul(other: Tensor): Tensor { return matmul(this, other); }

  // ---- shape

  /** Same data, new shape (one dim may be -1), as an array or as arguments. @example `x.reshape([6, -1]); x.reshape(6, -1)` */
  reshape(...shape: number[] | [readonly number[]]): Tensor { return shapeOps.reshape(this, shapeArgs('reshape', shape)); }
  /** Same as reshape (tensors here are always contiguous). @example `x.view([-1]); x.view(2, 3)` */
  view(...shape: number[] | [readonly number[]]): Tensor { return shapeOps.view(this, shapeArgs('view', shape)); }
  /** Flatten dims `startDim..endDim` into one. @example `x.flatten(1)` */
  flatten(startDim = 0, endDim = -1): Tensor { return shapeOps.flatten(this, startDim, endDim); }
  /** Swap two dims. @example `x.transpose(0, 1)` */
  transpose(dim0: number, dim1: number): Tensor { return shapeOps.transpose(this, dim0, dim1); }
  /** Transpose of a matrix (≤ 2 dims), as `torch.Tensor.t`. @example `w.t()` */
  t(): Tensor {
    if (this.ndim > 2) throw new Error(`t: expects a tensor with <= 2 dimensions, but got ${this.ndim}; use transpose(dim0, dim1)`);
    return this.ndim < 2 ? this : shapeOps.transpose(this, 0, 1);
  }
  /** Reorder dims, as an array or as arguments. @example `x.permute([2, 0, 1]); x.permute(1, 0)` */
  permute(...dims: number[] | [readonly number[]]): Tensor { return shapeOps.permute(this, shapeArgs('permute', dims, 'dims')); }
  /** Insert a dim of size 1. @example `x.unsqueeze(0)` */
  unsqueeze(dim: number): Tensor { return shapeOps.unsqueeze(this, dim); }
  /** Remove dims of size 1 (all, or the given one). @example `x.squeeze(1)` */
  squeeze(dim?: number): Tensor { return shapeOps.squeeze(this, dim); }
  /** Broadcast to `shape` (-1 keeps a dim), as an array or as arguments. @example `x.expand([3, 4]); x.expand(3, 4)` */
  expand(...shape: number[] | [readonly number[]]): Tensor { return shapeOps.expand(this, shapeArgs('expand', shape)); }
  /** `length` elements of `dim` from `start`. @example `x.narrow(1, 1, 2)` */
  narrow(dim: number, start: number, length: number): Tensor { return shapeOps.narrow(this, dim, start, length); }
  /** Entries of `dim` picked by an int32 index vector. @example `x.indexSelect(0, idx)` */
  indexSelect(dim: number, index: Tensor): Tensor { return indexSelect(this, dim, index); }
  /** torch.gather along `dim`. @example `logp.gather(1, target.unsqueeze(1))` */
  gather(dim: number, index: Tensor): Tensor { return gather(this, dim, index); }

  // ---- PyTorch's small conveniences

  /** Number of dimensions, as `torch.Tensor.dim`. @example `x.dim()` */
  dim(): number { return this.shape.length; }
  /** The transpose of all dims reversed, as `torch.Tensor.T`. @example `w.T` */
  get T(): Tensor {
    if (this.ndim < 2) return this;
    return shapeOps.permute(this, this.shape.map((_, i) => this.ndim - 1 - i));
  }
  /** The last two dims swapped (a batch of matrices transposed), as `torch.Tensor.mT`. @example `q.mT` */
  get mT(): Tensor {
    if (this.ndim < 2) throw new Error(`mT: tensor.mT is only supported on matrices or batches of matrices; got a ${this.ndim}-D tensor of shape ${fmt(this.shape)}`);
    return shapeOps.transpose(this, -2, -1);
  }
  /** This tensor (storage here is always contiguous), as `torch.Tensor.contiguous`. @example `x.transpose(0, 1).contiguous()` */
  contiguous(): Tensor { return this; }
  /** Convert to int32, tensorgrad's index type (PyTorch's `long` is int64), as `torch.Tensor.long`. @example `x.long()` */
  long(): Tensor { return cast(this, 'int32'); }
  /** Reshape to `other`'s shape, as `torch.Tensor.view_as`. @example `g.viewAs(x)` */
  viewAs(other: Tensor): Tensor {
    if (!(other instanceof Tensor)) throw new Error(`viewAs: expected a Tensor whose shape to take, got ${typeof other}`);
    return shapeOps.view(this, other.shape);
  }

  // ---- indexing

  /**
   * `x[...]`: numbers select (and drop) a dim, `null` is `:`, `slice(start, end, step)` is
   * Python's slice, `'...'` fills the missing dims, a bool tensor selects its true positions and
   * int32 tensors index NumPy-style (several broadcast together). Gradients flow to `x`. The
   * result is a copy: writing into it in place does not change `x` (use {@link indexPut_}).
   *
   * @example
   * ```ts
   * x.index(0);                      // x[0]
   * x.index(null, slice(1, 3));      // x[:, 1:3]
   * x.index('...', -1);              // x[..., -1]
   * x.index(x.gt(0));                // x[x > 0]
   * ```
   */
  index(...indices: IndexItem[]): Tensor { return indexOp(this, ...indices); }

  /**
   * `x[indices] = value` in place (value: a number or a tensor broadcastable to the indexed
   * shape), as `x.index_put_` / `x[...] = v`; returns this tensor. Gradients reach `x` (zero
   * where written) and `value`.
   *
   * @example
   * ```ts
   * x.indexPut_([null, slice(0, 2)], 0);  // x[:, 0:2] = 0
   * x.indexPut_([mask], tensor(1.5));      // x[mask] = 1.5
   * ```
   */
  indexPut_(indices: readonly IndexItem[], value: TensorLike): this {
    if (!Array.isArray(indices)) throw new Error(`indexPut_: indices must be an array of index items (as x.index takes them), e.g. [null, slice(0, 2)]; got ${typeof indices}`);
    return this._inplace('indexPut_', (self) => indexPut(self, indices, value as Tensor | number));
  }

  // ---- more ops

  /** Lower triangle of the last two dims, as `torch.tril`. @example `scores.tril()` */
  tril(diagonal = 0): Tensor { return more.tril(this, diagonal); }
  /** Upper triangle of the last two dims, as `torch.triu`. @example `ones([3, 3]).triu(1)` */
  triu(diagonal = 0): Tensor { return more.triu(this, diagonal); }
  /** `value` where the bool `mask` is true, as `torch.Tensor.masked_fill`. @example `att.maskedFill(mask, -Infinity)` */
  maskedFill(mask: Tensor, value: TensorLike): Tensor { return more.maskedFill(this, mask, value); }
  /** Cumulative sum along `dim`, as `torch.cumsum`. @example `x.cumsum(0)` */
  cumsum(dim: number): Tensor { return more.cumsum(this, dim); }
  /** Reverse the order along `dims`, as `torch.flip`. @example `x.flip([0])` */
  flip(...dims: number[] | [readonly number[]]): Tensor { return more.flip(this, shapeArgs('flip', dims, 'dims')); }
  /** Tile along each dim, as `torch.Tensor.repeat` (sizes as an array or as arguments). @example `x.repeat(2, 1)` */
  repeat(...sizes: number[] | [readonly number[]]): Tensor { return more.repeat(this, shapeArgs('repeat', sizes, 'sizes')); }
  /** Pieces of `sizeOrSizes` along `dim`, as `torch.split`. @example `const [a, b] = x.split(2)` */
  split(sizeOrSizes: number | readonly number[], dim = 0): Tensor[] { return more.split(this, sizeOrSizes, dim); }
  /** `chunks` nearly equal pieces along `dim`, as `torch.chunk`. @example `const [q, k, v] = qkv.chunk(3, -1)` */
  chunk(chunks: number, dim = 0): Tensor[] { return more.chunk(this, chunks, dim); }
  /** Standard deviation with Bessel's correction by default, as `torch.std`. @example `x.std(0)` */
  std(dim?: number | number[], keepdim = false, options: { correction?: number } = {}): Tensor { return more.std(this, dim, keepdim, options); }
  /** The `p`-norm (2 by default; `Infinity` for the max-norm), as `torch.norm`. @example `x.norm(2, -1)` */
  norm(p: number | 'fro' = 2, dim?: number | number[], keepdim = false): Tensor { return more.norm(this, p, dim, keepdim); }
  /** Outer product of two vectors, as `torch.outer`. @example `a.outer(b)` */
  outer(other: Tensor): Tensor { return more.outer(this, other); }
  /** Sorted values and their int32 indices along `dim`, as `torch.sort`. @example `const { values, indices } = x.sort(-1, { descending: true })` */
  sort(dim = -1, options: { descending?: boolean; stable?: boolean } = {}): more.ValuesIndices { return more.sort(this, dim, options); }
  /** Indices that sort along `dim`, as `torch.argsort`. @example `x.argsort(-1)` */
  argsort(dim = -1, options: { descending?: boolean; stable?: boolean } = {}): Tensor { return more.argsort(this, dim, options); }
  /** The `k` largest (or smallest) values along `dim` with their indices, as `torch.topk`. @example `logits.topk(5).values` */
  topk(k: number, dim = -1, options: { largest?: boolean; sorted?: boolean } = {}): more.ValuesIndices { return more.topk(this, k, dim, options); }

  // ---- in place: each rebinds this tensor's storage, is recorded for autograd, and returns this

  /** `this += other` in place, as `torch.Tensor.add_`. @example `h.add_(residual)` */
  add_(other: TensorLike, options?: binary.AlphaOptions): this { return this._inplace('add_', (self) => binary.add(self, other === this ? self : other, options)); }
  /** `this -= other` in place, as `torch.Tensor.sub_`. @example `noGrad(() => p.sub_(p.grad!.mul(lr)))` */
  sub_(other: TensorLike, options?: binary.AlphaOptions): this { return this._inplace('sub_', (self) => binary.sub(self, other === this ? self : other, options)); }
  /** `this *= other` in place, as `torch.Tensor.mul_`. @example `x.mul_(0.5)` */
  mul_(other: TensorLike): this { return this._inplace('mul_', (self) => binary.mul(self, other === this ? self : other)); }
  /** `this /= other` in place, as `torch.Tensor.div_`. @example `x.div_(x.sum())` */
  div_(other: TensorLike): this { return this._inplace('div_', (self) => binary.div(self, other === this ? self : other)); }
  /** Clamp into `[min, max]` in place, as `torch.Tensor.clamp_`. @example `x.clamp_(0, 1)` */
  clamp_(min?: TensorLike | null, max?: TensorLike | null): this { return this._inplace('clamp_', (self) => unary.clamp(self, min, max)); }
  /** Fill with `value` where the bool `mask` is true, in place, as `torch.Tensor.masked_fill_`. @example `att.maskedFill_(mask, -Infinity)` */
  maskedFill_(mask: Tensor, value: TensorLike): this { return this._inplace('maskedFill_', (self) => more.maskedFill(self, mask, value === this ? self : value)); }
  /** Set every element to `value` in place, as `torch.Tensor.fill_`. @example `noGrad(() => b.fill_(0.1))` */
  fill_(value: TensorLike): this {
    if (typeof value !== 'number' && !(value instanceof Tensor && value.numel() === 1)) {
      throw new Error(`fill_: value must be a number or a one-element tensor, got ${value instanceof Tensor ? `a tensor of shape ${fmt(value.shape)}` : typeof value}`);
    }
    const v = value instanceof Tensor ? value.reshape([]) : value;
    // where(true, v, self): the values of v, zero gradient to the old values
    return this._inplace('fill_', (self) => compare.where(self._constant(1, [], 'bool'), v, self));
  }
  /** Set every element to zero in place, as `torch.Tensor.zero_`. @example `noGrad(() => w.zero_())` */
  zero_(): this { return this.fill_(0); }
  /** Refill with uniform numbers in `[from, to)` from the seeded generator, in place, as `torch.Tensor.uniform_`. @example `noGrad(() => w.uniform_(-0.1, 0.1))` */
  uniform_(from = 0, to = 1): this {
    if (typeof from !== 'number' || typeof to !== 'number' || !(from <= to)) throw new Error(`uniform_: expects from <= to, two numbers; got from=${String(from)}, to=${String(to)}`);
    return this._inplace('uniform_', (self) => {
      const b = self._backend();
      const u = new Tensor(new Storage(b, b.kernels.randomUniform(self.shape, nextSeed())), self.shape, 'float32');
      return compare.where(self._constant(1, [], 'bool'), u.mul(to - from).add(from), self);
    });
  }
  /** Refill with normal numbers of `mean` and `std` from the seeded generator, in place, as `torch.Tensor.normal_`. @example `noGrad(() => w.normal_(0, 0.02))` */
  normal_(mean = 0, std = 1): this {
    if (typeof mean !== 'number' || typeof std !== 'number' || !(std >= 0)) throw new Error(`normal_: expects a number mean and std >= 0; got mean=${String(mean)}, std=${String(std)}`);
    return this._inplace('normal_', (self) => {
      const b = self._backend();
      const n = new Tensor(new Storage(b, b.kernels.randomNormal(self.shape, nextSeed())), self.shape, 'float32');
      return compare.where(self._constant(1, [], 'bool'), n.mul(std).add(mean), self);
    });
  }
}

// `p.data` is PyTorch's way to reach a parameter's values; here `data()` is the async read. Make the
// PyTorch habits fail loudly instead of silently: `p.data + 1` and `p.data = ...` throw.
const dataMethod = Tensor.prototype.data;
Object.defineProperty(dataMethod, Symbol.toPrimitive, {
  value(): never {
    throw new Error('Tensor.data is a method here: `await t.data()` reads the values. For PyTorch\'s `p.data`, use `p.detach()` (a tensor sharing the values, outside the graph), and change values in place with noGrad(() => p.add_(1)) or p.copy_(...)');
  },
});
Object.defineProperty(Tensor.prototype, 'data', {
  configurable: true,
  get() {
    return dataMethod;
  },
  set() {
    throw new Error('Tensor.data cannot be assigned: `data()` is the async read here. To replace a tensor\'s values as PyTorch\'s `p.data = ...` does, use noGrad(() => p.copy_(newValues))');
  },
});

// backward's options, checked: only the known keys (a misspelled one would be silently ignored)
function checkBackwardOptions(options: unknown): BackwardOptions {
  if (!isOptions(options)) throw new Error(`backward: options must be an object like { retainGraph: true }, got ${describe(options)}`);
  checkOptions('backward', options, ['retainGraph', 'createGraph']);
  for (const key of ['retainGraph', 'createGraph'] as const) if (options[key] !== undefined) checkBool('backward', key, options[key]);
  return options as BackwardOptions;
}
