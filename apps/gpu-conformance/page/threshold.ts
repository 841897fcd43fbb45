/**
 * The host-threshold sweep, in a page: one side per page (`?side=host`: gpujsBackend with
 * every op on the host, i.e. backend-cpu's kernels; `?side=device`: every op a gpu.js kernel in
 * `?mode=`), timing elementwise chains, row sums and square products at growing sizes with
 * resident inputs. src/threshold.mjs runs both sides in fresh contexts and finds where the
 * device starts to win. Leaves `window.__result`.
 */
import { gpujsBackend, type GpujsMode } from '@tensorgrad/backend-gpujs';
import { type Tensor, randn, setBackend, tidy } from '@tensorgrad/core';

/** Where the page leaves what it measured (the conformance page's `__result` is typed for its own result). */
const out = window as unknown as { __result?: unknown };

/** Wait for everything queued before `t` by reading one element of it. */
const sync = (t: Tensor) => tidy(() => t.reshape([-1]).narrow(0, 0, 1)).data();

/** Median microseconds of `op` (each run synced), after warm-up runs that compile and upload. */
async function time(op: () => Tensor, reps: number): Promise<number> {
  for (let w = 0; w < 2; w++) {
    const y = op();
    await sync(y);
    y.dispose();
  }
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    const y = op();
    await sync(y);
    samples.push((performance.now() - start) * 1000);
    y.dispose();
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const mode = (params.get('mode') ?? 'webgl2') as GpujsMode;
  const side = params.get('side') ?? 'device';
  const backend = gpujsBackend({ mode, hostThreshold: side === 'host' ? Number.POSITIVE_INFINITY : 0 });
  await setBackend(backend);
  const rows: { op: string; n: number; us: number }[] = [];
  for (let e = 8; e <= 22; e += 2) {
    const n = 1 << e;
    const x = randn([n]);
    // eight elementwise ops in a chain: per-op cost, launch overhead included
    const us = await time(() => tidy(() => x.mul(1.0001).add(0.001).mul(0.9999).add(-0.001).mul(1.0001).add(0.001).mul(0.9999).add(-0.001)), n >= 1 << 20 ? 5 : 9);
    rows.push({ op: 'elementwise', n, us: us / 8 });
    x.dispose();
  }
  for (let e = 8; e <= 22; e += 2) {
    const n = 1 << e;
    const x = randn([n / 64, 64]);
    rows.push({ op: 'sum(1)', n, us: await time(() => x.sum(1), n >= 1 << 20 ? 5 : 9) });
    x.dispose();
  }
  for (const m of [32, 64, 128, 256, 512]) {
    const a = randn([m, m]);
    const b = randn([m, m]);
    rows.push({ op: 'matmul', n: m * m, us: await time(() => a.matmul(b), m >= 256 ? 3 : 7) });
    a.dispose();
    b.dispose();
  }
  out.__result = { mode, side, device: backend.device, renderer: backend.renderer, rows };
}

main().catch((e: unknown) => {
  out.__result = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
});
