import { describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import { randn } from '../creation';
import { tidy } from '../memory';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import * as nn from './index';
import { cpuBackend, expectClose, numbers, withoutFused } from '../fused-testing';

// the fused kernel and the composition it replaces give the same numbers, to the second order
describe('the fused LSTM cell', () => {
  const programs: [string, () => Tensor[]][] = [
    [
      'LSTMCell over steps, with and without bias, h and c both used',
      () => {
        const out: Tensor[] = [];
        for (const bias of [true, false]) {
          const cell = new nn.LSTMCell(3, 5, bias);
          const x = randn([6, 4, 3]).requiresGrad_();
          const h0 = randn([4, 5]).requiresGrad_();
          const c0 = randn([4, 5]).requiresGrad_();
          let [h, c] = [h0, c0];
          let loss = h.sum().mul(0);
          for (let t = 0; t < 6; t++) {
            [h, c] = cell.forward(x.index(t), [h, c]);
            loss = loss.add(h.mul(h).sum()).add(c.sum().mul(0.3));
          }
          loss.backward();
          out.push(h, c, x.grad!, h0.grad!, c0.grad!, ...cell.parameters().map((p) => p.grad!));
        }
        return out;
      },
    ],
    [
      'LSTM (two layers, bidirectional, batchFirst), only the output used',
      () => {
        const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
        const x = randn([2, 5, 3]).requiresGrad_();
        const [out] = lstm.forward(x);
        out.mul(randn(out.shape)).sum().backward();
        return [out, x.grad!, ...lstm.parameters().map((p) => p.grad!)];
      },
    ],
    [
      'two backward passes accumulating into both biases (one gradient tensor for the two)',
      () => {
        const cell = new nn.LSTMCell(3, 4);
        const x = randn([2, 3]);
        for (let pass = 0; pass < 2; pass++) {
          const [h] = cell.forward(x.mul(pass + 1));
          h.mul(h).sum().backward();
        }
        const [ih, hh] = [cell.bias_ih!.grad!, cell.bias_hh!.grad!];
        expect(Array.from(ih.dataSync())).toEqual(Array.from(hh.dataSync()));
        return [ih, hh, cell.weight_ih.grad!];
      },
    ],
    [
      "only c' used, and unbatched",
      () => {
        const cell = new nn.LSTMCell(2, 3);
        const x = randn([2]).requiresGrad_();
        const [, c] = cell.forward(x);
        c.sum().backward();
        return [c, x.grad!, cell.weight_hh.grad!];
      },
    ],
    [
      'second order (createGraph): the gradient of a gradient norm',
      () => {
        const cell = new nn.LSTMCell(3, 4);
        const x = randn([2, 3]).requiresGrad_();
        const c0 = randn([2, 4]).requiresGrad_();
        const [h, c] = cell.forward(x, [randn([2, 4]), c0]);
        const [gx, gc] = grad(h.tanh().sum().add(c.mul(c).sum()), [x, c0], { createGraph: true });
        const gw = grad(gx!.mul(gx!).sum().add(gc!.sum()), [cell.weight_ih, cell.bias_hh!]);
        return [gx!, gc!, gw[0]!, gw[1]!];
      },
    ],
  ];
  for (const [name, program] of programs) {
    it(`agrees with the composition: ${name}`, async () => {
      expect(cpuBackend().supports.fused).toContain('lstmCell');
      expectClose(await numbers(cpuBackend(), program, 7), await numbers(withoutFused(['lstmCell', 'lstmCellBackward']), program, 7), 1e-5);
    });
  }

  it("refuses to backward through h' once c' was changed in place", async () => {
    await setBackend(cpuBackend());
    const cell = new nn.LSTMCell(3, 4);
    const [h, c] = cell.forward(randn([2, 3]));
    c.mul_(2);
    expect(() => h.sum().backward()).toThrow(/saved by lstmCell at version \d+, was changed in place since/);
  });

  it('leaves nothing behind in a tidy training step', async () => {
    const backend = cpuBackend();
    await setBackend(backend);
    const cell = new nn.LSTMCell(3, 4);
    const step = () =>
      tidy(() => {
        let [h, c] = cell.forward(randn([2, 3]));
        for (let t = 0; t < 5; t++) [h, c] = cell.forward(randn([2, 3]), [h, c]);
        h.sum().add(c.sum()).backward();
      });
    step();
    const before = backend.memory().tensors; // the parameters and their gradients
    step();
    expect(backend.memory().tensors).toBe(before);
  });
});
