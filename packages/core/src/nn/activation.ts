/** Activation layers: stateless modules around the functions in `functional`. */
import * as F from '../functional/index';
import type { Tensor } from '../tensor';
import { Module } from './module';

/** `max(x, 0)`, as `torch.nn.ReLU`. @example `new nn.ReLU().forward(x)` */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

/** Hyperbolic tangent, as `torch.nn.Tanh`. @example `new nn.Tanh().forward(x)` */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** Logistic sigmoid, as `torch.nn.Sigmoid`. @example `new nn.Sigmoid().forward(x)` */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/**
 * Gaussian error linear unit, as `torch.nn.GELU` (`{ approximate: 'tanh' }` for the tanh form).
 *
 * @example
 * ```ts
 * new nn.GELU().forward(x);
 * new nn.GELU({ approximate: 'tanh' }).forward(x);
 * ```
 */
export class GELU extends Module {
  /** `'none'` for the exact erf form, `'tanh'` for the tanh approximation. */
  readonly approximate: 'none' | 'tanh';

  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = options.approximate ?? 'none';
  }

  forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** `x * sigmoid(x)`, as `torch.nn.SiLU`. @example `new nn.SiLU().forward(x)` */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/**
 * Softmax over `dim`, as `torch.nn.Softmax(dim)`.
 *
 * @example
 * ```ts
 * new nn.Softmax(-1).forward(logits);
 * ```
 */
export class Softmax extends Module {
  constructor(
    /** The dim whose entries sum to 1. */
    readonly dim: number,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
