/**
 * The base class of every layer, as `torch.nn.Module`. Parameters, buffers and submodules are
 * found by walking the module's own properties in the order they were assigned, so a model is
 * written the way it is in PyTorch: assign layers and `Parameter`s in the constructor.
 */
import type { Backend } from '../backend';
import { noGrad } from '../autograd';
import { fmt, sameShape } from '../shape';
import { Tensor } from '../tensor';
import { checkBool, checkOptions } from '../validate';
import { Buffer, Parameter, isBuffer, isParameter } from './parameter';

/** What {@link Module.loadStateDict} found besides the keys it loaded. */
export interface LoadStateDictResult {
  /** Keys of the module that the dict lacks (only with `strict: false`). */
  missingKeys: string[];
  /** Keys of the dict that the module lacks (only with `strict: false`). */
  unexpectedKeys: string[];
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Throw on missing and unexpected keys (default true, as PyTorch). Shape mismatches always throw. */
  strict?: boolean;
}

/**
 * A layer or a model: holds parameters, buffers and submodules, and computes `forward`.
 *
 * Register things by assigning properties (in the constructor, in the order PyTorch would):
 * - a tensor marked with `nn.Parameter(t)` is a parameter, one marked with `nn.Buffer(t)` a buffer;
 * - a `Module` is a submodule, and so is every module inside an array property (`layers.0`, `layers.1`, ...);
 * - anything else (numbers, plain tensors, functions) is ignored, as in PyTorch.
 * `registerParameter`, `registerBuffer` and `registerModule` do the same under a computed name.
 *
 * @example
 * ```ts
 * class MLP extends nn.Module {
 *   fc1 = new nn.Linear(784, 128);
 *   fc2 = new nn.Linear(128, 10);
 *   forward(x: Tensor): Tensor { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * const model = new MLP();
 * model.namedParameters().map(([name]) => name); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 * ```
 */
export abstract class Module {
  /** Whether the module is in training mode (dropout active); set by {@link train} and {@link eval}. */
  training = true;

  /** The computation; call it directly: `model.forward(x)`. */
  abstract forward(...args: any[]): any;

  // ---- registration

  /**
   * Register `t` as a parameter called `name` (null registers nothing, like an absent bias).
   *
   * @example
   * ```ts
   * this.registerParameter('bias', bias ? zeros([out]) : null);
   * ```
   */
  registerParameter(name: string, t: Tensor | null): void {
    this.define(name, t === null ? null : Parameter(t));
  }

  /**
   * Register `t` as a buffer called `name` (saved in `stateDict`, moved by `to`, not trained).
   *
   * @example
   * ```ts
   * this.registerBuffer('runningMean', zeros([n]));
   * ```
   */
  registerBuffer(name: string, t: Tensor | null): void {
    this.define(name, t === null ? null : Buffer(t));
  }

  /**
   * Register `m` as a submodule called `name`.
   *
   * @example
   * ```ts
   * for (let i = 0; i < 3; i++) this.registerModule(`block${i}`, new nn.Linear(8, 8));
   * ```
   */
  registerModule(name: string, m: Module | null): void {
    if (m !== null && !(m instanceof Module)) throw new Error(`registerModule: '${name}' is not a Module`);
    this.define(name, m);
  }

