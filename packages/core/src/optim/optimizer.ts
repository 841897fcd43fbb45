/**
 * The optimizer base, as `torch.optim.Optimizer`: parameter groups, per-parameter state, and a
 * `step` that runs each subclass's update rule without recording the graph and frees what it
 * computed on the way. Updates rebind each parameter's storage in place (`p._assign`), so the
 * model, the optimizer and any other holder of the parameter see the new values. A step is
 * atomic: all updates are computed first and committed only when all of them succeeded.
 */
import { noGrad, withGradMode } from '../autograd';
import { keep, tidy } from '../memory';
import { fmt, sameShape } from '../shape';
import { Tensor } from '../tensor';
import { checkBool, checkNumber, checkOptions, describe, positionalOptions } from '../validate';

/** Options every optimizer has. */
export interface BaseOptions {
  /** The learning rate. */
  lr: number;
}

/**
 * One parameter group: its parameters and the options they are updated with. Change `lr` (or any
 * option) here between steps, as with `optimizer.param_groups[0]['lr']` in PyTorch.
 */
export type ParamGroup<O extends BaseOptions = BaseOptions> = O & {
  /** The parameters this group updates. */
  params: Tensor[];
  /** The learning rate a scheduler started from (set by the first scheduler attached). */
  initialLr?: number;
};

/** A parameter group as passed to a constructor: any option left out takes the optimizer's default. */
export type ParamGroupInput<O extends BaseOptions = BaseOptions> = Partial<O> & {
  /** The parameters this group updates (`model.parameters()`, an array...). */
  params: Iterable<Tensor>;
};

/** What an optimizer takes: parameters (`model.parameters()`), or parameter groups with their own options. */
export type Params<O extends BaseOptions = BaseOptions> = Iterable<Tensor> | readonly ParamGroupInput<O>[];

/** Per-parameter state: step counts as numbers, running averages as tensors. */
export type ParamState = Record<string, Tensor | number>;

/**
 * What {@link Optimizer.update} computed for one parameter: its new value and the state entries
 * that change. Nothing is applied until every parameter's update has been computed.
 */
export interface ParamUpdate {
  /** The parameter's new value (a fresh tensor; the parameter is rebound to its storage). */
  param: Tensor;
  /** The state entries that change: new tensors and numbers; entries left out stay as they are. */
  state: ParamState;
}

/**
 * The state of an optimizer, as `optimizer.state_dict()`: per-parameter state keyed by the
 * parameter's position across all groups, and each group's options with those positions.
 */
export interface OptimizerStateDict {
  /** Per-parameter state, keyed by the parameter's position across all groups. */
  state: Record<number, ParamState>;
  /** Each group's options, with its parameters as positions. */
  paramGroups: (Record<string, unknown> & {
    /** Positions of the group's parameters across all groups. */
    params: number[];
  })[];
}

