// The GPU check of @tensorgrad/backend-gpujs, bundled by build.mjs into one script for the
// device machine: which gpu.js mode runs, the conformance suite in that mode (as users get it,
// and with every op forced onto the device), then the bench: the host-threshold crossover,
// matmul GFLOP/s with resident tensors, and a 784-256-128-10 MLP training step against
// backend-cpu on the same machine.
//
//   node gpu-check/dist/bin/check.mjs [--mode=webgpu|headlessgl|webasm|cpu|auto] [--fallback]
//        [--skip-conformance] [--skip-bench] [--sizes=1024,2048,4096] [--batch=4096]
//
// --mode defaults to webgpu; when it cannot run the script says why and exits 2, unless
// --fallback is given (then it goes on in the best mode that works: useful off the GPU machine).
import { cpuBackend } from '@tensorgrad/backend-cpu';
import { runConformance, runRegistered } from '@tensorgrad/conformance/standalone';
import { functional as F, manualSeed, nn, optim, randn, setBackend, tensor, tidy } from '@tensorgrad/core';
import { DEFAULT_HOST_THRESHOLD, gpujsBackend } from '../src/index.ts';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
const mode = args.mode ?? 'webgpu';
const sizes = String(args.sizes ?? '1024,2048,4096').split(',').map(Number);
const batch = Number(args.batch ?? 4096);
const summary = { mode: null, fallbackReason: null, conformance: {}, threshold: null, matmul: [], mlp: null };
const log = (...xs) => console.log(...xs);
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`;

// ---- which mode runs
async function open(options = {}) {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...xs) => warnings.push(xs.join(' '));
  try {
    const backend = gpujsBackend({ mode: args.fallback ? 'auto' : mode, ...options });
    await backend.ready();
    return { backend, warnings };
  } finally {
    console.warn = warn;
  }
}

{
  let first;
  try {
    first = await open();
  } catch (e) {
    log(`MODE: '${mode}' is unavailable here: ${e.message}`);
    log('(run with --fallback to go on in the best mode that works)');
    process.exit(2);
  }
  summary.mode = first.backend.device;
  summary.fallbackReason = first.warnings.join(' ') || null;
  log(`MODE: gpu.js runs in '${first.backend.device}' mode on '${first.backend.renderer}'${first.warnings.length ? ` (${first.warnings.join(' ')})` : ''}`);
  if (mode !== 'auto' && first.backend.device !== mode) log(`NOTE: asked for '${mode}', fell back to '${first.backend.device}'`);
  await first.backend.close?.();
}
const runMode = summary.mode;

// ---- conformance
if (!args['skip-conformance']) {
  const variants = [
    ['gpujs', {}],
    ['gpujs-device', { hostThreshold: 0 }],
  ];
  for (const [name, options] of variants) {
    runConformance({ name, createBackend: () => gpujsBackend({ mode: runMode, ...options }), reference: () => cpuBackend(), numRuns: 10 });
    const r = await runRegistered();
    summary.conformance[name] = { passed: r.passed, failed: r.failed, skipped: r.skipped };
    log(`CONFORMANCE ${name} (${runMode}): ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped [${elapsed()}]`);
    for (const f of r.failures) log(`  FAIL ${f.name}: ${f.error}`);
  }
}

// ---- bench
/** Wait for everything queued before `t` by reading one element of it. */
const sync = (t) => tidy(() => t.reshape([-1]).narrow(0, 0, 1)).data();

async function chainTime(backend, n, ops) {
  await setBackend(backend);
  const x = randn([n]);
  const run = () => {
    let y = x;
    for (let i = 0; i < ops; i++) {
      const next = tidy(() => y.mul(1.0001).add(0.001));
      if (y !== x) y.dispose();
      y = next;
    }
    return y;
  };
  await sync(run()); // compile, upload
  const reps = n >= 1 << 20 ? 3 : 10;
  const start = performance.now();
  let y;
  for (let r = 0; r < reps; r++) {
    y?.dispose();
    y = run();
  }
  await sync(y);
  const us = ((performance.now() - start) * 1000) / (reps * ops * 2);
  y.dispose();
  x.dispose();
  return us;
}

async function thresholdSweep() {
  const cpu = cpuBackend();
  const device = gpujsBackend({ mode: runMode, hostThreshold: 0 });
  await device.ready();
  const rows = [];
  for (let e = 8; e <= 22; e += 2) {
    const n = 1 << e;
    const host = await chainTime(cpu, n, 8);
    const dev = await chainTime(device, n, 8);
    rows.push({ n, hostUs: +host.toFixed(2), deviceUs: +dev.toFixed(2) });
    log(`  elementwise n=2^${e}: host ${host.toFixed(2)} us/op, device ${dev.toFixed(2)} us/op`);
  }
  const crossover = rows.find((r) => r.deviceUs < r.hostUs)?.n ?? null;
  await device.close?.();
  return { rows, crossover, default: DEFAULT_HOST_THRESHOLD[runMode] };
}

async function matmulGflops(backend, n, reps) {
  await setBackend(backend);
  manualSeed(1);
  const a = randn([n, n]);
  const b = randn([n, n]);
  let c = a.matmul(b);
  await sync(c); // compile + upload a and b
  const start = performance.now();
  for (let r = 0; r < reps; r++) {
    const next = a.matmul(b);
    c.dispose();
    c = next;
  }
  await sync(c);
  const ms = (performance.now() - start) / reps;
  c.dispose();
  a.dispose();
  b.dispose();
  return { ms, gflops: (2 * n ** 3) / ms / 1e6 };
}

async function matmulCheck(backend, n) {
  // the device result against backend-cpu's on the same inputs
  await setBackend(backend);
  manualSeed(2);
  const got = await randn([n, n]).matmul(randn([n, n])).data();
  await setBackend(cpuBackend());
  manualSeed(2);
  const want = await randn([n, n]).matmul(randn([n, n])).data();
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return worst;
}

async function mlpStep(backend, steps) {
  await setBackend(backend);
  manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const x = randn([batch, 784]);
  const y = tensor(Array.from({ length: batch }, (_, i) => i % 10), { dtype: 'int32' });
  const step = async () => {
    const loss = tidy(() => {
      const l = F.crossEntropy(model.forward(x), y);
      for (const p of model.parameters()) p.grad?.dispose();
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l;
    });
    const v = (await loss.data())[0];
    loss.dispose();
    return v;
  };
  const first = await step(); // compile, upload
  await step();
  const times = [];
  let last = first;
  for (let s = 0; s < steps; s++) {
    const start = performance.now();
    last = await step();
    times.push(performance.now() - start);
  }
  times.sort((p, q) => p - q);
  return { msPerStep: times[Math.floor(times.length / 2)], firstLoss: first, lastLoss: last };
}

if (!args['skip-bench']) {
  log(`BENCH threshold sweep (${runMode}) [${elapsed()}]`);
  summary.threshold = await thresholdSweep();
  log(`  crossover: device faster from n=${summary.threshold.crossover ?? 'never (host faster at every size)'}; default threshold ${summary.threshold.default}`);

  const vec4 = gpujsBackend({ mode: runMode });
  await vec4.ready();
  const worst = await matmulCheck(vec4, 1024);
  log(`BENCH matmul n=1024 against backend-cpu: worst |diff|/(1+|want|) = ${worst.toExponential(2)}`);
  const variants = runMode === 'webgpu' ? [['vec4', vec4], ['scalar', gpujsBackend({ mode: runMode, matmul: 'scalar' })]] : [['scalar', vec4]];
  for (const [kind, backend] of variants) {
    await backend.ready();
    for (const n of sizes) {
      const reps = runMode === 'webgpu' || runMode === 'headlessgl' ? (n >= 4096 ? 5 : 10) : 1;
      const r = await matmulGflops(backend, n, reps);
      summary.matmul.push({ kernel: kind, n, ms: +r.ms.toFixed(2), gflops: +r.gflops.toFixed(1) });
      log(`BENCH matmul ${kind} n=${n}: ${r.ms.toFixed(2)} ms, ${r.gflops.toFixed(1)} GFLOP/s (${(r.gflops / 1000).toFixed(2)} TFLOP/s) [${elapsed()}]`);
    }
  }

  const gpu = await mlpStep(vec4, 5);
  log(`BENCH MLP 784-256-128-10 batch ${batch}, SGD step, gpujs ${runMode}: ${gpu.msPerStep.toFixed(1)} ms/step (loss ${gpu.firstLoss.toFixed(4)} -> ${gpu.lastLoss.toFixed(4)}) [${elapsed()}]`);
  const cpu = await mlpStep(cpuBackend(), 2);
  log(`BENCH MLP 784-256-128-10 batch ${batch}, SGD step, backend-cpu: ${cpu.msPerStep.toFixed(1)} ms/step (loss ${cpu.firstLoss.toFixed(4)} -> ${cpu.lastLoss.toFixed(4)}) [${elapsed()}]`);
  summary.mlp = { batch, gpujsMs: +gpu.msPerStep.toFixed(1), cpuMs: +cpu.msPerStep.toFixed(1), speedup: +(cpu.msPerStep / gpu.msPerStep).toFixed(2) };
  log(`BENCH MLP speedup over backend-cpu: ${summary.mlp.speedup}x`);
}

log(`SUMMARY ${JSON.stringify(summary)}`);
log(`done in ${elapsed()}`);
process.exit(0);
