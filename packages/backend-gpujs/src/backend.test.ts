import { afterEach, describe, expect, it, vi } from 'vitest';
import { functional as F, manualSeed, memory, nn, optim, randn, setBackend, tensor, tidy, type Tensor } from '@tensorgrad/core';
import { Device } from './device';
import { DEFAULT_HOST_THRESHOLD, gpujsBackend, type GpujsBackend, type GpujsMode } from './index';
import { MODES } from './modes';
import { copySource } from './sources';

const idOf = (t: Tensor) => t._info().id;

async function use(options: Parameters<typeof gpujsBackend>[0] = {}): Promise<GpujsBackend> {
  const backend = gpujsBackend(options);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  await setBackend(backend);
  warn.mockRestore();
  return backend;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('gpujs backend: mode', () => {
  it('names the mode that really runs, and says once why it fell back', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const backend = gpujsBackend();
    await backend.ready!();
    expect(MODES).toContain(backend.device);
    if (backend.device === 'webgpu') {
      expect(warn).not.toHaveBeenCalled();
    } else {
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(new RegExp(`running gpu.js in '${backend.device}' mode: webgpu unavailable \\(.+\\)`));
    }
    // using it warns no more
    await setBackend(backend);
    await tensor([1, 2]).mul(3).data();
    expect(warn.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it('runs the mode it is given', async () => {
    const backend = await use({ mode: 'cpu' });
    expect(backend.device).toBe('cpu');
    expect(backend.supports.syncRead).toBe(true);
    expect(Array.from(await tensor([1, -2]).relu().data())).toEqual([1, 0]);
  });

  it("rejects from ready() when a named mode cannot run here, and says why", async () => {
    const auto = gpujsBackend();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await auto.ready!();
    if (auto.device === 'webgpu') return; // a GPU machine: nothing to refuse
    await expect(gpujsBackend({ mode: 'webgpu' }).ready!()).rejects.toThrow(/mode 'webgpu' was requested but .+/);
  });
});

describe('gpujs backend: device residency', () => {
  it('feeds kernel outputs to the next kernel on the device, with no readback between them', async () => {
    const backend = await use({ hostThreshold: 0 });
    const read = vi.spyOn(backend, 'read');
    const readSync = vi.spyOn(backend, 'readSync');
    const x = randn([64, 32]);
    const w = randn([32, 16]);
    const y = x.matmul(w).relu().mul(2).sum(1);
    expect(read).not.toHaveBeenCalled();
    expect(readSync).not.toHaveBeenCalled();
    expect(backend.stats().readbacks).toBe(0);
    expect(['device', 'pending']).toContain(backend.placement(idOf(y)));
    expect((await y.data()).length).toBe(64);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('compiles each kernel once per op and rank, whatever the shapes', async () => {
    const backend = await use({ hostThreshold: 0 });
    const step = (n: number) => tidy(() => randn([n, 8]).add(randn([8])).exp().sum(0).mul(randn([3, 8]).t().matmul(randn([3, 8])).sum(0)));
    await step(4).data();
    const compiled = backend.stats().compiled;
    for (const n of [5, 17, 33, 4, 9, 100]) await step(n).data();
    expect(backend.stats().compiled).toBe(compiled);
  });

  it('computes small tensors on the host and large ones on the device', async () => {
    const backend = await use({ hostThreshold: 1000 });
    const small = tensor([1, 2, 3]).mul(2);
    expect(backend.placement(idOf(small))).toBe('host');
    const large = randn([2000]).mul(2);
    expect(['device', 'pending']).toContain(backend.placement(idOf(large)));
    // a device input keeps the op on the device, even when the output is small
    const total = large.sum();
    expect(['device', 'pending']).toContain(backend.placement(idOf(total)));
    expect(Array.from(await small.data())).toEqual([2, 4, 6]);
  });

  it('stores int32 and bool results as floats on the device and reads them back typed', async () => {
    await use({ hostThreshold: 0 });
    const x = tensor([
      [1, 5, 2],
      [7, 0, 3],
    ]);
    const argmax = await x.argmax(1).data();
    expect(argmax).toBeInstanceOf(Int32Array);
    expect(Array.from(argmax)).toEqual([1, 0]);
    const mask = await x.gt(2).data();
    expect(mask).toBeInstanceOf(Uint8Array);
    expect(Array.from(mask)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('frees device storage when a tensor is disposed', async () => {
    const backend = await use({ hostThreshold: 0 });
    const x = randn([256]);
    const before = memory();
    const y = tidy(() => x.exp().add(1));
    await y.data();
    expect(memory().tensors).toBeGreaterThan(before.tensors);
    tidy(() => y.sin()).dispose();
    y.dispose();
    expect(memory()).toEqual(before);
    expect(backend.memory()).toEqual(before);
  });
});

describe('gpujs backend: memory over training', () => {
  /** `steps` SGD steps of a 4-8-3 MLP on random data; memory().tensors after step 100 and after the last. */
  async function train(steps: number): Promise<{ at100: number; atEnd: number; first: number; last: number }> {
    manualSeed(7);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const x = randn([32, 4]);
    const y = tensor(Array.from({ length: 32 }, (_, i) => i % 3), { dtype: 'int32' });
    let at100 = 0;
    let first = 0;
    let last = 0;
    for (let step = 1; step <= steps; step++) {
      const loss = tidy(() => {
        const l = F.crossEntropy(model.forward(x), y);
        // zeroGrad drops the old gradients without disposing them (the garbage collector would free them later)
        for (const p of model.parameters()) p.grad?.dispose();
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l;
      });
      if (step === 1) first = (await loss.data())[0]!;
      if (step === steps) last = (await loss.data())[0]!;
      loss.dispose();
      if (step === 100) at100 = memory().tensors;
    }
    return { at100, atEnd: memory().tensors, first, last };
  }

  it('keeps memory() flat over 2,000 training steps of a small MLP (host path)', async () => {
    await use();
    const r = await train(2000);
    expect(r.atEnd).toBe(r.at100);
    expect(r.last).toBeLessThan(r.first);
  });

  it('keeps memory() flat over 2,000 training steps with every op a device kernel', async () => {
    await use({ hostThreshold: 0 });
    const r = await train(2000);
    expect(r.atEnd).toBe(r.at100);
    expect(r.last).toBeLessThan(r.first);
  });
});

describe('gpujs backend: kernels that gpu.js caches', () => {
  it('gives each argument signature of a kernel its own compilation: an upload after a texture copy reads its own sizes', async () => {
    const auto = await use();
    const device = new Device(auto.device === 'webgpu' ? 'webasm' : auto.device);
    const range = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => from + i);
    const first = device.upload(range(15, 100)) as object;
    const copy = device.kernel('copy', copySource);
    const copied = device.run(copy, [15], [first]) as object;
    const next = device.upload(range(12, 0)) as object;
    expect(Array.from(device.readSync(next))).toEqual(Array.from(range(12, 0)));
    expect(Array.from(device.readSync(copied))).toEqual(Array.from(range(15, 100)));
    // a host array and a device value are two signatures wherever the device value is not the array itself
    const separate = device.mode !== 'webasm' && device.mode !== 'cpu';
    device.run(copy, [12], [range(12, 0)]);
    expect(copy.variants.size).toBe(separate ? 2 : 1);
    await device.destroy();
  });

  it('warns about a kernel only when gpu.js really ran it on its cpu fallback', async () => {
    const backend = await use({ hostThreshold: 0 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await tidy(() => randn([8, 8]).matmul(randn([8, 8])).exp().sum(0)).data();
    expect(backend.stats().deviceOps).toBeGreaterThan(0);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('gpujs backend: modes a page has', () => {
  it('refuses webgl2 and webgl outside a page, saying why', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(gpujsBackend({ mode: 'webgl2' }).ready!()).rejects.toThrow(/mode 'webgl2' was requested but WebGL2 needs a browser page/);
    await expect(gpujsBackend({ mode: 'webgl' }).ready!()).rejects.toThrow(/mode 'webgl' was requested but WebGL needs a browser page/);
  });

  it('has a default host threshold for every mode', () => {
    for (const mode of MODES) expect(DEFAULT_HOST_THRESHOLD[mode as GpujsMode]).toBeGreaterThanOrEqual(0);
  });
});
