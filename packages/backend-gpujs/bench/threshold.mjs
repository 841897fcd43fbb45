// Where gpu.js device kernels start to beat backend-cpu's host kernels, op by op and size by size.
// Each backend runs in its own process (a WebAssembly memory that grows detaches an ArrayBuffer,
// which slows every typed-array loop of the process afterwards: see shared/PERF.md).
//
//   node packages/backend-gpujs/bench/threshold.mjs            # both sides, one process each
//   node packages/backend-gpujs/bench/threshold.mjs --side=host|device [--mode=webasm]
// Uses the built packages (pnpm build first).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const mode = args.mode ?? 'auto';

const cases = [
  ...[8, 10, 12, 14, 16, 18, 20].map((e) => ({ op: 'add', n: 1 << e })),
  ...[8, 10, 12, 14, 16, 18, 20].map((e) => ({ op: 'exp', n: 1 << e })),
  ...[8, 10, 12, 14, 16, 18, 20].map((e) => ({ op: 'sum', n: 1 << e })),
  ...[16, 32, 64, 128, 256].map((m) => ({ op: 'matmul', n: m * m, m })),
];

if (!args.side) {
  const me = fileURLToPath(import.meta.url);
  const run = (side) => JSON.parse(execFileSync(process.execPath, [me, `--side=${side}`, `--mode=${mode}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const host = run('host');
  const device = run('device');
  console.log(`device mode: ${device.device}`);
  console.log('op      elements   host us   device us   faster');
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const h = host.times[i];
    const d = device.times[i];
    console.log(`${c.op.padEnd(7)} ${String(c.n).padStart(8)} ${h.toFixed(1).padStart(9)} ${d.toFixed(1).padStart(11)}   ${d < h ? 'device' : 'host'}`);
  }
} else {
  const core = await import('@tensorgrad/core');
  const { gpujsBackend } = await import('../dist/index.js');
  const warn = console.warn;
  console.warn = () => {};
  const backend = args.side === 'host' ? gpujsBackend({ mode, hostThreshold: Infinity }) : gpujsBackend({ mode, hostThreshold: 0 });
  await core.setBackend(backend);
  console.warn = warn;
  const times = [];
  for (const c of cases) {
    const shape = c.op === 'matmul' ? [c.m, c.m] : c.op === 'sum' ? [c.n / 64, 64] : [c.n];
    const a = core.randn(shape);
    const b = core.randn(shape);
    const f = () => (c.op === 'add' ? a.add(b) : c.op === 'exp' ? a.exp() : c.op === 'sum' ? a.sum(1) : a.matmul(b));
    // resident inputs, a compiled kernel, then the median of timed runs (each waits for its result)
    for (let w = 0; w < 3; w++) {
      const y = f();
      await y.data();
      y.dispose();
    }
    const samples = [];
    for (let r = 0; r < 15; r++) {
      const start = performance.now();
      const y = f();
      await core.tidy(() => y.reshape([-1]).narrow(0, 0, 1)).data();
      samples.push((performance.now() - start) * 1000);
      y.dispose();
    }
    samples.sort((p, q) => p - q);
    times.push(samples[7]);
    a.dispose();
    b.dispose();
  }
  process.stdout.write(JSON.stringify({ device: backend.device, times }));
}
