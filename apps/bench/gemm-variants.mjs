// Matmul GFLOP/s of backend-cpu's two WebAssembly gemm builds side by side, in one process:
// cpuBackend() (relaxed SIMD, fused multiply-add, where the engine validates it) against
// cpuBackend({ relaxedSimd: false }) (plain SIMD, multiply then add), rounds alternating between
// them so that drift in the machine's speed hits both alike. Uses the built package (pnpm build).
//
//   node gemm-variants.mjs                                            # Node 20 and later: relaxed against plain
//   (backend-cpu turns Node 20's --experimental-wasm-relaxed-simd on while it compiles its gemm)
//   node gemm-variants.mjs --chromium [/usr/bin/chromium]             # the same loop in headless Chromium
//
// Options: --sizes 256,512,1024  --rounds 7  --seconds 0.25 (per side per round and size)
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Time n×n matmuls on both backends of `lib` (the @tensorgrad/backend-cpu module): per size,
 * `rounds` rounds, each running relaxed then plain (order flipped every round) for about `seconds`.
 * Returns per size the median GFLOP/s of each side, and the variants that ran. Runs in Node or a page.
 */
export function measure(lib, sizes, rounds, seconds) {
  const now = () => performance.now();
  const sides = [
    { name: 'relaxed', backend: lib.cpuBackend(), variant: lib.gemmVariant() },
    { name: 'plain', backend: lib.cpuBackend({ relaxedSimd: false }), variant: lib.gemmVariant({ relaxedSimd: false }) },
  ];
  const rows = [];
  for (const n of sizes) {
    const values = (seed) => Float32Array.from({ length: n * n }, (_, i) => Math.sin(i * 0.618 + seed));
    const a = values(1);
    const b = values(2);
    const flop = 2 * n * n * n;
    const run = (side) => {
      const be = side.backend;
      const ai = { id: be.write(a, [n, n], 'float32'), shape: [n, n], dtype: 'float32' };
      const bi = { id: be.write(b, [n, n], 'float32'), shape: [n, n], dtype: 'float32' };
      return () => be.dispose(be.kernels.matmul(ai, bi, false, false, [n, n]));
    };
    const runs = sides.map(run);
    // calibrate: enough products for about `seconds` per side per round
    let reps = 1;
    for (const r of runs) r(); // warm up (instantiation, TurboFan)
    for (;;) {
      const t0 = now();
      for (let i = 0; i < reps; i++) runs[0]();
      if (now() - t0 >= seconds * 1000 * 0.5 || reps >= 1 << 16) break;
      reps *= 2;
    }
    const rates = sides.map(() => []);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const s of order) {
        const t0 = now();
        for (let i = 0; i < reps; i++) runs[s]();
        rates[s].push((flop * reps) / ((now() - t0) / 1000) / 1e9);
      }
    }
    const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const [relaxed, plain] = rates.map(median);
    // the per-round ratios (relaxed / plain, same round): their median is the paired speed-up
    const ratio = median(rates[0].map((r, i) => r / rates[1][i]));
    rows.push({ n, reps, relaxed, plain, ratio });
  }
  return { variants: { relaxed: sides[0].variant, plain: sides[1].variant }, rows };
}

function print(where, result) {
  console.log(`${where}: cpuBackend() runs '${result.variants.relaxed}', cpuBackend({ relaxedSimd: false }) runs '${result.variants.plain}'`);
  console.log('    n   relaxed GFLOP/s   plain GFLOP/s   relaxed/plain (median of paired rounds)');
  for (const r of result.rows) console.log(`${String(r.n).padStart(5)}   ${r.relaxed.toFixed(2).padStart(15)}   ${r.plain.toFixed(2).padStart(13)}   ${r.ratio.toFixed(3)}×`);
}

/** Bundle a page calling {@link measure} (its source) on the built package and run it in headless Chromium (playwright-core and esbuild from apps/gpu-conformance). */
async function inChromium(executablePath, sizes, rounds, seconds) {
  const from = createRequire(fileURLToPath(new URL('../gpu-conformance/package.json', import.meta.url)));
  const { build } = from('esbuild');
  const { chromium } = from('playwright-core');
  const bundle = await build({
    stdin: {
      // measure() uses nothing but `lib` and `performance`: its own source goes into the page
      contents: `import * as lib from '@tensorgrad/backend-cpu';\nconst measure = ${measure.toString()};\nglobalThis.__measure = (s, r, t) => measure(lib, s, r, t);\n`,
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'js',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'error',
  });
  const browser = await chromium.launch({ executablePath, args: ['--headless=new', '--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const version = browser.version();
    const result = await page.evaluate(([s, r, t]) => globalThis.__measure(s, r, t), [sizes, rounds, seconds]);
    print(`Chromium ${version}`, result);
  } finally {
    await browser.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i < 0 ? fallback : args[i + 1];
  };
  const sizes = option('--sizes', '256,512,1024').split(',').map(Number);
  const rounds = Number(option('--rounds', '7'));
  const seconds = Number(option('--seconds', '0.25'));
  for (const [name, v] of [['--rounds', rounds], ['--seconds', seconds], ...sizes.map((s) => ['--sizes', s])]) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`gemm-variants: ${name} must be positive numbers, got ${option(name)}`);
  }
  if (args.includes('--chromium')) {
    const path = option('--chromium', undefined);
    await inChromium(path === undefined || path.startsWith('--') ? '/usr/bin/chromium' : path, sizes, rounds, seconds);
  } else {
    const lib = await import('@tensorgrad/backend-cpu');
    print(`Node ${process.version} ${process.execArgv.join(' ')}`.trim(), measure(lib, sizes, rounds, seconds));
  }
}
