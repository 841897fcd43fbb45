/**
 * The reverse-mode engine: grad mode, the graph nodes ops record, and the walk that
 * turns an output gradient into input gradients (`backward`, `grad`).
 */
import { endScope, keep, startScope } from './memory';
import { fmt, sameShape } from './shape';
import type { Tensor } from './tensor';

/** The chain rule of one op: gradient of the output in, gradients of the inputs out (null: none). */
export type BackwardFn = (gradOut: Tensor) => readonly (Tensor | null | undefined)[];

/** What an op leaves on its output when it takes part in autograd. */
export interface Node {
  readonly op: string;
  inputs: readonly Tensor[];
  backward: BackwardFn | null; // null once the graph is freed
  /** Tensors the op made for itself (number constants, casts of its operands): freed with the graph. */
  owned?: readonly Tensor[];
  /** Each input's version when the op ran: finds the node an input had then, and checks saved values. */
  versions?: readonly number[];
  /**
   * A result the backward reads, and its version when the op ran: the op's own output (exp' = exp),
   * or a sibling output (the fused LSTM cell's h' reads its c'); changed in place since, backward throws.
   */
  output?: Tensor;
  outVersion?: number;
  /**
   * Set on a `narrow` node: the block of its input it read. The engine collects the gradients of
   * every block of one input and builds that input's gradient once (one concat where the blocks
   * tile a dim, as `split` and `chunk` make them) instead of zero-padding each and adding.
   */
  slice?: SliceOf;
}

/** The block a `narrow` node read, and how the gradients of several blocks become one. */
export interface SliceOf {
  readonly begin: readonly number[];
  readonly size: readonly number[];
  /** The gradient of `x` from the gradients of blocks of it (each `g` of its block's `size`). */
  combine(x: Tensor, parts: readonly SlicePart[]): Tensor;
}

/** One block's gradient, waiting for the others of its input. */
export interface SlicePart {
  readonly g: Tensor;
  readonly begin: readonly number[];
  readonly size: readonly number[];
}

// Ops whose backward reads none of their inputs' values (shapes only): an in-place change of an
// input after them is harmless, as in PyTorch, where these save nothing.
const SAVES_NO_INPUTS: ReadonlySet<string> = new Set([
  'add', 'sub', 'neg', 'reshape', 'view', 'flatten', 'squeeze', 'unsqueeze', 'permute', 'transpose', 'expand',
  'narrow', 'pad', 'cat', 'to', 'cast', 'sum', 'gather', 'indexSelect', 'scatterAdd', 'cumsum', 'index', 'indexPut',
]);
// Ops whose backward reads their own output (exp' = exp, ...): changing it in place afterwards throws.
const SAVES_OUTPUT: ReadonlySet<string> = new Set(['exp', 'sqrt', 'tanh', 'sigmoid', 'reciprocal', 'max', 'min', 'div', 'pow', 'softmax', 'logSoftmax', 'attentionSoftmax']);

/** Whether the op named `op` reads its output in backward (so its node keeps the output's version). */
export function savesOutput(op: string): boolean {
  return SAVES_OUTPUT.has(op);
}

/**
 * Input `k` of `node` as it was when the op ran. An in-place op on a tensor that takes part in the
 * graph gives it a new node and keeps the previous state as a snapshot (`_prev`, with its
 * version): an edge recorded earlier leads to the state it saw, as PyTorch's edges lead to the
 * `grad_fn` of that time.
 */
export function inputAt(node: Node, k: number): Tensor {
  const t = node.inputs[k]!;
  const v = node.versions?.[k];
  if (v === undefined || t._version === v) return t;
  // the snapshots, newest first: the edge belongs to the oldest one whose version is still >= v
  let found = t;
  for (let p = t._prev; p !== null; p = p._prev) {
    if (p._version >= v) found = p;
    else break;
  }
  return found;
}

