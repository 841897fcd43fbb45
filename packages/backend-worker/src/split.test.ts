import { afterAll, describe, expect, it } from 'vitest';
import { cat, erf, functional as F, grad, manualSeed, nn, optim, rand, randn, setBackend, stack, tensor, type Backend, type Tensor } from '@tensorgrad/core';
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { workerBackend } from './index';

/** Deterministic floats in [-1, 1). */
function floats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const input = (shape: number[], seed: number, requiresGrad = false): Tensor =>
  tensor(floats(shape.reduce((a, b) => a * b, 1), seed), { shape, requiresGrad });

/** Every kernel of the contract, on odd sizes so that ranges split unevenly; returns each result's values. */
function program(): Record<string, ArrayLike<number>> {
  const x = input([67, 131], 1);
  const row = input([131], 2);
  const col = input([67, 1], 3);
  const cube = input([5, 9, 13], 4);
  const index = tensor(Array.from({ length: 67 * 3 }, (_, i) => (i * 37) % 131), { shape: [67, 3], dtype: 'int32' });
  manualSeed(7);
  const w = input([6, 3, 3, 3], 5, true);
  const image = input([2, 3, 11, 10], 6, true);
  const out: Record<string, Tensor> = {
    exp: x.exp(),
    relu: x.relu(),
    tanh: x.tanh(),
    sigmoid: x.sigmoid(),
    log: x.abs().add(1).log(),
    erf: erf(x),
    gelu: F.gelu(x), // the worker composes it, cpu fuses it: the same numbers within float32 rounding (checked below)
    addRow: x.add(row),
    mulCol: x.mul(col),
    pow: x.pow(2),
    maximum: x.maximum(row),
    gt: x.gt(col).float(),
    where: x.where(x.gt(0), row),
    sumRows: x.sum(1),
    sumCols: x.sum(0),
    sumMiddle: cube.sum(1),
    sumOuter: cube.sum([0, 2]),
    max: x.max(1),
    min: cube.min(0),
    argmax: x.argmax(1).float(),
    argmin: cube.argmin(2).float(),
    mean: x.mean(),
    matmul: x.matmul(input([131, 45], 7)),
    matmulT: x.transpose(0, 1).matmul(input([67, 29], 8)),
    batched: cube.matmul(input([5, 13, 17], 9)),
    broadcastBatch: cube.matmul(input([13, 6], 10)),
    permute: cube.permute([2, 0, 1]),
    permuteHeads: input([5, 6, 4, 8], 21).permute([0, 2, 1, 3]), // blocks of the first dim, copied in WebAssembly
    permuteHeadsOdd: input([5, 6, 3, 6], 22).permute([0, 2, 1, 3]), // blocks of rows of 6: the loop, block by block
    expand: row.expand([67, 131]),
    narrow: x.narrow(1, 3, 100),
    cat: cat([x, x.mul(2)], 1),
    stack: stack([row, row.neg()], 0),
    gather: x.gather(1, index),
    indexSelect: x.indexSelect(0, tensor([3, 1, 66, 0], { dtype: 'int32' })),
    cast: x.mul(10).int().float(),
    full: tensor(0).add(x.narrow(0, 0, 1)).mul(0).add(2.5),
    rand: rand([300, 7]),
    randn: randn([300, 7]),
    softmax: F.softmax(x, 1),
    logSoftmax: F.logSoftmax(x, -1),
    conv: F.conv2d(image, w, null, { stride: 2, padding: 1 }),
  };
  // backward runs scatterAdd (gather's gradient) and both conv2d gradients
  const xg = input([67, 131], 11, true);
  const [dx] = grad([xg.gather(1, index).mul(input([67, 3], 12)).sum()], [xg]);
  const [dImage, dW] = grad([F.conv2d(image, w, null, { stride: 1, padding: 1 }).square().sum()], [image, w]);
  const [dPool] = grad([F.maxPool2d(image, 2).mul(input([2, 3, 5, 5], 13)).sum()], [image]);
  Object.assign(out, { scatterAdd: dx!, convInputGrad: dImage!, convWeightGrad: dW!, maxPool2d: F.maxPool2d(image, 2, 1), maxPool2dGrad: dPool! });
  // the fused optimizer steps, three of each
  const p1 = input([67, 131], 14, true);
  const p2 = input([67, 131], 15, true);
  const sgd = new optim.SGD([p1], { lr: 0.1, momentum: 0.9, nesterov: true });
  const adam = new optim.Adam([p2], { lr: 0.01, amsgrad: true, weightDecay: 0.1 });
  for (let i = 0; i < 3; i++) {
    p1.grad = p1.mul(x).sin();
    p2.grad = p2.mul(x).cos();
    sgd.step();
    adam.step();
  }
  Object.assign(out, { sgd: p1, adam: p2 });
  // the fused LSTM cell and its backward, over 37 rows
  const cell = new nn.LSTMCell(11, 19);
  const xs = input([37, 11], 16, true);
  const c0 = input([37, 19], 17, true);
  const [hN, cN] = cell.forward(xs, [input([37, 19], 18), c0]);
  const [dx0, dc0, dBias] = grad([hN.mul(input([37, 19], 20)).sum().add(cN.square().sum())], [xs, c0, cell.bias_ih!]);
  Object.assign(out, { lstmH: hN, lstmC: cN, lstmInputGrad: dx0!, lstmCellGrad: dc0!, lstmBiasGrad: dBias! });
  // the fused layer norm and its gradients (one thread sums the weight's and bias's columns while the
  // others take rows of the input's), rows of 132 (WebAssembly) and of 131 (TypeScript)
  for (const cols of [132, 131]) {
    const [xl, wl, bl] = [input([67, cols], 23, true), input([cols], 24, true), input([cols], 25, true)];
    const yl = F.layerNorm(xl, [cols], wl, bl);
    const [dxl, dwl, dbl] = grad([yl.mul(input([67, cols], 26)).sum()], [xl, wl, bl]);
    Object.assign(out, { [`layerNorm${cols}`]: yl, [`layerNormInputGrad${cols}`]: dxl!, [`layerNormWeightGrad${cols}`]: dwl!, [`layerNormBiasGrad${cols}`]: dbl! });
  }
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.dataSync()]));
}

