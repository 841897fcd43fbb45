import { describe, expect, it } from 'vitest';
import { type TorchOpCase2, isModuleCase, loadTorchCases2 } from './cases';
import { LOOSE_OPS2, OPS2 } from './ops2';

describe('the second PyTorch fixture file (torch-cases-2.json)', () => {
  const { cases, part } = loadTorchCases2();
  const opCases = cases.filter((c): c is TorchOpCase2 => !isModuleCase(c));

  it('holds the 236 cases of API.md Part 2 with unique names, 43 of them module cases', () => {
    expect(part).toBe(2);
    expect(cases).toHaveLength(236);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.filter(isModuleCase)).toHaveLength(43);
  });

  it('maps every non-module op (45 of them; 46 op names with "module") to a tensorgrad call, and maps nothing else', () => {
    const ops = [...new Set(opCases.map((c) => c.op))].sort();
    expect(ops).toHaveLength(45);
    expect(new Set(cases.map((c) => c.op)).size).toBe(46);
    expect(ops.filter((op) => !OPS2[op])).toEqual([]);
    expect(Object.keys(OPS2).sort()).toEqual(ops);
    expect([...LOOSE_OPS2].filter((op) => !OPS2[op])).toEqual([]);
  });

  it('gives every op case either outputs or an error to throw, never both', () => {
    for (const c of opCases) {
      const outputs = c.outputs ?? (c.output ? [c.output] : null);
      expect(outputs === null, `${c.name}: outputs or throws`).toBe(c.throws !== undefined);
      if (c.throws) expect(Array.isArray(c.throws), c.name).toBe(true);
    }
  });

  it('gives one upstream per output, and a grad entry per input', () => {
    for (const c of opCases.filter((c) => !c.throws)) {
      const outputs = c.outputs ?? [c.output!];
      const upstreams = c.upstreams ?? [c.upstream ?? null];
      expect(upstreams.length, c.name).toBe(outputs.length);
      upstreams.forEach((u, j) => {
        if (u) expect(u.shape, `${c.name} upstream ${j}`).toEqual(outputs[j]!.shape);
        if (u) expect(outputs[j]!.dtype, `${c.name}: an upstream on a non-float output`).toBeUndefined();
      });
      expect(c.grads, c.name).toBeDefined();
      expect(c.grads!.length, c.name).toBe(c.inputs.length);
      c.grads!.forEach((g, i) => {
        // int32/bool inputs never have a gradient; a float input without one is a constant
        if (c.inputs[i]!.dtype !== undefined) expect(g, `${c.name} input ${i}`).toBeNull();
        if (g) expect(g.shape, `${c.name} grad ${i}`).toEqual(c.inputs[i]!.shape);
      });
      const anyUpstream = upstreams.some((u) => u !== null);
      if (!anyUpstream) expect(c.grads!.every((g) => g === null), `${c.name}: grads without an upstream`).toBe(true);
    }
  });

  it('refers only to inputs that exist', () => {
    const refs = (v: unknown, out: number[] = []): number[] => {
      if (Array.isArray(v)) for (const e of v) refs(e, out);
      else if (v && typeof v === 'object') {
        if ('tensor' in v) out.push((v as { tensor: number }).tensor);
        else for (const e of Object.values(v)) refs(e, out);
      }
      return out;
    };
    for (const c of opCases) {
      for (const k of refs(c.attrs)) expect(k >= 0 && k < c.inputs.length, `${c.name}: { tensor: ${k} }`).toBe(true);
    }
  });

  it('uses extra_options only in error cases', () => {
    for (const c of opCases.filter((c) => c.attrs.extra_options !== undefined)) expect(c.throws, c.name).toBeDefined();
  });

  it('keeps the module cases to modules, with their constructor, state and gradients', () => {
    for (const c of cases.filter(isModuleCase)) {
      expect(typeof c.module, c.name).toBe('string');
      expect(Array.isArray(c.args), c.name).toBe(true);
      if (!c.throws) {
        expect(c.outputs!.length, c.name).toBe(c.upstreams!.length);
        expect(c.paramGrads, c.name).toBeDefined();
      }
    }
  });
});
