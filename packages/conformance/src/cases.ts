/** The PyTorch reference cases (fixtures/torch-cases.json): their types and the loader. */
import { readFileSync } from 'node:fs';
import type { DType } from '@tensorgrad/core';

/** A tensor as the fixtures write it: row-major `data`, `shape: []` for a scalar. */
export interface CaseTensor {
  readonly shape: number[];
  readonly data: (number | boolean)[];
  /** Absent for float tensors. */
  readonly dtype?: Exclude<DType, 'float32'>;
}

/** One op evaluated by PyTorch: forward output and the gradients of `sum(output * upstream)`. */
export interface TorchCase {
  readonly name: string;
  /** PyTorch's function name (`torch.<op>` or `torch.nn.functional.<op>`). */
  readonly op: string;
  /** PyTorch's keyword arguments, snake_case. */
  readonly attrs: Record<string, unknown>;
  readonly inputs: CaseTensor[];
  readonly output: CaseTensor;
  /** Null where the op has no gradient (argmax). */
  readonly upstream: CaseTensor | null;
  /** `grads[i]` for float inputs, null for int32/bool inputs; null altogether without upstream. */
  readonly grads: (CaseTensor | null)[] | null;
}

/** The micrograd-style programs, MLP, optimizers, clipping and the seed example. */
export interface TorchPrograms {
  readonly scalar_sanity: { x: number; y: number; x_grad: number; program: string };
  readonly scalar_more_ops: { a: number; b: number; g: number; a_grad: number; b_grad: number; program: string };
  readonly mlp_relu_ce: {
    x: CaseTensor;
    target: CaseTensor;
    params: Record<'W1' | 'b1' | 'W2' | 'b2', CaseTensor>;
    loss: number;
    grads: Record<'W1' | 'b1' | 'W2' | 'b2', CaseTensor>;
    program: string;
  };
  readonly optimizers: {
    optimizer: string;
    options: Record<string, number | boolean | number[]>;
    A: CaseTensor;
    y: CaseTensor;
    w0: CaseTensor;
    losses: number[];
    trajectory: number[][];
    program: string;
  }[];
  readonly clip_grad_norm: { grads: CaseTensor[]; max_norm: number; total_norm: number; clipped: CaseTensor[] };
  readonly linear_regression_seed: {
    weight0: number;
    bias0: number;
    x: CaseTensor;
    y: CaseTensor;
    lr: number;
    max_norm: number;
    epochs: number;
    losses: number[];
    weight: number;
    bias: number;
  };
}

/** The whole fixture file. */
export interface TorchFixtures {
  readonly generator: string;
  readonly cases: TorchCase[];
  readonly programs: TorchPrograms;
}

let cached: TorchFixtures | null = null;

/**
 * The PyTorch reference cases shipped in this package's `fixtures/` (read once, then cached).
 * Works from `src/` under vitest and from `dist/` after the build: both sit beside `fixtures/`.
 *
 * @example
 * ```ts
 * const { cases } = loadTorchCases();
 * cases.length; // 135
 * ```
 */
export function loadTorchCases(): TorchFixtures {
  if (!cached) {
    const url = new URL('../fixtures/torch-cases.json', import.meta.url);
    cached = JSON.parse(readFileSync(url, 'utf8')) as TorchFixtures;
  }
  return cached;
}