/** The inputs of `node` as the op saw them (see {@link inputAt}). */
export function inputsAt(node: Node): Tensor[] {
  const out = new Array<Tensor>(node.inputs.length);
  for (let k = 0; k < node.inputs.length; k++) out[k] = inputAt(node, k);
  return out;
}

function describeTensor(t: Tensor): string {
  return `[${t.dtype} tensor of shape [${t.shape.join(',')}]]`;
}

// PyTorch's check: a backward that reads a value changed in place since the op saved it throws
function checkSaved(node: Node): void {
  const versions = node.versions;
  if (versions && !SAVES_NO_INPUTS.has(node.op)) {
    for (let k = 0; k < node.inputs.length; k++) {
      const t = node.inputs[k]!;
      if (t._version !== versions[k]) throw modified(node.op, t, t._version, versions[k]!);
    }
  }
  const out = node.output;
  if (out && node.outVersion !== undefined && out._version !== node.outVersion) throw modified(node.op, out, out._version, node.outVersion);
}

function modified(op: string, t: Tensor, now: number, expected: number): Error {
  return new Error(
    `backward: ${describeTensor(t)}, saved by ${op} at version ${expected}, was changed in place since (now version ${now}); use the out-of-place op (e.g. add instead of add_) or clone() it before changing it`,
  );
}

/** Free a node's part of the graph: its closure (and what it saved), its operands' references, the tensors the op made. */
function freeNode(node: Node): void {
  node.backward = null;
  node.inputs = [];
  if (node.owned) for (const t of node.owned) t.dispose();
  node.owned = undefined;
}

let gradEnabled = true;

/** Whether ops record the graph right now. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run `fn` with grad mode set to `enabled`, restoring the previous mode afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Run `fn` without recording the graph, as `with torch.no_grad():`.
 *
 * @example
 * ```ts
 * const pred = noGrad(() => model.forward(x)); // pred.requiresGrad === false
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Options of {@link Tensor.backward}. */
export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

/** Options of {@link grad}. */
export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (required for non-scalar outputs), as `grad_outputs`. */
  gradOutputs?: Tensor | readonly Tensor[];
  /** Return null for an input the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/** Every tensor that takes part in the graph below `roots`, outputs after inputs (iterative DFS). */
function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: { t: Tensor; next: number; inputs?: Tensor[] }[] = [];
  for (const r of roots) {
    if (visited.has(r)) continue;
    visited.add(r);
    stack.push({ t: r, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = (top.inputs ??= top.t._node ? inputsAt(top.t._node) : []);
      if (top.next < inputs.length) {
        const child = inputs[top.next++]!;
        if (child.requiresGrad && !visited.has(child)) {
          visited.add(child);
          stack.push({ t: child, next: 0 });
        }
      } else {
        order.push(top.t);
        stack.pop();
      }
    }
  }
  return order;
}

function checkGradShape(op: string, t: Tensor, g: Tensor): void {
  if (!sameShape(t.shape, g.shape)) {
    throw new Error(`${op}: gradient has shape ${fmt(g.shape)} but the tensor has shape ${fmt(t.shape)}; pass a gradient of the output's shape`);
  }
}

/**
 * The shared walk. Seeds each root with its gradient, visits the graph outputs-first and
 * hands each finished gradient to `deliver` (leaves and retained tensors). Returns nothing;
 * gradients of intermediates are freed as soon as they have been used.
 */
