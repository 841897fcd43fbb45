/** The `nn` module cases of torch-cases-2.json: build the module, load PyTorch's state, run forward and backward, compare. */
import { type Tensor, nn, tidy } from '@tensorgrad/core';

type Module = nn.Module;
import type { CaseTensor, TorchModuleCase } from './cases';
import { type Tolerance, mismatch } from './compare';
import { toTensor } from './evaluate';

type ModuleClass = new (...args: unknown[]) => Module;

/**
 * The `nn` class a case names, or null while core does not export it.
 *
 * @example
 * ```ts
 * moduleClass('LSTM'); // nn.LSTM, or null
 * ```
 */
export function moduleClass(name: string): ModuleClass | null {
  const c = (nn as unknown as Record<string, unknown>)[name];
  return typeof c === 'function' ? (c as ModuleClass) : null;
}

function construct(c: TorchModuleCase): Module {
  const Ctor = moduleClass(c.module);
  if (!Ctor) throw new Error(`nn.${c.module} is not exported by @tensorgrad/core; the module case needs it`);
  const options = Object.keys(c.options).length > 0 ? [c.options] : [];
  return new Ctor(...c.args, ...options);
}

// forward's arguments: { input: k } is inputs[k], arrays stay arrays, other objects are options objects
function resolve(arg: unknown, xs: readonly Tensor[]): unknown {
  if (Array.isArray(arg)) return arg.map((a) => resolve(a, xs));
  if (arg && typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    if (typeof o.input === 'number' && Object.keys(o).length === 1) return xs[o.input];
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v, xs)]));
  }
  return arg;
}

// the results in the order `returns` numbers them ([0, [1, 2]] for LSTM's [output, [h, c]])
function flatten(returns: unknown, value: unknown, out: Tensor[], path = 'the result'): void {
  if (typeof returns === 'number') {
    if (!value || typeof value !== 'object' || !('shape' in value)) throw new Error(`${path} should be a Tensor, got ${value === null ? 'null' : typeof value}`);
    out[returns] = value as Tensor;
    return;
  }
  const shape = returns as unknown[];
  if (!Array.isArray(value) || value.length !== shape.length) {
    throw new Error(`${path} should be an array of ${shape.length} (as PyTorch returns ${JSON.stringify(returns)}), got ${Array.isArray(value) ? `${value.length} entries` : typeof value}`);
  }
  shape.forEach((r, i) => flatten(r, value[i], out, `${path}[${i}]`));
}

const host = async (t: Tensor) => ({ shape: t.shape.slice(), dtype: t.dtype, data: await t.data() });

/**
 * Run one module case and return the problems found (empty when it matches PyTorch). Every tensor
 * it made (the module's parameters and buffers included) is disposed before it returns.
 *
 * @example
 * ```ts
 * const problems = await runModuleCase(c, { rtol: 2e-4, atol: 1e-4 });
 * ```
 */
