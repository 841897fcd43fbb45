import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Tensor, loadCheckpoint, manualSeed, memory, noGrad, setBackend, tensor, tidy } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { CharData } from './data';
import { GPT } from './model';
import { NANOGPT_CPU, learningRateAt, trainGPT } from './trainer';

const tiny = { blockSize: 8, vocabSize: 65, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0, bias: false };
// a full collection on demand, so the live-tensor count below does not depend on when the collector last ran
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const dir = mkdtempSync(join(tmpdir(), 'gpt-test-'));
beforeAll(async () => {
  await setBackend(cpuBackend());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CharData', () => {
  const data = CharData.shakespeare();
  it("splits tinyshakespeare as nanoGPT's prepare.py: 65 characters, 1,003,854 / 111,540 tokens", () => {
    expect(data.vocabSize).toBe(65);
    expect(data.chars.slice(0, 3)).toEqual(['\n', ' ', '!']);
    expect([data.train.length, data.val.length]).toEqual([1003854, 111540]);
    expect(data.decode(data.encode('First Citizen:'))).toBe('First Citizen:');
    expect(() => data.encode('é')).toThrow(/"é" is not in the vocabulary of 65 characters/);
  });
  it('draws windows whose targets are the inputs shifted by one', () => {
    manualSeed(3);
    const { x, y } = data.batch('val', 4, 10);
    expect(x.shape).toEqual([4, 10]);
    const [xs, ys] = [x.tolist() as number[][], y.tolist() as number[][]];
    for (let b = 0; b < 4; b++) expect(xs[b]!.slice(1)).toEqual(ys[b]!.slice(0, 9));
    expect(() => data.batch('val', 1, 200000)).toThrow(/val split has 111540 tokens, too few for blockSize 200000/);
  });
});

describe('GPT', () => {
  it("has nanoGPT's state-dict keys, a head tied to the token embedding and nanoGPT's parameter count", () => {
    manualSeed(0);
    const model = new GPT(tiny);
    const keys = Object.keys(model.stateDict());
    expect(keys).toContain('transformer.h.1.attn.c_attn.weight');
    expect(keys).toContain('transformer.h.0.mlp.c_proj.weight');
    expect(keys).toContain('lm_head.weight');
    expect(keys.filter((k) => k.endsWith('bias'))).toEqual([]);
    expect(model.lm_head.weight).toBe((model.transformer.get('wte') as unknown as { weight: Tensor }).weight);
    // per layer: 2 layer norms (16) + c_attn 16·48 + c_proj 16·16 + c_fc 16·64 + c_proj 64·16; plus ln_f, wte (tied)
    const perLayer = 2 * 16 + 16 * 48 + 16 * 16 + 16 * 64 + 64 * 16;
    expect(model.numParams()).toBe(2 * perLayer + 16 + 65 * 16);
    expect(model.numParams(false)).toBe(2 * perLayer + 16 + 65 * 16 + 8 * 16);
    expect(() => new GPT({ ...tiny, nHead: 3 })).toThrow(/nEmbd \(16\) must be divisible by nHead \(3\)/);
  });

  it('a later position never changes an earlier position’s logits (causal attention)', () => {
    manualSeed(1);
    const model = new GPT(tiny);
    const a = model.forward(tensor([[1, 2, 3, 4]], { dtype: 'int32' }), tensor([[0, 0, 0, 0]], { dtype: 'int32' })).logits;
    const b = model.forward(tensor([[1, 2, 3, 9]], { dtype: 'int32' }), tensor([[0, 0, 0, 0]], { dtype: 'int32' })).logits;
    const [la, lb] = [a.narrow(1, 0, 3).tolist(), b.narrow(1, 0, 3).tolist()];
    expect(lb).toEqual(la);
    expect(a.narrow(1, 3, 1).tolist()).not.toEqual(b.narrow(1, 3, 1).tolist());
    expect(() => model.forward(tensor([[...Array(9).keys()]], { dtype: 'int32' }))).toThrow(/length 9, the block size is only 8/);
  });

  it('generates: topK 1 is greedy decoding, and the context is cropped to blockSize', () => {
    manualSeed(2);
    const model = new GPT(tiny).eval();
    const start = tensor([[5]], { dtype: 'int32' });
    const out = model.generate(start, 12, { topK: 1 });
    expect(out.shape).toEqual([1, 13]);
    const ids = out.tolist() as number[][];
    let ctx = [5];
    for (let i = 1; i < 13; i++) {
      const logits = model.forward(tensor([ctx.slice(-8)], { dtype: 'int32' })).logits;
      expect(ids[0]![i]).toBe((logits.reshape(-1).argmax().item() as number));
      ctx = ids[0]!.slice(0, i + 1);
    }
    expect(() => model.generate(start, 1, { temperature: 0 })).toThrow(/temperature must be positive/);
  });

  it("decodes over a key/value cache with a full forward's logits, and the same samples, freeing the cache", () => {
    manualSeed(3);
    const model = new GPT(tiny).eval();
    const prompt = tensor([[5, 1, 7], [2, 2, 0]], { dtype: 'int32' });
    const ids = [[5, 1, 7, 3, 4, 0, 6], [2, 2, 0, 1, 9, 8, 3]];
    // logits of the last position, a token at a time over the cache, against the whole context at once
    const caches = model.newCaches();
    tidy(() => noGrad(() => {
      model.forward(prompt, undefined, caches);
      for (let t = 3; t < 7; t++) {
        const step = model.forward(tensor(ids.map((r) => [r[t]!]), { dtype: 'int32' }), undefined, caches).logits;
        const full = model.forward(tensor(ids.map((r) => r.slice(0, t + 1)), { dtype: 'int32' })).logits;
        const [a, b] = [Array.from(step.dataSync()), Array.from(full.dataSync())];
        a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-5));
      }
    }));
    expect(caches[0]!.length).toBe(7);
    expect(() => model.forward(tensor([[1, 2]], { dtype: 'int32' }), undefined, caches)).toThrow(/length 9 \(7 cached\), the block size is only 8/);
    for (const c of caches) c.clear();
    // sampling: the same generator state gives the same tokens with and without the cache, past the block size too
    manualSeed(4);
    const cached = tidy(() => model.generate(prompt, 10, { temperature: 0.8, topK: 5 }).tolist());
    manualSeed(4);
    const plain = tidy(() => model.generate(prompt, 10, { temperature: 0.8, topK: 5, cache: false }).tolist());
    expect(cached).toEqual(plain);
  });
});

