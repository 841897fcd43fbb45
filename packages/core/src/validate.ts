/**
 * Checks for JavaScript callers, who have no type checker: unknown option keys, wrong argument
 * kinds, unknown dtypes and PyTorch's variadic shape arguments. Each throws an Error naming the op,
 * what was given and what is accepted.
 */
import type { DType } from './backend';
import { Tensor } from './tensor';

/** The dtypes tensorgrad stores. */
export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** `value` as written in an error message: short, and readable for objects, arrays and functions. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    if (name === 'Tensor') {
      const t = value as { shape: readonly number[]; dtype: string };
      return `a ${t.dtype} Tensor of shape [${t.shape.join(',')}]`;
    }
    if (Array.isArray(value)) {
      const s = JSON.stringify(value);
      return s && s.length <= 60 ? s : `an array of length ${value.length}`;
    }
    try {
      const s = JSON.stringify(value);
      if (s && s.length <= 60) return s;
    } catch {
      // cyclic: fall through to the class name
    }
    return `an object${name && name !== 'Object' ? ` (${name})` : ''}`;
  }
  return String(value);
}

/**
 * Throws when `options` is not a plain object (or undefined/null), or has a key outside
 * `allowed`, naming the op, the key and the accepted keys.
 *
 * @example
 * ```ts
 * checkOptions('crossEntropy', { ignoreIndx: 1 }, ['reduction', 'ignoreIndex', 'labelSmoothing']);
 * // Error: crossEntropy: unknown option 'ignoreIndx'; accepted options: reduction, ignoreIndex, labelSmoothing
 * ```
 */
export function checkOptions(op: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options) || isTensorLike(options)) {
    throw new Error(`${op}: expected an options object { ${allowed.join(', ')} }, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const hint = closest(key, allowed);
      throw new Error(
        `${op}: unknown option '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; accepted options: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`,
      );
    }
  }
}

// instanceof, not the constructor's name: a bundler may rename the class (`_Tensor`)
function isTensorLike(v: object): boolean {
  return v instanceof Tensor;
}

