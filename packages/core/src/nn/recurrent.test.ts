import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { manualSeed, randn } from '../creation';
import { setBackend } from '../registry';
import * as nn from './index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
beforeAll(async () => {
  await setBackend(cpuBackend());
  manualSeed(2);
});

// values and gradients against PyTorch: the module cases of torch-cases-2.json in conformance
describe('RNN, LSTM, GRU and their cells', () => {
  it("have PyTorch's state-dict keys and shapes", () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
    const keys = Object.entries(lstm.stateDict()).map(([k, t]) => `${k}:${t.shape.join('x')}`);
    expect(keys.slice(0, 8)).toEqual([
      'weight_ih_l0:16x3', 'weight_hh_l0:16x4', 'bias_ih_l0:16', 'bias_hh_l0:16',
      'weight_ih_l0_reverse:16x3', 'weight_hh_l0_reverse:16x4', 'bias_ih_l0_reverse:16', 'bias_hh_l0_reverse:16',
    ]);
    expect(keys[8]).toBe('weight_ih_l1:16x8'); // the second layer reads both directions
    expect(Object.keys(new nn.GRU(3, 5, { bias: false }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(Object.keys(new nn.GRUCell(3, 5).stateDict())).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(new nn.LSTMCell(3, 5).weight_ih.shape).toEqual([20, 3]);
  });

  it('give the shapes PyTorch gives, batched, batchFirst and unbatched', () => {
    const [out, [h, c]] = new nn.LSTM(3, 4, 2, true, true).forward(randn([2, 5, 3]));
    expect([out.shape, h.shape, c.shape]).toEqual([[2, 5, 4], [2, 2, 4], [2, 2, 4]]);
    const [o2, h2] = new nn.GRU(3, 4, { bidirectional: true }).forward(randn([5, 3]));
    expect([o2.shape, h2.shape]).toEqual([[5, 8], [2, 4]]);
    const [o3] = new nn.RNN(3, 4, { nonlinearity: 'relu' }).forward(randn([5, 2, 3]));
    expect(Math.min(...Array.from(o3.dataSync()))).toBeGreaterThanOrEqual(0);
    const [hc, cc] = new nn.LSTMCell(3, 4).forward(randn([3]));
    expect([hc.shape, cc.shape]).toEqual([[4], [4]]);
  });

  it('refuse wrong sizes, states and options, naming the layer', () => {
    expect(() => new nn.LSTM(3, 4, { numLayer: 2 } as never)).toThrow(/LSTM: unknown option 'numLayer' \(did you mean 'numLayers'\?\)/);
    expect(() => new nn.GRU(3, 4).forward(randn([5, 2, 6]))).toThrow(/GRU.forward: input.size\(-1\) must be equal to inputSize. Expected 3, got 6/);
    expect(() => new nn.RNN(3, 4).forward(randn([5, 2, 3]), randn([1, 3, 4]))).toThrow(/RNN.forward: expected hx of shape \[1,2,4\], got \[1,3,4\]/);
    expect(() => new nn.LSTM(3, 4).forward(randn([5, 2, 3]), randn([1, 2, 4]) as never)).toThrow(/must be \[h0, c0\]/);
    expect(() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' } as never)).toThrow(/RNN: nonlinearity must be one of 'tanh', 'relu'/);
  });
});
