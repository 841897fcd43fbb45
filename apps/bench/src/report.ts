/**
 * Turning medians into tables, ratios, the acceptance checks and docs/benchmarks.md. No timing
 * here: everything is a pure function of the numbers (tested in report.test.ts).
 */
import { CASES, speedUp, type Unit } from './cases';
import type { Floors } from './floor';
import { speedCeiling } from './measure';
import type { PairedReport } from './paired';

/** The medians of one case. */
export interface CaseResult {
  readonly name: string;
  readonly unit: Unit;
  /** The batch of a training step (for samples/s). */
  readonly batch?: number;
  /** Median value per system name; absent where a system did not run the case. */
  readonly values: Readonly<Record<string, number>>;
  /** Samples behind each median. */
  readonly counts: Readonly<Record<string, number>>;
}

/** Everything docs/benchmarks.md says. */
export interface RunReport {
  readonly systems: readonly string[];
  /** Per system: library, backend and other facts. */
  readonly infos: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly results: readonly CaseResult[];
  readonly machine: { readonly cpu: string; readonly cores: number; readonly threadsPerCore?: string; readonly node: string; readonly v8: string; readonly os: string };
  readonly versions: Readonly<Record<string, string>>;
  readonly date: string;
  readonly rounds: number;
  readonly quick: boolean;
  readonly command: string;
  /** 1-minute load averages: before the children started, and at each round's start and end. */
  readonly load: { readonly before: number; readonly during: readonly number[] };
  /** Cores' worth of CPU a process could get with every core busy, per round. */
  readonly capacities: readonly number[];
  readonly seconds: number;
  /** Per training case and system, the loss at its first and at its last step, and how many steps it ran. */
  readonly losses: Readonly<Record<string, Readonly<Record<string, readonly [first: number, last: number, steps: number]>>>>;
  /** Issue 4's cpu-vs-worker comparison in one process, when both ran. */
  readonly paired?: PairedReport;
  /** Systems asked for but not run, and why (no torch in /usr/bin/python3). */
  readonly skipped?: Readonly<Record<string, string>>;
  /** The products' floors beside PyTorch (floor.ts), with the threads of the worker's ideal split. */
  readonly floors?: Floors & { readonly threads: number };
}

const isTfjs = (s: string): boolean => s.startsWith('tfjs-');
const isTorch = (s: string): boolean => s.startsWith('torch-');

/** The column heading of a system; gpujs is marked when it runs its fallback mode. */
export function systemLabel(name: string, info?: Readonly<Record<string, string>>): string {
  if (name.startsWith('tfjs-')) return `TF.js ${name.slice(5)}`;
  if (isTorch(name)) return `PyTorch ${name}`;
  return `tensorgrad ${name}${info?.['fallback'] === 'true' ? '†' : ''}`;
}

/** A value as the tables print it: about three significant digits. */
export function formatValue(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

/** An integer with thousands separators: 12,345. */
export function formatInt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return Math.round(v).toLocaleString('en-US');
}

/** A speed-up as printed: `5.3×`. */
export function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '–';
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** The tensorgrad-vs-TF.js pairs that get a ratio column: every tensorgrad system against every TF.js one present. */
export function ratioPairs(systems: readonly string[]): [string, string][] {
  const ours = systems.filter((s) => !isTfjs(s) && !isTorch(s));
  const theirs = systems.filter(isTfjs);
  return ours.flatMap((a) => theirs.map((b): [string, string] => [a, b]));
}

/** How many times faster system `a` is than `b` on case `r` (above 1: `a` wins), or undefined. */
export function ratio(r: CaseResult, a: string, b: string): number | undefined {
  const x = r.values[a];
  const y = r.values[b];
  return x === undefined || y === undefined ? undefined : speedUp(r.unit, x, y);
}

/** Samples per second of a training case's median step. */
export function throughput(r: CaseResult, system: string): number | undefined {
  const ms = r.values[system];
  return r.batch === undefined || ms === undefined ? undefined : (r.batch * 1000) / ms;
}

