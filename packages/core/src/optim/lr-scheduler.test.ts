import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { optim, setBackend, tensor } from '../index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

// each schedule's getLastLr() after construction and after each of 12 step()s, printed by PyTorch 1.13 from lr 0.1
const pytorch = {
  step: [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625],
  exponential: [0.1, 0.09, 0.081, 0.0729, 0.06561, 0.059049, 0.0531441, 0.04782969, 0.043046721, 0.0387420489, 0.03486784401, 0.031381059609, 0.0282429536481],
  cosine: [
    0.1, 0.09140576474687263, 0.06890576474687263, 0.04109423525312736, 0.018594235253127367, 0.01, 0.018594235253127367, 0.04109423525312739,
    0.06890576474687267, 0.09140576474687269, 0.10000000000000006, 0.09140576474687272, 0.06890576474687268,
  ],
  lambda: [0.1, 0.05, 1 / 30, 0.025, 0.02, 1 / 60, 1 / 70, 0.0125, 1 / 90, 0.01, 1 / 110, 1 / 120, 1 / 130],
};

function schedule(make: (opt: optim.SGD) => optim.lrScheduler.LRScheduler): { lrs: number[]; groupLrs: number[] } {
  const opt = new optim.SGD([tensor([0], { requiresGrad: true })], { lr: 0.1 });
  const s = make(opt);
  const lrs = [s.getLastLr()[0]!];
  const groupLrs = [opt.paramGroups[0]!.lr];
  for (let i = 0; i < 12; i++) {
    opt.step();
    s.step();
    lrs.push(s.getLastLr()[0]!);
    groupLrs.push(opt.paramGroups[0]!.lr);
  }
  return { lrs, groupLrs };
}

function expectClose(got: number[], want: number[]): void {
  got.forEach((g, i) => expect(g, `epoch ${i}`).toBeCloseTo(want[i]!, 14));
}

describe('lrScheduler', () => {
  it('StepLR multiplies by gamma every stepSize epochs', () => {
    const { lrs, groupLrs } = schedule((o) => new optim.lrScheduler.StepLR(o, { stepSize: 3, gamma: 0.5 }));
    expectClose(lrs, pytorch.step);
    expectClose(groupLrs, pytorch.step);
  });

  it('ExponentialLR multiplies by gamma every epoch', () => {
    expectClose(schedule((o) => new optim.lrScheduler.ExponentialLR(o, { gamma: 0.9 })).lrs, pytorch.exponential);
  });

  it('CosineAnnealingLR follows PyTorch down to etaMin and back up past tMax', () => {
    expectClose(schedule((o) => new optim.lrScheduler.CosineAnnealingLR(o, { tMax: 5, etaMin: 0.01 })).lrs, pytorch.cosine);
  });

  it('LambdaLR scales the initial learning rate by lrLambda(epoch)', () => {
    expectClose(schedule((o) => new optim.lrScheduler.LambdaLR(o, { lrLambda: (e) => 1 / (e + 1) })).lrs, pytorch.lambda);
  });

  it('records initialLr on each group and schedules every group from its own', () => {
    const opt = new optim.SGD([{ params: [tensor([0], { requiresGrad: true })] }, { params: [tensor([0], { requiresGrad: true })], lr: 1 }], { lr: 0.1 });
    const s = new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    s.step();
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 1]);
    expect(s.getLastLr()).toEqual([0.05, 0.5]);
  });

  it('refuses missing options with a message saying what to pass', () => {
    const opt = new optim.SGD([tensor([0], { requiresGrad: true })], { lr: 0.1 });
    expect(() => new optim.lrScheduler.StepLR(opt, {} as { stepSize: number })).toThrow(/StepLR: stepSize must be a positive integer/);
    expect(() => new optim.lrScheduler.LambdaLR(opt, {} as { lrLambda: () => number })).toThrow(/lrLambda must be a function/);
  });
});
