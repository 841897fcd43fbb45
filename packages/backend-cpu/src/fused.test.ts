import { describe, expect, it } from 'vitest';
import type { AdamStepAttrs, SgdStepAttrs } from '@tensorgrad/core';
import * as k from './kernels';
import { expectLstmKernels, maxRelativeError, randomFloats, splitRanges } from './testing';

// sizes around the WebAssembly kernel's 16,384-float chunks and its 4-lane vectors
const SIZES = [1, 3, 4, 5, 37, 16384, 16387, 40000];

/** torch.optim.SGD's rule on one element, in float32 steps as the composed tensor ops take them. */
function sgdReference(p: number, g: number, b: number | null, a: SgdStepAttrs): [number, number | null] {
  const f = Math.fround;
  let d = a.maximize ? -g : g;
  if (a.weightDecay !== 0) d = f(d + f(p * f(a.weightDecay)));
  let buf: number | null = null;
  if (a.momentum !== 0) {
    buf = b === null ? d : f(f(b * f(a.momentum)) + (a.dampening === 0 ? d : f(d * f(1 - a.dampening))));
    d = a.nesterov ? f(d + f(buf * f(a.momentum))) : buf;
  }
  return [f(p + f(d * f(-a.lr))), buf];
}

/** torch.optim.Adam's rule on one element, in float32 steps as the composed tensor ops take them. */
function adamReference(p: number, g: number, m: number, v: number, vmax: number | null, a: AdamStepAttrs): number[] {
  const f = Math.fround;
  let d = a.maximize ? -g : g;
  if (a.weightDecay !== 0) {
    if (a.decoupled) p = f(p * f(1 - a.lr * a.weightDecay));
    else d = f(d + f(p * f(a.weightDecay)));
  }
  const m1 = f(f(m * f(a.beta1)) + f(d * f(1 - a.beta1)));
  const v1 = f(f(v * f(a.beta2)) + f(f(d * d) * f(1 - a.beta2)));
  const second = a.amsgrad ? Math.max(vmax!, v1) : v1;
  const denom = f(f(f(Math.sqrt(second)) / f(Math.sqrt(1 - a.beta2 ** a.step))) + f(a.eps));
  const stepSize = a.lr / (1 - a.beta1 ** a.step);
  return [f(p + f(f(m1 / denom) * f(-stepSize))), m1, v1, ...(a.amsgrad ? [second] : [])];
}

const sgdAttrs: SgdStepAttrs[] = [
  { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01, nesterov: false, maximize: true },
  { lr: 0.02, momentum: 0.8, dampening: 0, weightDecay: 0.1, nesterov: true, maximize: false },
];

describe('sgdStepRange', () => {
  for (const wasm of [true, false]) {
    for (const attrs of sgdAttrs) {
      for (const first of attrs.momentum !== 0 ? [true, false] : [false]) {
        it(`${wasm ? 'on WebAssembly' : 'in TypeScript'} follows torch.optim.SGD ${JSON.stringify(attrs)}${first ? ', first step' : ''}, in any split`, () => {
          for (const n of SIZES) {
            const p = randomFloats(n, 1);
            const g = randomFloats(n, 2);
            const b = first ? null : randomFloats(n, 3);
            const want = Array.from(p, (pi, i) => sgdReference(pi, g[i]!, b ? b[i]! : null, attrs));
            for (const parts of [1, 3]) {
              const outP = new Float32Array(n).fill(7);
              const outB = attrs.momentum !== 0 ? new Float32Array(n).fill(7) : null;
              for (const [s, e] of splitRanges(n, parts, n)) k.sgdStepRange(p, g, b, outP, outB, attrs, s, e, wasm);
              const tol = wasm ? 0 : 1e-6; // WebAssembly rounds each step to float32 as the reference does
              expect(maxRelativeError(outP, want.map((w) => w[0]))).toBeLessThanOrEqual(tol);
              if (outB) expect(maxRelativeError(outB, want.map((w) => w[1]!))).toBeLessThanOrEqual(tol);
            }
          }
        });
      }
    }
  }
});

const adamAttrs: AdamStepAttrs[] = [
  { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false, maximize: false, step: 1 },
  { lr: 0.01, beta1: 0.8, beta2: 0.9, eps: 1e-6, weightDecay: 0.1, decoupled: false, amsgrad: true, maximize: true, step: 3 },
  { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.05, decoupled: true, amsgrad: false, maximize: false, step: 7 },
];