async function runOn(backend: Backend): Promise<Record<string, ArrayLike<number>>> {
  await setBackend(backend);
  return program();
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>): boolean =>
  got.length === want.length && Array.from(want).every((w, i) => Math.abs(got[i]! - w) <= 1e-5 * Math.max(1, Math.abs(w)) || (Number.isNaN(w) && Number.isNaN(got[i]!)));

describe('split kernels', () => {
  const split = workerBackend({ threads: 3, splitThreshold: 0 });
  afterAll(() => split.close());

  it('give the same results as cpu, every kernel split unevenly across three threads', async () => {
    const want = await runOn(cpuBackend());
    const got = await runOn(split);
    for (const name of Object.keys(want)) {
      // products sum in a different blocking when split (the LSTM cell's too; GELU is fused on cpu only): within float32 rounding; everything else is bit-identical
      if (/matmul|batched|broadcastBatch|conv|lstm|gelu/i.test(name)) expect(close(got[name]!, want[name]!), name).toBe(true);
      else expect(Array.from(got[name]!), name).toEqual(Array.from(want[name]!));
    }
  });

  it('really ran on the workers', () => {
    const stats = split._stats();
    expect(stats.split).toBeGreaterThan(40);
    expect(stats.workerChunks).toBeGreaterThanOrEqual(stats.split);
    expect(stats.packed).toBeGreaterThanOrEqual(2); // matmul and matmulT packed their right operand once
  });
});

