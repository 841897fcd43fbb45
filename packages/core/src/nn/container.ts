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

/**
 * A list of submodules, registered so their parameters are found (`'0.weight'`, `'1.weight'`,
 * ...), as `torch.nn.ModuleList`. It has no `forward`: iterate it in your own.
 *
 * @example
 * ```ts
 * const blocks = new nn.ModuleList([new nn.Linear(8, 8), new nn.Linear(8, 8)]);
 * for (const b of blocks) x = b.forward(x);
 * blocks.push(new nn.Linear(8, 8)); blocks.length; // 3
 * ```
 */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== 'function' || modules instanceof Module) {
      throw new Error(`ModuleList: expected an array of Modules, got ${describe(modules)}`);
    }
    for (const m of modules) this.push(m);
  }

  /** The number of modules. */
  get length(): number {
    return this.children().length;
  }

  /** The module at `i` (negative counts from the end); throws when out of range. @example `blocks.at(-1)` */
  at(i: number): Module {
    const n = this.length;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new Error(`ModuleList: index ${describe(i)} is out of range for a list of ${n} modules`);
    return this.children()[i < 0 ? i + n : i]!;
  }

  /** Add `module` at the end and return the list. @example `blocks.push(new nn.ReLU())` */
  push(module: Module): this {
    if (!(module instanceof Module)) throw new Error(`ModuleList: entry ${this.length} is not a Module, got ${describe(module)}`);
    this.registerModule(String(this.length), module);
    return this;
  }

  /** PyTorch's name for {@link push}. @example `blocks.append(new nn.ReLU())` */
  append(module: Module): this {
    return this.push(module);
  }

  /** Add every module of `modules`. @example `blocks.extend([a, b])` */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.push(m);
    return this;
  }

  /** A ModuleList has no forward of its own, as in PyTorch. */
  forward(): never {
    throw new Error('ModuleList: has no forward; iterate it: for (const m of list) x = m.forward(x)');
  }

  /** The modules in order: `for (const m of list) ...`. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

/**
 * Submodules by name, registered so their parameters are found (`'wte.weight'`), as
 * `torch.nn.ModuleDict`. It has no `forward`.
 *
 * @example
 * ```ts
 * const t = new nn.ModuleDict({ wte: new nn.Embedding(65, 32), lnF: new nn.LayerNorm(32) });
 * t.get('wte').forward(idx);
 * ```
 */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    if (modules === null || typeof modules !== 'object' || Array.isArray(modules) || modules instanceof Module) {
      throw new Error(`ModuleDict: expected an object of name → Module, got ${describe(modules)}`);
    }
    for (const [name, m] of Object.entries(modules)) this.set(name, m);
  }

  /** The module called `name`; throws naming the keys when there is none. @example `d.get('wte')` */
  get(name: string): Module {
    const m = this.namedChildren().find(([n]) => n === name);
    if (!m) throw new Error(`ModuleDict: no module '${name}'; keys: ${this.keys().join(', ') || 'none'}`);
    return m[1];
  }

  /** Whether a module is called `name`. @example `d.has('wte')` */
  has(name: string): boolean {
    return this.keys().includes(name);
  }

  /** Add or replace the module called `name`. @example `d.set('head', new nn.Linear(32, 65))` */
  set(name: string, module: Module): this {
    if (!(module instanceof Module)) throw new Error(`ModuleDict: '${name}' is not a Module, got ${describe(module)}`);
    if (name === 'training' || (name in this && !this.has(name))) {
      throw new Error(`ModuleDict: the name '${name}' is taken by a Module property or method; choose another key`);
    }
    this.registerModule(name, module);
    return this;
  }

  /** The names, in insertion order. @example `d.keys()` */
  keys(): string[] {
    return this.namedChildren().map(([n]) => n);
  }

  /** The modules, in insertion order. @example `d.values()` */
  values(): Module[] {
    return this.children();
  }

  /** `[name, module]` pairs, in insertion order. @example `for (const [n, m] of d.entries()) ...` */
  entries(): [string, Module][] {
    return this.namedChildren();
  }

  /** The number of modules. */
  get size(): number {
    return this.keys().length;
  }

  /** A ModuleDict has no forward of its own, as in PyTorch. */
  forward(): never {
    throw new Error("ModuleDict: has no forward; call its modules: d.get('name').forward(x)");
  }
}