/** The results table's rows: the heading, then one row per case (training cases also give samples/s). */
export function resultRows(report: Pick<RunReport, 'systems' | 'infos' | 'results'>): string[][] {
  const { systems, infos, results } = report;
  const rows = [['case', 'unit', ...systems.map((s) => systemLabel(s, infos[s]))]];
  for (const r of results) {
    rows.push([r.name, r.unit, ...systems.map((s) => formatValue(r.values[s]))]);
    if (r.batch !== undefined) rows.push([`${r.name}`, 'samples/s', ...systems.map((s) => formatInt(throughput(r, s)))]);
  }
  return rows;
}

/** The ratios table's rows: how many times faster each tensorgrad system is than each TF.js one. */
export function ratioRows(report: Pick<RunReport, 'systems' | 'results'>): string[][] {
  const pairs = ratioPairs(report.systems);
  const rows = [['case', ...pairs.map(([a, b]) => `${a} vs ${systemLabel(b)}`)]];
  for (const r of report.results) rows.push([r.name, ...pairs.map(([a, b]) => formatRatio(ratio(r, a, b)))]);
  return rows;
}

/** The tensorgrad-vs-PyTorch pairs (issue 15): backend-cpu against one PyTorch core, backend-worker against two; those present. */
export function torchPairs(systems: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [
    ['cpu', 'torch-1'],
    ['worker', 'torch-2'],
  ];
  return pairs.filter(([a, b]) => systems.includes(a) && systems.includes(b));
}

/**
 * How many times longer system `a` takes than `b` on case `r` (for rates: `b`'s rate over `a`'s),
 * i.e. `1 / ratio(r, a, b)`: below 1 when `a` wins; undefined where either is missing.
 *
 * @example
 * ```ts
 * slowdown(gptIteration, 'cpu', 'torch-1'); // 3.5: tensorgrad cpu takes 3.5× PyTorch's time
 * ```
 */
export function slowdown(r: CaseResult, a: string, b: string): number | undefined {
  return ratio(r, b, a);
}

/** The PyTorch table's rows: per case, tensorgrad's time over PyTorch's for each pair of {@link torchPairs}. */
export function torchRatioRows(report: Pick<RunReport, 'systems' | 'results'>): string[][] {
  const pairs = torchPairs(report.systems);
  const rows = [['case', ...pairs.map(([a, b]) => `${a} / ${systemLabel(b)}`)]];
  for (const r of report.results) rows.push([r.name, ...pairs.map(([a, b]) => formatRatio(slowdown(r, a, b)))]);
  return rows;
}

/** Whether a case draws dropout masks (its first losses need not agree between libraries). */
const hasDropout = (name: string): boolean => CASES.find((c) => c.name === name)?.dropout === true;

/**
 * How far apart the systems' first losses are: (max − min) / |median| over the systems that ran
 * the case, or undefined with fewer than two. The same weights and batch give the same first
 * loss in every library up to float32 rounding (about 1e-6; 1e-4 is the bar).
 *
 * @example
 * ```ts
 * firstLossSpread({ cpu: [2.302585, 0.1, 40], 'torch-1': [2.302586, 0.1, 30] }); // ≈ 4e-7
 * ```
 */
export function firstLossSpread(losses: Readonly<Record<string, readonly [number, number, number]>>): number | undefined {
  const firsts = Object.values(losses).map((l) => l[0]);
  if (firsts.length < 2) return undefined;
  const s = [...firsts].sort((a, b) => a - b);
  const mid = s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return (s[s.length - 1]! - s[0]!) / Math.abs(mid);
}

/**
 * The losses table's rows: per training case, each system's first loss (6 digits), its last and
 * the steps between, and the spread of the first losses ("dropout" where masks make them differ).
 */
