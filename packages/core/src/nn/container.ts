/** Containers: modules made of other modules. */
import type { Tensor } from '../tensor';
import { describe } from '../validate';
import { Module } from './module';

/**
 * Modules applied in order, each to the previous one's output, as `torch.nn.Sequential`. Its
 * children are named `'0'`, `'1'`, ... so parameters are `'0.weight'`, `'0.bias'`, ...
 *
 * @example
 * ```ts
 * const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
 * model.forward(x).shape; // [batch, 10]
 * model[0];               // the first Linear
 * ```
 */
export class Sequential extends Module {
  readonly [index: number]: Module;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) {
        const hint = Array.isArray(m) ? '; pass the modules as arguments: new nn.Sequential(...layers)' : '';
        throw new Error(`Sequential: argument ${i} is not a Module, got ${describe(m)}${hint}`);
      }
      this.registerModule(String(i), m);
    });
  }

  /** The number of modules. */
  get length(): number {
    return this.children().length;
  }

  /**
   * Add `module` at the end and return the container.
   *
   * @example
   * ```ts
   * model.append(new nn.Softmax(-1));
   * ```
   */
  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Apply each module in turn. @example `model.forward(x)` */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.children()) y = m.forward(y);
    return y;
  }

  /** The modules in order: `for (const layer of model) ...`. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}