function run(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  opts: BackwardOptions,
  wanted: ReadonlySet<Tensor> | null,
  deliver: (t: Tensor, g: Tensor) => boolean,
): void {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const order = topoOrder(roots);
  for (const t of order) {
    if (t._node && !t._node.backward) {
      throw new Error(
        'backward: this graph was freed by an earlier backward (with its saved tensors); pass retainGraph: true to that backward to run through the graph again',
      );
    }
  }
  const grads = new Map<Tensor, Tensor>();
  // how many places hold each gradient tensor, so one is freed only when nothing uses it
  const uses = new Map<Tensor, number>();
  const pinned = new Set<Tensor>(seeds);
  const hold = (g: Tensor) => uses.set(g, (uses.get(g) ?? 0) + 1);
  const drop = (g: Tensor) => {
    const n = (uses.get(g) ?? 0) - 1;
    if (n > 0) uses.set(g, n);
    else {
      uses.delete(g);
      if (!createGraph && !pinned.has(g)) g.dispose();
    }
  };
  const unhold = (g: Tensor) => {
    const n = (uses.get(g) ?? 0) - 1;
    if (n > 0) uses.set(g, n);
    else uses.delete(g);
  };
  const accumulate = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    if (!prev) {
      grads.set(t, g);
      hold(g);
      return;
    }
    const sum = prev.add(g);
    grads.set(t, sum);
    hold(sum);
    drop(prev);
    if (!uses.has(g) && !createGraph && !pinned.has(g)) g.dispose();
  };
  // gradients of blocks of a tensor, combined into its gradient when its turn comes (every
  // consumer of a tensor comes before it in this walk, so by then all of them have arrived)
  const parts = new Map<Tensor, { combine: SliceOf['combine']; list: SlicePart[] }>();
  const settle = (t: Tensor) => {
    const mine = parts.get(t);
    if (!mine) return;
    parts.delete(t);
    if (!createGraph) startScope();
    let total: Tensor | null = null;
    try {
      total = mine.combine(t, mine.list);
    } finally {
      if (!createGraph) endScope(new Set(total ? [total] : []));
    }
    for (const p of mine.list) drop(p.g);
    accumulate(t, total);
  };
  roots.forEach((r, i) => accumulate(r, seeds[i]!));
  withGradMode(createGraph, () => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      settle(t);
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const node = t._node;
      const isWanted = wanted ? wanted.has(t) : !node || t._retainsGrad;
      // a gradient handed over as is stays alive; one the receiver copied or viewed is freed below
      if (isWanted && deliver(t, g)) pinned.add(g);
      const block = node?.backward ? node.slice : undefined;
      const whole = block ? inputsAt(node!)[0]! : null;
      if (block && whole!.requiresGrad && !(wanted && !needsPropagation(t, wanted))) {
        hold(g);
        const part = { g, begin: block.begin, size: block.size };
        const mine = parts.get(whole!);
        if (mine) mine.list.push(part);
        else parts.set(whole!, { combine: block.combine, list: [part] });
      } else if (node?.backward && !(wanted && !needsPropagation(t, wanted))) {
        // intermediates a backward closure creates are freed right after it (unless recording)
        if (!createGraph) startScope();
        checkSaved(node);
        let gins: readonly (Tensor | null | undefined)[] = [];
        try {
          gins = node.backward(g);
        } finally {
          if (!createGraph) endScope(new Set(gins.filter((x): x is Tensor => !!x)));
        }
        // held while they are handed out: one tensor may be the gradient of several inputs
        const given = new Set(gins.filter((x): x is Tensor => !!x));
        const taken = new Set<Tensor>();
        for (const gi of given) hold(gi);
        inputsAt(node).forEach((input, k) => {
          const gi = gins[k];
          if (gi && input.requiresGrad) {
            accumulate(input, gi);
            taken.add(gi);
          }
        });
        for (const gi of given) {
          if (taken.has(gi)) drop(gi);
          else unhold(gi); // handed to no input: left as before (endScope spared it)
        }
      }
      drop(g);
    }
  });
  if (!retainGraph) {
    for (const t of order) if (t._node) freeNode(t._node);
  }
}

