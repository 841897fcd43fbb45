import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, manualSeed, save, setBackend } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, normalize, splitDataset, subset } from './data';
import { createModel } from './models';
import { evaluate, fit } from './train';

const range = (start: number, end: number) => Int32Array.from({ length: end - start }, (_, i) => start + i);
const split = splitDataset(loadMnist(), { trainSize: 8000, seed: 0 });
const train = normalize(subset(split.train, range(0, 2000)));
const test = normalize(subset(split.test, range(0, 500)));
const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-train-'));

beforeAll(async () => {
  await setBackend(cpuBackend());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fit', () => {
  it('teaches the MLP the digits: two epochs on 2,000 of them score over 85% on 500 others', async () => {
    manualSeed(0);
    const { model, inputShape } = createModel('mlp');
    const before = await evaluate(model, test, inputShape);
    const results = await fit(model, { train, test, inputShape, epochs: 2, batchSize: 64, optimizer: 'sgd', lr: 0.1, seed: 0 });
    expect(before).toBeLessThan(0.3); // an untrained model guesses
    expect(results).toHaveLength(2);
    expect(results[1]!.loss).toBeLessThan(results[0]!.loss);
    expect(results[1]!.accuracy).toBeGreaterThan(0.85);
    expect(results[1]!.samplesPerSecond).toBeGreaterThan(0);
  });

  it('trains the CNN too, and the saved weights give a fresh model the same accuracy', async () => {
    manualSeed(1);
    const { model, inputShape } = createModel('cnn');
    const [result] = await fit(model, { train, test, inputShape, epochs: 1, batchSize: 32, optimizer: 'adam', lr: 2e-3, seed: 1 });
    expect(result!.accuracy).toBeGreaterThan(0.8);

    const path = join(dir, 'cnn.safetensors');
    save(model.stateDict(), path);
    const fresh = createModel('cnn');
    fresh.model.loadStateDict(load(path));
    expect(await evaluate(fresh.model, test, fresh.inputShape)).toBe(result!.accuracy);
  });
});
