/**
 * `pnpm bench`: tensorgrad (cpu, worker, gpujs), TensorFlow.js (cpu, wasm) and PyTorch (torch-1,
 * torch-2: ../torch/serve.py under /usr/bin/python3) side by side on matmul, elementwise ops, MLP
 * and CNN training steps, and real models' steps (nanoGPT, makemore, an LSTM, pytorch/examples'
 * MNIST Net); writes docs/benchmarks.md.
 *
 *   node dist/bench.js [--quick] [--rounds 5] [--systems cpu,worker,...] [--cases "matmul,mlp"]
 *                      [--json] [--write | --no-write] [--out FILE]
 *     starts one child process per system, then in each round asks every child in turn (the
 *     order rotating from round to round) for one block of samples of each case, so that all
 *     systems sample the same moments of a shared, noisy machine; prints the medians over all
 *     rounds, the ratios against TF.js and the acceptance checks of issue 6, and writes
 *     docs/benchmarks.md (unless --systems or --cases narrow the run; --write forces it)
 *   node dist/bench.js --system cpu [--cases ...]
 *     runs the cases once (one block each) on one system in this process and prints the samples as JSON
 *   node dist/bench.js --system cpu --serve
 *     the child mode: reads requests (one JSON line each) on stdin, answers one JSON line each on stdout
 *   node dist/bench.js --paired-child [--cases ...] [--rounds N] [--quick]
 *     issue 4's cpu-vs-worker comparison in this one process (paired.ts), as JSON; the main run starts
 *     it after the other rounds whenever both cpu and worker are among the systems (--no-paired skips it)
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { CASES, scaleBudget, selectCases, valueOf, type Case } from './cases';
import { median, parallelCapacity, sampleFor, warmUp } from './measure';
import { measureFloors, simdPeak, type SimdPeak } from './floor';
import { acceptance, checkRows, floorRows, lossRows, pairedChecks, pairedRoundRows, pairedRows, ratioRows, renderMarkdown, resultRows, speedSummary, spread, textTable, torchChecks, torchRatioRows, TORCH_TARGETS, type CaseResult, type RunReport } from './report';
import { PAIRED, runPaired, type PairedReport } from './paired';
import { isTorch, SYSTEM_NAMES, SYSTEMS, type System, type SystemName } from './systems';
import { probeTorch, torchCommand } from './torch';
import { machine, versions } from './versions';

/** A child's answer to one block request. */
interface Block {
  samples?: number[];
  /** Training cases: the loss at the system's first and at its latest step, and the steps run so far (warm-up included). */
  loss?: [number, number, number];
  error?: string;
  /** The system has no version of the case (TF.js has no GPT): a "–" in the tables, not a failure. */
  unsupported?: string;
}

/** Thrown by `prepare` for a case the system cannot run. */
class Unsupported extends Error {}

/** Runs cases on one system, preparing (and warming up) each case on first use. */
async function runner(name: string): Promise<{ block: (c: Case) => Block; info: () => Record<string, string>; close: () => Promise<void> }> {
  if (isTorch(name)) throw new Error(`bench: '${name}' runs in python (torch/serve.py); run it with --systems ${name}`);
  const make = SYSTEMS[name as SystemName];
  if (make === undefined) throw new Error(`bench: unknown system '${name}'; known: ${SYSTEM_NAMES.join(', ')}`);
  const system = await make();
  type Prepared = { run: () => unknown; loss?: [number, number, number] };
  const prepared = new Map<string, Prepared>();
  const prepare = (s: System, c: Case): Prepared => {
    const w = c.work;
    if (w.kind === 'matmul') return { run: s.matmul(w.n) };
    if (w.kind === 'elementwise') return { run: s.elementwise(w.op, w.n) };
    const missing = (): never => {
      throw new Unsupported(`no ${w.kind} model in this system`);
    };
    if (w.kind === 'gpt-generate') return { run: (s.gptGenerate ?? missing)(w) };
    const step =
      w.kind === 'mlp' ? s.mlpStep(w.batch)
      : w.kind === 'cnn' ? s.cnnStep(w.batch)
      : w.kind === 'gpt-train' ? (s.gptStep ?? missing)(w)
      : w.kind === 'makemore' ? (s.makemoreStep ?? missing)(w)
      : w.kind === 'lstm' ? (s.lstmStep ?? missing)(w)
      : (s.mnistNetStep ?? missing)(w);
    const entry: Prepared = { run: () => 0 };
    entry.run = () => {
      const loss = step();
      entry.loss = entry.loss ? [entry.loss[0], loss, entry.loss[2] + 1] : [loss, loss, 1];
    };
    return entry;
  };
  return {
    block(c) {
      try {
        let p = prepared.get(c.name);
        if (p === undefined) {
          p = prepare(system, c);
          prepared.set(c.name, p);
          warmUp(p.run, { minRuns: c.warmupRuns, minMs: c.warmupMs });
        }
        const samples = sampleFor(p.run, c);
        return p.loss ? { samples, loss: p.loss } : { samples };
      } catch (e) {
        if (e instanceof Unsupported) return { unsupported: e.message };
        return { error: (e instanceof Error ? e.message : String(e)).split('\n')[0]! };
      }
    },
    info: () => system.info(),
    close: () => system.close(),
  };
}

