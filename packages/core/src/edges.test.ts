// Values PyTorch gives (or refuses) at the edges: issue 12, item 4. Expected values and messages
// from /usr/bin/python3 with torch (the command is quoted at each case).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from './backend';
import { arange, eye, full, linspace, ones, rand, randn, tensor, zeros } from './creation';
import * as F from './functional/index';
import { memory } from './memory';
import { setBackend } from './registry';
import type { Tensor } from './tensor';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const inf = Infinity;
const values = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

describe('pow at C pow special values', () => {
  // torch.pow(torch.tensor(bases), torch.tensor(exps)).tolist()
  const table: [number, number, number][] = [
    [1, NaN, 1], [1, inf, 1], [1, -inf, 1], [-1, inf, 1], [-1, -inf, 1], [0, 0, 1], [0, -1, inf], [-0, -1, -inf],
    [2, inf, inf], [0.5, inf, 0], [-0.5, -inf, inf], [-2.834, inf, inf], [-2.834, -inf, 0], [-inf, -1.201, 0],
    [-inf, 3, -inf], [-inf, 2, inf], [inf, -1, 0], [inf, 0.5, inf], [-2, 3, -8], [-2, -2, 0.25], [-2, 0.5, NaN],
    [NaN, 0, 1], [NaN, 1, NaN], [0, -inf, inf], [-0, -3, -inf],
  ];
  it('matches torch.pow elementwise', () => {
    const got = values(tensor(table.map((r) => r[0])).pow(tensor(table.map((r) => r[1]))));
    table.forEach(([b, e, want], i) => expect(got[i], `pow(${b}, ${e})`).toBe(want));
  });
  it('with a number exponent', () => {
    expect(values(tensor([1, -1, 0.5, -2.834]).pow(inf))).toEqual([1, 1, 0, inf]);
    // torch.tensor([1., -1., 2.]).pow(float('nan')) → [1, nan, nan]
    expect(values(tensor([1, -1, 2]).pow(NaN))).toEqual([1, NaN, NaN]);
  });
  it('d/dx x^0 is 0 at x = 0', () => {
    // x = torch.tensor([0., 2., -1.], requires_grad=True); torch.pow(x, 0).sum().backward(); x.grad → [0, 0, 0]
    for (const e of [0, tensor(0)]) {
      const x = tensor([0, 2, -1], { requiresGrad: true });
      x.pow(e).sum().backward();
      expect(values(x.grad!)).toEqual([0, 0, 0]);
    }
  });
});

describe('sums of infinities', () => {
  it('sum, mean and logsumexp keep ±inf (inf + -inf is NaN)', () => {
    // t = torch.tensor(v); t.sum(), t.mean(), torch.logsumexp(t, 0)
    const rows: [number[], number, number, number][] = [
      [[1, inf, 2], inf, inf, inf],
      [[1, -inf], -inf, -inf, 1],
      [[inf, -inf], NaN, NaN, inf],
      [[inf, inf, 1], inf, inf, inf],
    ];
    for (const [v, sum, mean, lse] of rows) {
      expect(tensor(v).sum().item()).toBe(sum);
      expect(tensor(v).mean().item()).toBe(mean);
      expect(tensor(v).logsumexp(0).item()).toBeCloseTo(lse, 5);
    }
  });
});

describe('softmax over a zero-size dim', () => {
  it('is an empty tensor of the same shape', () => {
    // torch.softmax(torch.zeros(s), d).shape == s for s, d in ((0,), 0), ((2, 0), 1), ((2, 0), 0), ((0, 3), 1)
    for (const [shape, dim] of [[[0], 0], [[2, 0], 1], [[2, 0], 0], [[0, 3], 1]] as [number[], number][]) {
      expect(F.softmax(zeros(shape), dim).shape).toEqual(shape);
      expect(F.logSoftmax(zeros(shape), dim).shape).toEqual(shape);
    }
  });
});

