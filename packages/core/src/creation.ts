/** Creating tensors: from data, filled, ranges, and seeded random numbers. */
import { type DType, type Shape, type TypedArray, allocate, hash32, numel } from './backend';
import { constant, wrap } from './op';
import { rememberHost } from './hostcache';
import { getBackend } from './registry';
import { allocationError, checkSize, fmt } from './shape';
import type { Tensor } from './tensor';
import { checkBool, checkDType, checkOptions, describe, isOptions, shapeArgs } from './validate';

/** Nested arrays of numbers or booleans, as accepted by {@link tensor}. */
export type NestedData = number | boolean | readonly NestedData[];

/** Options of the creation functions. */
export interface CreateOptions {
  /** The element type; `'float32'` unless given (`tensor` infers bool from booleans). */
  dtype?: DType;
  /** Record ops on this leaf for autograd. */
  requiresGrad?: boolean;
}

/** Options of {@link tensor}. */
export interface TensorOptions extends CreateOptions {
  /** The shape of flat data (a plain or typed array). */
  shape?: readonly number[];
}

function checkShape(op: string, shape: readonly number[], dtype: DType = 'float32'): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${op}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  }
  checkSize(op, shape, dtype);
}

const CREATE_KEYS = ['dtype', 'requiresGrad'] as const;

/** The creation options checked: no unknown key, a known dtype, a boolean requiresGrad. */
function createOptions(op: string, options: unknown, keys: readonly string[] = CREATE_KEYS): CreateOptions & { shape?: readonly number[] } {
  if (options === undefined || options === null) return {};
  if (!isOptions(options)) throw new Error(`${op}: expected an options object { ${keys.join(', ')} } as the last argument, got ${describe(options)}`);
  checkOptions(op, options, keys);
  const o = options as CreateOptions & { shape?: readonly number[] };
  const dtype = checkDType(op, o.dtype);
  if (o.requiresGrad !== undefined) checkBool(op, 'requiresGrad', o.requiresGrad);
  return { ...o, dtype };
}

