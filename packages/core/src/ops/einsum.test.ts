import { beforeAll, describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import type { Backend } from '../backend';
import { tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { einsum } from './einsum';
import { type Case, cases, check, loadCases } from './more.golden';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

beforeAll(async () => {
  await setBackend(cpuBackend());
});

const call = (c: Case, xs: Tensor[]): Tensor[] => [einsum(c.attrs.equation as string, ...xs)];

describe("PyTorch's cases (torch-cases-2.json)", () => {
  for (const c of cases.filter((c) => c.op === 'einsum')) it(c.name, () => check(c, call));
});

describe('more equations, against torch.einsum (einsum.cases.json)', () => {
  for (const c of loadCases('einsum.cases.json')) it(c.name, () => check(c, call));
});

const int = (data: number[] | number[][]): Tensor => tensor(data, { dtype: 'int32' });

describe('einsum by hand', () => {
  it('trace, diagonal, transpose, outer and sum', () => {
    const m = tensor([[1, 2], [3, 4]]);
    expect(einsum('ii->', m).item()).toBe(5);
    expect(einsum('ii', m).item()).toBe(5);
    expect(einsum('ii->i', m).tolist()).toEqual([1, 4]);
    expect(einsum('ij->ji', m).tolist()).toEqual([[1, 3], [2, 4]]);
    expect(einsum('ji', m).tolist()).toEqual([[1, 3], [2, 4]]); // implicit: the letters sorted, i then j
    expect(einsum('ij->', m).item()).toBe(10);
    expect(einsum(' i , j -> i j ', tensor([1, 2]), tensor([1, 10])).tolist()).toEqual([[1, 10], [2, 20]]);
    expect(einsum('ij->ij', m).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(einsum(',i->i', tensor(2), tensor([1, 2])).tolist()).toEqual([2, 4]); // a 0-d operand has no subscripts
    expect(einsum('...,...->...', tensor([1, 2]), tensor(3)).tolist()).toEqual([3, 6]);
  });

  it('takes the operands as one list, as torch.einsum does', () => {
    const a = tensor([1, 2]);
    expect(einsum('i,i->', [a, a] as unknown as Tensor).item()).toBe(5);
  });

  it('gives int32 for int32 operands', () => {
    const out = einsum('ij,jk->ik', int([[1, 2]]), int([[3], [4]]));
    expect(out.dtype).toBe('int32');
    expect(out.tolist()).toEqual([[11]]);
    expect(einsum('ii->', int([[1, 2], [3, 4]])).dtype).toBe('int32');
  });

  it("the trace's gradient is the identity", () => {
    const m = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], { requiresGrad: true });
    const [g] = grad(einsum('ii->', m), [m]);
    expect(g!.tolist()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  });

  it('throws for the wrong number of operands, mismatched sizes and bad subscripts', () => {
    const a = tensor([[1, 2]]);
    expect(() => einsum('ij,jk->ik', a)).toThrow(/einsum: the equation "ij,jk->ik" has 2 operands, but 1 tensor was given/);
    expect(() => einsum('ij,jk->ik', a, tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))).toThrow(/einsum: subscript j has size 3 for operand 1 .* size 2/);
    expect(() => einsum('ii->i', tensor([[1, 2, 3], [4, 5, 6]]))).toThrow(/einsum: subscript i is repeated for operand 0 .* sizes don't match, 3 != 2/);
    expect(() => einsum('i1->i', a)).toThrow(/einsum: invalid subscript "1" given at index 1/);
    expect(() => einsum('ij->ii', a)).toThrow(/einsum: output subscript i appears more than once/);
    expect(() => einsum('ij->k', a)).toThrow(/einsum: output subscript k does not appear/);
    expect(() => einsum('i->i', a)).toThrow(/einsum: the number of subscripts in the equation \(1\) does not match the number of dimensions \(2\)/);
    expect(() => einsum('i..->i', a)).toThrow(/einsum: found '.'/);
    expect(() => einsum('i->...i', tensor([1]))).toThrow(/einsum: .*ellipsis/);
    expect(() => einsum('ij')).toThrow(/einsum: must provide at least one operand/);
    expect(() => einsum(3 as unknown as string, a)).toThrow(/einsum: the equation must be a string/);
  });
});
