/**
 * `pnpm bench`: matmul GFLOP/s and MLP training ms/step, tensorgrad cpu vs worker.
 *
 *   node dist/bench.js [--rounds 6] [--systems cpu,worker] [--json]
 *     starts one child process per system, then in each round asks every child in turn (the
 *     order alternating) for one block of samples of each case, so that all systems sample the
 *     same moments of a shared, noisy machine; prints the medians over all rounds and the
 *     worker/cpu speed-up
 *   node dist/bench.js --system cpu
 *     runs every case once on one system in this process and prints its samples as JSON
 *   node dist/bench.js --system cpu --serve
 *     the child mode: reads case names (one JSON line each) on stdin, answers with samples
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, parallelCapacity, sample } from './measure';
import { SYSTEMS, type System } from './systems';

interface Case {
  readonly name: string;
  readonly unit: 'GFLOP/s' | 'ms/step';
  /** Samples per block (one block per round). */
  readonly runs: number;
  /** Untimed runs before the first block. */
  readonly warmup: number;
  readonly prepare: (s: System) => () => void;
  /** A sample in milliseconds as the value reported. */
  readonly value: (ms: number) => number;
}

const matmul = (n: number, runs: number): Case => ({
  name: `matmul ${n}`,
  unit: 'GFLOP/s',
  runs,
  warmup: 3,
  prepare: (s) => s.matmul(n),
  value: (ms) => (2 * n ** 3) / (ms * 1e6),
});

const mlp = (batch: number, runs: number): Case => ({
  name: `MLP step, batch ${batch}`,
  unit: 'ms/step',
  runs,
  warmup: 20, // the workers' JIT warms up on their share of each kernel, later than the calling thread's
  prepare: (s) => s.mlpStep(batch),
  value: (ms) => ms,
});

const CASES: readonly Case[] = [matmul(256, 20), matmul(512, 6), matmul(1024, 3), mlp(64, 20), mlp(256, 10)];

type Samples = Record<string, number[]>;

/** Runs cases on one system, preparing (and warming up) each case on first use. */
async function runner(name: string): Promise<{ block: (c: Case) => number[]; close: () => Promise<void> }> {
  const make = SYSTEMS[name];
  if (make === undefined) throw new Error(`bench: unknown system '${name}'; known: ${Object.keys(SYSTEMS).join(', ')}`);
  const system = await make();
  const prepared = new Map<string, () => void>();
  return {
    block(c) {
      let run = prepared.get(c.name);
      if (run === undefined) {
        run = c.prepare(system);
        prepared.set(c.name, run);
        return sample(run, c.runs, c.warmup);
      }
      return sample(run, c.runs, 0);
    },
    close: () => system.close(),
  };
}

/** Child mode: answer each case name read on stdin with one block of samples. */
async function serve(name: string): Promise<void> {
  const r = await runner(name);
  console.log(JSON.stringify({ ready: true }));
  for await (const line of createInterface({ input: process.stdin })) {
    const c = CASES.find((x) => x.name === (JSON.parse(line) as { case: string }).case)!;
    console.log(JSON.stringify({ samples: r.block(c) }));
  }
  await r.close();
}

/** A child process serving one system. */
class Child {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor(readonly system: string) {
    this.proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--system', system, '--serve']);
    this.proc.stderr.pipe(process.stderr);
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  private async next(): Promise<unknown> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`bench: the '${this.system}' process ended early (exit code ${this.proc.exitCode})`);
    return JSON.parse(value);
  }

  ready(): Promise<unknown> {
    return this.next();
  }

  async block(c: Case): Promise<number[]> {
    this.proc.stdin.write(`${JSON.stringify({ case: c.name })}\n`);
    return ((await this.next()) as { samples: number[] }).samples;
  }

  async close(): Promise<void> {
    this.proc.stdin.end();
    await new Promise((resolve) => this.proc.once('exit', resolve));
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const line = (r: readonly string[]): string => r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'), // `pnpm bench -- --rounds 5` passes the separator on
    options: {
      system: { type: 'string' },
      serve: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '6' },
      systems: { type: 'string', default: 'cpu,worker' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.system !== undefined && values.serve) return serve(values.system);
  if (values.system !== undefined) {
    const r = await runner(values.system);
    console.log(JSON.stringify(Object.fromEntries(CASES.map((c) => [c.name, r.block(c)]))));
    await r.close();
    return;
  }
  const systems = values.systems.split(',');
  const rounds = Number(values.rounds);
  const cores = availableParallelism();
  const children = systems.map((s) => new Child(s));
  await Promise.all(children.map((c) => c.ready()));
  const all: Record<string, Samples> = Object.fromEntries(systems.map((s) => [s, {}]));
  const capacities: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // a multi-threaded speed-up needs free cores: measure what this round could get (the children are idle now)
    capacities.push(await parallelCapacity(cores, 200));
    process.stderr.write(`round ${round + 1}/${rounds}\n`);
    for (const c of CASES) {
      // alternate the order so that neither system always runs first
      const order = round % 2 === 0 ? children : [...children].reverse();
      for (const child of order) (all[child.system]![c.name] ??= []).push(...(await child.block(c)));
    }
  }
  await Promise.all(children.map((c) => c.close()));
  const result = CASES.map((c) => {
    const values = Object.fromEntries(systems.map((s) => [s, median(all[s]![c.name]!.map(c.value))]));
    return { name: c.name, unit: c.unit, values };
  });
  if (values.json) {
    console.log(JSON.stringify({ result, capacities }));
    return;
  }
  const [base, other] = systems;
  const header = ['case', 'unit', ...systems, ...(other ? [`${other}/${base} speed-up`] : [])];
  const rows = result.map((r) => {
    const cells = systems.map((s) => r.values[s]!.toFixed(r.unit === 'GFLOP/s' ? 2 : 1));
    if (!other) return [r.name, r.unit, ...cells];
    // a speed-up is > 1 when `other` is faster: more GFLOP/s, or fewer ms per step
    const speedUp = r.unit === 'GFLOP/s' ? r.values[other]! / r.values[base!]! : r.values[base!]! / r.values[other]!;
    return [r.name, r.unit, ...cells, `${speedUp.toFixed(2)}x`];
  });
  console.log(`\n${cpus()[0]?.model ?? 'unknown cpu'}, ${cores} cores, Node ${process.versions.node}; medians over ${rounds} rounds, one process per system, systems alternating case by case`);
  console.log(`cores' worth of CPU a process could get with ${cores} busy threads, per round: ${capacities.map((c) => c.toFixed(2)).join(', ')}`);
  console.log(table([header, ...rows]));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
