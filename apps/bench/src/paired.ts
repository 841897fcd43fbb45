/**
 * Issue 4's comparison: backend-cpu and backend-worker in one process, taking turns run by run, so
 * that each worker sample has a cpu sample from the same moment of a noisy machine. A turn is a few
 * consecutive runs of one backend (their mean is its sample); the order within a pair of turns
 * alternates. The speed-up is the median over pairs of cpu time / worker time, beside the ratio of
 * the two medians. Each round starts with {@link threadSpeeds}, the cores' speeds with both busy,
 * whose {@link speedCeiling} is the most any 2-thread split could gain that round.
 */
import type { Backend } from '@tensorgrad/core';
import { CASES, valueOf, type Case, type Unit } from './cases';
import { median, speedCeiling, threadSpeeds, warmUp } from './measure';
import { SYSTEMS, type System } from './systems';

/** The cases issue 4 names, with how many turns a round takes of each and how many runs make a turn. */
export const PAIRED: readonly { readonly name: string; readonly turns: number; readonly runsPerTurn: number }[] = [
  { name: 'matmul 256', turns: 10, runsPerTurn: 5 },
  { name: 'matmul 512', turns: 8, runsPerTurn: 2 },
  { name: 'matmul 1024', turns: 6, runsPerTurn: 1 },
  { name: 'MLP step (batch 64)', turns: 10, runsPerTurn: 5 },
  { name: 'MLP step (batch 256)', turns: 10, runsPerTurn: 3 },
];

/** One paired case: medians of each backend's turn values, and the median of the per-pair speed-ups. */
export interface PairedResult {
  readonly name: string;
  readonly unit: Unit;
  readonly cpu: number;
  readonly worker: number;
  /** Median over pairs of turns of how many times faster worker was than cpu. */
  readonly speedUp: number;
  /** Pairs behind it. */
  readonly pairs: number;
  /** Per round: the median speed-up of that round's pairs, and the ceiling measured just before them. */
  readonly rounds: readonly { readonly speedUp: number; readonly ceiling: number }[];
}

/** What a paired run reports. */
export interface PairedReport {
  readonly results: readonly PairedResult[];
  /** Per round and case: each thread's speed with all busy (iterations per ms, the calling thread first), measured just before the case's turns. */
  readonly speeds: readonly (readonly number[])[];
  /** Threads of the worker backend, the calling one included. */
  readonly threads: number;
}

/** Run the paired cases among `names` (all of {@link PAIRED} when undefined) for `rounds` rounds. */
export async function runPaired(names: readonly string[] | undefined, rounds: number, quick: boolean): Promise<PairedReport> {
  const { setBackend } = await import('@tensorgrad/core');
  const picked = PAIRED.filter((p) => names === undefined || names.includes(p.name));
  const cpu = await SYSTEMS.cpu();
  const cpuBackend = await currentBackend();
  const worker = await SYSTEMS.worker();
  const workerBackend = await currentBackend();
  const threads = (workerBackend as Backend & { threads?: number }).threads ?? 1;
  const sides: [System, Backend][] = [
    [cpu, cpuBackend],
    [worker, workerBackend],
  ];
  type Prepared = [() => unknown, () => unknown];
  const prepared = new Map<string, Prepared>();
  const samples = new Map<string, { cpu: number[]; worker: number[]; ratios: number[]; rounds: { speedUp: number; ceiling: number }[] }>();
  const speeds: number[][] = [];
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`paired round ${round + 1}/${rounds}\n`);
    for (const p of picked) {
      const c = CASES.find((x) => x.name === p.name)!;
      let runs = prepared.get(p.name);
      if (runs === undefined) {
        const made: (() => unknown)[] = [];
        for (const [system, backend] of sides) {
          await setBackend(backend); // a system makes its inputs on the current backend
          made.push(prepare(system, c));
        }
        runs = made as Prepared;
        prepared.set(p.name, runs);
        for (let i = 0; i < 2; i++) {
          for (const [j, [, backend]] of sides.entries()) {
            await setBackend(backend);
            warmUp(runs[j]!, { minRuns: c.warmupRuns, minMs: c.warmupMs / 2 });
          }
        }
      }
      const s = samples.get(p.name) ?? { cpu: [], worker: [], ratios: [], rounds: [] };
      samples.set(p.name, s);
      const speed = await threadSpeeds(threads, 100);
      speeds.push(speed);
      const before = s.ratios.length;
      const turns = quick ? Math.ceil(p.turns / 2) : p.turns;
      for (let t = 0; t < turns; t++) {
        const order = t % 2 === 0 ? [0, 1] : [1, 0];
        const ms: number[] = [];
        for (const j of order) {
          await setBackend(sides[j]![1]);
          ms[j] = turn(runs[j]!, p.runsPerTurn);
        }
        s.cpu.push(valueOf(c, ms[0]!));
        s.worker.push(valueOf(c, ms[1]!));
        s.ratios.push(ms[0]! / ms[1]!); // time over time: above 1 when worker is faster, whatever the unit
      }
      s.rounds.push({ speedUp: median(s.ratios.slice(before)), ceiling: speedCeiling(speed) });
    }
  }
  await cpu.close();
  await worker.close();
  const results = picked.map((p): PairedResult => {
    const c = CASES.find((x) => x.name === p.name)!;
    const s = samples.get(p.name)!;
    return { name: p.name, unit: c.unit, cpu: median(s.cpu), worker: median(s.worker), speedUp: median(s.ratios), pairs: s.ratios.length, rounds: s.rounds };
  });
  return { results, speeds, threads };
}

async function currentBackend(): Promise<Backend> {
  const { getBackend } = await import('@tensorgrad/core');
  return getBackend();
}

function prepare(system: System, c: Case): () => unknown {
  const w = c.work;
  if (w.kind === 'matmul') return system.matmul(w.n);
  if (w.kind === 'mlp') return system.mlpStep(w.batch);
  throw new Error(`bench: paired case '${c.name}' is neither a matmul nor an MLP step`);
}

/** Mean milliseconds of `runs` consecutive calls of `fn`. */
function turn(fn: () => unknown, runs: number): number {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - t0) / runs;
}