export function lossRows(report: Pick<RunReport, 'systems' | 'infos' | 'losses'>): string[][] {
  const { systems, infos, losses } = report;
  const rows = [['case (loss: first → last, steps)', ...systems.map((s) => systemLabel(s, infos[s])), 'first losses agree to']];
  for (const [c, bySystem] of Object.entries(losses)) {
    const spreadOf = firstLossSpread(bySystem);
    const agree = hasDropout(c) ? 'dropout' : spreadOf === undefined ? '–' : spreadOf === 0 ? 'identical' : spreadOf.toExponential(1);
    rows.push([c, ...systems.map((s) => {
      const l = bySystem[s];
      return l === undefined ? '–' : `${l[0].toPrecision(6)} → ${l[1].toPrecision(4)} (${l[2]})`;
    }), agree]);
  }
  return rows;
}

/** A fixed-width text table: first column left-aligned, the others right-aligned. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** A Markdown table: first column left-aligned, the others right-aligned. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const escape = (s: string): string => s.replace(/\|/g, '\\|');
  const line = (r: readonly string[]): string => `| ${r.map(escape).join(' | ')} |`;
  const rule = `| ${rows[0]!.map((_, j) => (j === 0 ? '---' : '---:')).join(' | ')} |`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** One acceptance criterion of issue 6 and what the run measured for it. */
export interface Check {
  readonly claim: string;
  readonly measured: string;
  /** Undefined when the run did not include what the check needs. */
  readonly pass: boolean | undefined;
}

const find = (results: readonly CaseResult[], name: string): CaseResult | undefined => results.find((r) => r.name === name);

/** Issue 6's acceptance criteria, checked against the medians. */
export function acceptance(results: readonly CaseResult[]): Check[] {
  const checks: Check[] = [];
  const mlp64 = find(results, 'MLP step (batch 64)');
  {
    const ours = mlp64?.values['cpu'];
    const r = mlp64 && ratio(mlp64, 'cpu', 'tfjs-cpu');
    checks.push({
      claim: 'tensorgrad cpu ≥ 5× TF.js cpu on the MLP step at batch 64, and ≤ 25 ms',
      measured: r === undefined || ours === undefined ? 'not measured' : `${formatRatio(r)}, ${formatValue(ours)} ms (TF.js cpu ${formatValue(mlp64!.values['tfjs-cpu'])} ms)`,
      pass: r === undefined || ours === undefined ? undefined : r >= 5 && ours <= 25,
    });
  }
  for (const batch of [64, 256]) {
    const c = find(results, `MLP step (batch ${batch})`);
    const r = c && ratio(c, 'worker', 'tfjs-wasm');
    checks.push({
      claim: `tensorgrad worker ≥ 2× TF.js wasm on the MLP step at batch ${batch}`,
      measured: r === undefined ? 'not measured' : `${formatRatio(r)} (${formatValue(c!.values['worker'])} vs ${formatValue(c!.values['tfjs-wasm'])} ms)`,
      pass: r === undefined ? undefined : r >= 2,
    });
  }
  {
    const c = find(results, 'matmul 1024');
    const ours = c?.values['worker'];
    const theirs = c?.values['tfjs-wasm'];
    checks.push({
      claim: 'matmul n = 1024 on tensorgrad worker ≥ 30 GFLOP/s, ahead of TF.js wasm',
      measured: ours === undefined ? 'not measured' : `${formatValue(ours)} GFLOP/s (TF.js wasm ${formatValue(theirs)})`,
      pass: ours === undefined || theirs === undefined ? undefined : ours >= 30 && ours > theirs,
    });
  }
  return checks;
}

/** Issue 15's targets: tensorgrad's time at most this many times PyTorch's, per case. */
export const TORCH_TARGETS: readonly (readonly [name: string, most: number])[] = [
  ['GPT iteration', 2],
  ['makemore MLP step', 2],
  ['GPT generation (per token)', 3],
  ['MLP step (batch 64)', 2],
];

/**
 * Issue 15's acceptance checks against the medians: for every target of {@link TORCH_TARGETS}
 * and every pair (cpu vs torch-1, worker vs torch-2), tensorgrad's time over PyTorch's is at
 * most the target.
 *
 * @example
 * ```ts
 * torchChecks(results).filter((c) => c.pass === false).map((c) => c.claim);
 * ```
 */