describe('refusals, as PyTorch', () => {
  it('eye with a negative or non-integer size', () => {
    // torch.eye(-1): RuntimeError: n must be greater or equal to 0, got -1; torch.eye(1.5): TypeError
    expect(() => eye(-1)).toThrow(/eye: n must be greater or equal to 0, got -1/);
    expect(() => eye(2, -1)).toThrow(/eye: m must be greater or equal to 0, got -1/);
    expect(() => eye(1.5)).toThrow(/eye: n must be an integer, got 1.5/);
    expect(() => eye(NaN)).toThrow(/eye: n must be an integer, got NaN/);
    expect(() => eye(Infinity)).toThrow(/eye: n must be an integer, got Infinity/);
  });
  it('int32 values out of range', () => {
    // torch.tensor([3e9], dtype=torch.int32): RuntimeError: value cannot be converted to type int32 without overflow
    expect(() => tensor([3e9], { dtype: 'int32' })).toThrow(/tensor: value 3000000000 \(at flat index 0\) is not an int32, which holds integers in/);
    expect(() => tensor([-3e9], { dtype: 'int32' })).toThrow(/is not an int32/);
    expect(() => tensor([NaN], { dtype: 'int32' })).toThrow(/is not an int32/);
    expect(() => full([2], 2 ** 31, { dtype: 'int32' })).toThrow(/full: value 2147483648/);
    // torch.tensor([2147483647.], dtype=torch.int32) → 2147483647; torch.tensor([1.7], dtype=torch.int32) → 1
    expect(values(tensor([2147483647, -2147483648, 1.7], { dtype: 'int32' }))).toEqual([2147483647, -2147483648, 1]);
  });
  it('operands that are neither tensors nor numbers', () => {
    // torch.ones(2) + None: TypeError: unsupported operand type(s) for +: 'Tensor' and 'NoneType'
    const x = ones([3]);
    const bad: [unknown, RegExp][] = [
      [undefined, /undefined/],
      [null, /null/],
      ['1', /the string "1"/],
      [[1, 2, 3], /an array \(3 elements\); wrap it with tensor/],
      [{}, /an object/],
    ];
    for (const op of ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'lt', 'ge'] as const) {
      const arg = op === 'pow' ? 'exponent' : 'other';
      for (const [v, what] of bad) {
        const call = (): unknown => (x[op] as (o: unknown) => Tensor)(v);
        expect(call).toThrow(new RegExp(`^${op}: argument '${arg}' must be a Tensor or a number, got`));
        expect(call).toThrow(what);
      }
    }
  });
  it('softmax, logSoftmax and flatten of a 0-d tensor take dim 0 and -1 only', () => {
    // torch.softmax(torch.tensor(2.), 1): Dimension out of range (expected to be in range of [-1, 0], but got 1)
    const s = tensor(2);
    for (const d of [0, -1]) {
      expect(F.softmax(s, d).item()).toBe(1);
      expect(F.logSoftmax(s, d).item()).toBe(0);
    }
    for (const d of [1, -2, 5]) {
      expect(() => F.softmax(s, d)).toThrow(`softmax: dimension out of range (expected to be in range of [-1, 0], but got ${d})`);
      expect(() => F.logSoftmax(s, d)).toThrow(`logSoftmax: dimension out of range (expected to be in range of [-1, 0], but got ${d})`);
    }
    // torch.flatten(s, 0, -1), (0, 0), (-1, -1), (-1, 0) → tensor([2.]); (0, 1), (1, 1) refused
    for (const [a, b] of [[0, -1], [0, 0], [-1, -1], [-1, 0]] as const) expect(s.flatten(a, b).shape).toEqual([1]);
    expect(() => s.flatten(0, 1)).toThrow('flatten: dimension out of range (expected to be in range of [-1, 0], but got 1)');
    expect(() => s.flatten(1, 1)).toThrow('flatten: dimension out of range (expected to be in range of [-1, 0], but got 1)');
  });
  it('integer tensors to negative integer powers', () => {
    // torch.tensor([1, 2], dtype=torch.int32).pow(-1): RuntimeError: Integers to negative integer powers are not allowed.
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(() => i.pow(-1)).toThrow(/^pow: int32 tensors have no negative integer powers \(got -1\)/);
    // torch: .pow(0) → [1, 1]; .pow(-1.0) → [1., 0.5]
    expect(values(i.pow(0))).toEqual([1, 1]);
    expect(values(i.pow(-1.5))).toEqual([1, 2 ** -1.5].map((v) => Math.fround(v)));
  });
  it('bool negation and subtraction', () => {
    // torch.tensor([True]).neg(): RuntimeError: Negation, the `-` operator, on a bool tensor is not supported.
    const b = tensor([true, false]);
    expect(() => b.neg()).toThrow(/^neg: a bool tensor \(shape \[\d+\]\) has no negation; invert a mask with x\.eq\(0\), or negate x\.int\(\) or x\.float\(\)$/);
    // torch.tensor([True]) - torch.tensor([False]): RuntimeError: Subtraction, the `-` operator, with two bool tensors is not supported.
    expect(() => b.sub(tensor([false, true]))).toThrow(/^sub: subtraction of two bool tensors is not supported/);
    // torch.tensor([True]) - 1 → tensor([0]) (an integer result)
    expect(values(b.sub(1))).toEqual([0, -1]);
  });
  it('crossEntropy on integer logits', () => {
    // F.cross_entropy(torch.tensor([[1, 2]], dtype=torch.int32), torch.tensor([0])): "log_softmax_lastdim_kernel_impl" not implemented for 'Int'
    const logits = tensor([[1, 2]], { dtype: 'int32' });
    expect(() => F.crossEntropy(logits, tensor([0], { dtype: 'int32' }))).toThrow(/^crossEntropy: logits must be floating point \(float32\), got int32 of shape \[1,2\]/);
  });
});