describe('matmul with its right operand packed once in shared memory', () => {
  // sizes past every block edge of the packed kernel: depth > 256 (several depth blocks), n > 2048 (two column blocks)
  const shapes: [number, number, number][] = [
    [130, 300, 70],
    [37, 600, 2053],
    [2, 5, 3],
  ];
  for (const threads of [2, 4]) {
    it(`gives cpu's results within float32 rounding, every transpose, over ${threads} threads with normal scheduling`, async () => {
      const backend = workerBackend({ threads });
      try {
        for (const [m, k, n] of shapes) {
          for (const [tA, tB] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ] as const) {
            const a = floats(m * k, m + k);
            const b = floats(k * n, k + n);
            const product = async (be: Backend): Promise<Float32Array> => {
              await setBackend(be);
              const x = tensor(a, { shape: tA ? [k, m] : [m, k] });
              const y = tensor(b, { shape: tB ? [n, k] : [k, n] });
              return (tA ? x.transpose(0, 1) : x).matmul(tB ? y.transpose(0, 1) : y).dataSync() as Float32Array;
            };
            const want = await product(cpuBackend());
            const before = backend._stats();
            const got = await product(backend);
            expect(close(got, want), `${m}x${k} @ ${k}x${n}, tA ${tA}, tB ${tB}`).toBe(true);
            // (the transposes here are copies: the kernel sees plain operands) the large products
            // went the packed way, or by columns where m is below n, from twice the threshold;
            // [2, 5] @ [5, 3] is too small to split
            const columns = m < n && m <= 128 && m * n * k >= 2 * 2_097_152;
            expect(backend._stats().packed - before.packed).toBe(m * n * k >= 2_097_152 && !columns ? 1 : 0);
            expect(backend._stats().columns - before.columns).toBe(columns ? 1 : 0);
          }
        }
      } finally {
        await backend.close();
      }
    });
  }

  // linear's x @ wᵀ on the kernel's transpose flag, x the smaller operand: split by columns of the
  // output instead (n past a column block and not a multiple of the 16-column unit, depth past a block)
  for (const [threads, splitThreshold] of [[2, undefined], [3, undefined], [3, 0]] as const) {
    it(`splits linear's product with the smaller input by columns, cpu's numbers bit for bit (${threads} threads${splitThreshold === 0 ? ', every product split' : ''})`, async () => {
      const backend = workerBackend({ threads, splitThreshold });
      try {
        for (const [m, k, n] of [
          [64, 784, 256],
          [37, 600, 2053],
          [20, 300, 1000],
        ] as const) {
          const x = floats(m * k, m + k);
          const w = floats(n * k, n + k);
          const product = async (be: Backend): Promise<Float32Array> => {
            await setBackend(be);
            return F.linear(tensor(x, { shape: [m, k] }), tensor(w, { shape: [n, k] })).dataSync() as Float32Array;
          };
          const want = await product(cpuBackend());
          const before = backend._stats();
          const got = await product(backend);
          const after = backend._stats();
          expect(after.columns - before.columns, `${m}x${k} @ [${n}, ${k}]ᵀ`).toBe(1);
          expect(after.packed - before.packed).toBe(0);
          expect(Array.from(got), `${m}x${k} @ [${n}, ${k}]ᵀ`).toEqual(Array.from(want));
        }
        expect(backend._stats().workerChunks).toBeGreaterThan(0);
      } finally {
        await backend.close();
      }
    });
  }

  // a weight's gradient gᵀ·x with at most 128 rows and more columns ([512, 128] weight at batch
  // 768: [128, 768]ᵀ @ [768, 512]; not the 784-256 layer's [256, 64]ᵀ @ [64, 784]) and an input's
  // gradient g·w of a short batch: a transposed a, a plain b, each thread packing its columns of b
  for (const threads of [2, 3]) {
    it(`splits gradient products with fewer rows than columns by columns, cpu's numbers bit for bit (${threads} threads)`, async () => {
      const backend = workerBackend({ threads });
      try {
        for (const [batch, inF, outF] of [
          [768, 512, 128],
          [64, 784, 256],
          [40, 300, 2100],
        ] as const) {
          const x = floats(batch * inF, batch + inF);
          const w = floats(outF * inF, outF + inF);
          const g = floats(batch * outF, outF);
          const grads = async (be: Backend): Promise<Float32Array[]> => {
            await setBackend(be);
            const xt = tensor(x, { shape: [batch, inF] }).requiresGrad_();
            const wt = tensor(w, { shape: [outF, inF] }).requiresGrad_();
            F.linear(xt, wt).backward(tensor(g, { shape: [batch, outF] }));
            return [xt.grad!.dataSync() as Float32Array, wt.grad!.dataSync() as Float32Array];
          };
          const want = await grads(cpuBackend());
          const before = backend._stats();
          const got = await grads(backend);
          const name = `linear ${inF} -> ${outF} at batch ${batch}`;
          // the weight's gradient by columns where it has fewer rows; the input's where the batch is shorter than inF
          expect(backend._stats().columns - before.columns, name).toBe((outF < inF && outF <= 128 ? 1 : 0) + (batch < inF && batch <= 128 ? 1 : 0) + (batch < outF ? 1 : 0));
          expect(Array.from(got[0]!), `${name}: the input's gradient`).toEqual(Array.from(want[0]!));
          expect(Array.from(got[1]!), `${name}: the weight's gradient`).toEqual(Array.from(want[1]!));
        }
        expect(backend._stats().workerChunks).toBeGreaterThan(0);
      } finally {
        await backend.close();
      }
    });
  }

  it('keeps batched products on the per-chunk path', async () => {
    const backend = workerBackend({ threads: 2, splitThreshold: 0 });
    try {
      await setBackend(backend);
      input([3, 40, 50], 1).matmul(input([3, 50, 30], 2)).dispose();
      expect(backend._stats()).toMatchObject({ split: 1, packed: 0 });
    } finally {
      await backend.close();
    }
  });
});

