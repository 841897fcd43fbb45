/**
 * PyTorch parity: the GPT of model.ts and an LSTM language model, started from PyTorch's initial
 * weights (fixtures/*.safetensors, written by fixtures/make_parity.py with torch 1.13), take 10
 * optimizer steps on the same batches; every step's loss must match PyTorch's within 2e-4 relative,
 * on every backend.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type Backend, type Tensor, functional as F, load, manualSeed, nn, optim, setBackend, tidy } from '@tensorgrad/core';
import { BACKEND_NAMES, createBackend } from '../../train/src/backends';
import { CharData } from './data';
import { GPT } from './model';
import { learningRateAt } from './trainer';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const parity = JSON.parse(readFileSync(fixture('parity.json'), 'utf8')) as {
  gpt: { config: Record<string, number> & { bias: boolean }; offsets: number[][]; lrs: number[]; losses: number[] };
  lstm: { config: Record<string, number>; offsets: number[][]; losses: number[] };
};
const data = CharData.shakespeare();

class CharLSTM extends nn.Module {
  embed: nn.Embedding;
  lstm: nn.LSTM;
  head: nn.Linear;
  constructor(c: Record<string, number>) {
    super();
    this.embed = new nn.Embedding(c.vocabSize!, c.embed!);
    this.lstm = new nn.LSTM(c.embed!, c.hidden!, { numLayers: c.numLayers!, batchFirst: true });
    this.head = new nn.Linear(c.hidden!, c.vocabSize!);
  }
  forward(idx: Tensor, targets: Tensor): Tensor {
    const [out] = this.lstm.forward(this.embed.forward(idx));
    const logits = this.head.forward(out);
    return F.crossEntropy(logits.reshape(-1, logits.shape[2]!), targets.reshape(-1));
  }
}

const expectClose = (got: number[], want: number[]) => {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!) / Math.abs(want[i]!), `step ${i}: ${g} vs PyTorch ${want[i]}`).toBeLessThanOrEqual(2e-4));
};

/** Run one optimizer step per batch of windows and return the losses PyTorch recorded the same way. */
async function train(offsetsPerStep: number[][], length: number, step: (x: Tensor, y: Tensor, it: number) => Tensor): Promise<number[]> {
  const losses: number[] = [];
  for (const [it, offsets] of offsetsPerStep.entries()) {
    const loss = tidy(() => {
      const { x, y } = data.windows('train', offsets, length);
      return step(x, y, it);
    });
    losses.push((await loss.data())[0]!);
    loss.dispose();
  }
  return losses;
}

const backends: Backend[] = [];
afterAll(async () => {
  for (const b of backends) await (b as { close?: () => unknown }).close?.(); // the worker pool's threads
});

describe.each(BACKEND_NAMES)('PyTorch parity on %s', (name) => {
  it('the GPT matches PyTorch loss for loss over 10 AdamW steps (decay groups, warmup + cosine, clipping)', async () => {
    const backend = await createBackend(name);
    backends.push(backend);
    await setBackend(backend);
    manualSeed(0);
    const c = parity.gpt.config;
    const model = new GPT({ vocabSize: c.vocabSize!, blockSize: c.blockSize!, nLayer: c.nLayer!, nHead: c.nHead!, nEmbd: c.nEmbd!, dropout: c.dropout!, bias: c.bias });
    const init = load(fixture('gpt-init.safetensors'));
    model.loadStateDict(init);
    const optimizer = model.configureOptimizers(c.weightDecay!, c.learningRate!, [c.beta1!, c.beta2!]);
    const schedule = { learningRate: c.learningRate!, minLr: c.minLr!, warmupIters: c.warmupIters!, lrDecayIters: c.lrDecayIters! };
    const losses = await train(parity.gpt.offsets, c.blockSize!, (x, y, it) => {
      const lr = learningRateAt(it, schedule);
      expect(lr).toBeCloseTo(parity.gpt.lrs[it]!, 12);
      for (const g of optimizer.paramGroups) g.lr = lr;
      const l = model.forward(x, y).loss!;
      optimizer.zeroGrad();
      l.backward();
      nn.utils.clipGradNorm_(model.parameters(), c.gradClip!);
      optimizer.step();
      return l;
    });
    expectClose(losses, parity.gpt.losses);
    for (const t of Object.values(init)) t.dispose();
  });

  it('the LSTM language model matches PyTorch loss for loss over 10 Adam steps', async () => {
    const backend = await createBackend(name);
    backends.push(backend);
    await setBackend(backend);
    manualSeed(0);
    const c = parity.lstm.config;
    const model = new CharLSTM(c);
    const init = load(fixture('lstm-init.safetensors'));
    model.loadStateDict(init);
    const optimizer = new optim.Adam(model.parameters(), { lr: c.learningRate! });
    const losses = await train(parity.lstm.offsets, c.seqLen!, (x, y) => {
      const l = model.forward(x, y);
      optimizer.zeroGrad();
      l.backward();
      nn.utils.clipGradNorm_(model.parameters(), c.gradClip!);
      optimizer.step();
      return l;
    });
    expectClose(losses, parity.lstm.losses);
    for (const t of Object.values(init)) t.dispose();
  });
});