/** A shape given as one array or as sizes, then an optional options object (`zeros(2, 3, { dtype })`). */
function sizesAndOptions(op: string, args: readonly unknown[]): [number[], CreateOptions] {
  const list = args.slice();
  const options = list.length > 0 && (isOptions(list[list.length - 1]) || list[list.length - 1] === undefined) ? list.pop() : undefined;
  if (list.length === 0) throw new Error(`${op}: expected a shape (an array such as [2, 3], or the sizes as arguments), got nothing`);
  if (list.length > 1 && list.some((v) => typeof v !== 'number')) {
    throw new Error(`${op}: expected a shape as one array ([2, 3]) or as sizes (2, 3), then an optional options object; got ${list.map(describe).join(', ')}`);
  }
  const shape = shapeArgs(op, list);
  if (shape.some((d) => d < 0)) throw new Error(`${op}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  return [shape, createOptions(op, options)];
}

/** `make()`, with an engine's allocation failure rethrown naming the op and the shape. */
function allocating<T>(op: string, shape: Shape, dtype: DType, make: () => T): T {
  try {
    return make();
  } catch (e) {
    throw allocationError(op, shape, dtype, e);
  }
}

/** Throws where a value cannot be stored as int32 (NaN, ±Infinity, outside [-2^31, 2^31 - 1]), as PyTorch. */
function checkInt32(op: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= -2147483648 && v < 2147483648)) {
      throw new Error(`${op}: value ${v} (at flat index ${i}) is not an int32, which holds integers in [-2147483648, 2147483647]; use dtype 'float32'`);
    }
  }
}

function finish(t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t;
}

function fromValues(values: ArrayLike<number>, shape: Shape, dtype: DType, opts?: CreateOptions, op = 'tensor'): Tensor {
  checkSize(op, shape, dtype);
  if (dtype === 'int32' && !(values instanceof Int32Array)) checkInt32(op, values);
  return allocating(op, shape, dtype, () => fromChecked(values, shape, dtype, opts));
}

function fromChecked(values: ArrayLike<number>, shape: Shape, dtype: DType, opts?: CreateOptions): Tensor {
  const b = getBackend();
  const exact = dtype === 'float32' ? values instanceof Float32Array : dtype === 'int32' ? values instanceof Int32Array : false;
  let arr: TypedArray;
  if (exact) arr = values as TypedArray; // write copies
  else {
    arr = allocate(dtype, values.length);
    if (dtype === 'bool') for (let i = 0; i < values.length; i++) arr[i] = values[i] ? 1 : 0;
    else arr.set(values as ArrayLike<number>);
  }
  const t = wrap(b, b.write(arr, shape, dtype), shape, dtype);
  // small index and mask tensors keep their host values: indexing with them needs no device read
  if (dtype !== 'float32' && arr.length <= HOST_COPY_LIMIT) rememberHost(t, arr);
  return finish(t, opts);
}

// int32/bool tensors made from host data up to this many elements keep a host copy (hostcache.ts)
const HOST_COPY_LIMIT = 65536;

function flattenNested(op: string, data: NestedData): { values: number[]; shape: number[]; sawBool: boolean } {
  const shape: number[] = [];
  let probe: NestedData = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] as NestedData;
    if (probe === undefined) break;
  }
  const values: number[] = [];
  let sawBool = false;
  const walk = (v: NestedData, depth: number): void => {
    if (Array.isArray(v)) {
      if (depth >= shape.length || v.length !== shape[depth]) {
        throw new Error(`${op}: nested arrays are ragged: expected length ${shape[depth]} at depth ${depth}, got ${v.length}`);
      }
      for (const e of v) walk(e, depth + 1);
    } else {
      if (depth !== shape.length) throw new Error(`${op}: nested arrays are ragged at depth ${depth}`);
      if (typeof v === 'boolean') sawBool = true;
      else if (typeof v !== 'number') throw new Error(`${op}: elements must be numbers or booleans, got ${typeof v}`);
      values.push(Number(v));
    }
  };
  walk(data, 0);
  return { values, shape, sawBool };
}

/**
 * A tensor from a number, nested arrays, or a flat (typed) array with `shape`, as `torch.tensor`.
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]);
 * tensor(new Float32Array(6), { shape: [2, 3] });
 * tensor([0, 2, 1], { dtype: 'int32' });
 * tensor(3.5, { requiresGrad: true });
 * ```
 */
export function tensor(data: NestedData | TypedArray | readonly number[], options: TensorOptions = {}): Tensor {
  if (arguments.length > 2) throw new Error(`tensor: takes (data, options?), got ${arguments.length} arguments; pass the shape as { shape: [...] }`);
  options = createOptions('tensor', options, ['dtype', 'requiresGrad', 'shape']);
  const isTyped = ArrayBuffer.isView(data);
  if (!isTyped && typeof data !== 'number' && typeof data !== 'boolean' && !Array.isArray(data)) {
    throw new Error(`tensor: data must be a number, a boolean, nested arrays or a typed array, got ${describe(data)}`);
  }
  if (options.shape !== undefined) {
    checkShape('tensor', options.shape);
    const flat = isTyped ? (data as TypedArray) : typeof data === 'number' || typeof data === 'boolean' ? [Number(data)] : flattenNested('tensor', data as NestedData).values;
    if (flat.length !== numel(options.shape)) {
      throw new Error(`tensor: ${flat.length} values do not fill shape ${fmt(options.shape)} (${numel(options.shape)} elements)`);
    }
    const dtype = options.dtype ?? (data instanceof Int32Array ? 'int32' : data instanceof Uint8Array ? 'bool' : 'float32');
    return fromValues(flat, options.shape, dtype, options);
  }
  if (isTyped) {
    const arr = data as TypedArray;
    const dtype = options.dtype ?? (arr instanceof Int32Array ? 'int32' : arr instanceof Uint8Array ? 'bool' : 'float32');
    return fromValues(arr, [arr.length], dtype, options);
  }
  const { values, shape, sawBool } = flattenNested('tensor', data as NestedData);
  return fromValues(values, shape, options.dtype ?? (sawBool ? 'bool' : 'float32'), options);
}

/**
 * A tensor of `shape` filled with `value`, as `torch.full`.
 *
 * @example
 * ```ts
 * full([2, 2], 7);
 * ```
 */
export function full(shape: readonly number[], value: number | boolean, options: CreateOptions = {}): Tensor {
  if (!Array.isArray(shape)) throw new Error(`full: shape must be an array of sizes such as [2, 3] (torch.full takes a size tuple), got ${describe(shape)}`);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`full: fill value must be a number or a boolean, got ${describe(value)}`);
  if (arguments.length > 3) throw new Error(`full: takes (shape, value, options?), got ${arguments.length} arguments`);
  options = createOptions('full', options);
  const dtype = options.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  checkShape('full', shape, dtype);
  const v = Number(value);
  if (dtype === 'int32') checkInt32('full', [v]);
  return finish(allocating('full', shape, dtype, () => constant(getBackend(), v, shape, dtype)), options);
}

/**
 * Zeros of `shape`, as `torch.zeros`; the shape is one array or the sizes as arguments.
 *
 * @example
 * ```ts
 * zeros([2, 3]);
 * zeros(2, 3, { dtype: 'int32' });
 * ```
 */
export function zeros(shape: readonly number[], options?: CreateOptions): Tensor;
export function zeros(...sizesAndOptions: [...sizes: number[], options: CreateOptions] | number[]): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const [shape, options] = sizesAndOptions('zeros', args);
  return full(shape, 0, options);
}

