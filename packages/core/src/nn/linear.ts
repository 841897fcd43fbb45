/** Fully connected layers. */
import * as F from '../functional/index';
import type { Tensor } from '../tensor';
import { checkBool, describe, positionalOptions } from '../validate';
import { kaimingBound, uniform } from './init';
import { Module } from './module';
import { Parameter } from './parameter';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * `y = x Wᵀ + b`, as `torch.nn.Linear(in, out, bias = true)`. The weight `[out, in]` and bias
 * `[out]` start uniform in `±1/√in`, PyTorch's Kaiming-uniform default. `bias` may be given
 * positionally, as in PyTorch, or as `{ bias }`.
 *
 * @example
 * ```ts
 * const fc = new nn.Linear(784, 10);
 * fc.forward(randn([32, 784])).shape; // [32, 10]
 * new nn.Linear(3, 5, false).bias;    // null
 * ```
 */
export class Linear extends Module {
  /** Size of each input vector. */
  readonly inFeatures: number;
  /** Size of each output vector. */
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]`. */
  weight: Tensor;
  /** `[outFeatures]`; null with `bias: false`. */
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options?: LinearOptions);
  constructor(inFeatures: number, outFeatures: number, bias: boolean, options?: LinearOptions);
  constructor(inFeatures: number, outFeatures: number, ...rest: unknown[]) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    const o = positionalOptions('Linear', rest, ['bias']) as LinearOptions;
    const bias = checkBool('Linear', 'bias', o.bias ?? true);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = kaimingBound(inFeatures);
    this.weight = Parameter(uniform([outFeatures, inFeatures], bound));
    this.bias = bias ? Parameter(uniform([outFeatures], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Throw unless `value` is a non-negative integer (a layer size). */
export function checkSize(layer: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${layer}: ${name} must be a non-negative integer, got ${describe(value)}`);
}