export function torchChecks(results: readonly CaseResult[]): Check[] {
  return TORCH_TARGETS.flatMap(([name, most]) =>
    (
      [
        ['cpu', 'torch-1'],
        ['worker', 'torch-2'],
      ] as const
    ).map(([a, b]): Check => {
      const c = find(results, name);
      const r = c && slowdown(c, a, b);
      return {
        claim: `${name}: tensorgrad ${a} ≤ ${most}× PyTorch ${b}'s time`,
        measured: r === undefined ? 'not measured' : `${formatRatio(r)} (${formatValue(c!.values[a])} vs ${formatValue(c!.values[b])} ${c!.unit})`,
        pass: r === undefined ? undefined : r <= most,
      };
    }),
  );
}

/**
 * The floors' rows: for each case of {@link TORCH_TARGETS} whose products were counted, their
 * GFLOP a step (a token for generation); the time they take at the measured SIMD peak on one
 * thread, over torch-1's measured time; what tensorgrad cpu's products took, timed kernel by kernel
 * (with their rate and its share of the peak), and what the rest of its step took in the same
 * steps; the time the target leaves for that rest were the products at the peak
 * (target × torch-1 less the one-thread floor); then the floor split ideally over the worker's
 * threads, over torch-2's time; and the target. Empty without floors.
 *
 * @example
 * ```ts
 * floorRows({ results, floors: { peak: { gflops: 50, instruction: 'fused multiply-add' }, flops: { 'GPT iteration': 3.96e9 }, timed: { 'GPT iteration': { products: 99, step: 300 } }, threads: 2 } });
 * // [[header], ['GPT iteration', '3.96', '79.2 ms/step', '1.32×', '99.0 ms/step (40.0 GFLOP/s, 80% of the peak)', '201 ms/step', '40.8 ms/step', '39.6 ms/step', '0.79×', '2×']]
 * ```
 */
export function floorRows(report: Pick<RunReport, 'results' | 'floors'>): string[][] {
  const f = report.floors;
  if (f === undefined) return [];
  const rows = [
    ['case', 'products (GFLOP)', 'at the peak, 1 thread', 'over torch-1', 'cpu: its products, timed', 'cpu: the rest of its step', 'the rest, room at the target', `at the peak, ${f.threads} threads`, 'over torch-2', 'target'],
  ];
  for (const [name, most] of TORCH_TARGETS) {
    const flops = f.flops[name];
    const r = find(report.results, name);
    if (flops === undefined || r === undefined) continue;
    const one = flops / (f.peak.gflops * 1e6); // ms: GFLOP/s is 1e6 operations a millisecond
    const split = one / f.threads;
    const over = (ms: number, torch: string) => (r.values[torch] !== undefined ? formatRatio(ms / r.values[torch]!) : '–');
    const timed = f.timed[name];
    const torch1 = r.values['torch-1'];
    const products = timed === undefined ? '–' : `${formatValue(timed.products)} ${r.unit} (${formatValue(flops / timed.products / 1e6)} GFLOP/s, ${Math.round((100 * one) / timed.products)}% of the peak)`;
    const rest = timed === undefined ? '–' : `${formatValue(timed.step - timed.products)} ${r.unit}`;
    const room = torch1 === undefined ? '–' : `${formatValue(most * torch1 - one)} ${r.unit}`;
    rows.push([name, (flops / 1e9).toPrecision(3), `${formatValue(one)} ${r.unit}`, over(one, 'torch-1'), products, rest, room, `${formatValue(split)} ${r.unit}`, over(split, 'torch-2'), `${most}×`]);
  }
  return rows;
}

/** The acceptance checks as table rows. */
export function checkRows(checks: readonly Check[]): string[][] {
  return [['criterion', 'measured', 'result'], ...checks.map((c) => [c.claim, c.measured, c.pass === undefined ? 'not run' : c.pass ? 'pass' : 'FAIL'])];
}

