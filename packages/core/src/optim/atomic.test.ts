import { describe, expect, it } from 'vitest';
import type { Backend, KernelTable } from '../backend';
import { memory, optim, setBackend, tensor, type Tensor } from '../index';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

/**
 * backend-cpu with every kernel counted, and the `failAt`-th kernel call (once armed) throwing
 * before it runs; `fused: false` hides the fused optimizer kernels so the composed updates run.
 */
function faultyCpu(fused: boolean, name = fused ? 'faulty-cpu' : 'faulty-cpu-composed') {
  const cpu = cpuBackend();
  const ctl = { calls: 0, failAt: 0, failedAt: 0 };
  const kernels = new Proxy(cpu.kernels, {
    get(target, key, receiver) {
      const k = Reflect.get(target, key, receiver) as unknown;
      if (!fused && (key === 'sgdStep' || key === 'adamStep')) return undefined;
      if (typeof k !== 'function') return k;
      return (...args: unknown[]) => {
        ctl.calls++;
        if (ctl.failAt > 0 && ctl.calls === ctl.failAt) {
          ctl.failAt = 0;
          ctl.failedAt = ctl.calls;
          throw new Error(`injected kernel fault in ${String(key)}`);
        }
        return (k as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as KernelTable;
  const backend = new Proxy(cpu, {
    get(target, key, receiver) {
      if (key === 'kernels') return kernels;
      if (key === 'name') return name;
      return Reflect.get(target, key, receiver);
    },
  });
  return { backend, ctl };
}

type Make = (params: Tensor[]) => optim.Optimizer<any>;
const OPTIMIZERS: [string, Make][] = [
  ['SGD', (ps) => new optim.SGD(ps, { lr: 0.1 })],
  ['SGD momentum', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.1 })],
  ['SGD nesterov weightDecay', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 })],
  ['SGD maximize', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.5, maximize: true })],
  ['Adam', (ps) => new optim.Adam(ps, { lr: 0.01 })],
  ['Adam weightDecay', (ps) => new optim.Adam(ps, { lr: 0.01, weightDecay: 0.1 })],
  ['Adam amsgrad', (ps) => new optim.Adam(ps, { lr: 0.01, amsgrad: true })],
  ['AdamW', (ps) => new optim.AdamW(ps, { lr: 0.01 })],
  ['AdamW amsgrad maximize', (ps) => new optim.AdamW(ps, { lr: 0.01, amsgrad: true, maximize: true })],
  ['RMSprop', (ps) => new optim.RMSprop(ps, { lr: 0.01 })],
  ['RMSprop centered momentum weightDecay', (ps) => new optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1 })],
  ['Adagrad', (ps) => new optim.Adagrad(ps, { lr: 0.1 })],
  ['Adagrad lrDecay weightDecay', (ps) => new optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.01, weightDecay: 0.1, initialAccumulatorValue: 0.1 })],
];

const SHAPES = [[3, 4], [4], [4, 2]];
const values = (n: number, seed: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.3 + k * 1.9 + i * 0.37));

/** Three parameters in two groups (the second with its own lr), identical for the same call sequence. */
function setup(make: Make) {
  const params = SHAPES.map((shape, k) => tensor(values(shape.reduce((a, b) => a * b, 1), 1, k), { shape, requiresGrad: true }));
  const opt = make([params[0]!]);
  opt.addParamGroup({ params: params.slice(1), lr: opt.defaults.lr / 2 });
  return { params, opt };
}

function setGrads(params: Tensor[], step: number): void {
  params.forEach((p, k) => {
    p.grad = tensor(values(p.numel(), step + 2, k), { shape: [...p.shape] });
  });
}

const bits = (t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync() as ArrayLike<number>).buffer));

/** Parameters and every state entry (step counts, tensors as raw float bits), plain data. */
function snapshot(params: Tensor[], opt: optim.Optimizer<any>) {
  return {
    params: params.map(bits),
    grads: params.map((p) => (p.grad ? bits(p.grad) : null)),
    state: params.map((p) => {
      const s = opt.state.get(p);
      if (!s) return null;
      return Object.fromEntries(Object.keys(s).sort().map((k) => [k, typeof s[k] === 'number' ? s[k] : bits(s[k] as Tensor)]));
    }),
    stateDict: JSON.stringify(opt.stateDict().paramGroups),
  };
}