  private define(name: string, value: unknown): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new Error(`register: name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
    }
    Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
  }

  // ---- walking the tree

  /**
   * The direct submodules with their names, in registration order.
   *
   * @example
   * ```ts
   * new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU()).namedChildren().map(([n]) => n); // ['0', '1']
   * ```
   */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) {
        if (!seen.has(value)) out.push([key, value]);
        seen.add(value);
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (v instanceof Module && !seen.has(v)) {
            seen.add(v);
            out.push([`${key}.${i}`, v]);
          }
        });
      }
    }
    return out;
  }

  /** The direct submodules, in registration order. @example `model.children().length` */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every module below it, depth first, each once, with dotted names ('' for this one).
   *
   * @example
   * ```ts
   * model.namedModules().map(([name, m]) => `${name}: ${m.constructor.name}`);
   * ```
   */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const stack: [string, Module][] = [[prefix, this]];
    while (stack.length > 0) {
      const [name, m] = stack.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
      const kids = m.namedChildren();
      for (let i = kids.length - 1; i >= 0; i--) {
        const [k, child] = kids[i]!;
        stack.push([name ? `${name}.${k}` : k, child]);
      }
    }
    return out;
  }

  /** This module and every module below it. @example `model.modules().length` */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Own parameters or buffers (`kind`), including null slots, in property order. */
  private ownTensors(kind: 'parameter' | 'buffer'): [string, Tensor][] {
    const test = kind === 'parameter' ? isParameter : isBuffer;
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (test(value)) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => test(v) && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  private namedTensors(kind: 'parameter' | 'buffer', dedupe: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [key, t] of m.ownTensors(kind)) {
        if (dedupe && seen.has(t)) continue; // a weight shared by two layers is listed once
        seen.add(t);
        out.push([prefix ? `${prefix}.${key}` : key, t]);
      }
    }
    return out;
  }

  /**
   * Every parameter with its dotted name (`'0.weight'`, `'fc1.bias'`), each tensor once, in
   * registration order, as `named_parameters()`.
   *
   * @example
   * ```ts
   * for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   * ```
   */
  namedParameters(): [string, Tensor][] {
    return this.namedTensors('parameter', true);
  }

  /**
   * Every parameter, each once, in registration order: what an optimizer takes.
   *
   * @example
   * ```ts
   * const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
   * ```
   */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer with its dotted name, each once. @example `model.namedBuffers()` */
  namedBuffers(): [string, Tensor][] {
    return this.namedTensors('buffer', true);
  }

  /** Every buffer, each once. @example `model.buffers()` */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /**
   * Call `fn` on every submodule (children first) and then on this module, as `module.apply(fn)`;
   * returns the module. For custom initialisation.
   *
   * @example
   * ```ts
   * model.apply((m) => { if (m instanceof nn.Linear) noGrad(() => m.weight.normal_(0, 0.02)); });
   * ```
   */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== 'function') throw new Error(`apply: expected a function of a Module, got ${typeof fn}`);
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Turn gradient recording of every parameter on or off (freezing a part of a model), as
   * `requires_grad_(flag)`; returns the module.
   *
   * @example
   * ```ts
   * model.encoder.requiresGrad_(false); // frozen
   * ```
   */
  requiresGrad_(flag = true): this {
    checkBool('requiresGrad_', 'flag', flag);
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  // ---- training state

  /**
   * Clear every parameter's gradient (set it to null, as PyTorch's default `set_to_none`).
   *
   * @example
   * ```ts
   * model.zeroGrad(); loss.backward();
   * ```
   */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Set training mode on this module and every submodule (dropout on); returns the module.
   *
   * @example
   * ```ts
   * model.train();
   * ```
   */
  train(mode = true): this {
    checkBool('train', 'mode', mode);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /**
   * Set evaluation mode (dropout off); the same as `train(false)`.
   *
   * @example
   * ```ts
   * model.eval(); const pred = noGrad(() => model.forward(x));
   * ```
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Move every parameter, gradient and buffer to `backend` in place and return the module, as
   * `model.to(device)`: the tensor objects stay the same, so an optimizer built before still holds them.
   *
   * @example
   * ```ts
   * model.to('worker');
   * ```
   */
  to(backend: string | Backend): this {
    if (backend === 'float32' || backend === 'int32' || backend === 'bool') {
      throw new Error(`Module.to: '${backend}' is a dtype; a module's parameters stay float32, and to() moves them between backends (e.g. model.to('worker'))`);
    }
    noGrad(() => {
      const move = (t: Tensor) => {
        const moved = t.to(backend);
        if (moved === t) return;
        t._assign(moved);
        moved.dispose();
      };
      for (const p of this.parameters()) {
        move(p);
        const g = p._gradInternal();
        if (g) move(g);
      }
      for (const b of this.buffers()) move(b);
    });
    return this;
  }

  // ---- saving and loading

  /** Names and tensors that make up the state: each module's parameters, then its buffers, then its children's. */
  private stateEntries(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [key, t] of [...m.ownTensors('parameter'), ...m.ownTensors('buffer')]) {
        out.push([prefix ? `${prefix}.${key}` : key, t]);
      }
    }
    return out;
  }

  /**
   * The parameters and buffers by dotted name, as `state_dict()`: detached tensors holding the
   * current values (a snapshot: later optimizer steps do not change them). Save it with `save`.
   *
   * @example
   * ```ts
   * save(model.stateDict(), 'model.safetensors');
   * ```
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of this.stateEntries()) out[name] = t.detach();
    return out;
  }

  /**
   * Copy values from `dict` into the parameters and buffers in place, as `load_state_dict`. A
   * missing key, an unexpected key (unless `strict: false`) or a shape mismatch throws naming the key;
   * values are cast and moved to each parameter's dtype and backend.
   *
   * @example
   * ```ts
   * model.loadStateDict(load('model.safetensors'));
   * ```
   */
  loadStateDict(dict: Record<string, Tensor>, options: LoadStateDictOptions | boolean = {}): LoadStateDictResult {
    // PyTorch's positional `strict`, or { strict }
    const strict = checkBool('loadStateDict', 'strict', typeof options === 'boolean' ? options : (checkOptions('loadStateDict', options, ['strict']), options?.strict ?? true));
    if (dict === null || typeof dict !== 'object') throw new Error('loadStateDict: expected an object of name → Tensor');
    const entries = this.stateEntries();
    const own = new Set(entries.map(([name]) => name));
    const missingKeys = entries.map(([name]) => name).filter((name) => !Object.prototype.hasOwnProperty.call(dict, name));
    const unexpectedKeys = Object.keys(dict).filter((name) => !own.has(name));
    const problems: string[] = [];
    for (const [name, t] of entries) {
      if (!Object.prototype.hasOwnProperty.call(dict, name)) continue;
      const src = dict[name];
      if (!(src instanceof Tensor)) problems.push(`'${name}' is not a Tensor`);
      else if (!sameShape(src.shape, t.shape)) {
        problems.push(`size mismatch for '${name}': checkpoint has ${fmt(src.shape)}, the module has ${fmt(t.shape)}`);
      }
    }
    if (strict) {
      for (const name of missingKeys) problems.push(`missing key '${name}'`);
      for (const name of unexpectedKeys) problems.push(`unexpected key '${name}'`);
    }
    if (problems.length > 0) throw new Error(`loadStateDict: ${problems.join('; ')}`);
    noGrad(() => {
      for (const [name, t] of entries) if (Object.prototype.hasOwnProperty.call(dict, name)) t.copy_(dict[name]!);
    });
    return { missingKeys: strict ? [] : missingKeys, unexpectedKeys: strict ? [] : unexpectedKeys };
  }

  // ---- printing

  /** Extra text inside this module's parentheses in {@link toString}, as PyTorch's `extra_repr`. */
  extraRepr(): string {
    return '';
  }

  /**
   * A tree of the module and its submodules, as PyTorch prints a model.
   *
   * @example
   * ```ts
   * String(new nn.Linear(2, 3)); // 'Linear(inFeatures=2, outFeatures=3, bias=true)'
   * ```
   */
  toString(): string {
    const kids = this.namedChildren();
    const name = this.constructor.name;
    if (kids.length === 0) return `${name}(${this.extraRepr()})`;
    const lines = kids.map(([k, m]) => `  (${k}): ${m.toString().replace(/\n/g, '\n  ')}`);
    const extra = this.extraRepr();
    return `${name}(${extra ? `\n  ${extra}` : ''}\n${lines.join('\n')}\n)`;
  }
}