// true when some wanted tensor lies below t (computed lazily per call, cached on the set)
const reachCache = new WeakMap<ReadonlySet<Tensor>, Map<Tensor, boolean>>();
function needsPropagation(t: Tensor, wanted: ReadonlySet<Tensor>): boolean {
  let cache = reachCache.get(wanted);
  if (!cache) reachCache.set(wanted, (cache = new Map()));
  const stack: Tensor[] = [t];
  const seen: Tensor[] = [];
  let found = false;
  while (stack.length > 0 && !found) {
    const u = stack.pop()!;
    const c = cache.get(u);
    if (c !== undefined) {
      if (c) found = true;
      continue;
    }
    seen.push(u);
    for (const v of u._node ? inputsAt(u._node) : []) {
      if (!v.requiresGrad) continue;
      if (wanted.has(v)) {
        found = true;
        break;
      }
      stack.push(v);
    }
  }
  if (!found) for (const u of seen) cache.set(u, false);
  return found;
}

/** Implementation of `t.backward(gradient?, options?)`; see {@link Tensor.backward}. */
export function backward(root: Tensor, gradient?: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error('backward: the tensor does not require grad (it has no graph); call backward on a result of ops on tensors with requiresGrad: true');
  }
  let seed = gradient;
  if (!seed) {
    if (root.numel() !== 1) {
      throw new Error(`backward: a tensor of shape ${fmt(root.shape)} needs a gradient of that shape, backward(gradient); only one of a single element gets 1 implicitly`);
    }
    seed = root._constant(1, root.shape);
  } else checkGradShape('backward', root, seed);
  const createGraph = opts.createGraph ?? false;
  run([root], [seed], opts, null, (t, g) => {
    const prev = t._gradInternal();
    if (createGraph || t._node) {
      // differentiable, or a retained non-leaf gradient: kept as the engine made it
      if (!prev) t._setGradInternal(g);
      else t._setGradInternal(prev.add(g));
      return true;
    }
    if (!prev) {
      t._setGradInternal(g.detach()); // a leaf's .grad is a plain tensor: a view of g's storage, g itself is freed
      return false;
    }
    // in place, as PyTorch accumulates
    const sum = withGradMode(false, () => prev.add(g));
    prev._assign(sum);
    sum.dispose();
    return false;
  });
  // the engine's own seed, unless it became a retained gradient (a root with retainGrad)
  if (!gradient && root._gradInternal() !== seed) seed.dispose();
}

/**
 * Gradients of `outputs` with respect to `inputs`, as `torch.autograd.grad`; leaves' `.grad`
 * are left alone. With `createGraph: true` the results are differentiable again.
 *
 * @example
 * ```ts
 * const x = tensor(2, { requiresGrad: true });
 * const [dy] = grad(x.pow(3), [x], { createGraph: true }); // 3x² = 12
 * const [d2y] = grad(dy!, [x]);                              // 6x = 12
 * ```
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts: GradOptions = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : [inputs as Tensor];
  const given = opts.gradOutputs === undefined ? [] : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs as Tensor];
  const seeds = outs.map((o, i) => {
    if (!o.requiresGrad) throw new Error(`grad: output ${i} does not require grad and has no grad_fn`);
    const g = given[i] as Tensor | undefined;
    if (g) {
      checkGradShape('grad', o, g);
      return g;
    }
    if (o.numel() !== 1) throw new Error(`grad: output ${i} has shape ${fmt(o.shape)}, so it needs a gradient of that shape: pass gradOutputs`);
    return o._constant(1, o.shape);
  });
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new Error(`grad: input ${i} does not require grad; create it with requiresGrad: true`);
  });
  const wanted = new Set(ins);
  const found = new Map<Tensor, Tensor>();
  run(outs, seeds, opts, wanted, (t, g) => {
    const prev = found.get(t);
    found.set(t, prev ? prev.add(g) : g);
    return true;
  });
  return ins.map((t, i) => {
    const g = found.get(t);
    if (g) return opts.createGraph ? g : keep(g.detach());
    if (opts.allowUnused) return null;
    throw new Error(`grad: input ${i} was not used in the graph of the outputs; pass allowUnused: true to get null for it`);
  });
}