describe.each([
  ['fused kernels', true],
  ['composed ops', false],
])('a failed optimizer.step() (%s)', (_label, fused) => {
  it.each(OPTIMIZERS)('%s: leaves parameters and state bit-identical, and a retry equals an uninterrupted run', async (_name, make) => {
    const { backend, ctl } = faultyCpu(fused);
    await setBackend(backend);
    const a = setup(make);
    const b = setup(make);
    for (let step = 0; step < 3; step++) {
      setGrads(a.params, step);
      setGrads(b.params, step);
      // the uninterrupted run, and how many kernels one step launches
      const start = ctl.calls;
      b.opt.step();
      const total = ctl.calls - start;
      expect(total).toBeGreaterThanOrEqual(SHAPES.length);
      // fail a's step at the first kernel, part way, and at the very last kernel (the last parameter's)
      const points = [...new Set([1, Math.ceil(total / 3), Math.ceil((2 * total) / 3), total])];
      for (const n of points) {
        const before = snapshot(a.params, a.opt);
        const live = memory().tensors;
        const target = ctl.calls + n;
        ctl.failAt = target;
        expect(() => a.opt.step()).toThrow(/injected kernel fault/);
        expect(ctl.failedAt, 'the fault hit the kernel it was aimed at').toBe(target);
        expect(snapshot(a.params, a.opt), `fault at kernel ${n} of ${total}, step ${step}`).toEqual(before);
        expect(memory().tensors, 'the failed step frees what it computed').toBe(live);
      }
      // the retry
      a.opt.step();
      expect(snapshot(a.params, a.opt), `retry of step ${step}`).toEqual(snapshot(b.params, b.opt));
    }
    for (const p of [...a.params, ...b.params]) p.grad = null;
  });
});

describe('a failed optimizer.step()', () => {
  it('leaves the state where it was when the parameters moved backends, then follows them on the retry', async () => {
    const { backend: from } = faultyCpu(true, 'faulty-from');
    const { backend: to, ctl } = faultyCpu(true, 'faulty-to');
    await setBackend(from);
    const a = setup((ps) => new optim.Adam(ps, { lr: 0.01 }));
    const b = setup((ps) => new optim.Adam(ps, { lr: 0.01 }));
    for (const s of [a, b]) {
      setGrads(s.params, 0);
      s.opt.step();
    }
    // move every parameter and its gradient to the other backend, as module.to(backend) does
    await setBackend(to);
    for (const s of [a, b]) {
      for (const p of s.params) {
        const g = p.grad!.to(to);
        p._assign(p.to(to));
        p.grad = g;
      }
    }
    b.opt.step();
    const before = snapshot(a.params, a.opt);
    const stateBackends = a.params.map((p) => Object.values(a.opt.state.get(p)!).map((v) => (typeof v === 'number' ? v : v.backend)));
    ctl.failAt = ctl.calls + 2; // the second parameter's update: the first one's state was moved by then
    expect(() => a.opt.step()).toThrow(/injected kernel fault/);
    expect(snapshot(a.params, a.opt)).toEqual(before);
    expect(a.params.map((p) => Object.values(a.opt.state.get(p)!).map((v) => (typeof v === 'number' ? v : v.backend)))).toEqual(stateBackends);
    a.opt.step();
    expect(snapshot(a.params, a.opt)).toEqual(snapshot(b.params, b.opt));
    for (const p of a.params) for (const v of Object.values(a.opt.state.get(p)!)) if (typeof v !== 'number') expect(v.backend).toBe(to.name);
  });

  it('does not disturb a learning-rate scheduler, and the optimizer state keeps its tensors', async () => {
    const { backend, ctl } = faultyCpu(true);
    await setBackend(backend);
    const a = setup((ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }));
    const sched = new optim.lrScheduler.StepLR(a.opt, { stepSize: 1, gamma: 0.5 });
    setGrads(a.params, 0);
    a.opt.step();
    sched.step();
    const bufs = a.params.map((p) => a.opt.state.get(p)!.momentumBuffer);
    const lrs = a.opt.paramGroups.map((g) => g.lr);
    ctl.failAt = ctl.calls + 2;
    expect(() => a.opt.step()).toThrow(/injected kernel fault/);
    expect(a.opt.paramGroups.map((g) => g.lr)).toEqual(lrs);
    expect(sched.getLastLr()).toEqual(lrs);
    a.opt.step();
    // committed in place: the same state tensors hold the new values
    a.params.forEach((p, i) => expect(a.opt.state.get(p)!.momentumBuffer).toBe(bufs[i]));
  });
});
