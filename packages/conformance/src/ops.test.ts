import { describe, expect, it } from 'vitest';
import { loadTorchCases } from './cases';
import { OPS } from './ops';

describe('the PyTorch fixtures', () => {
  const { cases, programs } = loadTorchCases();

  it('hold the 135 public cases with unique names', () => {
    expect(cases).toHaveLength(135);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it('map every op they use to a tensorgrad call', () => {
    const unmapped = [...new Set(cases.map((c) => c.op))].filter((op) => !OPS[op]);
    expect(unmapped).toEqual([]);
  });

  it('give a gradient for every float input of every case with an upstream', () => {
    for (const c of cases.filter((c) => c.upstream)) {
      c.inputs.forEach((input, i) => expect(c.grads![i] === null, `${c.name} input ${i}`).toBe(input.dtype !== undefined));
    }
  });

  it('hold every program the suite runs', () => {
    expect(Object.keys(programs).sort()).toEqual(
      ['clip_grad_norm', 'linear_regression_seed', 'mlp_relu_ce', 'optimizers', 'scalar_more_ops', 'scalar_sanity'].sort(),
    );
    expect(programs.optimizers.map((o) => o.optimizer)).toEqual(expect.arrayContaining(['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad']));
  });
});