/** Child mode: answer each request read on stdin with one JSON line on stdout (libraries' own logging goes to stderr). */
async function serve(name: string, cases: readonly Case[]): Promise<void> {
  const out = (x: unknown): void => {
    process.stdout.write(`${JSON.stringify(x)}\n`);
  };
  console.log = console.error;
  console.info = console.error;
  const r = await runner(name);
  out({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    const req = JSON.parse(line) as { case?: string; info?: boolean };
    if (req.info) {
      out({ info: r.info() });
      continue;
    }
    const c = cases.find((x) => x.name === req.case);
    out(c === undefined ? { error: `unknown case '${req.case}'` } : r.block(c));
  }
  await r.close();
}

/** A child process serving one system: this file in `--serve` mode, or torch/serve.py for PyTorch. */
class Child {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor(
    readonly system: string,
    quick: boolean,
  ) {
    if (isTorch(system)) {
      const [python, args] = torchCommand(system as 'torch-1' | 'torch-2');
      this.proc = spawn(python, args);
    } else {
      // the bench's own Node flags go along (e.g. --max-old-space-size)
      const args = [...process.execArgv, fileURLToPath(import.meta.url), '--system', system, '--serve', ...(quick ? ['--quick'] : [])];
      this.proc = spawn(process.execPath, args);
    }
    this.proc.stderr.pipe(process.stderr);
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  private async request(req: unknown): Promise<unknown> {
    this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    return this.next();
  }

  private async next(): Promise<unknown> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`bench: the '${this.system}' process ended early (exit code ${this.proc.exitCode})`);
    return JSON.parse(value);
  }

  async ready(): Promise<void> {
    const r = (await this.next()) as { ready?: boolean; error?: string };
    if (r.ready !== true) throw new Error(`bench: the '${this.system}' process did not start: ${r.error ?? JSON.stringify(r)}`);
  }

  /** One block of samples of `c`; the case's definition goes along (serve.py has no case list of its own). */
  block(c: Case): Promise<Block> {
    return this.request({ case: c.name, def: c }) as Promise<Block>;
  }

  async info(): Promise<Record<string, string>> {
    return ((await this.request({ info: true })) as { info: Record<string, string> }).info;
  }

  async close(): Promise<void> {
    this.proc.stdin.end();
    if (this.proc.exitCode === null) await new Promise((resolve) => this.proc.once('exit', resolve));
  }
}

/** Issue 4's paired run, in a child process of its own (the same arguments, so the same cases and rounds). */
async function pairedChild(argv: readonly string[]): Promise<PairedReport> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--paired-child', ...argv.filter((a) => a !== '--json')];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`bench: the paired cpu-vs-worker process failed (exit code ${code})`);
  return JSON.parse(text) as PairedReport;
}

