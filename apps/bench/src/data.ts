/**
 * Inputs every system gets alike: the same pseudo-random values (a seeded xorshift), so that data-
 * dependent speed (branches on the sign, `exp` of large values) is the same for everyone.
 */

/** `n` floats uniform in `[lo, hi)` from `seed`. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 0x9e3779b1) >>> 0 || 1;
  const scale = (hi - lo) / 4294967296;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + (s >>> 0) * scale;
  }
  return out;
}

/** Class labels 0..9 of a batch, the same for every system. */
export function labels(batch: number): Int32Array {
  return Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10);
}

/** The 784-256-128-10 MLP's layer sizes. */
export const MLP_SIZES = [784, 256, 128, 10] as const;

/** Learning rates: plain SGD for the MLP (as in the issue), SGD with momentum 0.9 for the CNN (as the trainer's default). */
export const MLP_LR = 0.01;
export const CNN_LR = 0.05;
export const CNN_MOMENTUM = 0.9;

/**
 * `n` token ids in `[0, vocab)`: the floor of float32 uniforms in `[0, vocab)` from `seed` (the
 * same ids as `tokens` in ../torch/tgdata.py).
 *
 * @example
 * ```ts
 * tokens(12 * 65, 41, 65); // a GPT batch's ids
 * ```
 */
export function tokens(n: number, seed: number, vocab: number): Int32Array {
  return Int32Array.from(uniform(n, seed, 0, vocab), (v) => Math.min(vocab - 1, Math.floor(v)));
}

/**
 * 32-bit FNV-1a of a string's UTF-16 code units.
 *
 * @example
 * ```ts
 * fnv1a('a'); // 0xe40c292c
 * ```
 */
export function fnv1a(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/**
 * The seed of parameter `name` of the model `key`: it depends on the names only, not on the order
 * in which a library lists its parameters.
 *
 * @example
 * ```ts
 * uniform(784 * 256, paramSeed('mlp', '0.weight'), -1 / 28, 1 / 28);
 * ```
 */
export function paramSeed(key: string, name: string): number {
  return (fnv1a(`${key}/${name}`) % 999983) + 1;
}

/**
 * How the models of the PyTorch comparison are initialised, the same in every library:
 * `'fan-in'`: every matrix or kernel uniform in ±1/√(fan-in) (fan-in: the product of all but the
 * first dimension, PyTorch's layout), every bias with its weight's bound; `gpt`: nanoGPT's
 * scheme, vectors (the layer-norm gains) ones and matrices uniform with std 0.02 (the residual
 * projections `c_proj.weight` 0.02/√(2·nLayer)), i.e. bound std·√3.
 */
export type InitScheme = 'fan-in' | { readonly kind: 'gpt'; readonly nLayer: number };

/** One parameter's initialisation: uniform in ±bound, or all ones. */
export type Init = { readonly kind: 'uniform'; readonly bound: number } | { readonly kind: 'ones' };

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * Each parameter's initialisation under `scheme`, for `[name, shape]` pairs in PyTorch's names
 * and layouts (`[out, in]` weights).
 *
 * @example
 * ```ts
 * initBounds('fan-in', [['fc.weight', [10, 100]], ['fc.bias', [10]]]); // bounds 0.1 and 0.1
 * ```
 */
export function initBounds(scheme: InitScheme, params: readonly (readonly [string, readonly number[]])[]): Init[] {
  const shapes = new Map(params.map(([n, s]) => [n, s]));
  return params.map(([name, shape]): Init => {
    if (scheme !== 'fan-in') {
      if (shape.length < 2) return { kind: 'ones' };
      const std = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * scheme.nLayer) : 0.02;
      return { kind: 'uniform', bound: std * Math.sqrt(3) };
    }
    if (shape.length >= 2) return { kind: 'uniform', bound: 1 / Math.sqrt(prod(shape.slice(1))) };
    const dot = name.lastIndexOf('.');
    const last = name.slice(dot + 1);
    if (!last.startsWith('bias')) throw new Error(`fan-in init: no rule for the vector ${name}`);
    const weight = `${name.slice(0, dot + 1)}weight${last.slice(4)}`;
    const w = shapes.get(weight);
    if (w === undefined) throw new Error(`fan-in init: ${name} has no ${weight}`);
    return { kind: 'uniform', bound: 1 / Math.sqrt(prod(w.slice(1))) };
  });
}

/**
 * Each parameter's initial values: {@link initBounds}, drawn with {@link uniform} from
 * {@link paramSeed}`(key, name)`; ../torch/tgdata.py's `init_values` gives the same floats.
 *
 * @example
 * ```ts
 * const [w, b] = initValues('fan-in', 'mlp', [['0.weight', [256, 784]], ['0.bias', [256]]]);
 * ```
 */
export function initValues(scheme: InitScheme, key: string, params: readonly (readonly [string, readonly number[]])[]): Float32Array[] {
  const inits = initBounds(scheme, params);
  return params.map(([name, shape], i) => {
    const init = inits[i]!;
    return init.kind === 'ones' ? new Float32Array(prod(shape)).fill(1) : uniform(prod(shape), paramSeed(key, name), -init.bound, init.bound);
  });
}