describe('sizes too large to allocate', () => {
  it('creation names the op, the shape, elements and bytes, and allocates nothing', () => {
    const before = memory().tensors;
    for (const [make, op] of [
      [() => zeros([1e6, 1e6]), 'full'],
      [() => ones([1e6, 1e6]), 'full'],
      [() => full([1e6, 1e6], 3), 'full'],
      [() => rand([1e6, 1e6]), 'rand'],
      [() => randn([1e6, 1e6]), 'randn'],
      [() => tensor([], { shape: [1e6, 1e6, 0, 1e6] }), ''],
    ] as [() => Tensor, string][]) {
      if (op) expect(make).toThrow(new RegExp(`^${op}: shape \\[1000000,1000000\\] is too large: 1000000000000 elements \\(4000000000000 bytes of float32\\)`));
      else expect(make).not.toThrow();
    }
    expect(memory().tensors).toBe(before + 1); // only the empty tensor (0 elements is not too large)
  });
  it('eye, arange and linspace refuse NaN, infinite and huge arguments', () => {
    // torch.arange(float('nan')): RuntimeError: unsupported range: 0 -> nan; torch.arange(float('inf')): 0 -> inf
    expect(() => arange(NaN)).toThrow(/^arange: unsupported range: end must be a finite number, got NaN/);
    expect(() => arange(Infinity)).toThrow(/^arange: unsupported range: end must be a finite number, got Infinity/);
    expect(() => arange(0, 1, NaN)).toThrow(/^arange: unsupported range: step must be a finite number, got NaN/);
    expect(() => arange(-Infinity, 0)).toThrow(/^arange: unsupported range: start must be a finite number/);
    expect(() => arange(1e12)).toThrow(/^arange: shape \[1000000000000\] is too large: 1000000000000 elements/);
    expect(() => arange(0, 1, 1e-12)).toThrow(/^arange: shape \[1000000000000\] is too large/);
    // torch.linspace(0, 1, -1): RuntimeError: number of steps must be non-negative
    expect(() => linspace(0, 1, NaN)).toThrow(/^linspace: steps must be a non-negative integer, got NaN/);
    expect(() => linspace(0, 1, Infinity)).toThrow(/^linspace: steps must be a non-negative integer, got Infinity/);
    expect(() => linspace(0, 1, 1e12)).toThrow(/^linspace: shape \[1000000000000\] is too large/);
    expect(() => eye(1e6)).toThrow(/^eye: shape \[1000000,1000000\] is too large: 1000000000000 elements \(4000000000000 bytes of float32\)/);
  });
});
