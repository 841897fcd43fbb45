/** The PyTorch reference cases (fixtures/torch-cases.json and torch-cases-2.json): their types and the loaders. */
import type { DType } from '@tensorgrad/core';
// bundled into the build, so the suite loads the same way in Node and in a browser page
import fixtures from '../fixtures/torch-cases.json';
import fixtures2 from '../fixtures/torch-cases-2.json';

/** A tensor as the fixtures write it: row-major `data`, `shape: []` for a scalar. */
export interface CaseTensor {
  /** Dimensions; `[]` for a scalar. */
  readonly shape: number[];
  /** Elements, flattened row-major. */
  readonly data: (number | boolean)[];
  /** Absent for float tensors. */
  readonly dtype?: Exclude<DType, 'float32'>;
}

/** One op evaluated by PyTorch: forward output and the gradients of `sum(output * upstream)`. */
export interface TorchCase {
  /** `op/shapes`, unique across the file (e.g. `add/3x4+4`). */
  readonly name: string;
  /** PyTorch's function name (`torch.<op>` or `torch.nn.functional.<op>`). */
  readonly op: string;
  /** PyTorch's keyword arguments, snake_case. */
  readonly attrs: Record<string, unknown>;
  /** The op's positional tensor arguments, in order. */
  readonly inputs: CaseTensor[];
  /** PyTorch's forward result. */
  readonly output: CaseTensor;
  /** Null where the op has no gradient (argmax). */
  readonly upstream: CaseTensor | null;
  /** `grads[i]` for float inputs, null for int32/bool inputs; null altogether without upstream. */
  readonly grads: (CaseTensor | null)[] | null;
}

/** The micrograd-style programs, MLP, optimizers, clipping and the seed example. */
export interface TorchPrograms {
  /** micrograd's first scalar test: `y` and `dy/dx` at `x`. */
  readonly scalar_sanity: {
    /** The input. */
    x: number;
    /** The output. */
    y: number;
    /** `dy/dx`. */
    x_grad: number;
    /** The expression, in micrograd's notation. */
    program: string;
  };
  /** micrograd's second scalar test: `g` and its gradients at `a`, `b`. */
  readonly scalar_more_ops: {
    /** The first input. */
    a: number;
    /** The second input. */
    b: number;
    /** The output. */
    g: number;
    /** `dg/da`. */
    a_grad: number;
    /** `dg/db`. */
    b_grad: number;
    /** The expression, in micrograd's notation. */
    program: string;
  };
  /** A two-layer ReLU MLP under cross-entropy: the loss and the parameter gradients. */
  readonly mlp_relu_ce: {
    /** The input batch, `[batch, features]`. */
    x: CaseTensor;
    /** Class indices (int32), `[batch]`. */
    target: CaseTensor;
    /** The weights and biases of both layers. */
    params: Record<'W1' | 'b1' | 'W2' | 'b2', CaseTensor>;
    /** The mean cross-entropy. */
    loss: number;
    /** `d loss / d param` for each parameter. */
    grads: Record<'W1' | 'b1' | 'W2' | 'b2', CaseTensor>;
    /** The expression. */
    program: string;
  };
  /** Six steps of each optimizer on `mean((A @ w - y) ** 2)`. */
  readonly optimizers: {
    /** The `torch.optim` class name (`SGD`, `Adam`...). */
    optimizer: string;
    /** The constructor's keyword arguments, snake_case. */
    options: Record<string, number | boolean | number[]>;
    /** The design matrix, `[rows, 3]`. */
    A: CaseTensor;
    /** The targets, `[rows]`. */
    y: CaseTensor;
    /** `w` before the first step. */
    w0: CaseTensor;
    /** The loss before each step. */
    losses: number[];
    /** `w` after each step. */
    trajectory: number[][];
    /** The loop, in words. */
    program: string;
  }[];
  /** `clip_grad_norm_` on two gradients. */
  readonly clip_grad_norm: {
    /** The gradients before clipping. */
    grads: CaseTensor[];
    /** The `max_norm` argument. */
    max_norm: number;
    /** The returned total 2-norm, before clipping. */
    total_norm: number;
    /** The gradients after clipping. */
    clipped: CaseTensor[];
  };
  /** The seed example: Linear(1,1), SGD, MSE, clipping, trained for `epochs`. */
  readonly linear_regression_seed: {
    /** The initial weight. */
    weight0: number;
    /** The initial bias. */
    bias0: number;
    /** The inputs, `[4, 1]`. */
    x: CaseTensor;
    /** The targets, `[4, 1]`. */
    y: CaseTensor;
    /** SGD's learning rate. */
    lr: number;
    /** The gradient clipping norm. */
    max_norm: number;
    /** The number of training steps. */
    epochs: number;
    /** Every epoch's loss, before its step. */
    losses: number[];
    /** The final weight. */
    weight: number;
    /** The final bias. */
    bias: number;
  };
}