/**
 * The base of every optimizer. Subclasses give their update rule in {@link Optimizer.update}.
 *
 * @example
 * ```ts
 * const opt = new optim.SGD([
 *   { params: model.fc1.parameters() },
 *   { params: model.fc2.parameters(), lr: 1e-3 },
 * ], { lr: 1e-2, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** The options groups fall back on. */
  readonly defaults: O;
  /** The parameter groups with their options. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (momentum buffers, running averages, step counts). */
  readonly state = new Map<Tensor, ParamState>();
  private readonly name: string;

  constructor(params: Params<O>, defaults: O) {
    this.name = this.constructor.name;
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new Error(`${this.name}: params must be an iterable of tensors or parameter groups, got one Tensor; pass [t]`);
    }
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
      throw new Error(`${this.name}: params must be an iterable of Tensors (model.parameters()) or of parameter groups, got ${describe(params)}`);
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new Error(`${this.name}: optimizer got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>] : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /**
   * Add a group of parameters with its own options (the rest from the defaults), as `add_param_group`.
   *
   * @example
   * ```ts
   * opt.addParamGroup({ params: head.parameters(), lr: 1e-3 });
   * ```
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== 'object' || group instanceof Tensor || !('params' in group)) {
      throw new Error(`${this.name}: a parameter group must be an object with a 'params' array, e.g. { params: model.parameters(), lr: 0.1 }`);
    }
    checkOptions(`${this.name}: parameter group`, group, ['params', ...Object.keys(this.defaults), 'initialLr']);
    for (const [k, v] of Object.entries(group)) {
      if (k !== 'params' && v !== undefined) checkKind(this.name, k, v, k === 'initialLr' || k === 'lr' ? 0 : (this.defaults as Record<string, unknown>)[k]);
    }
    if (group.params === null || typeof group.params !== 'object' || typeof (group.params as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
      throw new Error(`${this.name}: a parameter group's params must be a Tensor or an iterable of Tensors, got ${describe(group.params)}`);
    }
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`${this.name}: parameter ${i} of a group is not a Tensor`);
      if (!p.isLeaf) throw new Error(`${this.name}: can't optimize a non-leaf Tensor (shape ${fmt(p.shape)}); optimize the leaf it was computed from`);
    });
    if (new Set(params).size !== params.length) throw new Error(`${this.name}: a parameter group contains the same parameter twice`);
    for (const g of this.paramGroups) {
      if (g.params.some((p) => params.includes(p))) throw new Error(`${this.name}: some parameters appear in more than one parameter group`);
    }
    const full = { ...this.defaults, ...stripUndefined(group), params } as ParamGroup<O>;
    this.validate(full);
    this.paramGroups.push(full);
  }

  /** Throw naming the option when a group's options are out of range. */
  protected validate(group: ParamGroup<O>): void {
    if (typeof group.lr !== 'number' || !(group.lr >= 0)) {
      throw new Error(`${this.name}: invalid learning rate: ${group.lr}; pass { lr: 0.01 } or another number >= 0`);
    }
  }

  /**
   * Clear the gradient of every parameter (set it to null, as PyTorch's default `set_to_none`).
   *
   * @example
   * ```ts
   * opt.zeroGrad(); loss.backward(); opt.step();
   * ```
   */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /**
   * Update every parameter that has a gradient, once. With `closure` (which recomputes and
   * returns the loss), runs it first with grad mode on and returns its loss.
   *
   * The step is all or nothing: every parameter's new value and new state are computed into
   * fresh tensors first, and only once all of them have been computed are they committed
   * (storage rebinds and step counts, which cannot fail). When a kernel fails part way (a
   * worker fault, running out of memory), the fresh tensors are freed and the error rethrown,
   * leaving every parameter and all optimizer state exactly as before, so a retry equals an
   * uninterrupted run.
   *
   * @example
   * ```ts
   * optimizer.step();
   * ```
   */
  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure ? withGradMode(true, closure) : undefined;
    noGrad(() =>
      tidy(() => {
        // phase 1: compute; nothing anyone can see changes, and a throw here leaves all as it was
        const pending: Pending[] = [];
        for (const group of this.paramGroups) {
          for (const p of group.params) {
            const grad = p._gradInternal();
            if (!grad) continue;
            const current = this.state.get(p);
            const view = current ? followParameter(current, p) : {};
            const { param, state } = this.update(p, grad, view, group);
            const next: ParamState = { ...view, ...state };
            const handles: Record<string, Tensor> = {};
            for (const [k, v] of Object.entries(next)) {
              // a new state entry gets its own handle on the (immutable) storage, kept at commit
              if (v instanceof Tensor && !(current?.[k] instanceof Tensor)) handles[k] = v.detach();
            }
            pending.push({ p, current, param, next, handles });
          }
        }
        // phase 2: commit; storage rebinds, WeakSet and object writes only, none of which can fail
        for (const u of pending) commit(this.state, u);
      }),
    );
    return loss;
  }

  /**
   * One parameter's update, computed without changing anything: read `p`, `grad` and `state`
   * (the current state, `{}` on the first step; don't modify it) and return the parameter's new
   * value and the state entries that change (new tensors and step counts). The step commits
   * them once every parameter's update has succeeded. Runs inside `noGrad` and `tidy`.
   */
  protected abstract update(p: Tensor, grad: Tensor, state: Readonly<ParamState>, group: ParamGroup<O>): ParamUpdate;

  /**
   * The state as plain data, as `state_dict()`: tensors are detached snapshots, numbers copied.
   *
   * @example
   * ```ts
   * const saved = opt.stateDict();
   * ```
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...options } = g;
      const ids = params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return { ...copyOptions(options), params: ids };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const entry: ParamState = {};
      for (const [k, v] of Object.entries(s)) entry[k] = v instanceof Tensor ? v.detach() : v;
      state[i] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Restore state saved by {@link stateDict} into an optimizer over the same parameters, as
   * `load_state_dict`: group options are replaced, state tensors moved to their parameter's backend.
   *
   * @example
   * ```ts
   * const opt2 = new optim.Adam(model.parameters());
   * opt2.loadStateDict(opt.stateDict());
   * ```
   */
  loadStateDict(dict: OptimizerStateDict): void {
    if (!dict || !Array.isArray(dict.paramGroups) || typeof dict.state !== 'object') {
      throw new Error(`${this.name}.loadStateDict: expected { state, paramGroups } as stateDict() returns`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new Error(
        `${this.name}.loadStateDict: loaded state dict has ${dict.paramGroups.length} parameter groups but the optimizer has ${this.paramGroups.length}`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    dict.paramGroups.forEach((saved, gi) => {
      const mine = this.paramGroups[gi]!;
      if (!Array.isArray(saved.params) || saved.params.length !== mine.params.length) {
        throw new Error(
          `${this.name}.loadStateDict: loaded parameter group ${gi} has ${saved.params?.length} parameters but the optimizer's group has ${mine.params.length}`,
        );
      }
      saved.params.forEach((id, k) => byIndex.set(id, mine.params[k]!));
    });
    const next = new Map<Tensor, ParamState>();
    for (const [key, saved] of Object.entries(dict.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new Error(`${this.name}.loadStateDict: state for parameter ${key}, which no loaded parameter group lists`);
      const entry: ParamState = {};
      for (const [k, v] of Object.entries(saved)) {
        if (v instanceof Tensor) {
          if (v.ndim > 0 && !sameShape(v.shape, p.shape)) {
            throw new Error(`${this.name}.loadStateDict: state '${k}' of parameter ${key} has shape ${fmt(v.shape)} but the parameter has ${fmt(p.shape)}`);
          }
          entry[k] = keep(noGrad(() => v.to(p._backend())).detach());
        } else entry[k] = v;
      }
      next.set(p, entry);
    }
    dict.paramGroups.forEach((saved, gi) => {
      const { params: _ids, ...options } = saved;
      const mine = this.paramGroups[gi]!;
      Object.assign(mine, copyOptions(options));
    });
    this.state.clear();
    for (const [p, s] of next) this.state.set(p, s);
  }
}

// a value of the kind the option's default has: a number, a boolean, or a pair of numbers
function checkKind(op: string, key: string, value: unknown, like: unknown): void {
  if (Array.isArray(like)) {
    if (!Array.isArray(value) || value.length !== like.length || value.some((v) => typeof v !== 'number')) {
      throw new Error(`${op}: ${key} must be ${like.length === 2 ? 'a pair [a, b]' : `an array of ${like.length}`} of numbers, got ${describe(value)}`);
    }
  } else if (typeof like === 'number') checkNumber(op, key, value);
  else if (typeof like === 'boolean') checkBool(op, key, value);
}

/**
 * @internal An optimizer's options as its constructor takes them: PyTorch's positional arguments
 * after `params` (`positional`), then an options object, each checked against `defaults` (no
 * unknown key, the default's kind), merged over the defaults.
 */
export function optimizerOptions<O extends object>(op: string, args: readonly unknown[], positional: readonly string[], defaults: O): O {
  const given = positionalOptions(op, args, positional, Object.keys(defaults).filter((k) => !positional.includes(k)));
  for (const [k, v] of Object.entries(given)) checkKind(op, k, v, k === 'lr' ? 0 : (defaults as Record<string, unknown>)[k]);
  return { ...defaults, ...given } as O;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function copyOptions(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = Array.isArray(v) ? v.slice() : v;
  return out;
}

// a model moved with module.to(backend) after its optimizer was made: the state as a view with
// its tensors on the parameter's backend (copies made now, committed with the rest of the step)
function followParameter(state: ParamState, p: Tensor): ParamState {
  const b = p._backend();
  const view: ParamState = { ...state };
  for (const [k, v] of Object.entries(state)) {
    if (v instanceof Tensor && v._backend() !== b) view[k] = v.to(b);
  }
  return view;
}

/** One parameter's computed update, waiting for every other parameter's before it is committed. */
interface Pending {
  p: Tensor;
  /** Its state before the step; undefined on its first step. */
  current: ParamState | undefined;
  /** Its new value. */
  param: Tensor;
  /** Its whole new state. */
  next: ParamState;
  /** Handles made ahead for state tensors it did not have before. */
  handles: Record<string, Tensor>;
}

// apply one computed update: rebinding storage, marking handles kept and writing plain objects,
// so that once the first parameter is committed, the rest are too
function commit(states: Map<Tensor, ParamState>, u: Pending): void {
  u.p._assign(u.param);
  let s = u.current;
  if (!s) states.set(u.p, (s = {}));
  for (const [k, v] of Object.entries(u.next)) {
    const prev = s[k];
    if (v instanceof Tensor) {
      if (prev instanceof Tensor) {
        if (prev !== v) prev._assign(v); // in place: holders of the state tensor see the new values
      } else {
        s[k] = keep(u.handles[k]!);
      }
    } else {
      s[k] = v;
    }
  }
}

/**
 * @internal Whether a fused optimizer kernel may update `p`: float32 throughout, one backend, and
 * every state tensor of the parameter's shape (a loaded 0-d state broadcasts, which only the
 * composed update handles).
 */
export function fusable(p: Tensor, grad: Tensor, ...states: (Tensor | undefined)[]): boolean {
  if (p.dtype !== 'float32' || grad.dtype !== 'float32' || !sameShape(grad.shape, p.shape)) return false;
  const b = p._backend();
  if (grad._backend() !== b) return false;
  for (const s of states) if (s && (s.dtype !== 'float32' || s._backend() !== b || !sameShape(s.shape, p.shape))) return false;
  return true;
}
