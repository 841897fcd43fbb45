/**
 * The page of sortscan-check.mjs: runs the cumsum and sort kernels of @tensorgrad/backend-gpujs
 * on the device (`hostThreshold: 0`) in the mode `?mode=` names, over the PyTorch cases of
 * packages/backend-gpujs/src/scan.cases.json, and leaves `{ mode, device, renderer, passed,
 * failures, deviceOps, hostOps }` in `window.__result`.
 */
import { gpujsBackend, type GpujsMode } from '@tensorgrad/backend-gpujs';
import cases from '../../../packages/backend-gpujs/src/scan.cases.json';

type Stored = number | null | 'inf' | '-inf';
interface ScanCase {
  name: string;
  op: 'cumsum' | 'sort';
  shape: number[];
  dtype: 'float32' | 'int32';
  x: Stored[];
  axis: number;
  flag: boolean;
  values: Stored[];
  indices?: number[];
}

/** Where the driver finds the result (page/conformance.ts declares `window.__result` for its own page). */
const done = (result: unknown): void => {
  (window as { __result?: unknown }).__result = result;
};

const decode = (v: Stored[]): number[] => v.map((e) => (e === null ? NaN : e === 'inf' ? Infinity : e === '-inf' ? -Infinity : e));
const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

async function main(): Promise<void> {
  const mode = (new URLSearchParams(location.search).get('mode') ?? 'webgl2') as GpujsMode;
  const b = gpujsBackend({ mode, hostThreshold: 0 });
  await b.ready!();
  const failures: string[] = [];
  let passed = 0;
  for (const c of cases as ScanCase[]) {
    const xs = decode(c.x);
    if (c.dtype === 'int32' && xs.some((v) => Math.abs(v) >= 2 ** 24)) continue; // int32 is a float on the device: exact below 2^24
    const want = decode(c.values).map((v) => (c.dtype === 'float32' ? Math.fround(v) : v));
    const x = { id: b.write(c.dtype === 'int32' ? Int32Array.from(xs) : Float32Array.from(xs), c.shape, c.dtype), shape: c.shape, dtype: c.dtype };
    try {
      const problems: string[] = [];
      if (c.op === 'cumsum') {
        const got = Array.from(await b.read(b.kernels.cumsum(x, c.axis, c.flag)));
        const scale = xs.reduce((s, v) => (Number.isFinite(v) ? s + Math.abs(v) : s), 0);
        want.forEach((w, i) => {
          const ok = c.dtype === 'int32' || !Number.isFinite(w) ? same(got[i]!, w) : Math.abs(got[i]! - w) <= 1e-6 * Math.max(1, scale);
          if (!ok) problems.push(`[${i}] ${got[i]} vs ${w}`);
        });
      } else {
        const [v, i] = b.kernels.sort(x, c.axis, c.flag);
        const gv = Array.from(await b.read(v!));
        const gi = Array.from(await b.read(i!));
        want.forEach((w, k) => {
          if (!same(gv[k]!, w)) problems.push(`value [${k}] ${gv[k]} vs ${w}`);
          if (gi[k] !== c.indices![k]) problems.push(`index [${k}] ${gi[k]} vs ${c.indices![k]}`);
        });
      }
      if (problems.length === 0) passed++;
      else failures.push(`${c.name}: ${problems.slice(0, 4).join('; ')}`);
    } catch (e) {
      failures.push(`${c.name}: threw ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const stats = b.stats();
  done({ mode, device: b.device, renderer: b.renderer, passed, failures, deviceOps: stats.deviceOps, hostOps: stats.hostOps });
}

main().catch((e: unknown) => {
  done({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
});