/** The paired table's rows. */
export function pairedRows(report: PairedReport): string[][] {
  return [
    ['case', 'unit', 'tensorgrad cpu', `tensorgrad worker (${report.threads} threads)`, 'worker / cpu (median of pairs)', 'ratio of medians', 'pairs'],
    ...report.results.map((r) => [r.name, r.unit, formatValue(r.cpu), formatValue(r.worker), formatRatio(r.speedUp), formatRatio(speedUp(r.unit, r.worker, r.cpu)), String(r.pairs)]),
  ];
}

/** Over every probe of the run, the slowest thread's speed relative to the fastest, and the ceiling it sets. */
export function speedSummary(report: PairedReport): { slowest: number[]; ceilings: number[] } {
  return {
    slowest: report.speeds.map((s) => Math.min(...s) / Math.max(...s)),
    ceilings: report.speeds.map((s) => speedCeiling(s)),
  };
}

/** Per case, each round's median speed-up beside the ceiling measured just before it: `1.76× / 1.93×`. */
export function pairedRoundRows(report: PairedReport): string[][] {
  const rounds = Math.max(0, ...report.results.map((r) => r.rounds.length));
  return [
    ['case', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}: speed-up / ceiling`)],
    ...report.results.map((r) => [r.name, ...r.rounds.map((x) => `${formatRatio(x.speedUp)} / ${formatRatio(x.ceiling)}`)]),
  ];
}

/** Issue 4's speed-up criteria, checked against a paired run. */
export function pairedChecks(report: PairedReport | undefined): Check[] {
  const criteria: [string, number][] = [
    ['matmul 1024', 1.7],
    ['MLP step (batch 256)', 1.4],
  ];
  return criteria.map(([name, need]) => {
    const r = report?.results.find((x) => x.name === name);
    return {
      claim: `tensorgrad worker ≥ ${need}× cpu on ${name === 'matmul 1024' ? 'matmul n = 1024' : 'the MLP step at batch 256'} (one process, paired turns)`,
      measured: r === undefined ? 'not measured' : `${formatRatio(r.speedUp)} (median of ${r.pairs} pairs; medians ${formatValue(r.worker)} vs ${formatValue(r.cpu)} ${r.unit})`,
      pass: r === undefined ? undefined : r.speedUp >= need,
    };
  });
}

/** Min, median and max of some numbers, printed. */
export function spread(xs: readonly number[]): string {
  if (xs.length === 0) return '–';
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `${s[0]!.toFixed(2)} / ${mid.toFixed(2)} / ${s[s.length - 1]!.toFixed(2)}`;
}

/** docs/benchmarks.md. */
export function renderMarkdown(report: RunReport): string {
  const { machine, versions, infos, systems } = report;
  const gpujsFallback = infos['gpujs']?.['fallback'] === 'true';
  const lines: string[] = [];
  const p = (...xs: string[]): void => {
    lines.push(...xs);
  };
  p(
    '# Benchmarks: tensorgrad, TensorFlow.js and PyTorch, side by side',
    '',
    `Written by \`pnpm bench\` (apps/bench) on ${report.date}${report.quick ? ' with `--quick`' : ''}; do not edit by hand, rerun it.`,
    'Each system runs in its own child process; every round asks each system in turn (the order',
    'rotating from round to round) for one block of samples of every case, so that all systems sample the',
    `same moments of a shared machine. Values are medians over ${report.rounds} rounds of all samples.`,
    '',
    '## Machine',
    '',
    `- CPU: ${machine.cpu}, ${machine.cores} cores${machine.threadsPerCore ? ` (${machine.threadsPerCore} thread(s) per core)` : ''}`,
    `- ${machine.os}; Node ${machine.node}, V8 ${machine.v8}`,
    `- Load average (1 min): ${report.load.before.toFixed(2)} before the run; min / median / max during it ${spread(report.load.during)} (the benchmark itself keeps one process busy, and the worker system two threads).`,
    `- Cores' worth of CPU a process could get with every core busy, per round: ${report.capacities.map((c) => c.toFixed(2)).join(', ')} (the ${machine.cores}-thread systems need ${machine.cores} free cores).`,
    `- Run time: ${Math.round(report.seconds)} s.`,
    '',
    '## Versions',
    '',
    ...Object.entries(versions).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Systems',
    '',
    ...systems.map((s) => {
      const info = infos[s] ?? {};
      const extra = Object.entries(info)
        .filter(([k]) => k !== 'library' && k !== 'backend' && k !== 'fallback')
        .map(([k, v]) => `${k}: ${v}`);
      return `- **${systemLabel(s, info)}**: ${info['library'] ?? ''}, ${info['backend'] ?? ''}${extra.length ? `; ${extra.join('; ')}` : ''}`;
    }),
    ...Object.entries(report.skipped ?? {}).map(([s, why]) => `- **${systemLabel(s)}**: skipped: ${why}`),
    ...(gpujsFallback
      ? [
          '',
          '† gpujs ran its fallback mode: no GPU, no headless-gl and no WebGPU (Dawn) here, so gpu.js would run its',
          'WebAssembly kernels, and the backend\'s host threshold for that mode is infinite: every op runs on the host,',
          'on backend-cpu\'s kernels. Its numbers measure that dispatch path, not a GPU.',
        ]
      : []),
    '',
    '## Method',
    '',
    '- A block is up to a case\'s sample count or its time budget, whichever ends first (at least one sample),',
    '  after an untimed warm-up on first use: slow systems get fewer samples, not longer runs (`--json` has them all).',
    '- The warm-up is a case\'s least number of runs and then more until its warm-up time has passed (3 s for the',
    '  training steps, 6 s for the GPT iteration), the same for every system: V8 goes on optimizing a training step for',
    '  its first few hundred calls, and the samples should come from the steady state a training loop spends its time in.',
    '- Every step runs to completion before its clock stops: tensorgrad reads `loss.item()`, TF.js runs',
    '  `optimizer.minimize(loss, true, vars)` inside `tf.tidy` and reads `dataSync()` of the returned loss.',
    '- TF.js uses the ops `tf.layers` uses: `tf.fused.matMul` / `tf.fused.conv2d` with the bias and ReLU folded in,',
    '  and `tf.losses.softmaxCrossEntropy`; on wasm that is a little faster than separate ops.',
    '- tfjs-backend-wasm gets a file map from `setWasmPaths` in which only `tfjs-backend-wasm-simd.wasm` is a real',
    '  file, so its loading at all shows that the SIMD build runs (Node turns its threads off).',
    '- tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` kernel; the bench registers one that runs the package\'s',
    '  own `Conv3DBackpropFilterV2` kernel on the NHWC tensors viewed as depth-1 volumes (the same numbers).',
    '- PyTorch runs as `apps/bench/torch/serve.py` under `/usr/bin/python3` (Debian\'s python3-torch 1.13 with',
    '  OpenBLAS), speaking the Node children\'s protocol; each request carries the case\'s definition, so the',
    '  sample counts, budgets and warm-ups are the same. `torch-1`: `torch.set_num_threads(1)` and',
    '  `OPENBLAS_NUM_THREADS=1`, compared with tensorgrad cpu; `torch-2`: 1 torch thread and 2 OpenBLAS threads,',
    '  PyTorch\'s fastest two-core setting here (measured: see apps/bench/src/torch.ts), compared with tensorgrad worker.',
    '  Each system\'s info above says which BLAS library it loaded, the processor core OpenBLAS chose its kernels for,',
    '  and a 512 × 512 matmul\'s speed at start-up. OpenBLAS 0.3.21 takes some recent Xeons for a Prescott (SSE3) and',
    '  runs at a quarter of its speed there; serve.py then sets `OPENBLAS_CORETYPE` to the family the processor\'s flags',
    '  show (SkylakeX for AVX-512, Haswell for AVX2), and the info says so.',
    '- The cases beside PyTorch start every library from the same weights and batches: each parameter (PyTorch\'s',
    '  names and layouts) is drawn from the bench\'s seeded xorshift (`uniform` in data.ts, reproduced bit for bit in',
    '  torch/tgdata.py) with a seed from its name, uniform in ±1/√fan-in (GPT: nanoGPT\'s std 0.02 as a uniform,',
    '  layer-norm gains 1); token ids are floors of the same uniforms. So the first losses agree (see the losses',
    '  table), except where dropout draws masks from each library\'s own generator.',
    '',
    '## Results',
    '',
    'matmul: `n × n` float32 product, 2n³ FLOP. add, relu, exp: float32, GB/s counting bytes read and written',
    '(12 bytes per element for add, 8 for relu and exp), a fresh output each run. MLP: 784-256-128-10, ReLU,',
    'softmax cross-entropy, SGD (lr 0.01), forward + backward + update + reading the loss back. CNN: the trainer\'s',
    'model (apps/train/src/models.ts: conv 1→8 3×3, ReLU, max-pool 2, conv 8→16 3×3, ReLU, max-pool 2, dropout 0.25,',
    'linear 784→10; TF.js in NHWC), SGD with momentum 0.9. Inputs are fixed, the same values for every system.',
    '',
    'Beside PyTorch (issue 15): **GPT iteration**: nanoGPT\'s CPU configuration (vocabulary 65, block 64, 4 layers,',
    '4 heads, 128 wide, no dropout, no biases; apps/gpt\'s `GPT` in tensorgrad, nanoGPT\'s model written out in',
    'serve.py for PyTorch) at batch 12: forward with targets, zero the gradients, backward, clip the gradient norm',
    'at 1.0, AdamW (`configureOptimizers(0.1, 1e-3, [0.9, 0.99])`), the loss read back. **GPT generation**: the',
    'same model in eval mode at batch 1, one run is `generate` of 63 new tokens from a 1-token prompt (temperature 1,',
    'no top-k), reported as the run\'s time / 63; PyTorch\'s is nanoGPT\'s `generate` (crop to the block, a full',
    'forward per token). **makemore MLP**: makemore part 2 (embedding 27×10 of a 3-character context, linear 30→200,',
    'tanh, linear 200→27, cross-entropy), batch 32, SGD lr 0.1. **LSTM**: pytorch/examples time_sequence_prediction\'s',
    'model (LSTM cells 1→51 and 51→51, linear 51→1, stepped over the 999 columns of a [97, 999] input), MSE loss,',
    'Adam lr 0.01, in float32 on a fixed random sequence. **MNIST Net**: pytorch/examples mnist\'s `Net` (conv 1→32',
    'and 32→64 3×3, ReLU, max-pool 2, dropout 0.25, linear 9216→128, ReLU, dropout 0.5, linear 128→10,',
    'log-softmax, NLL), batch 64, Adadelta lr 1.0. TF.js has none of these but the makemore MLP ("–").',
    '',
    markdownTable(resultRows(report)),
    '',
    '## Ratios',
    '',
    'How many times faster each tensorgrad system is than each TF.js one (above 1: tensorgrad is faster).',
    '',
    markdownTable(ratioRows(report)),
    '',
    ...(torchPairs(systems).length > 0
      ? [
          '## Ratios vs PyTorch',
          '',
          'tensorgrad\'s time over PyTorch\'s (below 1: tensorgrad is faster): tensorgrad cpu against one PyTorch core',
          '(torch-1), tensorgrad worker against two (torch-2).',
          '',
          markdownTable(torchRatioRows(report)),
          '',
          '## Acceptance (issue 15)',
          '',
          markdownTable(checkRows(torchChecks(report.results))),
          '',
          ...(report.floors !== undefined && floorRows(report).length > 1
            ? [
                "## Floors: the matrix products at this processor's SIMD peak",
                '',
                "WebAssembly's vectors are 128 bits (four floats) on every processor: a core that issues two vector",
                'multiply-adds a cycle does 16 floating-point operations a cycle there, where PyTorch\'s OpenBLAS on AVX-512 does 64',
                "(its 512 × 512 product's speed is in its info above). The peak here: a loop of 10 independent multiply-adds on",
                `registers (no memory) on one thread, ${report.floors.peak.instruction}, ran at ${formatValue(report.floors.peak.gflops)} GFLOP/s (the fastest ~10 ms run,`,
                'before and after the rounds). Each case\'s matrix products (2·m·n·k each, counted over one step on tensorgrad cpu)',
                'take at least their work over that rate: below, that floor on one thread and, split ideally, on the worker\'s',
                'threads, with no other kernel and no memory traffic, and the floor over PyTorch\'s measured time. Where a floor',
                'alone is at or near the target, no tensorgrad kernel can meet the target on this processor. Beside it, what',
                "tensorgrad cpu's products took (timed kernel by kernel over ~1.5 s of steps after ~1.5 s of warm-up, staging and",
                'packing included) and the rest of those same steps (the engine and every other kernel), against the room the target',
                'leaves for that rest were the products at the peak (the target times torch-1\'s time, less the floor).',
                '',
                markdownTable(floorRows(report)),
                '',
              ]
            : []),
        ]
      : []),
    '## Acceptance (issue 6)',
    '',
    markdownTable(checkRows(acceptance(report.results))),
    '',
  );
  if (report.paired !== undefined) {
    const { slowest, ceilings } = speedSummary(report.paired);
    p(
      '## worker vs cpu in one process (issue 4)',
      '',
      'backend-cpu and backend-worker in one child process, taking turns (a turn is one to five consecutive runs of',
      'one backend; the order alternates from pair to pair), so that every worker sample has a cpu sample from the',
      'same moment. The speed-up is the median over pairs of cpu time / worker time.',
      '',
      markdownTable(pairedRows(report.paired)),
      '',
      markdownTable(checkRows(pairedChecks(report.paired))),
      '',
      `The machine's cores, both busy, measured just before each case's turns in each round: the slower one ran at`,
      `${spread(slowest.map((x) => 100 * x))} % (min / median / max) of the faster, so a perfectly balanced ${report.paired.threads}-thread split could`,
      `gain at most ${spread(ceilings)}× over one thread on the faster core. Per round:`,
      '',
      markdownTable(pairedRoundRows(report.paired)),
      '',
      'On this VM a core runs at about half speed for seconds at a time (another guest busy on its',
      'physical core). The ceiling is for the single thread on the faster core; where it ran on the slower one, a split',
      'gains more than the ceiling, and where the helper thread\'s core nearly stalls, the split waits for its last claim.',
      '',
    );
  }
  const lossCases = Object.keys(report.losses);
  if (lossCases.length > 0) {
    p(
      '## Sanity: training losses',
      '',
      'Loss at the first and at the last step each system ran, and the steps between (warm-up included): the same',
      'fixed batch every step, so it should fall, faster the more steps ran. Where the weights are the same in every',
      'library (the MLP and the cases beside PyTorch; the CNN starts from each library\'s own initialisation) the first',
      'losses agree to float32 rounding; the last column gives their spread, (max − min) / median.',
      '',
      markdownTable(lossRows(report)),
      '',
    );
  }
  p(
    '## How to reproduce',
    '',
    '```sh',
    'pnpm install',
    'pnpm bench                               # every case, every system, 5 rounds (a few minutes); writes this file',
    'pnpm bench -- --quick                    # 3 rounds, half the time per case',
    'pnpm bench -- --cases "matmul 1024,mlp" --systems worker,tfjs-wasm   # a subset (prints only; add --write to write this file)',
    'pnpm bench -- --quick --systems cpu,worker,torch-1,torch-2 --cases "gpt,makemore,lstm,mnist net,mlp step (batch 64)"   # issue 15',
    'cd apps/bench && node dist/bench.js --system tfjs-wasm --cases mlp   # one system once, JSON samples',
    '```',
    '',
    `This run: \`${report.command}\`. Run it when \`uptime\` shows the machine idle: the load above is part of the result.`,
    '',
  );
  return lines.join('\n');
}