/** The whole fixture file. */
export interface TorchFixtures {
  /** The PyTorch version, dtype and seed that computed the file. */
  readonly generator: string;
  /** The per-op cases. */
  readonly cases: TorchCase[];
  /** The whole-program cases. */
  readonly programs: TorchPrograms;
}

/**
 * The PyTorch reference cases shipped in this package's `fixtures/` (bundled into the build,
 * so they load in Node and in a browser page alike).
 *
 * @example
 * ```ts
 * const { cases } = loadTorchCases();
 * cases.length; // 135
 * ```
 */
export function loadTorchCases(): TorchFixtures {
  return fixtures as unknown as TorchFixtures;
}

// ---- torch-cases-2.json (API.md Part 2)

/**
 * One op case of torch-cases-2.json (every `op` but `'module'`): a forward result (one `output`, or
 * several `outputs`), the gradients of `sum_j sum(outputs[j] * upstreams[j])`, or the error the call
 * must throw.
 *
 * @example
 * ```ts
 * const c = loadTorchCases2().cases.find((c): c is TorchOpCase2 => c.op === 'sort')!;
 * c.outputs!.length; // 2: values and indices
 * ```
 */
export interface TorchOpCase2 {
  /** Unique across the file (e.g. `index/[:,1:3]/3x5`). */
  readonly name: string;
  /** PyTorch's function or method name (`index_put`, `scaled_dot_product_attention`, `size_d`...). */
  readonly op: string;
  /**
   * PyTorch's keyword arguments, snake_case. `{ tensor: k }` anywhere in them is `inputs[k]`
   * (`null` there is an absent tensor), `p: 'inf'` is Infinity, `extra_options` are merged into
   * the options object of the tensorgrad call, and `index` is an {@link IndexEntry} list.
   */
  readonly attrs: Record<string, unknown>;
  /** The op's tensor arguments, in order (and those `attrs` refer to). */
  readonly inputs: CaseTensor[];
  /** The single forward result (absent where the case has `outputs` or `throws`). */
  readonly output?: CaseTensor;
  /** Several results (`split`, `chunk`, `sort`, `topk`, `batch_norm` in training mode), in order. */
  readonly outputs?: CaseTensor[];
  /** The weight of `output` (null: no gradient, e.g. `argsort`). */
  readonly upstream?: CaseTensor | null;
  /** One weight per entry of `outputs`; null where that output carries no gradient. */
  readonly upstreams?: (CaseTensor | null)[];
  /** `grads[i]` is the gradient of input `i`; null for int32/bool and constant float inputs. */
  readonly grads?: (CaseTensor | null)[];
  /** In place of outputs: the call must throw an Error whose message contains each string (case-insensitive). */
  readonly throws?: string[];
  /** `'API.md'` where the refusal is tensorgrad's rule rather than PyTorch's (an unknown dtype, a float mask). */
  readonly reference?: string;
  /** True for the few cases that use only Part 1's API. */
  readonly baseline?: boolean;
}

/**
 * An entry of an `index`/`index_put` case's `attrs.index`: a number, `null` for `:`,
 * `{ slice: [start, end, step] }` (null parts omitted), `'...'`, or `{ tensor: k }` (an input).
 *
 * @example
 * ```ts
 * const entries: IndexEntry[] = [null, { slice: [null, null, 2] }]; // x[:, ::2]
 * ```
 */
