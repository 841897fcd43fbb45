/**
 * The optimizer base, as `torch.optim.Optimizer`: parameter groups, per-parameter state, and a
 * `step` that runs each subclass's update rule without recording the graph and frees what it
 * computed on the way. Updates rebind each parameter's storage in place (`p._assign`), so the
 * model, the optimizer and any other holder of the parameter see the new values.
 */
import { noGrad, withGradMode } from '../autograd';
import { keep, tidy } from '../memory';
import { fmt, sameShape } from '../shape';
import { Tensor } from '../tensor';

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
      throw new Error(`${this.name}: params argument given to the optimizer should be an iterable of Tensors or of parameter groups, but got a Tensor; pass [t]`);
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
   * @example
   * ```ts
   * optimizer.step();
   * ```
   */
  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure ? withGradMode(true, closure) : undefined;
    noGrad(() =>
      tidy(() => {
        for (const group of this.paramGroups) {
          for (const p of group.params) {
            const grad = p._gradInternal();
            if (!grad) continue;
            let state = this.state.get(p);
            if (!state) this.state.set(p, (state = {}));
            else followParameter(state, p);
            this.update(p, grad, state, group);
          }
        }
      }),
    );
    return loss;
  }

  /**
   * One parameter's update: read `grad` and `state`, rebind `p` with `p._assign(newValue)` and
   * each state tensor with {@link Optimizer.put}. Runs inside `noGrad` and `tidy`.
   */
  protected abstract update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<O>): void;

  /** Set `state[key]` to `value`: in place when it exists, else as a new tensor that outlives the step. */
  protected put(state: ParamState, key: string, value: Tensor): Tensor {
    const prev = state[key];
    if (prev instanceof Tensor) return prev._assign(value);
    const t = keep(value.detach()); // a new handle on value's (immutable) storage
    state[key] = t;
    return t;
  }

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

// a model moved with module.to(backend) after its optimizer was made: bring the state along
function followParameter(state: ParamState, p: Tensor): void {
  const b = p._backend();
  for (const v of Object.values(state)) {
    if (v instanceof Tensor && v._backend() !== b) v._assign(v.to(b));
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