/** The systems a `--systems` list names, checked. */
function selectSystems(list: string): string[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!(SYSTEM_NAMES as readonly string[]).includes(n)) throw new Error(`bench: --systems: unknown system '${n}'; known: ${SYSTEM_NAMES.join(', ')}`);
  }
  return names;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--'); // `pnpm bench -- --quick` passes the separator on
  const values = new Command('bench')
    .description('tensorgrad (cpu, worker, gpujs), TensorFlow.js (cpu, wasm) and PyTorch (torch-1, torch-2) side by side, one child process per system; a full run writes docs/benchmarks.md')
    .option('--quick', 'half the time budgets, and 3 rounds unless --rounds says otherwise')
    .option('--rounds <n>', 'rounds: each asks every system in turn for one block of samples of each case (default 5, 3 with --quick)')
    .option('--systems <list>', `the systems, comma-separated (default all: ${SYSTEM_NAMES.join(',')})`)
    .option('--cases <list>', 'the cases, comma-separated: names, or words of them ("matmul" picks every matmul case; default all)')
    .option('--json', 'print the report as JSON instead of the tables')
    .option('--write', 'write docs/benchmarks.md even when --systems or --cases narrow the run')
    .option('--no-write', 'never write docs/benchmarks.md (a full run writes it)')
    .option('--out <file>', 'write the markdown there instead of docs/benchmarks.md')
    .option('--no-paired', "skip issue 4's cpu-vs-worker comparison in one process (run when both are among the systems)")
    .option('--system <name>', 'run the cases once on one system in this process and print its samples as JSON')
    .option('--serve', 'with --system: the child mode, one JSON request a line on stdin, one answer a line on stdout')
    .addOption(new Option('--paired-child', "the paired comparison's child process (started by the main run)").hideHelp())
    .showHelpAfterError()
    .parse(argv, { from: 'user' })
    .opts<{ quick?: true; rounds?: string; systems?: string; cases?: string; json?: true; write?: boolean; out?: string; paired: boolean; system?: string; serve?: true; pairedChild?: true }>();
  const quick = values.quick === true;
  const cases = selectCases(CASES, values.cases).map((c) => (quick ? scaleBudget(c, 0.5) : c));
  if (values.system !== undefined && values.serve) return serve(values.system, cases);
  if (values.system !== undefined && isTorch(values.system)) {
    const child = new Child(values.system, quick);
    await child.ready();
    const blocks: Record<string, Block> = {};
    for (const c of cases) blocks[c.name] = await child.block(c);
    console.log(JSON.stringify({ info: await child.info(), blocks }));
    await child.close();
    return;
  }
  if (values.system !== undefined) {
    const r = await runner(values.system);
    const blocks = Object.fromEntries(cases.map((c) => [c.name, r.block(c)]));
    console.log(JSON.stringify({ info: r.info(), blocks }));
    await r.close();
    return;
  }

  const pairedNames = cases.map((c) => c.name).filter((n) => PAIRED.some((p) => p.name === n));
  if (values.pairedChild) {
    console.log = console.error; // libraries' logging must not mix with the JSON answer
    process.stdout.write(`${JSON.stringify(await runPaired(pairedNames, Number(values.rounds ?? (quick ? 3 : 5)), quick))}\n`);
    return;
  }

  const started = performance.now();
  let systems = selectSystems(values.systems ?? SYSTEM_NAMES.join(','));
  const skipped: Record<string, string> = {};
  if (systems.some(isTorch)) {
    const probe = probeTorch();
    if (!probe.ok) {
      for (const s of systems.filter(isTorch)) skipped[s] = probe.reason;
      systems = systems.filter((s) => !isTorch(s));
      process.stderr.write(`bench: skipping the PyTorch systems: ${probe.reason}\n`);
      if (systems.length === 0) throw new Error('bench: no system left to run');
    }
  }
  const rounds = Number(values.rounds ?? (quick ? 3 : 5));
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`bench: --rounds must be a positive integer, got '${values.rounds}'`);
  const cores = machine().cores;
  const loadBefore = loadavg()[0]!;
  // the floors beside PyTorch (floor.ts): the SIMD peak now, while the machine is quiet, and again after the rounds
  const floorCases = systems.some(isTorch) ? cases.filter((c) => TORCH_TARGETS.some(([name]) => name === c.name)) : [];
  const peakBefore: SimdPeak | undefined = floorCases.length > 0 ? await simdPeak() : undefined;
  let children = systems.map((s) => new Child(s, quick));
  const readiness = await Promise.allSettled(children.map((c) => c.ready()));
  for (const [i, r] of readiness.entries()) {
    if (r.status === 'fulfilled') continue;
    const why = r.reason instanceof Error ? r.reason.message : String(r.reason);
    skipped[children[i]!.system] = why;
    process.stderr.write(`${why}; skipping it\n`);
    await children[i]!.close();
  }
  children = children.filter((c) => skipped[c.system] === undefined);
  systems = systems.filter((s) => skipped[s] === undefined);
  if (systems.length === 0) throw new Error('bench: no system left to run');
  const all: Record<string, Record<string, number[]>> = Object.fromEntries(systems.map((s) => [s, {}]));
  const losses: Record<string, Record<string, [number, number, number]>> = {};
  const errors: Record<string, Record<string, string>> = Object.fromEntries(systems.map((s) => [s, {}]));
  const unsupported: Record<string, Record<string, string>> = Object.fromEntries(systems.map((s) => [s, {}]));
  const capacities: number[] = [];
  const load: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // a multi-threaded speed-up needs free cores: measure what this round could get (the children are idle now)
    capacities.push(await parallelCapacity(cores, 200));
    load.push(loadavg()[0]!);
    process.stderr.write(`round ${round + 1}/${rounds}\n`);
    // rotate the order so that every system runs first in some round
    const order = children.map((_, i) => children[(i + round) % children.length]!);
    for (const c of cases) {
      for (const child of order) {
        if (errors[child.system]![c.name] !== undefined || unsupported[child.system]![c.name] !== undefined) continue;
        const b = await child.block(c);
        if (b.unsupported !== undefined) {
          unsupported[child.system]![c.name] = b.unsupported;
          continue;
        }
        if (b.error !== undefined) {
          errors[child.system]![c.name] = b.error;
          process.stderr.write(`${child.system}: ${c.name}: ${b.error}\n`);
          continue;
        }
        (all[child.system]![c.name] ??= []).push(...b.samples!);
        if (b.loss) (losses[c.name] ??= {})[child.system] = b.loss;
      }
    }
    load.push(loadavg()[0]!);
  }
  const infos = Object.fromEntries(await Promise.all(children.map(async (c) => [c.system, await c.info()] as const)));
  await Promise.all(children.map((c) => c.close()));
  const paired = systems.includes('cpu') && systems.includes('worker') && pairedNames.length > 0 && values.paired ? await pairedChild(argv) : undefined;
  const floors =
    floorCases.length > 0
      ? {
          ...(await measureFloors(floorCases, peakBefore)),
          threads: cores,
        }
      : undefined;

  const results: CaseResult[] = cases.map((c) => {
    const values: Record<string, number> = {};
    const counts: Record<string, number> = {};
    for (const s of systems) {
      const samples = all[s]![c.name];
      if (samples === undefined || samples.length === 0) continue;
      values[s] = median(samples.map((ms) => valueOf(c, ms)));
      counts[s] = samples.length;
    }
    const batch = c.work.kind === 'mlp' || c.work.kind === 'cnn' ? c.work.batch : undefined;
    return { name: c.name, unit: c.unit, ...(batch !== undefined ? { batch } : {}), values, counts };
  });
  for (const s of systems) {
    const failed = Object.entries(errors[s]!);
    if (failed.length > 0) infos[s] = { ...infos[s], failed: failed.map(([c, e]) => `${c} (${e})`).join(', ') };
    const absent = Object.keys(unsupported[s]!);
    if (absent.length > 0) infos[s] = { ...infos[s], 'not implemented': absent.join(', ') };
  }
  const report: RunReport = {
    systems,
    infos,
    results,
    machine: machine(),
    versions: versions(),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    rounds,
    quick,
    command: `pnpm bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    load: { before: loadBefore, during: load },
    capacities,
    seconds: (performance.now() - started) / 1000,
    losses,
    ...(Object.keys(skipped).length > 0 ? { skipped } : {}),
    ...(paired ? { paired } : {}),
    ...(floors ? { floors } : {}),
  };
  if (values.json) {
    console.log(JSON.stringify({ ...report, raw: all }));
  } else {
    const m = report.machine;
    console.log(`\n${m.cpu}, ${m.cores} cores, Node ${m.node} (V8 ${m.v8}); medians over ${rounds} rounds, one process per system`);
    console.log(`load average (1 min) ${loadBefore.toFixed(2)} before, min/median/max ${spread(load)} during; cores' worth of CPU per round: ${capacities.map((c) => c.toFixed(2)).join(', ')}`);
    for (const s of systems) console.log(`  ${s}: ${Object.entries(infos[s] ?? {}).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    console.log(`\n${textTable(resultRows(report))}`);
    if (systems.some((s) => s.startsWith('tfjs-')) && systems.some((s) => !s.startsWith('tfjs-') && !isTorch(s))) {
      console.log(`\nspeed-up vs TF.js (above 1: tensorgrad faster)\n${textTable(ratioRows(report))}`);
    }
    for (const [s, why] of Object.entries(skipped)) console.log(`  ${s}: skipped: ${why}`);
    if (systems.some(isTorch)) {
      console.log(`\ntensorgrad's time over PyTorch's (below 1: tensorgrad faster; issue 15 asks for at most 2×, 3× for generation)\n${textTable(torchRatioRows(report))}`);
    }
    console.log(`\n${textTable(lossRows(report))}`);
    console.log(`\n${textTable(checkRows(acceptance(results)))}`);
    if (systems.some(isTorch)) console.log(`\nissue 15: tensorgrad vs PyTorch\n${textTable(checkRows(torchChecks(results)))}`);
    if (floors) {
      console.log(`\nfloors: the matrix products alone at this processor's SIMD peak, ${floors.peak.gflops.toPrecision(3)} GFLOP/s a thread (${floors.peak.instruction}), over PyTorch's time`);
      console.log(textTable(floorRows(report)));
    }
    if (paired) {
      const { slowest, ceilings } = speedSummary(paired);
      console.log(`\nworker vs cpu in one process, paired turns (issue 4)\n${textTable(pairedRows(paired))}`);
      console.log(`slower core's speed, min / median / max: ${spread(slowest.map((x) => 100 * x))} % of the faster; best possible ${paired.threads}-thread gain: ${spread(ceilings)}×`);
      console.log(textTable(pairedRoundRows(paired)));
      console.log(`\n${textTable(checkRows(pairedChecks(paired)))}`);
    }
  }
  const narrowed = values.systems !== undefined || values.cases !== undefined;
  if (values.write === true || (!narrowed && values.write !== false)) {
    const out = values.out !== undefined ? resolve(values.out) : fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, renderMarkdown(report));
    console.error(`\nwrote ${out}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