/**
 * Ones of `shape`, as `torch.ones`; the shape is one array or the sizes as arguments.
 *
 * @example
 * ```ts
 * ones([2, 3]);
 * ones(3, 2);
 * ```
 */
export function ones(shape: readonly number[], options?: CreateOptions): Tensor;
export function ones(...sizesAndOptions: [...sizes: number[], options: CreateOptions] | number[]): Tensor;
export function ones(...args: unknown[]): Tensor {
  const [shape, options] = sizesAndOptions('ones', args);
  return full(shape, 1, options);
}

function like(op: string, t: Tensor, value: number, options: CreateOptions | undefined): Tensor {
  if (!isTensor(t)) throw new Error(`${op}: expected a Tensor whose shape and dtype to copy, got ${describe(t)}`);
  const o = createOptions(op, options);
  return full(t.shape as number[], value, { ...o, dtype: o.dtype ?? t.dtype });
}

function isTensor(t: unknown): t is Tensor {
  return t !== null && typeof t === 'object' && (t as { constructor?: { name?: string } }).constructor?.name === 'Tensor';
}

/** Zeros with the shape and dtype of `t`. @example `zerosLike(x)` */
export function zerosLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return like('zerosLike', t, 0, options);
}

/** Ones with the shape and dtype of `t`. @example `onesLike(x)` */
export function onesLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return like('onesLike', t, 1, options);
}

/**
 * Values from `start` up to (not including) `end` by `step`, as `torch.arange`;
 * `arange(n)` counts from 0. Integer arguments give int32 unless a dtype is given.
 *
 * @example
 * ```ts
 * arange(5);          // [0, 1, 2, 3, 4]
 * arange(1, 2, 0.25); // [1, 1.25, 1.5, 1.75]
 * ```
 */
export function arange(end: number, options?: CreateOptions): Tensor;
export function arange(start: number, end: number, options?: CreateOptions): Tensor;
export function arange(start: number, end?: number, step?: number, options?: CreateOptions): Tensor;
export function arange(...args: unknown[]): Tensor {
  const list = args.slice();
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
  const options = createOptions('arange', isOptions(list[list.length - 1]) ? list.pop() : undefined);
  if (list.length === 0 || list.length > 3) {
    throw new Error(`arange: takes (end), (start, end) or (start, end, step), then an optional options object; got ${args.map(describe).join(', ') || 'nothing'}`);
  }
  const [start, end, step = 1] = list as [number, number?, number?];
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  for (const [name, v] of [['start', lo], ['end', hi], ['step', step]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`arange: unsupported range: ${name} must be a finite number, got ${String(v)} (start ${lo}, end ${hi}, step ${step})`);
  }
  if (step === 0) throw new Error('arange: step must be nonzero');
  if ((hi - lo) / step < 0) throw new Error(`arange: upper bound and larger bound inconsistent with step sign (start ${lo}, end ${hi}, step ${step})`);
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  checkSize('arange', [n], options.dtype ?? 'float32');
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = lo + i * step;
  const ints = Number.isInteger(lo) && Number.isInteger(hi) && Number.isInteger(step);
  return fromValues(values, [n], options.dtype ?? (ints ? 'int32' : 'float32'), options, 'arange');
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive, as `torch.linspace`.
 *
 * @example
 * ```ts
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, end: number, steps: number, options: CreateOptions = {}): Tensor {
  if (arguments.length > 4) throw new Error(`linspace: takes (start, end, steps, options?), got ${arguments.length} arguments`);
  for (const [name, v] of [['start', start], ['end', end]] as const) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`linspace: ${name} must be a number, got ${describe(v)}`);
  }
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${describe(steps)}`);
  options = createOptions('linspace', options);
  checkSize('linspace', [steps], options.dtype ?? 'float32');
  const values = new Array<number>(steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) values[i] = i === steps - 1 && steps > 1 ? end : start + i * delta;
  return fromValues(values, [steps], options.dtype ?? 'float32', options, 'linspace');
}

