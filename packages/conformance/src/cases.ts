/** The PyTorch reference cases (fixtures/torch-cases.json): their types and the loader. */
import type { DType } from '@tensorgrad/core';
// bundled into the build, so the suite loads the same way in Node and in a browser page
import fixtures from '../fixtures/torch-cases.json';

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
