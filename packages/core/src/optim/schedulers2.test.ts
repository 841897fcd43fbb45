import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { tensor, zeros } from '../creation';
import { setBackend } from '../registry';
import * as optim from './index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
beforeAll(async () => {
  await setBackend(cpuBackend());
});

// PyTorch 1.13's learning rates after each step (SGD lr 0.1, momentum 0.9), printed by:
// for each schedule: opt = SGD([p], lr=0.1, momentum=0.9); s = make(opt); record lr, then n × (opt.step(); s.step())
//   multistep  MultiStepLR(o, [2, 5, 5], 0.5), 8 steps      linear  LinearLR(o, 0.25, 1.0, 4), 7 steps
//   sequential SequentialLR(o, [LinearLR(o, start_factor=0.1, total_iters=3), CosineAnnealingLR(o, T_max=5)], [3]), 10 steps
//   onecycle   OneCycleLR(o, max_lr=1.0, total_steps=10), 9 steps (lr and momentum)
//   onecycle3  OneCycleLR(o, max_lr=1.0, total_steps=10, three_phase=True, anneal_strategy='linear'), 9 steps
//   plateau    ReduceLROnPlateau(o, patience=1, cooldown=1, factor=0.5), step(metric) with [5,4,4,4,4,3.9999,4,4,4]
const TORCH = {"multistep": [0.1, 0.1, 0.05, 0.05, 0.05, 0.0125, 0.0125, 0.0125, 0.0125], "linear": [0.025, 0.043750000000000004, 0.06250000000000001, 0.08125000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002], "sequential": [0.010000000000000002, 0.04, 0.07, 0.1, 0.09045084971874738, 0.06545084971874737, 0.03454915028125263, 0.009549150281252633, 0.0, 0.009549150281252628, 0.03454915028125265], "onecycle": [[0.040000000000000036, 0.52, 1.0, 0.9504846320134737, 0.8117456539497631, 0.6112620219362893, 0.38874197806371075, 0.18825834605023697, 0.049519367986526286, 4e-06], [0.95, 0.8999999999999999, 0.85, 0.854951556604879, 0.8688255099070633, 0.8888739533021842, 0.9111260466978157, 0.9311744900929366, 0.945048443395121, 0.95]], "onecycle3": [0.04, 0.52, 1.0, 0.52, 0.040000000000000036, 0.032000799999999996, 0.024001599999999998, 0.0160024, 0.008003199999999995, 3.9999999999970615e-06], "plateau": [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025]};

type Sched = { step(metric?: number): void };
function run(make: (o: optim.SGD) => Sched, n: number, metric?: number[]): { lrs: number[]; moms: number[] } {
  const p = zeros([1], { requiresGrad: true });
  const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  const s = make(opt);
  const lrs = [opt.paramGroups[0]!.lr];
  const moms = [opt.paramGroups[0]!.momentum];
  for (let i = 0; i < n; i++) {
    s.step(metric?.[i]);
    lrs.push(opt.paramGroups[0]!.lr);
    moms.push(opt.paramGroups[0]!.momentum);
  }
  return { lrs, moms };
}
const close = (got: number[], want: number[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g, `step ${i}`).toBeCloseTo(want[i]!, 12));
};
const S = optim.lrScheduler;

describe("schedulers: PyTorch's learning rates step for step", () => {
  it('MultiStepLR (a repeated milestone decays twice)', () => close(run((o) => new S.MultiStepLR(o, [2, 5, 5], 0.5), 8).lrs, TORCH.multistep));
  it('LinearLR', () => close(run((o) => new S.LinearLR(o, 0.25, 1.0, 4), 7).lrs, TORCH.linear));
  it('SequentialLR: linear warmup, then cosine from the initial rate', () =>
    close(run((o) => new S.SequentialLR(o, [new S.LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new S.CosineAnnealingLR(o, { tMax: 5 })], [3]), 10).lrs, TORCH.sequential));
  it('OneCycleLR cycles the rate and the momentum', () => {
    const r = run((o) => new S.OneCycleLR(o, { maxLr: 1.0, totalSteps: 10 }), 9);
    close(r.lrs, TORCH.onecycle[0]);
    close(r.moms, TORCH.onecycle[1]);
  });
  it('OneCycleLR three phases, linear', () =>
    close(run((o) => new S.OneCycleLR(o, { maxLr: 1.0, totalSteps: 10, threePhase: true, annealStrategy: 'linear' }), 9).lrs, TORCH.onecycle3));
  it('ReduceLROnPlateau with patience and cooldown', () =>
    close(run((o) => new S.ReduceLROnPlateau(o, { patience: 1, cooldown: 1, factor: 0.5 }), 9, [5, 4, 4, 4, 4, 3.9999, 4, 4, 4]).lrs, TORCH.plateau));
  it('refuse unknown options and wrong arguments', () => {
    const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 0.1 });
    expect(() => new S.ReduceLROnPlateau(opt, { patiense: 2 } as never)).toThrow(/ReduceLROnPlateau: unknown option 'patiense' \(did you mean 'patience'\?\)/);
    expect(() => new S.OneCycleLR(opt, { maxLr: 1 })).toThrow(/totalSteps or both epochs and stepsPerEpoch/);
    expect(() => new S.OneCycleLR(new optim.Adagrad([zeros([1], { requiresGrad: true })]), { maxLr: 1, totalSteps: 5 })).toThrow(/has no momentum/);
    expect(() => new S.SequentialLR(opt, [new S.LinearLR(opt)], [3])).toThrow(/expected 0 milestone/);
  });
});

describe('Adadelta', () => {
  it("matches PyTorch 1.13's trajectory", () => {
    // w = tensor([0.5, -1, 2]); Adadelta([w], lr=0.5, rho=0.8, eps=1e-6, weight_decay=0.1);
    // 4 × (loss = (w³).sum() + (w · [1, 2, 3]).sum(); backward; step), w after each step
    const want = [
      [0.4988819658756256, -1.0011180639266968, 1.9988819360733032],
      [0.49770447611808777, -1.002297282218933, 1.9977039098739624],
      [0.49648573994636536, -1.0035202503204346, 1.9964838027954102],
      [0.49523454904556274, -1.0047786235809326, 1.9952303171157837],
    ];
    const w = tensor([0.5, -1, 2], { requiresGrad: true });
    const opt = new optim.Adadelta([w], { lr: 0.5, rho: 0.8, eps: 1e-6, weightDecay: 0.1 });
    for (const row of want) {
      opt.zeroGrad();
      w.pow(3).sum().add(w.mul(tensor([1, 2, 3])).sum()).backward();
      opt.step();
      Array.from(w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(row[i]!, 6));
    }
    expect(() => new optim.Adadelta([w], { rho: 1.5 })).toThrow(/Adadelta: invalid rho value: 1.5/);
  });
});
