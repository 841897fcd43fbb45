import { afterAll, describe, expect, it } from 'vitest';
import { optim, setBackend, tensor, type Tensor } from '@tensorgrad/core';
import { workerBackend, type WorkerBackend } from './index';

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

/**
 * A worker backend with every kernel split across the threads, its kernels counted; once armed,
 * the `failAt`-th kernel call injects a worker fault ('throw') right before it runs, so the task it
 * sends to the pool fails. With `fused: false` the fused optimizer kernels are taken away, so the
 * composed updates (many small kernels per parameter) run instead.
 */
function faultyWorker(fused: boolean) {
  const backend = workerBackend({ threads: 2, splitThreshold: 0 });
  const ctl = { calls: 0, failAt: 0, failedAt: 0 };
  const kernels = backend.kernels as unknown as Record<string, unknown>;
  if (!fused) {
    delete kernels.sgdStep;
    delete kernels.adamStep;
  }
  for (const [name, k] of Object.entries(kernels)) {
    if (typeof k !== 'function') continue;
    kernels[name] = (...args: unknown[]) => {
      ctl.calls++;
      if (ctl.failAt > 0 && ctl.calls === ctl.failAt) {
        ctl.failAt = 0;
        backend._injectFault('throw');
      }
      try {
        return (k as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        if (ctl.failedAt === 0) ctl.failedAt = ctl.calls;
        throw e;
      }
    };
  }
  return { backend, ctl };
}

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

/** Parameters, gradients and every state entry (step counts, tensors as raw float bits), plain data. */
function snapshot(params: Tensor[], opt: optim.Optimizer<any>) {
  const dict = opt.stateDict();
  return {
    params: params.map(bits),
    grads: params.map((p) => (p.grad ? bits(p.grad) : null)),
    state: Object.fromEntries(
      Object.entries(dict.state).map(([i, s]) => [i, Object.fromEntries(Object.keys(s).sort().map((k) => [k, typeof s[k] === 'number' ? s[k] : bits(s[k] as Tensor)]))]),
    ),
    paramGroups: JSON.stringify(dict.paramGroups),
  };
}

describe.each([
  ['fused kernels', true],
  ['composed ops', false],
])('a worker fault during optimizer.step() (%s, every kernel split)', (_label, fused) => {
  const { backend, ctl } = faultyWorker(fused);
  afterAll(() => backend.close());

  it.each(OPTIMIZERS)('%s: leaves parameters and state bit-identical, and the retried step equals an uninterrupted run', async (_name, make) => {
    await setBackend(backend as WorkerBackend);
    const a = setup(make);
    const b = setup(make);
    for (let step = 0; step < 3; step++) {
      setGrads(a.params, step);
      setGrads(b.params, step);
      // the uninterrupted run, and how many kernels one step launches (as many for each parameter)
      const start = ctl.calls;
      b.opt.step();
      const total = ctl.calls - start;
      const perParam = total / SHAPES.length;
      expect(Number.isInteger(perParam) && perParam >= 1).toBe(true);
      // fail a's step in the second parameter's first kernel, in the middle, and in the very last one
      const points = [...new Set([perParam + 1, Math.ceil(total / 2) + 1, total].filter((n) => n > perParam && n <= total))];
      for (const n of points) {
        const before = snapshot(a.params, a.opt);
        const live = backend.memory().tensors;
        const started = ctl.calls;
        ctl.failAt = started + n;
        ctl.failedAt = 0;
        expect(() => a.opt.step()).toThrow(/worker backend: \w+ failed: worker 1 threw Error: injected fault/);
        // it failed mid-step: after the first parameter's kernels had all run
        expect(ctl.failAt, 'the fault was injected').toBe(0);
        expect(ctl.failedAt - started).toBeGreaterThanOrEqual(n);
        expect(ctl.failedAt - started).toBeGreaterThan(perParam);
        expect(snapshot(a.params, a.opt), `fault at kernel ${n} of ${total}, step ${step}`).toEqual(before);
        expect(backend.memory().tensors, 'the failed step frees what it computed').toBe(live);
      }
      // the retry, on the same (recovered) pool
      a.opt.step();
      expect(snapshot(a.params, a.opt), `retry of step ${step}`).toEqual(snapshot(b.params, b.opt));
    }
    for (const p of [...a.params, ...b.params]) p.grad = null;
  });
});