describe('the pool', () => {
  it('hands every task to its worker when withdrawn tasks and tasks that must run on every thread interleave', async () => {
    const backend = workerBackend({ threads: 2, splitThreshold: 1 }); // split everything, normal scheduling
    try {
      await setBackend(backend);
      const x = input([4096], 1);
      for (let i = 0; i < 3000; i++) {
        x.add(x).dispose(); // the calling thread often finishes before the worker wakes: the task is withdrawn
        if (i % 10 === 0) await backend.ready?.(); // a task every thread must run
      }
      expect(backend._stats().lateWorkers).toBe(0);
    } finally {
      await backend.close();
    }
  }, 60_000);
});

describe('the measured thresholds', () => {
  it('run small kernels inline and split large ones', async () => {
    const backend = workerBackend({ threads: 2 });
    try {
      await setBackend(backend);
      input([10, 10], 1).exp().dispose();
      expect(backend._stats()).toMatchObject({ inline: 1, split: 0 });
      const a = input([256, 256], 2);
      const want = a.dataSync();
      const y = a.matmul(a);
      expect(backend._stats().split).toBe(1);
      await setBackend(cpuBackend());
      const ref = tensor(want, { shape: [256, 256] });
      expect(close(y.dataSync(), ref.matmul(ref).dataSync())).toBe(true);
    } finally {
      await backend.close();
    }
  });
});

describe('workerBackend', () => {
  it('is named worker and reads synchronously into plain arrays', async () => {
    const backend = workerBackend({ threads: 2 });
    await setBackend(backend);
    expect(backend.name).toBe('worker');
    expect(backend.supports.syncRead).toBe(true);
    const values = tensor([1, 2, 3]).mul(2).dataSync();
    expect(Array.from(values)).toEqual([2, 4, 6]);
    expect(values.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    await backend.close();
  });

  it('defaults to one thread per core', async () => {
    const { availableParallelism } = await import('node:os');
    const backend = workerBackend();
    expect(backend.threads).toBe(availableParallelism());
    await backend.close();
  });

  it('rejects a thread count that is not a positive integer', () => {
    expect(() => workerBackend({ threads: 0 })).toThrow(/workerBackend: threads must be a positive integer, got 0/);
  });

  it('runs every kernel inline with one thread', async () => {
    const backend = workerBackend({ threads: 1, splitThreshold: 0 });
    await setBackend(backend);
    expect(input([100, 100], 1).matmul(input([100, 100], 2)).shape).toEqual([100, 100]);
    expect(backend._stats()).toMatchObject({ split: 0, workerChunks: 0 });
    await backend.close();
  });

  it('throws from kernels after close(), naming the op, but still reads and disposes', async () => {
    const backend = workerBackend({ threads: 2 });
    await setBackend(backend);
    const x = tensor([1, 2]);
    await backend.close();
    await backend.close(); // twice is fine
    expect(() => x.exp()).toThrow(/worker backend: exp: the backend was closed/);
    expect(Array.from(x.dataSync())).toEqual([1, 2]);
    x.dispose();
    expect(backend.memory().tensors).toBe(0);
  });
});
