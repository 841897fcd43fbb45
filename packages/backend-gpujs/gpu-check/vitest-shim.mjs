// A stand-in for the few vitest APIs the conformance suite uses (describe, it, it.skip, beforeAll,
// afterAll, expect(...).toBe/toEqual/rejects.toThrow), so the GPU check runs the suite as one
// bundled script with plain node: vitest and vite stay behind, the device machine gets ~2 MB.
import { isDeepStrictEqual } from 'node:util';

const root = { name: '', tests: [], suites: [], beforeAll: [], afterAll: [] };
let current = root;

export function describe(name, body) {
  const suite = { name, tests: [], suites: [], beforeAll: [], afterAll: [], parent: current };
  current.suites.push(suite);
  current.tests.push({ suite });
  const prev = current;
  current = suite;
  try {
    body();
  } finally {
    current = prev;
  }
}

export function it(name, body, timeout) {
  current.tests.push({ name, body, timeout });
}
it.skip = (name) => {
  current.tests.push({ name, skip: true });
};
export const test = it;

export function beforeAll(fn) {
  current.beforeAll.push(fn);
}
export function afterAll(fn) {
  current.afterAll.push(fn);
}

function fail(message) {
  throw new Error(message);
}

export function expect(actual, message) {
  const m = (what) => (message ? `${message}: ${what}` : what);
  return {
    toBe: (want) => Object.is(actual, want) || fail(m(`expected ${String(want)}, got ${String(actual)}`)),
    toEqual: (want) => isDeepStrictEqual(actual, want) || fail(m(`expected ${JSON.stringify(want)}, got ${JSON.stringify(actual)}`)),
    rejects: {
      toThrow: async (pattern) => {
        try {
          await actual;
        } catch (e) {
          const text = e instanceof Error ? e.message : String(e);
          if (pattern && !(pattern instanceof RegExp ? pattern.test(text) : text.includes(pattern))) fail(m(`rejected with "${text}", not ${pattern}`));
          return;
        }
        fail(m('expected a rejection'));
      },
    },
  };
}

const path = (suite) => (suite && suite !== root ? [...path(suite.parent), suite.name] : []);

/**
 * Run every registered test in order; returns { passed, failed, skipped, failures: [{ name, error }] }.
 * `onTest(name, outcome)` sees each result as it lands.
 */
export async function runRegistered(onTest = () => {}) {
  const result = { passed: 0, failed: 0, skipped: 0, failures: [] };
  async function run(suite) {
    for (const f of suite.beforeAll) await f();
    for (const t of suite.tests) {
      if (t.suite) {
        await run(t.suite);
        continue;
      }
      const name = [...path(suite), t.name].join(' > ');
      if (t.skip) {
        result.skipped++;
        onTest(name, 'skip');
        continue;
      }
      try {
        await t.body();
        result.passed++;
        onTest(name, 'pass');
      } catch (e) {
        result.failed++;
        result.failures.push({ name, error: e instanceof Error ? e.message.split('\n').slice(0, 3).join(' | ') : String(e) });
        onTest(name, 'fail');
      }
    }
    for (const f of suite.afterAll) await f();
  }
  await run(root);
  root.tests = [];
  root.suites = [];
  return result;
}
