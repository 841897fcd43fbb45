import { describe, expect, it } from 'vitest';
import { grad } from '../autograd';
import type { Backend } from '../backend';
import { ones, tensor } from '../creation';
import { setBackend } from '../registry';
import type { Tensor } from '../tensor';
import { conv2d } from './conv';

// backend-cpu depends on core, so core cannot depend on it: vitest.config.ts resolves it, tsc does not look
const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

/** The cpu backend without its fused conv kernels, so im2col + matmul runs. */
function composedBackend(): Backend {
  const b = cpuBackend();
  const kernels = { ...b.kernels, conv2d: undefined, conv2dBackwardInput: undefined, conv2dBackwardWeight: undefined };
  return { ...b, supports: { ...b.supports, fused: [] }, kernels };
}

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

/** The definition, as four nested loops over the output and the window. */
function naiveConv2d(x: number[], xs: number[], w: number[], ws: number[], b: number[], stride: number, padding: number): number[] {
  const [n, c, h, wd] = xs as [number, number, number, number];
  const [o, , kh, kw] = ws as [number, number, number, number];
  const oh = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const ow = Math.floor((wd + 2 * padding - kw) / stride) + 1;
  const out: number[] = [];
  for (let ni = 0; ni < n; ni++)
    for (let oi = 0; oi < o; oi++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          let acc = b[oi]!;
          for (let ci = 0; ci < c; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const r = y * stride + i - padding;
                const q = z * stride + j - padding;
                if (r >= 0 && r < h && q >= 0 && q < wd) acc += x[((ni * c + ci) * h + r) * wd + q]! * w[((oi * c + ci) * kh + i) * kw + j]!;
              }
          out.push(acc);
        }
  return out;
}

function near(got: ArrayLike<number>, want: ArrayLike<number>, digits = 4): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, digits);
}

const cases = [
  { xs: [2, 3, 5, 6], ws: [4, 3, 3, 3], stride: 1, padding: 1 },
  { xs: [1, 2, 7, 7], ws: [3, 2, 2, 3], stride: 2, padding: 0 },
  { xs: [2, 1, 6, 5], ws: [2, 1, 3, 2], stride: 2, padding: 2 },
];

describe.each([
  ['the fused kernels', cpuBackend],
  ['im2col and matmul', composedBackend],
])('conv2d through %s', (_name, backend) => {
  it.each(cases)('matches the naive loops for input $xs, weight $ws, stride $stride, padding $padding', async ({ xs, ws, stride, padding }) => {
    await setBackend(backend());
    const xv = values(xs.reduce((a, d) => a * d), 1);
    const wv = values(ws.reduce((a, d) => a * d), 2);
    const bv = values(ws[0]!, 3);
    const y = conv2d(tensor(xv, { shape: xs }), tensor(wv, { shape: ws }), tensor(bv), { stride, padding });
    near(y.dataSync(), naiveConv2d(xv, xs, wv, ws, bv, stride, padding));
  });

  it('sends each output gradient back to the pixels and weights its window read', async () => {
    await setBackend(backend());
    const x = ones([1, 1, 3, 3], { requiresGrad: true });
    const w = ones([1, 1, 2, 2], { requiresGrad: true });
    const y = conv2d(x, w);
    near(y.dataSync(), [4, 4, 4, 4]);
    y.sum().backward();
    near(x.grad!.dataSync(), [1, 2, 1, 2, 4, 2, 1, 2, 1]); // how many windows cover each pixel
    near(w.grad!.dataSync(), [4, 4, 4, 4]);
  });

  it('takes an unbatched [C, H, W] input', async () => {
    await setBackend(backend());
    const y = conv2d(ones([2, 4, 4]), ones([3, 2, 3, 3]), null, { padding: 1 });
    expect(y.shape).toEqual([3, 4, 4]);
    expect(y.dataSync()[5]).toBe(18); // an interior pixel sees all 2·3·3 ones
  });

  it('throws naming both shapes when the channels differ', async () => {
    await setBackend(backend());
    expect(() => conv2d(ones([1, 4, 5, 5]), ones([2, 3, 3, 3]))).toThrow(/conv2d: input of shape \[1,4,5,5\] has 4 channels but weight of shape \[2,3,3,3\] expects 3/);
  });

  it('throws when the padded input is smaller than the kernel', async () => {
    await setBackend(backend());
    expect(() => conv2d(ones([1, 1, 2, 2]), ones([1, 1, 3, 3]))).toThrow(/conv2d: input of shape \[1,1,2,2\] is smaller than the 3x3 window/);
  });
});

describe('conv2d gradients', () => {
  // first and second gradients of a scalar built from conv2d, on one backend
  async function run(backend: Backend) {
    await setBackend(backend);
    const x = tensor(values(2 * 2 * 5 * 5, 4), { shape: [2, 2, 5, 5], requiresGrad: true });
    const w = tensor(values(3 * 2 * 3 * 3, 5), { shape: [3, 2, 3, 3], requiresGrad: true });
    const b = tensor(values(3, 6), { requiresGrad: true });
    const y = conv2d(x, w, b, { stride: 2, padding: 1 });
    const [gx, gw, gb] = grad(y.square().sum(), [x, w, b], { createGraph: true });
    const [ggx, ggw] = grad(gx!.square().sum().add(gw!.mul(gw!).sum()), [x, w]);
    return [gx, gw, gb, ggx, ggw].map((t) => Array.from(t!.dataSync()));
  }

  it('agree between the fused kernels and im2col, to second order', async () => {
    const fused = await run(cpuBackend());
    const composed = await run(composedBackend());
    fused.forEach((g, i) => near(g, composed[i]!, 3));
  });
});
