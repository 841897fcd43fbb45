/** @internal Test support: PyTorch's cases for the more ops and einsum, and the check every case runs. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { grad } from '../autograd';
import { tensor } from '../creation';
import type { Tensor } from '../tensor';

export interface Data {
  shape: number[];
  data: number[];
  dtype?: 'int32' | 'bool';
}
export interface Case {
  name: string;
  op: string;
  attrs: Record<string, unknown>;
  inputs: Data[];
  output?: Data;
  outputs?: (Data | null)[];
  upstream?: Data | null;
  upstreams?: (Data | null)[];
  grads?: (Data | null)[];
  throws?: string[];
}

/** The cases of a fixture next to this file. */
export const loadCases = (file: string): Case[] => (JSON.parse(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')) as { cases: Case[] }).cases;

/** torch-cases-2.json's cases for these ops. */
export const cases: Case[] = loadCases('more.cases.json');

export const asTensor = (d: Data, requiresGrad = false): Tensor => tensor(d.data, { shape: d.shape, dtype: d.dtype ?? 'float32', requiresGrad });
// reductions, norms and contractions: PyTorch's looser tolerance (golden/README.md)
const LOOSE = new Set(['std', 'norm', 'cumsum', 'einsum']);

function close(got: Tensor, want: Data, name: string, loose: boolean): void {
  expect(got.shape, name).toEqual(want.shape);
  if (want.dtype) expect(got.dtype, name).toBe(want.dtype);
  const [rtol, atol] = loose ? [2e-4, 1e-4] : [1e-4, 1e-5];
  const values = Array.from(got.dataSync());
  values.forEach((v, i) => {
    const w = want.data[i]!;
    if (!(Math.abs(v - w) <= atol + rtol * Math.abs(w))) expect.fail(`${name}: element ${i} is ${v}, PyTorch gives ${w}`);
  });
}

/** Checks a golden case: outputs, then the gradients of sum(output · upstream). */
export function check(c: Case, run: (c: Case, xs: Tensor[]) => Tensor[]): void {
  const xs = c.inputs.map((d, i) => asTensor(d, c.grads?.[i] != null));
  if (c.throws) {
    let message = '';
    try {
      run(c, xs);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message, `${c.name} should throw`).not.toBe('');
    for (const s of c.throws) expect(message.toLowerCase()).toContain(s.toLowerCase());
    return;
  }
  const outs = run(c, xs);
  const wants = c.outputs ?? [c.output!];
  const ups = c.upstreams ?? [c.upstream ?? null];
  expect(outs.length, c.name).toBe(wants.length);
  outs.forEach((o, j) => close(o, wants[j]!, `${c.name} output ${j}`, LOOSE.has(c.op)));
  const terms = outs.flatMap((o, j) => (ups[j] ? [o.mul(asTensor(ups[j]!)).sum()] : []));
  const wantGrads = (c.grads ?? []).map((g, i) => (g ? i : -1)).filter((i) => i >= 0);
  if (terms.length === 0 || wantGrads.length === 0) return;
  const loss = terms.reduce((s, t) => s.add(t));
  const got = grad(loss, wantGrads.map((i) => xs[i]!));
  wantGrads.forEach((i, k) => close(got[k]!, c.grads![i]!, `${c.name} grad ${i}`, true));
}

