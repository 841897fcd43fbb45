/** What the two command-line tools share: numeric flag parsers for commander, and how a tool exits. */
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../../train/src/backends';

const parser = (test: (n: number) => boolean, expected: string) => (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !test(n)) throw new InvalidArgumentError(`expected ${expected}.`);
  return n;
};

/** A whole number above 0. @example `program.option('--iters <n>', 'steps', positiveInt)` */
export const positiveInt = parser((n) => Number.isInteger(n) && n > 0, 'a positive integer');
/** A whole number ≥ 0. @example `program.option('--seed <n>', 'seed', nonNegativeInt)` */
export const nonNegativeInt = parser((n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
/** A finite number above 0. @example `program.option('--lr <x>', 'rate', positiveNumber)` */
export const positiveNumber = parser((n) => Number.isFinite(n) && n > 0, 'a positive number');
/** A number in [0, 1). @example `program.option('--dropout <p>', 'p', probability)` */
export const probability = parser((n) => n >= 0 && n < 1, 'a number in [0, 1)');

/**
 * Run a tool's `main` and exit: 0 on success (a worker pool or GPU context must not keep the process
 * alive), 1 on failure, printing a {@link UsageError} as one line and anything else with its stack.
 *
 * @example `runMain(main)`
 */
export function runMain(main: (argv: string[]) => Promise<void>): void {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: unknown) => {
      if (e instanceof UsageError) console.error(`error: ${e.message}`);
      else console.error(e);
      process.exit(1);
    },
  );
}