describe('training', () => {
  it("nanoGPT's schedule: linear warmup, cosine to minLr, then minLr", () => {
    expect(learningRateAt(0, NANOGPT_CPU)).toBeCloseTo(1e-3 / 101, 15);
    expect(learningRateAt(100, NANOGPT_CPU)).toBeCloseTo(1e-3, 15);
    expect(learningRateAt(1050, NANOGPT_CPU)).toBeCloseTo(5.5e-4, 12);
    expect(learningRateAt(2000, NANOGPT_CPU)).toBeCloseTo(1e-4, 15);
    expect(learningRateAt(2500, NANOGPT_CPU)).toBe(1e-4);
  });

  it('a short run lowers the loss, frees its tensors and saves a checkpoint sample can load', async () => {
    const out = join(dir, 'ck.safetensors');
    const data = CharData.shakespeare();
    const before = memory().tensors;
    const evals: number[] = [];
    const { model, bestValLoss } = await trainGPT(
      data,
      { ...NANOGPT_CPU, ...tiny, batchSize: 8, maxIters: 40, lrDecayIters: 40, warmupIters: 5, learningRate: 1e-2, minLr: 1e-3, evalInterval: 20, evalIters: 2, seed: 7 },
      { out, onEval: (e) => evals.push(e.valLoss) },
    );
    expect(evals).toHaveLength(3);
    expect(evals[2]!).toBeLessThan(evals[0]! - 0.5);
    expect(bestValLoss).toBe(Math.min(...evals));
    const params = model.parameters().length;
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5)); // the registry's callbacks run as tasks after it
    expect(memory().tensors - before).toBeLessThan(params * 4 + 8); // parameters, grads and AdamW's two moments, not per-step garbage
    const ck = loadCheckpoint(out);
    expect(ck.vocab).toBe(data.chars.join(''));
    expect(ck.iterNum).toBe(20 * evals.lastIndexOf(bestValLoss)); // saved when the val loss improved
    expect(ck.bestValLoss).toBe(bestValLoss);
    const restored = new GPT(ck.modelArgs as never);
    restored.loadStateDict(ck.model as Record<string, Tensor>);
    if (ck.iterNum === 40) expect(restored.lm_head.weight.tolist()).toEqual(model.lm_head.weight.tolist());
    else expect(restored.lm_head.weight.tolist()).not.toEqual(model.lm_head.weight.tolist());
  });
});
