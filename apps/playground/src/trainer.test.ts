/** The training code of both tabs, in Node on the cpu backend. */
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend, getBackend } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { makeDataset } from './datasets';
import { Trainer, buildMlp, checkTrainerOptions, type TrainerOptions } from './trainer';

beforeAll(async () => {
  await setBackend(cpuBackend());
});

function options(name: 'spirals' | 'circles' | 'xor' | 'blobs', over: Partial<TrainerOptions> = {}): TrainerOptions {
  const d = makeDataset(name, { count: 400, noise: 0.1, seed: 2 });
  return {
    features: 2,
    classes: 2,
    train: { inputs: d.train.xy, labels: d.train.labels, size: d.train.size },
    test: { inputs: d.test.xy, labels: d.test.labels, size: d.test.size },
    hidden: [16, 16],
    activation: 'tanh',
    optimizer: 'adam',
    lr: 0.03,
    batchSize: 1000,
    ...over,
  };
}

describe('Trainer', () => {
  for (const name of ['spirals', 'circles', 'xor', 'blobs'] as const) {
    it(`halves the loss on ${name} in 300 adam steps`, async () => {
      const trainer = new Trainer(options(name), getBackend());
      const losses: number[] = [];
      for (let i = 0; i < 300; i++) losses.push(await trainer.step());
      const test = await trainer.evaluate('test');
      console.log(`${name}: loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}, test loss ${test.loss.toFixed(3)}, test accuracy ${test.accuracy.toFixed(3)}`);
      expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
      expect(test.accuracy).toBeGreaterThan(0.8);
      trainer.dispose();
    });
  }

  it('trains on minibatches with sgd and relu', async () => {
    const trainer = new Trainer(options('blobs', { optimizer: 'sgd', lr: 0.3, activation: 'relu', batchSize: 32 }), getBackend());
    const losses: number[] = [];
    for (let i = 0; i < 200; i++) losses.push(await trainer.step());
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(losses.slice(-20))).toBeLessThan(0.5 * mean(losses.slice(0, 20)));
  });

  it('predicts probabilities that sum to one', async () => {
    const trainer = new Trainer(options('xor'), getBackend());
    const p = await trainer.predict(new Float32Array([0.5, 0.5, -0.5, 0.5, 0, 0]), 3);
    expect(p.length).toBe(6);
    for (let i = 0; i < 3; i++) expect(p[2 * i]! + p[2 * i + 1]!).toBeCloseTo(1, 5);
    await expect(trainer.predict(new Float32Array(3), 2)).rejects.toThrow(/2 × 2 inputs/);
  });

  it('refuses bad options by name', () => {
    expect(() => checkTrainerOptions(options('xor', { lr: -1 }))).toThrow(/lr must be a positive number, got -1/);
    expect(() => checkTrainerOptions(options('xor', { hidden: [0] }))).toThrow(/hidden must be/);
    expect(() => checkTrainerOptions(options('xor', { activation: 'gelu' as never }))).toThrow(/activation must be one of relu, tanh, sigmoid/);
    expect(() => checkTrainerOptions(options('xor', { optimizer: 'rmsprop' as never }))).toThrow(/optimizer must be one of sgd, adam/);
  });

  it('builds the layers asked for', () => {
    const m = buildMlp(784, [128], 10, 'relu');
    expect(m.parameters().map((p) => p.shape)).toEqual([[128, 784], [128], [10, 128], [10]]);
  });
});