/**
 * The `n × m` identity matrix (ones on the diagonal), as `torch.eye`.
 *
 * @example
 * ```ts
 * eye(3); eye(2, 3);
 * ```
 */
export function eye(n: number, options?: CreateOptions): Tensor;
export function eye(n: number, m?: number, options?: CreateOptions): Tensor;
export function eye(n: number, mOrOptions?: number | CreateOptions, maybeOptions?: CreateOptions): Tensor {
  if (arguments.length > 3) throw new Error(`eye: takes (n, m?, options?), got ${arguments.length} arguments`);
  const optionsGiven = isOptions(mOrOptions);
  if (optionsGiven && maybeOptions !== undefined) throw new Error(`eye: takes (n, m?, options?); got an options object then ${describe(maybeOptions)}`);
  const options = createOptions('eye', optionsGiven ? mOrOptions : maybeOptions);
  const m = optionsGiven || mOrOptions === undefined ? n : (mOrOptions as number);
  for (const [name, v] of [['n', n], ['m', m]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`eye: ${name} must be an integer, got ${describe(v)}`);
    if (v < 0) throw new Error(`eye: ${name} must be greater or equal to 0, got ${v}`);
  }
  checkSize('eye', [n, m], options.dtype ?? 'float32');
  const values = new Array<number>(n * m).fill(0);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return fromValues(values, [n, m], options.dtype ?? 'float32', options, 'eye');
}

// ---- seeded random numbers

let seedState = (Math.random() * 2 ** 32) >>> 0;
let draws = 0;

/**
 * Seed the random generator, as `torch.manual_seed`: afterwards `rand`, `randn`, dropout and
 * initialisation give the same numbers on every backend.
 *
 * @example
 * ```ts
 * manualSeed(42); const a = randn([3]);
 * manualSeed(42); const b = randn([3]); // same values as a
 * ```
 */
export function manualSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new Error(`manualSeed: seed must be a finite number, got ${describe(seed)}`);
  seedState = seed >>> 0;
  draws = 0;
}

/** The seed for the next random kernel: one 32-bit draw from the generator's stream. */
export function nextSeed(): number {
  return hash32(seedState, draws++);
}

function randomArgs(op: string, args: readonly unknown[]): [number[], CreateOptions] {
  const [shape, options] = sizesAndOptions(op, args);
  if (options.dtype !== undefined && options.dtype !== 'float32') {
    throw new Error(`${op}: dtype '${options.dtype}' is not supported: ${op} makes float32 numbers; convert the result with .to('${options.dtype}')${op === 'rand' ? " or use randint for integers" : ''}`);
  }
  checkShape(op, shape);
  return [shape, options];
}

/**
 * Uniform numbers in [0, 1) of `shape`, as `torch.rand`; the shape is one array or the sizes as arguments.
 *
 * @example
 * ```ts
 * rand([2, 3]);
 * rand(2, 3, { requiresGrad: true });
 * ```
 */
export function rand(shape: readonly number[], options?: CreateOptions): Tensor;
export function rand(...sizesAndOptions: [...sizes: number[], options: CreateOptions] | number[]): Tensor;
export function rand(...args: unknown[]): Tensor {
  const [shape, options] = randomArgs('rand', args);
  const b = getBackend();
  return finish(allocating('rand', shape, 'float32', () => wrap(b, b.kernels.randomUniform(shape, nextSeed()), shape, 'float32')), options);
}

/**
 * Standard normal numbers of `shape`, as `torch.randn`; the shape is one array or the sizes as arguments.
 *
 * @example
 * ```ts
 * randn([2, 3]);
 * randn(2, 3);
 * ```
 */
export function randn(shape: readonly number[], options?: CreateOptions): Tensor;
export function randn(...sizesAndOptions: [...sizes: number[], options: CreateOptions] | number[]): Tensor;
export function randn(...args: unknown[]): Tensor {
  const [shape, options] = randomArgs('randn', args);
  const b = getBackend();
  return finish(allocating('randn', shape, 'float32', () => wrap(b, b.kernels.randomNormal(shape, nextSeed()), shape, 'float32')), options);
}