// the accepted key a typo most likely meant (edit distance ≤ 2), for the error message
function closest(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * `dtype` checked against tensorgrad's dtypes: `'float64'`, `'int64'` and anything else throw,
 * naming the op and the accepted ones (`undefined` passes through).
 *
 * @example
 * ```ts
 * checkDType('tensor', 'float64'); // Error: tensor: dtype "float64" is not supported: use 'float32', 'int32' or 'bool' …
 * ```
 */
export function checkDType(op: string, dtype: unknown): DType | undefined {
  if (dtype === undefined) return undefined;
  if (typeof dtype === 'string' && (DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  const hint =
    dtype === 'float64' || dtype === 'double' || dtype === 'float16' || dtype === 'bfloat16'
      ? "; use 'float32'"
      : dtype === 'int64' || dtype === 'long' || dtype === 'int16' || dtype === 'int8' || dtype === 'uint8'
        ? "; use 'int32' for indices and targets"
        : '';
  throw new Error(`${op}: dtype ${describe(dtype)} is not supported: use ${DTYPES.slice(0, -1).map((d) => `'${d}'`).join(', ')} or '${DTYPES[DTYPES.length - 1]}' (tensorgrad's dtypes)${hint}`);
}

/**
 * A shape given PyTorch's two ways: one array (`[2, 3]`) or the sizes as arguments (`2, 3`).
 * Every entry must be an integer (`-1` allowed where `allowInfer`).
 *
 * @example
 * ```ts
 * shapeArgs('view', [2, 3]);   // [2, 3]
 * shapeArgs('view', [[2, 3]]); // [2, 3]
 * ```
 */
export function shapeArgs(op: string, args: readonly unknown[], what = 'shape'): number[] {
  const list = args.length === 1 && (Array.isArray(args[0]) || ArrayBuffer.isView(args[0])) ? Array.from(args[0] as ArrayLike<unknown>) : args;
  if (args.length === 0) throw new Error(`${op}: expected a ${what} (an array such as [2, 3], or the sizes as arguments), got nothing`);
  for (const d of list) {
    if (typeof d !== 'number' || !Number.isInteger(d)) {
      throw new Error(`${op}: ${what} must be integers, given as one array ([2, 3]) or as arguments (2, 3); got ${describe(args.length === 1 ? args[0] : args)}`);
    }
  }
  return list as number[];
}

/**
 * Throws unless `value` is an integer (optionally within `[min, ∞)`), naming the op and the argument; returns it.
 *
 * @example
 * ```ts
 * checkInt('cpuBackend', 'poolBytes', -1, 0);
 * // Error: cpuBackend: poolBytes must be a non-negative integer, got -1
 * ```
 */
export function checkInt(op: string, name: string, value: unknown, min = Number.NEGATIVE_INFINITY): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const want = min === Number.NEGATIVE_INFINITY ? 'an integer' : min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    throw new Error(`${op}: ${name} must be ${want}, got ${describe(value)}`);
  }
  return value;
}

/** Throws unless `value` is a finite or infinite number (not NaN unless allowed), naming the op and argument. */
export function checkNumber(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${op}: ${name} must be a number, got ${describe(value)}`);
  return value;
}

/**
 * Throws unless `value` is a boolean, naming the op and argument; returns it.
 *
 * @example
 * ```ts
 * const wasm = checkBool('cpuBackend', 'wasm', options.wasm ?? true); // 'no': Error: cpuBackend: wasm must be true or false, got "no"
 * ```
 */
export function checkBool(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Error(`${op}: ${name} must be true or false, got ${describe(value)}`);
  return value;
}

/** Throws when more arguments were passed than `op` takes (`args` is the function's `arguments` length). */
export function checkArity(op: string, given: number, max: number, signature: string): void {
  if (given > max) throw new Error(`${op}: takes at most ${max} argument${max === 1 ? '' : 's'} (${signature}), got ${given}`);
}

/**
 * Whether `value` is an options object: a plain object, not null, an array, a typed array or a Tensor.
 *
 * @example
 * ```ts
 * isOptions({ dtype: 'int32' }); // true
 * isOptions([2, 3]);             // false
 * ```
 */
export function isOptions(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !isTensorLike(value as object)
  );
}

/**
 * PyTorch's positional arguments after the required ones, with an optional options object as the
 * last argument, merged into one options object: `args[i]` is option `names[i]`. Throws when more
 * arguments are given than `names`, when an option is given both ways, or (through
 * {@link checkOptions}) on an unknown option key; `extraKeys` are options with no positional slot.
 * Trailing `undefined`s count as absent. The kinds of the values are the caller's to check.
 *
 * @example
 * ```ts
 * positionalOptions('Linear', [false], ['bias']);              // { bias: false }
 * positionalOptions('Conv2d', [2, { padding: 1 }], ['stride', 'padding']); // { stride: 2, padding: 1 }
 * ```
 */
export function positionalOptions(op: string, args: readonly unknown[], names: readonly string[], extraKeys: readonly string[] = []): Record<string, unknown> {
  const list = args.slice();
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
  const allowed = [...names, ...extraKeys];
  const last = list[list.length - 1];
  const options = isOptions(last) ? (list.pop() as Record<string, unknown>) : {};
  if (list.length > 0 && names.length === 0) {
    throw new Error(`${op}: takes no positional arguments${allowed.length > 0 ? `, only an options object { ${allowed.join(', ')} }` : ''}; got ${list.map(describe).join(', ')}`);
  }
  if (list.length > names.length) {
    const extra = list[names.length];
    throw new Error(
      `${op}: takes at most ${names.length} positional argument${names.length === 1 ? '' : 's'} after the required ones${names.length > 0 ? ` (${names.join(', ')})` : ''}, then an options object { ${allowed.join(', ')} }; got ${list.length} (${describe(extra)} at position ${names.length + 1})`,
    );
  }
  checkOptions(op, options, allowed);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  list.forEach((v, i) => {
    if (v === undefined) return;
    const name = names[i]!;
    if (out[name] !== undefined) throw new Error(`${op}: '${name}' given twice, as argument ${i + 1} (${describe(v)}) and as an option (${describe(out[name])}); give it once`);
    out[name] = v;
  });
  return out;
}

/**
 * `[a, a]` for an integer `a`, or the pair itself (`[h, w]`), each entry an integer ≥ `min`;
 * throws naming the op and the argument otherwise.
 *
 * @example
 * ```ts
 * checkPair('Conv2d', 'stride', 2, 1);      // [2, 2]
 * checkPair('Conv2d', 'stride', [2, 1], 1); // [2, 1]
 * ```
 */
export function checkPair(op: string, name: string, value: unknown, min = 0): [number, number] {
  const p = typeof value === 'number' ? [value, value] : Array.isArray(value) ? (value as unknown[]) : null;
  if (!p || p.length !== 2 || p.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < min)) {
    throw new Error(`${op}: ${name} must be an integer >= ${min} or a pair [h, w] of them, got ${describe(value)}`);
  }
  return [p[0] as number, p[1] as number];
}

/** Throws unless `value` is one of `choices` (strings compared exactly), naming the op, the argument and the choices. */
export function checkChoice<T extends string>(op: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new Error(`${op}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}