describe('adamStepRange', () => {
  for (const wasm of [true, false]) {
    for (const attrs of adamAttrs) {
      it(`${wasm ? 'on WebAssembly' : 'in TypeScript'} follows torch.optim.Adam ${JSON.stringify(attrs)}, in any split`, () => {
        for (const n of SIZES) {
          const p = randomFloats(n, 4);
          const g = randomFloats(n, 5);
          const m = randomFloats(n, 6);
          const v = randomFloats(n, 7).map(Math.abs);
          const vmax = attrs.amsgrad ? randomFloats(n, 8).map(Math.abs) : null;
          const want = Array.from(p, (pi, i) => adamReference(pi, g[i]!, m[i]!, v[i]!, vmax ? vmax[i]! : null, attrs));
          for (const parts of [1, 3]) {
            const outs = [0, 1, 2, 3].map(() => new Float32Array(n).fill(7));
            for (const [s, e] of splitRanges(n, parts, n)) {
              k.adamStepRange(p, g, m, v, vmax, outs[0]!, outs[1]!, outs[2]!, vmax ? outs[3]! : null, attrs, s, e, wasm);
            }
            const tol = wasm ? 0 : 1e-5;
            for (let j = 0; j < (vmax ? 4 : 3); j++) expect(maxRelativeError(outs[j]!, want.map((w) => w[j]!))).toBeLessThanOrEqual(tol);
          }
        }
      });
    }
  }
});

/** Max pooling by definition: every window's first maximum (a NaN wins), and where it is. */
function naivePool(x: Float32Array, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number): { values: number[]; at: number[] } {
  const oh = Math.floor((h - kh) / sh) + 1;
  const ow = Math.floor((w - kw) / sw) + 1;
  const values: number[] = [];
  const at: number[] = [];
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < oh; y++)
      for (let z = 0; z < ow; z++) {
        let best = -Infinity;
        let where = -1;
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const pos = (y * sh + i) * w + z * sw + j;
            const v = x[p * h * w + pos]!;
            if (where === -1 || (!Number.isNaN(best) && (v > best || Number.isNaN(v)))) {
              best = v;
              where = pos;
            }
          }
        values.push(best);
        at.push(where);
      }
  return { values, at };
}

describe('max pooling kernels', () => {
  const cases: [number[], [number, number], [number, number]][] = [
    [[2, 3, 8, 8], [2, 2], [2, 2]],
    [[1, 2, 7, 9], [3, 2], [2, 3]],
    [[3, 1, 5, 5], [2, 2], [1, 1]],
    [[1, 1, 4, 6], [4, 6], [1, 1]],
  ];
  for (const [shape, kernelSize, stride] of cases) {
    it(`pool [${shape.join(',')}] with ${kernelSize.join('x')} windows, stride ${stride.join('x')}, as the definition, in any split`, () => {
      const n = k.sizeOf(shape);
      const x = randomFloats(n, n);
      x[5] = NaN;
      x[n - 2] = x[n - 1]!; // a tie
      const plan = k.pool2dPlan(shape, { kernelSize, stride });
      const want = naivePool(x, plan.planes, plan.h, plan.w, kernelSize[0], kernelSize[1], stride[0], stride[1]);
      for (const parts of [1, 2, 5]) {
        const values = new Float32Array(want.values.length).fill(7);
        const at = new Int32Array(want.at.length).fill(-7);
        for (const [s, e] of splitRanges(plan.planes, parts, parts)) {
          k.maxPool2dRange(x, values, plan, s, e);
          k.maxPool2dIndicesRange(x, at, plan, s, e);
        }
        expect(Array.from(values)).toEqual(want.values.map(Math.fround));
        expect(Array.from(at)).toEqual(want.at);
      }
    });
  }
});

describe('lstmCellRange and lstmCellBackwardRange', () => {
  it('follow torch.nn.LSTMCell (biases or none, blocks of rows, any split of the rows)', () => {
    expectLstmKernels(k.lstmCellRange, k.lstmCellBackwardRange);
  });

  it('take an empty cell (no hidden units, or no rows) without a fault', () => {
    const z = new Float32Array(0);
    for (const [hidden, rows, bias] of [[0, 3, null], [0, 3, z], [4, 0, z]] as const) {
      expect(() => k.lstmCellRange(z, z, bias, bias, z, z, z, z, hidden, 0, rows)).not.toThrow();
      expect(() => k.lstmCellBackwardRange(z, z, z, z, z, z, z, hidden, 0, rows)).not.toThrow();
    }
  });

  it('refuse mismatched shapes, naming them', () => {
    expect(() => k.lstmCellHidden('lstmCell', [3, 8], [3, 8], [3, 3], null, null)).toThrow(/lstmCell: expected gates \[n, 4·h\].*got gates \[3,8\] and \[3,8\], c \[3,3\]/);
    expect(() => k.lstmCellHidden('lstmCell', [3, 8], [3, 8], [3, 2], [4], null)).toThrow(/biases \[4\] and null/);
    expect(() => k.lstmCellBackwardCheck(6, 6, { shape: [2, 2] }, null)).toThrow(/lstmCellBackward: .*dh \[2,2\]/);
  });
});
