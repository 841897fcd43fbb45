/**
 * The few vitest APIs the suite uses (describe, it, it.skip, beforeAll, afterAll and the
 * matchers below), as a plain in-process runner. The standalone build of the suite
 * (`@tensorgrad/conformance/standalone`) is compiled against this module instead of vitest,
 * so it runs in a browser page or as a bundled script with nothing but the backend under test.
 */

/** A registered test: its body, or a skip. */
interface TestEntry {
  readonly name: string;
  readonly body?: () => unknown;
  readonly timeout?: number;
  readonly skip?: boolean;
}

interface Suite {
  readonly name: string;
  readonly parent: Suite | null;
  /** Tests and nested suites, in registration order. */
  readonly items: (TestEntry | Suite)[];
  readonly beforeAll: (() => unknown)[];
  readonly afterAll: (() => unknown)[];
}

const newSuite = (name: string, parent: Suite | null): Suite => ({ name, parent, items: [], beforeAll: [], afterAll: [] });
let root = newSuite('', null);
let current = root;

/** Group tests under `name`, as vitest's `describe`. */
export function describe(name: string, body: () => void): void {
  const suite = newSuite(name, current);
  current.items.push(suite);
  const outer = current;
  current = suite;
  try {
    body();
  } finally {
    current = outer;
  }
}

/** Register a test, as vitest's `it`. */
export function it(name: string, body: () => unknown, timeout?: number): void {
  current.items.push({ name, body, timeout });
}
/** Register a skipped test. */
it.skip = (name: string, _body?: () => unknown): void => {
  current.items.push({ name, skip: true });
};

/** Run `fn` before the tests of the enclosing suite. */
export function beforeAll(fn: () => unknown): void {
  current.beforeAll.push(fn);
}

/** Run `fn` after the tests of the enclosing suite. */
export function afterAll(fn: () => unknown): void {
  current.afterAll.push(fn);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const show = (v: unknown): string => {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
};

/** The matchers the suite uses, as vitest's `expect`. */
export function expect(actual: unknown, message?: string) {
  const fail = (what: string): never => {
    throw new Error(message ? `${message}: ${what}` : what);
  };
  return {
    toBe(want: unknown): void {
      if (!Object.is(actual, want)) fail(`expected ${show(want)}, got ${show(actual)}`);
    },
    toEqual(want: unknown): void {
      if (!deepEqual(actual, want)) fail(`expected ${show(want)}, got ${show(actual)}`);
    },
    rejects: {
      async toThrow(pattern?: RegExp | string): Promise<void> {
        try {
          await actual;
        } catch (e) {
          const text = e instanceof Error ? e.message : String(e);
          if (pattern !== undefined && !(pattern instanceof RegExp ? pattern.test(text) : text.includes(pattern))) {
            fail(`rejected with "${text}", which does not match ${String(pattern)}`);
          }
          return;
        }
        fail('expected a rejection, but it resolved');
      },
    },
  };
}

/** How one test ended, as {@link runRegistered} reports it. */
export type StandaloneOutcome = 'pass' | 'fail' | 'skip';

/** What {@link runRegistered} found. */
export interface StandaloneResult {
  /** Tests that passed. */
  passed: number;
  /** Tests that threw. */
  failed: number;
  /** Tests registered as skipped. */
  skipped: number;
  /** Each failure: the test's full name (suites joined by ` > `) and the first lines of its error. */
  failures: { name: string; error: string }[];
}

const fullName = (suite: Suite, name: string): string => {
  const parts = [name];
  for (let s: Suite | null = suite; s?.parent; s = s.parent) parts.unshift(s.name);
  return parts.join(' > ');
};

async function withTimeout(body: () => unknown, ms: number | undefined, name: string): Promise<void> {
  if (!ms) {
    await body();
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([Promise.resolve().then(body), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Run every test registered so far, in order (hooks included), then forget them, so the next
 * `runConformance` call starts afresh. `onTest` sees each outcome as it lands.
 *
 * @example
 * ```ts
 * import { runConformance, runRegistered } from '@tensorgrad/conformance/standalone';
 * runConformance({ name: 'cpu', createBackend: () => cpuBackend() });
 * const { passed, failed } = await runRegistered();
 * ```
 */
export async function runRegistered(onTest: (name: string, outcome: StandaloneOutcome, error?: string) => void = () => {}): Promise<StandaloneResult> {
  const result: StandaloneResult = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const registered = root;
  root = current = newSuite('', null);
  async function run(s: Suite): Promise<void> {
    for (const f of s.beforeAll) await f();
    try {
      for (const item of s.items) {
        if ('items' in item) {
          await run(item);
          continue;
        }
        const name = fullName(s, item.name);
        if (item.skip || !item.body) {
          result.skipped++;
          onTest(name, 'skip');
          continue;
        }
        try {
          await withTimeout(item.body, item.timeout, name);
          result.passed++;
          onTest(name, 'pass');
        } catch (e) {
          const error = e instanceof Error ? e.message.split('\n').slice(0, 4).join(' | ') : String(e);
          result.failed++;
          result.failures.push({ name, error });
          onTest(name, 'fail', error);
        }
      }
    } finally {
      for (const f of s.afterAll) await f();
    }
  }
  await run(registered);
  return result;
}
