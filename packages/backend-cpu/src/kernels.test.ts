import { describe, expect, it } from 'vitest';
import type { BinaryOp, ReduceOp, UnaryOp } from '@tensorgrad/core';
import * as k from './kernels';
import { randomFloats, splitRanges } from './testing';

/** Run `range` once over `[0, n)` and again split in uneven pieces; both outputs must be bit-identical. */
function expectSplitInvariant<T extends Float32Array | Int32Array | Uint8Array>(make: () => T, n: number, range: (out: T, start: number, end: number) => void): T {
  const whole = make();
  range(whole, 0, n);
  for (const parts of [2, 3, 7]) {
    const split = make();
    split.fill(123); // garbage the kernel must overwrite
    for (const [s, e] of splitRanges(n, parts, parts)) range(split, s, e);
    expect(Array.from(split)).toEqual(Array.from(whole));
  }
  return whole;
}

describe('range kernels split by output range', () => {
  const unaryOps: UnaryOp[] = ['neg', 'abs', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'square', 'reciprocal', 'sign', 'erf', 'floor', 'logicalNot'];
  it.each(unaryOps)('unary %s gives the same result in pieces', (op) => {
    const x = randomFloats(101, 3);
    expectSplitInvariant(() => new Float32Array(101), 101, (out, s, e) => k.unaryRange(op, x, out, s, e));
  });

  const binaryOps: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
  const shapes: [number[], number[], number[]][] = [
    [[5, 7], [5, 7], [5, 7]],
    [[5, 7], [], [5, 7]],
    [[5, 7], [7], [5, 7]],
    [[5, 1], [5, 7], [5, 7]],
    [[3, 1, 4], [2, 1], [3, 2, 4]],
  ];
  it.each(binaryOps)('binary %s broadcasts the same in pieces', (op) => {
    for (const [as, bs, os] of shapes) {
      const a = randomFloats(k.sizeOf(as), 1);
      const b = randomFloats(k.sizeOf(bs), 2);
      const plan = k.binaryPlan(as, bs, os);
      const n = k.sizeOf(os);
      expectSplitInvariant(() => new Float32Array(n), n, (out, s, e) => k.binaryRange(op, a, b, out, plan, s, e));
    }
  });

  it('binary broadcasts rows, columns and scalars to the right elements', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const out = new Float32Array(6);
    k.binaryRange('sub', a, new Float32Array([10, 20, 30]), out, k.binaryPlan([2, 3], [3], [2, 3]), 0, 6);
    expect(Array.from(out)).toEqual([-9, -18, -27, -6, -15, -24]);
    k.binaryRange('sub', a, new Float32Array([10, 20]), out, k.binaryPlan([2, 3], [2, 1], [2, 3]), 0, 6);
    expect(Array.from(out)).toEqual([-9, -8, -7, -16, -15, -14]);
    k.binaryRange('sub', new Float32Array([10]), a, out, k.binaryPlan([], [2, 3], [2, 3]), 0, 6);
    expect(Array.from(out)).toEqual([9, 8, 7, 6, 5, 4]);
    const outer = new Float32Array(6);
    k.binaryRange('mul', new Float32Array([1, 2]), new Float32Array([1, 10, 100]), outer, k.binaryPlan([2, 1], [1, 3], [2, 3]), 0, 6);
    expect(Array.from(outer)).toEqual([1, 10, 100, 2, 20, 200]);
  });

  it('binary matches per-element NumPy indexing on random broadcast shapes', () => {
    const r = randomFloats(400, 77);
    let q = 0;
    const next = (n: number): number => Math.floor(((r[q++ % r.length]! + 1) / 2) * n);
    for (let trial = 0; trial < 40; trial++) {
      const rank = 1 + next(4);
      const outShape = Array.from({ length: rank }, () => 1 + next(4));
      // each input drops some leading dims and sets some others to 1
      const input = (): number[] => outShape.slice(next(rank + 1)).map((d) => (next(3) === 0 ? 1 : d));
      const [as, bs] = [input(), input()];
      const a = randomFloats(k.sizeOf(as), trial);
      const b = randomFloats(k.sizeOf(bs), trial + 100);
      const n = k.sizeOf(outShape);
      const out = new Float32Array(n);
      k.binaryRange('sub', a, b, out, k.binaryPlan(as, bs, outShape), 0, n);
      for (let o = 0; o < n; o++) {
        const idx = outShape.map(() => 0);
        for (let d = rank - 1, t = o; d >= 0; d--) {
          idx[d] = t % outShape[d]!;
          t = Math.floor(t / outShape[d]!);
        }
        const at = (shape: number[]): number => shape.reduce((off, len, d) => off * len + (len === 1 ? 0 : idx[d + rank - shape.length]!), 0);
        expect(out[o]).toBe(Math.fround(a[at(as)]! - b[at(bs)]!));
      }
    }
  });

  it('where broadcasts its three inputs the same in pieces', () => {
    const cond = new Uint8Array([1, 0, 1, 1, 0, 0, 1]);
    const a = randomFloats(5 * 7, 4);
    const b = new Float32Array([-1]);
    const plan = k.wherePlan([7], [5, 7], [], [5, 7]);
    const out = expectSplitInvariant(() => new Float32Array(35), 35, (o, s, e) => k.whereRange(cond, a, b, o, plan, s, e));
    expect(out[8]).toBe(-1);
    expect(out[9]).toBe(a[9]);
  });

  it('relu gives +0 for every negative (-0 and -inf too) and keeps positives and NaNs of either sign', () => {
    const bits = new Int32Array([0x7fc00000, 0xffc00000 | 0, 0x7f800001, 0xff800001 | 0]); // NaNs, both signs
    const x = new Float32Array([-1, -0, 0, 2.5, -Infinity, Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38, ...new Float32Array(bits.buffer), 7]);
    const out = expectSplitInvariant(() => new Float32Array(x.length), x.length, (o, s, e) => k.unaryRange('relu', x, o, s, e));
    x.forEach((v, i) => expect(Object.is(out[i], Number.isNaN(v) ? NaN : v > 0 ? v : 0)).toBe(true));
  });

  it('where passes every float32 and int32 value through exactly: NaN, infinities, -0', () => {
    const special = [NaN, Infinity, -Infinity, -0, 0, 1.5, -2.25, 3e38, 1e-45];
    const n = 4 * special.length + 3; // whole groups of four and a tail
    const a = Float32Array.from({ length: n }, (_, i) => special[i % special.length]!);
    const cond = Uint8Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    for (const [b, bShape] of [[new Float32Array([-0]), []], [Float32Array.from(a).reverse(), [n]]] as const) {
      const plan = k.wherePlan([n], [n], bShape, [n]);
      const out = expectSplitInvariant(() => new Float32Array(n), n, (o, s, e) => k.whereRange(cond, a, b, o, plan, s, e));
      for (let i = 0; i < n; i++) expect(Object.is(out[i], cond[i] ? a[i] : b[bShape.length === 0 ? 0 : i])).toBe(true);
    }
    const ints = Int32Array.from({ length: n }, (_, i) => i * 1000003 - 7);
    const intOut = expectSplitInvariant(() => new Int32Array(n), n, (o, s, e) => k.whereRange(cond, ints, new Int32Array([-1]), o, k.wherePlan([n], [n], [], [n]), s, e));
    intOut.forEach((v, i) => expect(v).toBe(cond[i] ? ints[i] : -1));
  });

  const reduceOps: ReduceOp[] = ['sum', 'max', 'min', 'argmax', 'argmin'];
  const reductions: [number[], number[]][] = [
    [[6, 9], [1]],
    [[6, 9], [0]],
    [[4, 5, 6], [1]],
    [[4, 5, 6], [0, 2]],
    [[3, 4, 5, 2], [0, 2]],
    [[4, 5, 6], [0, 1, 2]],
  ];
  it.each(reduceOps)('reduce %s gives the same result in pieces and matches a direct loop', (op) => {
    for (const [shape, axes] of reductions) {
      if ((op === 'argmax' || op === 'argmin') && axes.length > 1) continue;
      const x = randomFloats(k.sizeOf(shape), 5);
      const plan = k.reducePlan(shape, axes);
      const outShape = shape.filter((_, d) => !axes.includes(d));
      const n = k.sizeOf(outShape);
      const arg = op === 'argmax' || op === 'argmin';
      const got = expectSplitInvariant(() => (arg ? new Int32Array(n) : new Float32Array(n)), n, (out, s, e) => k.reduceRange(op, x, out, plan, s, e));
      expect(Array.from(got)).toEqual(Array.from(naiveReduce(op, x, shape, axes), (v) => (arg ? v : Math.fround(v))));
    }
  });

  it('reduce max propagates NaN and argmax picks the first of equal values', () => {
    const x = new Float32Array([1, NaN, 3, 2, 5, 5]);
    const out = new Float32Array(2);
    k.reduceRange('max', x, out, k.reducePlan([2, 3], [1]), 0, 2);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(5);
    const at = new Int32Array(2);
    k.reduceRange('argmax', x, at, k.reducePlan([2, 3], [1]), 0, 2);
    expect(Array.from(at)).toEqual([1, 1]);
  });

  it('permute, expand and slice copy the same in pieces', () => {
    const x = randomFloats(2 * 3 * 4 * 5, 6);
    const plans = [k.permutePlan([2, 3, 4, 5], [2, 0, 3, 1]), k.expandPlan([3, 1, 5], [2, 3, 4, 5]), k.slicePlan([2, 3, 4, 5], [1, 0, 1, 2], [1, 3, 2, 3])];
    for (const plan of plans) {
      const n = k.sizeOf(plan.shape);
      expectSplitInvariant(() => new Float32Array(n), n, (out, s, e) => k.stridedCopyRange(x, out, plan, s, e));
    }
    const t = new Float32Array(6);
    k.stridedCopyRange(new Float32Array([1, 2, 3, 4, 5, 6]), t, k.permutePlan([2, 3], [1, 0]), 0, 6);
    expect(Array.from(t)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('permute walks the outer dims right around contiguous inner rows, from any start (attention heads)', () => {
    const [a, b, c, d] = [3, 4, 2, 7];
    const x = randomFloats(a * b * c * d, 11);
    const want = new Float32Array(x.length);
    let o = 0;
    for (let i = 0; i < a; i++) for (let k2 = 0; k2 < c; k2++) for (let j = 0; j < b; j++) for (let l = 0; l < d; l++) want[o++] = x[((i * b + j) * c + k2) * d + l]!;
    const plan = k.permutePlan([a, b, c, d], [0, 2, 1, 3]);
    for (const [s, e] of [[0, x.length], [5, 61], [33, x.length], [70, 71]] as const) {
      const out = new Float32Array(x.length);
      k.stridedCopyRange(x, out, plan, s, e);
      expect(Array.from(out.subarray(s, e))).toEqual(Array.from(want.subarray(s, e)));
    }
  });

  it('copies rows longer than the memcpy threshold in pieces', () => {
    const x = randomFloats(4 * 200, 8);
    const plan = k.slicePlan([4, 200], [1, 3], [3, 150]);
    const out = expectSplitInvariant(() => new Float32Array(450), 450, (o, s, e) => k.stridedCopyRange(x, o, plan, s, e));
    expect(out[151]).toBe(x[2 * 200 + 4]);
  });

  it('pad fills around the input the same in pieces', () => {
    const x = randomFloats(2 * 3 * 4, 9);
    const plan = k.padPlan([2, 3, 4], [
      [1, 0],
      [0, 2],
      [3, 1],
    ]);
    const n = k.sizeOf(plan.outShape);
    const out = expectSplitInvariant(() => new Float32Array(n), n, (o, s, e) => k.padRange(x, o, plan, -5, s, e));
    // out[1, 0, 3] is x[0, 0, 0]; out[0, ...] is all padding
    expect(out[1 * 5 * 8 + 3]).toBe(x[0]);
    expect(out[7]).toBe(-5);
  });

  it('concat joins along an inner axis the same in pieces', () => {
    const xs = [randomFloats(2 * 3 * 2, 10), randomFloats(2 * 40 * 2, 11), randomFloats(0, 12)];
    const plan = k.concatPlan(
      [
        [2, 3, 2],
        [2, 40, 2],
        [2, 0, 2],
      ],
      1,
    );
    const out = expectSplitInvariant(() => new Float32Array(2 * 43 * 2), 2 * 43 * 2, (o, s, e) => k.concatRange(xs, o, plan, s, e));
    expect(out[43 * 2]).toBe(xs[0]![6]);
    expect(out[6]).toBe(xs[1]![0]);
  });

  it('concat of many inputs (an RNN stacking its steps), empty ones among them, from any start', () => {
    // 30 inputs [3, s_j] along dim 1, every third one empty: element (r, j, t) of the result
    // reads input j's (r, t), checked against that definition for every range [s, e)
    const sizes = Array.from({ length: 30 }, (_, j) => (j % 3 === 1 ? 0 : 1 + (j % 4)));
    const xs = sizes.map((s, j) => randomFloats(3 * s, 40 + j));
    const plan = k.concatPlan(
      sizes.map((s) => [3, s]),
      1,
    );
    const rowLength = sizes.reduce((a, b) => a + b, 0);
    const want: number[] = [];
    for (let r = 0; r < 3; r++) sizes.forEach((s, j) => want.push(...Array.from(xs[j]!.subarray(r * s, (r + 1) * s))));
    const n = 3 * rowLength;
    for (let s = 0; s < n; s++) {
      const e = Math.min(n, s + 1 + ((s * 7) % 23));
      const out = new Float32Array(n).fill(123);
      k.concatRange(xs, out, plan, s, e);
      expect(Array.from(out.subarray(s, e)), `range [${s}, ${e})`).toEqual(want.slice(s, e));
      expect(out[e] ?? 123).toBe(123); // nothing past the range
    }
  });

  it('gather reads along the axis, also with an index smaller than the data', () => {
    const x = new Float32Array([1, 2, 3, 4, 5, 6]); // [2, 3]
    const out = new Float32Array(2);
    k.gatherRange(x, new Int32Array([2, -3]), out, k.gatherPlan([2, 3], 1, [2, 1]), 0, 2);
    expect(Array.from(out)).toEqual([3, 4]);
    const small = new Float32Array(2);
    k.gatherRange(x, new Int32Array([1, 0]), small, k.gatherPlan([2, 3], 0, [1, 2]), 0, 2); // index [1, 2] along rows
    expect(Array.from(small)).toEqual([4, 2]);
    const big = randomFloats(4 * 5 * 6, 13);
    const index = new Int32Array(4 * 3 * 6).map((_, i) => ((i * 7) % 10) - 5); // negative ones count from the end
    const plan = k.gatherPlan([4, 5, 6], 1, [4, 3, 6]);
    const got = expectSplitInvariant(() => new Float32Array(72), 72, (o, s, e) => k.gatherRange(big, index, o, plan, s, e));
    // against a direct loop: out[i][j][l] = x[i][index[i][j][l]][l]
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) for (let l = 0; l < 6; l++) expect(got[i * 18 + j * 6 + l]).toBe(big[i * 30 + ((index[i * 18 + j * 6 + l]! + 5) % 5) * 6 + l]);
  });

  it('gather along the last axis (max-pooling picks its values so) and the first, from any start', () => {
    // data [3, 4, 5]; index [3, 4, 2] along dim 2 (inner 1), and [2, 4, 5] along dim 0 (inner 20)
    const x = randomFloats(60, 15);
    const cases = [
      { axis: 2, shape: [3, 4, 2], at: (i: number, j: number, l: number, v: number) => i * 20 + j * 5 + v },
      { axis: 0, shape: [2, 4, 5], at: (_i: number, j: number, l: number, v: number) => v * 20 + j * 5 + l },
    ];
    for (const { axis, shape, at } of cases) {
      const [a, b, c] = shape as [number, number, number];
      const len = [3, 4, 5][axis]!;
      const index = new Int32Array(a * b * c).map((_, i) => ((i * 7) % (2 * len)) - len); // every index, negative ones too
      const plan = k.gatherPlan([3, 4, 5], axis, shape);
      const want = Array.from(index, (v, o) => x[at(Math.floor(o / (b * c)), Math.floor(o / c) % b, o % c, (v + len) % len)]!);
      for (let s = 0; s < index.length; s++) {
        const e = Math.min(index.length, s + 1 + ((s * 5) % 13));
        const out = new Float32Array(index.length).fill(7);
        k.gatherRange(x, index, out, plan, s, e);
        expect(Array.from(out.subarray(s, e)), `axis ${axis}, [${s}, ${e})`).toEqual(want.slice(s, e));
        expect(out[e] ?? 7).toBe(7);
      }
    }
  });

  it('scatterAdd split by lines adds repeated indices exactly as one pass does', () => {
    const index = new Int32Array(4 * 6 * 3).map((_, i) => ((i * 5) % 8) - 4); // many repeats along the axis, negative ones too
    const src = randomFloats(index.length, 14);
    const plan = k.gatherPlan([4, 4, 3], 1, [4, 6, 3]);
    const lines = k.scatterLines(plan);
    expect(lines).toBe(12);
    const whole = new Float32Array(48);
    k.scatterAddRange(index, src, whole, plan, 0, lines);
    for (const parts of [2, 5]) {
      const split = new Float32Array(48);
      for (const [s, e] of splitRanges(lines, parts, parts)) k.scatterAddRange(index, src, split, plan, s, e);
      expect(Array.from(split)).toEqual(Array.from(whole));
    }
    // against a direct loop: out[i][index[i][j][l]][l] += src[i][j][l]
    const direct = new Float32Array(48);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) for (let l = 0; l < 3; l++) direct[i * 12 + ((index[i * 18 + j * 3 + l]! + 4) % 4) * 3 + l] += src[i * 18 + j * 3 + l]!;
    expect(Array.from(whole)).toEqual(Array.from(direct));
  });

  it('cast truncates toward zero and maps to bool as x != 0', () => {
    const x = new Float32Array([-1.7, 2.9, 0, NaN, -0]);
    const ints = new Int32Array(5);
    k.castRange(x, ints, 'int32', 0, 5);
    expect(Array.from(ints)).toEqual([-1, 2, 0, 0, 0]);
    const bools = new Uint8Array(5);
    k.castRange(x, bools, 'bool', 0, 5);
    expect(Array.from(bools)).toEqual([1, 1, 0, 1, 0]);
  });

  it('random streams do not depend on how the range is split', () => {
    expectSplitInvariant(() => new Float32Array(99), 99, (o, s, e) => k.uniformRange(42, o, s, e));
    const normal = expectSplitInvariant(() => new Float32Array(99), 99, (o, s, e) => k.normalRange(42, o, s, e));
    expect(normal.some((v) => v < 0)).toBe(true);
  });

  it('softmax rows sum to one in pieces, and logSoftmax is their log', () => {
    const x = randomFloats(9 * 11, 15).map((v) => v * 50 + 80); // large values: the row max must be subtracted
    const soft = expectSplitInvariant(() => new Float32Array(99), 9, (o, s, e) => k.softmaxRange(x, o, 11, s, e));
    const logSoft = expectSplitInvariant(() => new Float32Array(99), 9, (o, s, e) => k.logSoftmaxRange(x, o, 11, s, e));
    for (let r = 0; r < 9; r++) expect(soft.subarray(r * 11, r * 11 + 11).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    for (let i = 0; i < 99; i++) expect(Math.exp(logSoft[i]!)).toBeCloseTo(soft[i]!, 6);
  });
});

describe('elementwise numerics of this backend', () => {
  it('erf is float32-accurate across its range', () => {
    // reference values of erf in double precision
    const cases: [number, number][] = [
      [1e-4, 1.1283791633342e-4],
      [0.1, 0.1124629160182849],
      [0.49, 0.5116683373],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [-3, -0.9999779095030014],
    ];
    for (const [x, want] of cases) expect(Math.abs(k.erf(x) - want) / Math.abs(want)).toBeLessThan(2e-7);
  });

  it('sigmoid stays finite and exact in the tails', () => {
    const out = new Float32Array(4);
    k.unaryRange('sigmoid', new Float32Array([-100, -30, 30, 100]), out, 0, 4);
    expect(out[0]).toBeCloseTo(Math.fround(Math.exp(-100)), 50);
    expect(out[1]! / Math.exp(-30)).toBeCloseTo(1, 6);
    expect(out[3]).toBe(1);
  });

  it('relu maps -inf to 0 and keeps NaN', () => {
    const out = new Float32Array(5);
    k.unaryRange('relu', new Float32Array([-Infinity, Infinity, NaN, -2, 3]), out, 0, 5);
    expect(Array.from(out)).toEqual([0, Infinity, NaN, 0, 3]);
  });
});

function naiveReduce(op: ReduceOp, x: Float32Array, shape: number[], axes: number[]): number[] {
  const outShape = shape.filter((_, d) => !axes.includes(d));
  const n = k.sizeOf(outShape);
  const out: number[] = [];
  for (let o = 0; o < n; o++) {
    const values: number[] = [];
    // enumerate every x element whose kept coordinates match o
    for (let i = 0; i < x.length; i++) {
      let q = i;
      const coord = shape.map(() => 0);
      for (let d = shape.length - 1; d >= 0; d--) {
        coord[d] = q % shape[d]!;
        q = Math.floor(q / shape[d]!);
      }
      const kept = coord.filter((_, d) => !axes.includes(d));
      let oi = 0;
      for (let d = 0; d < kept.length; d++) oi = oi * outShape[d]! + kept[d]!;
      if (oi === o) values.push(x[i]!);
    }
    if (op === 'sum') out.push(values.reduce((s, v) => s + v, 0));
    if (op === 'max') out.push(Math.max(...values));
    if (op === 'min') out.push(Math.min(...values));
    if (op === 'argmax') out.push(values.indexOf(Math.max(...values)));
    if (op === 'argmin') out.push(values.indexOf(Math.min(...values)));
  }
  return out;
}