export type IndexEntry =
  | number
  | null
  | '...'
  | {
      /** `[start, end, step]` of Python's slice, `null` for an omitted part. */
      readonly slice: readonly [number | null, number | null, number | null];
    }
  | {
      /** The position in `inputs` of an int32 or bool index tensor. */
      readonly tensor: number;
    };

/**
 * One `nn` module case of torch-cases-2.json (`op: 'module'`): a module built from `args` and
 * `options`, loaded with `state`, called on `forward`, with the outputs and gradients PyTorch gave.
 *
 * @example
 * ```ts
 * const m = loadTorchCases2().cases.find((c): c is TorchModuleCase => c.op === 'module')!;
 * m.module; // 'LSTM'
 * ```
 */
export interface TorchModuleCase {
  /** Unique across the file (e.g. `LSTM/2layer/seq_first`). */
  readonly name: string;
  /** Always `'module'`. */
  readonly op: 'module';
  /** Empty for module cases. */
  readonly attrs: Record<string, unknown>;
  /** The `nn` class name (`LSTM`, `BatchNorm2d`...). */
  readonly module: string;
  /** The constructor's positional arguments. */
  readonly args: unknown[];
  /** The constructor's options object (API.md's camelCase). */
  readonly options: Record<string, unknown>;
  /** `train` or `eval` (absent in error cases). */
  readonly mode?: 'train' | 'eval';
  /** PyTorch state-dict keys → tensors, loaded with `loadStateDict`. */
  readonly state?: Record<string, CaseTensor>;
  /** The module's forward inputs. */
  readonly inputs: CaseTensor[];
  /** `forward`'s arguments: `{ input: k }` is `inputs[k]`, an array a JS array, any other object an options object. */
  readonly forward?: unknown[];
  /** The shape of what `forward` returns, numbers indexing `outputs` (`[0, [1, 2]]` for LSTM). */
  readonly returns?: unknown;
  /** The results, flattened in the order of `returns`. */
  readonly outputs?: CaseTensor[];
  /** One weight per output; null where it carries no gradient. */
  readonly upstreams?: (CaseTensor | null)[];
  /** The gradient of each input (null for int32/bool inputs). */
  readonly grads?: (CaseTensor | null)[];
  /** The gradient of every parameter, named as `namedParameters()` names them. */
  readonly paramGrads?: Record<string, CaseTensor>;
  /** BatchNorm's buffers after the call. */
  readonly buffersAfter?: Record<string, CaseTensor>;
  /** In place of outputs: the constructor or call must throw an Error containing each string. */
  readonly throws?: string[];
  /** True for the few cases that use only Part 1's API. */
  readonly baseline?: boolean;
}

/**
 * A case of torch-cases-2.json: an op case or a module case (tell them apart by `op === 'module'`).
 *
 * @example
 * ```ts
 * const ops = loadTorchCases2().cases.filter((c): c is TorchOpCase2 => c.op !== 'module');
 * ```
 */
export type TorchCase2 = TorchOpCase2 | TorchModuleCase;

/**
 * The whole of torch-cases-2.json.
 *
 * @example
 * ```ts
 * const { generator, cases }: TorchFixtures2 = loadTorchCases2();
 * ```
 */
export interface TorchFixtures2 {
  /** The PyTorch version, dtype and seed that computed the file. */
  readonly generator: string;
  /** Which part of API.md the file checks (2). */
  readonly part: number;
  /** The op and module cases. */
  readonly cases: TorchCase2[];
}

/**
 * The second file of PyTorch reference cases (API.md Part 2: indexing, the new ops and
 * functions, `nn` modules), shipped in this package's `fixtures/` and bundled into the build
 * like the first.
 *
 * @example
 * ```ts
 * const { cases } = loadTorchCases2();
 * cases.length; // 236
 * cases.filter((c) => c.op === 'module').length; // 43
 * ```
 */
export function loadTorchCases2(): TorchFixtures2 {
  return fixtures2 as unknown as TorchFixtures2;
}

/**
 * Whether a case of torch-cases-2.json is a module case.
 *
 * @example
 * ```ts
 * const modules = loadTorchCases2().cases.filter(isModuleCase);
 * ```
 */
export function isModuleCase(c: TorchCase2): c is TorchModuleCase {
  return c.op === 'module';
}
