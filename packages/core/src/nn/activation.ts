/** Activation layers: stateless modules around the functions in `functional`. */
import * as F from '../functional/index';
import type { Tensor } from '../tensor';
import { checkBool, checkChoice, checkInt, checkNumber, positionalOptions } from '../validate';
import { Module } from './module';

/** Options of {@link ReLU} and {@link SiLU}, as PyTorch's. */
export interface InplaceOptions {
  /** Overwrite the input with the result (`x` itself changes), as PyTorch's `inplace` (default false). */
  inplace?: boolean;
}

// `inplace` given positionally or as { inplace }, checked
function inplaceOf(op: string, args: readonly unknown[]): boolean {
  return checkBool(op, 'inplace', positionalOptions(op, args, ['inplace']).inplace ?? false);
}

/**
 * `max(x, 0)`, as `torch.nn.ReLU(inplace = false)`; with `inplace` the input tensor is
 * overwritten (recorded for autograd, as PyTorch's `relu_`).
 *
 * @example
 * ```ts
 * new nn.ReLU().forward(x);
 * new nn.ReLU(true).forward(h); // h itself now holds relu(h)
 * ```
 */
export class ReLU extends Module {
  /** Overwrite the input with the result. */
  readonly inplace: boolean;

  constructor(inplace?: boolean);
  constructor(options: InplaceOptions);
  constructor(...args: unknown[]) {
    super();
    this.inplace = inplaceOf('ReLU', args);
  }

  forward(x: Tensor): Tensor {
    return this.inplace ? x._inplace('relu_', (self) => F.relu(self)) : F.relu(x);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=true' : '';
  }
}

/** Hyperbolic tangent, as `torch.nn.Tanh`. @example `new nn.Tanh().forward(x)` */
export class Tanh extends Module {
  constructor(...args: never[]) {
    super();
    positionalOptions('Tanh', args, []);
  }

  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** Logistic sigmoid, as `torch.nn.Sigmoid`. @example `new nn.Sigmoid().forward(x)` */
export class Sigmoid extends Module {
  constructor(...args: never[]) {
    super();
    positionalOptions('Sigmoid', args, []);
  }

  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/**
 * Gaussian error linear unit, as `torch.nn.GELU(approximate = 'none')` (`'tanh'` for the tanh
 * form), given positionally or as `{ approximate }`.
 *
 * @example
 * ```ts
 * new nn.GELU().forward(x);
 * new nn.GELU({ approximate: 'tanh' }).forward(x);
 * new nn.GELU('tanh').forward(x);
 * ```
 */
export class GELU extends Module {
  /** `'none'` for the exact erf form, `'tanh'` for the tanh approximation. */
  readonly approximate: 'none' | 'tanh';

  constructor(approximate?: 'none' | 'tanh');
  constructor(options: { approximate?: 'none' | 'tanh' });
  constructor(...args: unknown[]) {
    super();
    const o = positionalOptions('GELU', args, ['approximate']);
    this.approximate = checkChoice('GELU', 'approximate', o.approximate ?? 'none', ['none', 'tanh']);
  }

  forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * `x * sigmoid(x)`, as `torch.nn.SiLU(inplace = false)`; with `inplace` the input is overwritten.
 *
 * @example
 * ```ts
 * new nn.SiLU().forward(x);
 * ```
 */
export class SiLU extends Module {
  /** Overwrite the input with the result. */
  readonly inplace: boolean;

  constructor(inplace?: boolean);
  constructor(options: InplaceOptions);
  constructor(...args: unknown[]) {
    super();
    this.inplace = inplaceOf('SiLU', args);
  }

  forward(x: Tensor): Tensor {
    return this.inplace ? x._inplace('silu_', (self) => F.silu(self)) : F.silu(x);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=true' : '';
  }
}

/**
 * Softmax over `dim`, as `torch.nn.Softmax(dim)` (given positionally or as `{ dim }`; required,
 * as PyTorch's implicit dim is deprecated).
 *
 * @example
 * ```ts
 * new nn.Softmax(-1).forward(logits);
 * ```
 */
export class Softmax extends Module {
  /** The dim whose entries sum to 1. */
  readonly dim: number;

  constructor(dim: number);
  constructor(options: { dim: number });
  constructor(...args: unknown[]) {
    super();
    const o = positionalOptions('Softmax', args, ['dim']);
    if (o.dim === undefined || o.dim === null) throw new Error('Softmax: dim is required, e.g. new nn.Softmax(-1) for the last dim');
    this.dim = checkInt('Softmax', 'dim', o.dim);
  }

  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Options of {@link LeakyReLU}. */
export interface LeakyReLUOptions {
  /** Slope for negative inputs (default 0.01). */
  negativeSlope?: number;
  /** Overwrite the input with the result (default false). */
  inplace?: boolean;
}

/**
 * `x` where positive, `negativeSlope · x` elsewhere, as `torch.nn.LeakyReLU(negativeSlope = 0.01, inplace = false)`.
 *
 * @example
 * ```ts
 * new nn.LeakyReLU(0.2).forward(x);
 * ```
 */
export class LeakyReLU extends Module {
  /** Slope for negative inputs. */
  readonly negativeSlope: number;
  /** Overwrite the input with the result. */
  readonly inplace: boolean;

  constructor(negativeSlope?: number, inplace?: boolean);
  constructor(options: LeakyReLUOptions);
  constructor(...args: unknown[]) {
    super();
    const o = positionalOptions('LeakyReLU', args, ['negativeSlope', 'inplace']);
    this.negativeSlope = checkNumber('LeakyReLU', 'negativeSlope', o.negativeSlope ?? 0.01);
    this.inplace = checkBool('LeakyReLU', 'inplace', o.inplace ?? false);
  }

  forward(x: Tensor): Tensor {
    return this.inplace ? x._inplace('leakyRelu_', (self) => F.leakyRelu(self, this.negativeSlope)) : F.leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}${this.inplace ? ', inplace=true' : ''}`;
  }
}