export async function runModuleCase(c: TorchModuleCase, tol: Tolerance): Promise<string[]> {
  if (c.throws) {
    let error: unknown = null;
    tidy(() => {
      try {
        construct(c);
      } catch (e) {
        error = e;
      }
    });
    if (error === null) return [`new nn.${c.module}(${c.args.map((a) => JSON.stringify(a)).join(', ')}${Object.keys(c.options).length ? `, ${JSON.stringify(c.options)}` : ''}) returned normally; expected an Error containing ${JSON.stringify(c.throws)}`];
    if (!(error instanceof Error)) return [`threw ${String(error)}, which is not an Error`];
    if (/is not exported by @tensorgrad\/core/.test(error.message)) return [error.message];
    const text = error.message.toLowerCase();
    const missing = c.throws.filter((s) => !text.includes(s.toLowerCase()));
    return missing.length > 0 ? [`the error "${error.message}" does not mention ${JSON.stringify(missing)}`] : [];
  }
  const owned: Tensor[] = [];
  try {
    const r = tidy(() => {
      const m = construct(c);
      for (const [, t] of [...m.namedParameters(), ...m.namedBuffers()]) owned.push(t);
      const state = Object.fromEntries(Object.entries(c.state ?? {}).map(([k, h]) => [k, toTensor(h as CaseTensor)]));
      m.loadStateDict(state);
      m.train(c.mode !== 'eval');
      const xs = c.inputs.map((h, i) => toTensor(h, c.grads?.[i] != null));
      owned.push(...xs);
      const outs: Tensor[] = [];
      flatten(c.returns, m.forward(...(resolve(c.forward ?? [], xs) as unknown[])), outs);
      let loss: Tensor | null = null;
      (c.upstreams ?? []).forEach((up, j) => {
        if (!up || !outs[j]) return;
        const term = outs[j]!.mul(toTensor(up)).sum();
        loss = loss ? loss.add(term) : term;
      });
      if (loss) (loss as Tensor).backward();
      const params = m.namedParameters();
      for (const [, p] of params) if (p.grad) owned.push(p.grad);
      for (const x of xs) if (x.grad) owned.push(x.grad);
      return {
        outs: outs.map((o) => o.detach()),
        grads: xs.map((x) => x.grad),
        paramGrads: params.map(([n, p]) => [n, p.grad] as const),
        buffers: m.namedBuffers().map(([n, b]) => [n, b.detach()] as const),
      };
    });
    owned.push(...r.outs, ...r.buffers.map(([, b]) => b));
    const problems: string[] = [];
    const wants = c.outputs ?? [];
    if (r.outs.length !== wants.length) problems.push(`forward gave ${r.outs.length} result(s), expected ${wants.length}`);
    for (let j = 0; j < wants.length; j++) {
      const got = r.outs[j];
      if (!got) continue;
      const want = wants[j]!;
      const g = await host(got);
      if (g.dtype !== (want.dtype ?? 'float32')) problems.push(`output ${j}: dtype ${g.dtype}, expected ${want.dtype ?? 'float32'}`);
      problems.push(mismatch(`output ${j}`, g.shape, g.data, want.shape, want.data, want.dtype ? { rtol: 0, atol: 0 } : tol));
    }
    for (const [i, want] of (c.grads ?? []).entries()) {
      if (!want) continue;
      const got = r.grads[i];
      if (!got) problems.push(`grad of input ${i}: no gradient reached it`);
      else problems.push(mismatch(`grad of input ${i}`, got.shape, await got.data(), want.shape, want.data, tol));
    }
    const paramGrads = new Map(r.paramGrads);
    for (const [name, want] of Object.entries(c.paramGrads ?? {})) {
      if (!paramGrads.has(name)) {
        problems.push(`parameter '${name}' does not exist (namedParameters: ${[...paramGrads.keys()].join(', ')})`);
        continue;
      }
      const got = paramGrads.get(name);
      if (!got) problems.push(`grad of parameter '${name}': no gradient reached it`);
      else problems.push(mismatch(`grad of parameter '${name}'`, got.shape, await got.data(), want.shape, want.data, tol));
    }
    for (const name of paramGrads.keys()) if (c.paramGrads && !(name in c.paramGrads)) problems.push(`parameter '${name}' is not one of PyTorch's (${Object.keys(c.paramGrads).join(', ')})`);
    const buffers = new Map(r.buffers);
    for (const [name, want] of Object.entries(c.buffersAfter ?? {})) {
      const got = buffers.get(name);
      if (!got) {
        problems.push(`buffer '${name}' does not exist`);
        continue;
      }
      const g = await host(got);
      problems.push(mismatch(`buffer '${name}' after the call`, g.shape, g.data, want.shape, want.data, want.dtype ? { rtol: 0, atol: 0 } : tol));
    }
    return problems.filter(Boolean);
  } finally {
    for (const t of owned) if (!t.isDisposed) t.dispose();
  }
}
