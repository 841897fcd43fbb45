import { describe, expect, it } from 'vitest';
import { bytesMoved, CASES, formatCount, GPT_SIZE, higherIsBetter, samplesPerSecond, scaleBudget, selectCases, speedUp, valueOf } from './cases';

const named = (name: string) => CASES.find((c) => c.name === name)!;

describe('the case list', () => {
  it('has the cases of issue 6, in table order', () => {
    expect(CASES.map((c) => c.name)).toEqual([
      'matmul 128', 'matmul 256', 'matmul 512', 'matmul 1024',
      'add 1M', 'add 16M', 'relu 1M', 'relu 16M', 'exp 1M', 'exp 16M',
      'MLP step (batch 64)', 'MLP step (batch 256)', 'CNN step (batch 64)',
      'GPT iteration', 'GPT generation (per token)', 'makemore MLP step', 'LSTM step', 'MNIST Net step',
    ]);
  });

  it('defines the cases beside PyTorch as issue 15 asks', () => {
    const gpt = named('GPT iteration').work;
    expect(gpt).toMatchObject({ kind: 'gpt-train', batch: 12, weightDecay: 0.1, lr: 1e-3, betas: [0.9, 0.99], clip: 1 });
    expect(GPT_SIZE).toEqual({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: false });
    expect(named('GPT generation (per token)').work).toMatchObject({ kind: 'gpt-generate', prompt: 1, tokens: 63, temperature: 1, topK: null });
    expect(named('makemore MLP step').work).toMatchObject({ kind: 'makemore', batch: 32, vocab: 27, context: 3, embed: 10, hidden: 200, lr: 0.1 });
    expect(named('LSTM step').work).toMatchObject({ kind: 'lstm', batch: 97, steps: 999, hidden: 51, lr: 0.01 });
    expect(named('MNIST Net step').work).toMatchObject({ kind: 'mnist-net', batch: 64, lr: 1 });
    // only the dropout cases may disagree on their first loss
    expect(CASES.filter((c) => c.dropout).map((c) => c.name)).toEqual(['CNN step (batch 64)', 'MNIST Net step']);
  });

  it('keeps the slow LSTM step to a sample or two a round', () => {
    const c = named('LSTM step');
    expect(c.maxRuns).toBeLessThanOrEqual(2);
    expect(c.warmupRuns).toBe(1);
    expect(scaleBudget(c, 0.5).maxRuns).toBe(1);
  });

  it('gives every case at least one run and a budget', () => {
    for (const c of CASES) {
      expect(c.maxRuns).toBeGreaterThanOrEqual(1);
      expect(c.budgetMs).toBeGreaterThan(0);
    }
  });
});

describe('valueOf', () => {
  it('turns a matmul time into GFLOP/s at 2n³ FLOP', () => {
    expect(valueOf(named('matmul 1024'), 2 * 1024 ** 3 / 1e6)).toBeCloseTo(1);
  });

  it('turns an elementwise time into GB/s of bytes read and written', () => {
    expect(bytesMoved('add', 1000)).toBe(12_000);
    expect(bytesMoved('relu', 1000)).toBe(8000);
    expect(valueOf(named('add 1M'), 12 * 1024 * 1024 / 1e6)).toBeCloseTo(1);
    expect(valueOf(named('exp 16M'), 8 * 16 * 1024 * 1024 / 1e6)).toBeCloseTo(1);
  });

  it('reports generation per token: the run\'s time over the tokens it generated', () => {
    expect(named('GPT generation (per token)').unit).toBe('ms/token');
    expect(valueOf(named('GPT generation (per token)'), 126)).toBe(2);
    expect(higherIsBetter('ms/token')).toBe(false);
    expect(speedUp('ms/token', 1, 3)).toBe(3);
  });

  it('reports a training step in milliseconds, with samples/s from its batch', () => {
    expect(valueOf(named('MLP step (batch 64)'), 12.5)).toBe(12.5);
    expect(samplesPerSecond(named('MLP step (batch 64)'), 10)).toBe(6400);
    expect(samplesPerSecond(named('matmul 128'), 10)).toBeUndefined();
  });
});

describe('speedUp', () => {
  it('is above 1 when the first value wins, whichever way the unit points', () => {
    expect(higherIsBetter('GFLOP/s')).toBe(true);
    expect(speedUp('GFLOP/s', 30, 10)).toBe(3);
    expect(speedUp('ms/step', 10, 30)).toBe(3);
  });
});

describe('formatCount', () => {
  it('writes powers of two as K and M', () => {
    expect(formatCount(16 * 1024 * 1024)).toBe('16M');
    expect(formatCount(4096)).toBe('4K');
    expect(formatCount(1000)).toBe('1000');
  });
});

describe('selectCases', () => {
  it('picks every case for no filter', () => {
    expect(selectCases(CASES, undefined)).toHaveLength(CASES.length);
    expect(selectCases(CASES, ' , ')).toHaveLength(CASES.length);
  });

  it('matches words as case-insensitive substrings and keeps table order', () => {
    expect(selectCases(CASES, 'mlp,MATMUL 1024').map((c) => c.name)).toEqual(['matmul 1024', 'MLP step (batch 64)', 'MLP step (batch 256)', 'makemore MLP step']);
  });

  it('picks issue 15\'s cases with the words of its command', () => {
    expect(selectCases(CASES, 'gpt,makemore,lstm,mnist net,mlp step (batch 64)').map((c) => c.name)).toEqual([
      'MLP step (batch 64)', 'GPT iteration', 'GPT generation (per token)', 'makemore MLP step', 'LSTM step', 'MNIST Net step',
    ]);
  });

  it('takes an exact name over the names that contain it', () => {
    expect(selectCases(CASES, 'add 1M').map((c) => c.name)).toEqual(['add 1M']);
  });

  it('names the known cases when a word matches none', () => {
    expect(() => selectCases(CASES, 'conv3d')).toThrow(/--cases 'conv3d' matches no case; cases: matmul 128/);
  });
});

describe('scaleBudget', () => {
  it('scales the time budgets and the run counts, keeping at least one run', () => {
    const c = scaleBudget(named('matmul 1024'), 0.5);
    expect(c.budgetMs).toBe(named('matmul 1024').budgetMs / 2);
    expect(scaleBudget(named('matmul 1024'), 0.01).maxRuns).toBe(1);
  });
});
