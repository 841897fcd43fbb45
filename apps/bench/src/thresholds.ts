/**
 * `pnpm --filter @tensorgrad/bench thresholds`: where splitting a kernel across the worker
 * backend's threads starts to pay. For each kernel family and size it times the same op run
 * inline and split (both on the worker backend, alternating) and prints inline/split: above 1
 * the split is faster. The constants in packages/backend-worker/src/backend.ts come from here.
 */
import { randn, setBackend, type Tensor } from '@tensorgrad/core';
import { workerBackend } from '@tensorgrad/backend-worker';
import { median, sample } from './measure';

interface Family {
  readonly name: string;
  /** The work measure the threshold is written in. */
  readonly unit: string;
  readonly sizes: readonly number[];
  /** Inputs for size `s`, then the op. */
  readonly make: (s: number) => Tensor[];
  readonly op: (xs: Tensor[]) => Tensor;
  readonly work: (s: number) => number;
}

const FAMILIES: readonly Family[] = [
  { name: 'add [n] + [n]', unit: 'elements', sizes: [2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 1048576], make: (n) => [randn([n]), randn([n])], op: ([a, b]) => a!.add(b!), work: (n) => n },
  { name: 'exp [n]', unit: 'elements', sizes: [512, 1024, 2048, 4096, 8192, 16384, 65536], make: (n) => [randn([n])], op: ([a]) => a!.exp(), work: (n) => n },
  { name: 'sum [n/64, 64] over dim 1', unit: 'elements read', sizes: [4096, 8192, 16384, 32768, 65536, 131072, 262144, 1048576], make: (n) => [randn([n / 64, 64])], op: ([a]) => a!.sum(1), work: (n) => n },
  { name: 'sum [64, n/64] over dim 0', unit: 'elements read', sizes: [4096, 8192, 16384, 32768, 65536, 131072, 262144, 1048576], make: (n) => [randn([64, n / 64])], op: ([a]) => a!.sum(0), work: (n) => n },
  { name: 'matmul [n, n] @ [n, n]', unit: 'multiply-adds', sizes: [16, 24, 32, 48, 64, 96, 128, 192], make: (n) => [randn([n, n]), randn([n, n])], op: ([a, b]) => a!.matmul(b!), work: (n) => n ** 3 },
  { name: 'matmul [64, n] @ [n, 64]', unit: 'multiply-adds', sizes: [8, 16, 32, 64, 128, 256], make: (n) => [randn([64, n]), randn([n, 64])], op: ([a, b]) => a!.matmul(b!), work: (n) => 64 * 64 * n },
];

async function main(): Promise<void> {
  const inline = workerBackend({ threads: 2, splitThreshold: Infinity });
  const split = workerBackend({ threads: 2, splitThreshold: 1 }); // every kernel split, with the normal scheduling
  await inline.ready?.();
  await split.ready?.();
  const only = process.argv[2]; // a substring of a family's name runs only that family
  for (const f of FAMILIES.filter((f) => only === undefined || f.name.includes(only))) {
    console.log(`\n${f.name} (work in ${f.unit})`);
    console.log('size      work        inline µs   split µs   inline/split');
    for (const s of f.sizes) {
      const times: Record<'inline' | 'split', number[]> = { inline: [], split: [] };
      for (let round = 0; round < 5; round++) {
        for (const [label, backend] of [['inline', inline], ['split', split]] as const) {
          await setBackend(backend);
          const xs = f.make(s);
          const runs = Math.max(20, Math.min(2000, Math.round(2e7 / f.work(s))));
          times[label].push(...sample(() => f.op(xs).dispose(), runs, 10));
          for (const x of xs) x.dispose();
        }
      }
      const a = median(times.inline) * 1000;
      const b = median(times.split) * 1000;
      console.log(`${String(s).padEnd(9)} ${String(f.work(s)).padEnd(11)} ${a.toFixed(1).padStart(9)} ${b.toFixed(1).padStart(10)}   ${(a / b).toFixed(2)}`);
    }
  }
  await inline.close();
  await split.close();
}

void main();
