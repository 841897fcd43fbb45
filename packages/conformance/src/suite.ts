/** `runConformance`: the whole suite as vitest tests for one backend. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, getBackend, setBackend, tensor } from '@tensorgrad/core';
import { forcedGc } from './gc';
import { type TorchCase, type TorchOpCase2, isModuleCase, loadTorchCases, loadTorchCases2 } from './cases';
import { DEFAULT_TOLERANCE, type Tolerance, mismatch } from './compare';
import { evaluate, evaluateMany, thrownBy, toTensor } from './evaluate';
import { gradcheck } from './gradcheck';
import { GRADCHECK_CASES } from './gradchecks';
import { type SupportManifest, skipEntries, skipMatches, skipReason } from './manifest';
import { SupportMatrix } from './matrix';
import { LOOSE_ATOL_OPS, OPS } from './ops';
import { LOOSE_OPS2, NotExportedError, OPS2 } from './ops2';
import { moduleClass, runModuleCase } from './modules2';
import * as programs from './programs';
import * as sequences from './sequences';
import * as edges from './edges';
import * as refusals from './refusals';
import { differentialSamples, properties, runDifferential } from './properties';

/** Why the `nn` module cases of torch-cases-2.json are registered as skipped. */
const MODULE_CASES_SKIPPED = 'module cases: the nn issue (#14)';

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** The backend's name, as it appears in test names and the support matrix. */
  readonly name: string;
  /** Makes the backend under test (once, before the suite). */
  readonly createBackend: () => Backend | Promise<Backend>;
  /** What the backend declares it cannot run; every other test must pass. */
  readonly supports?: SupportManifest;
  /** Overrides the default `{ rtol: 1e-4, atol: 1e-5 }` (`|got - want| <= atol + rtol * |want|`). */
  readonly tolerance?: Partial<Tolerance>;
  /**
   * A reference backend (normally `cpuBackend`) for the differential tests, which run random ops
   * on both and compare. Without it only the algebraic properties run on random shapes.
   */
  readonly reference?: () => Backend | Promise<Backend>;
  /** fast-check runs per property and per differential family (default 25). */
  readonly numRuns?: number;
  /** fast-check seed, for reproducing a failure (fixed by default so that runs repeat). */
  readonly seed?: number;
}

/**
 * Register the conformance suite for one backend as vitest tests: every PyTorch reference case
 * of both fixture files (forward and the gradients of `sum(output * upstream)`, each
 * leak-checked; the second file's `nn` module cases are listed as skipped until the nn issue
 * runs them), the fixture
 * programs (micrograd's expressions, an MLP, every optimizer, gradient clipping, the seed
 * example), finite-difference gradient checks, random-shape properties and (given a
 * `reference`) differential tests. Prints an op × backend support matrix at the end.
 *
 * @example
 * ```ts
 * // packages/backend-cpu/src/conformance.test.ts
 * import { runConformance } from '@tensorgrad/conformance';
 * import { cpuBackend } from '@tensorgrad/backend-cpu';
 * runConformance({ name: 'cpu', createBackend: () => cpuBackend() });
 * ```
 */
export function runConformance(options: ConformanceOptions): void {
  const { name, createBackend, supports, reference, numRuns = 25, seed = 20240601 } = options;
  const base: Tolerance = { ...DEFAULT_TOLERANCE, ...options.tolerance };
  /** The README's allowance for sums of many terms and normalisations, for the ops that are such. */
  const loose: Tolerance = { rtol: base.rtol, atol: Math.max(base.atol, 1e-4) };
  /** The second file's allowance for reductions, norms, normalisations, convolutions, attention and cross-entropy. */
  const loose2: Tolerance = { rtol: Math.max(base.rtol, 2e-4), atol: Math.max(base.atol, 1e-4) };
  /** `suite` widened (never narrowed) where the backend declares its device looser for `op`. */
  const widened = (op: string, suite: Tolerance): Tolerance => {
    const device = backend?.supports.tolerance?.[op];
    if (!device) return suite;
    return { rtol: Math.max(suite.rtol, device.rtol ?? 0), atol: Math.max(suite.atol, device.atol) };
  };
  /** The suite's tolerance for `op`, widened (never narrowed) where the backend declares its device looser. */
  const toleranceFor = (op: string): Tolerance => widened(op, LOOSE_ATOL_OPS.has(op) ? loose : base);
  /** The same for an op of the second fixture file (its README's own list of looser ops). */
  const toleranceFor2 = (op: string): Tolerance => widened(op, LOOSE_OPS2.has(op) ? loose2 : base);
  const { cases, programs: fixtures } = loadTorchCases();
  const { cases: cases2 } = loadTorchCases2();
  const matrix = new SupportMatrix(name);
  const registered: { name: string; op: string }[] = [];
  let backend: Backend;
  let referenceBackend: Backend | null = null;

  /** One test: skipped (and said so) when the manifest names it, recorded in the matrix either way. */
  const test = (testName: string, op: string, body: () => Promise<void>, timeout?: number): void => {
    registered.push({ name: testName, op });
    const reason = skipReason(supports, testName, op);
    if (reason !== null) {
      matrix.record(op, testName, 'skip');
      it.skip(`${testName} (unsupported on ${name}: ${reason})`, () => {});
      return;
    }
    it(
      testName,
      async () => {
        try {
          await body();
          matrix.record(op, testName, 'pass');
        } catch (e) {
          matrix.record(op, testName, 'fail');
          throw e;
        }
      },
      timeout,
    );
  };

  /** Run `body` and check that it left no tensor behind on the backend. */
  const leakChecked = async (what: string, body: () => Promise<void>): Promise<void> => {
    const before = backend.memory().tensors;
    await body();
    const after = backend.memory().tensors;
    // only growth is a leak: the garbage collector may free older, unreachable tensors meanwhile
    if (after > before) {
      throw new Error(`${what}: leaked ${after - before} tensor(s) on '${name}' (memory().tensors was ${before} before, ${after} after disposing every input, output and gradient)`);
    }
  };

  describe(`conformance: ${name}`, () => {
    beforeAll(async () => {
      backend = await createBackend();
      await setBackend(backend);
      if (reference) referenceBackend = await reference();
    });

    afterAll(async () => {
      console.log(matrix.format(backend?.supports.tolerance));
      await referenceBackend?.close?.();
      await backend?.close?.();
    });

    describe('PyTorch reference cases', () => {
      for (const c of cases) {
        test(c.name, c.op, () => leakChecked(c.name, () => runTorchCase(c, toleranceFor(c.op))));
      }
    });

    describe('programs', () => {
      const p = fixtures;
      test('programs/scalar_sanity', 'programs/scalar_sanity', () =>
        leakChecked('scalar_sanity', () => programs.scalarSanity(p.scalar_sanity, base)),
      );
      test('programs/scalar_more_ops', 'programs/scalar_more_ops', () =>
        leakChecked('scalar_more_ops', () => programs.scalarMoreOps(p.scalar_more_ops, base)),
      );
      test('programs/mlp_relu_ce', 'programs/mlp_relu_ce', () => leakChecked('mlp_relu_ce', () => programs.mlpReluCe(p.mlp_relu_ce, loose)));
      test('programs/clip_grad_norm', 'nn.utils.clipGradNorm_', () =>
        leakChecked('clip_grad_norm', () => programs.clipGradNorm(p.clip_grad_norm, base)),
      );
    });

    describe('memory', () => {
      test('memory/read while collected or disposed', 'memory', () =>
        leakChecked('read while collected', async () => {
          const gc = forcedGc();
          for (let round = 0; round < 3; round++) {
            // nothing but the pending read references these tensors: a collection during it must not free them
            const reading = tensor([1, 2, 3]).mul(2).add(1).data();
            gc();
            await new Promise((resolve) => setTimeout(resolve, 0));
            gc();
            const values = Array.from(await reading);
            if (values.join() !== '3,5,7') throw new Error(`await x.mul(2).add(1).data() with a collection during the read gave [${values.join(', ')}], expected [3, 5, 7]`);
          }
          // dispose() during the read, too: the read was asked for first, so it still gets the values
          const t = tensor([1, 2, 3]).mul(2).add(1);
          const reading = t.data();
          t.dispose();
          const values = Array.from(await reading);
          if (values.join() !== '3,5,7') throw new Error(`t.data() with t.dispose() during the read gave [${values.join(', ')}], expected [3, 5, 7]`);
          // and once read, they are collected like any unreachable tensor (the leak check after this)
          for (let i = 0; i < 3; i++) {
            gc();
            await new Promise((resolve) => setTimeout(resolve, 0));
          }
        }),
      );
    });

    describe('sequences on one backend', () => {
      test('sequences/uploads after copies', 'sequences', () => leakChecked('uploads after copies', () => sequences.uploadsAfterCopies(base)));
      test('sequences/cast then add', 'sequences', () => leakChecked('cast then add', () => sequences.castThenAdd(base)));
      test('sequences/reductions after other ops', 'sequences', () => leakChecked('reductions after other ops', () => sequences.reductionsAfterOtherOps(base)));
    });

    describe('edge values (PyTorch\'s answers at infinities, NaN and zero sizes)', () => {
      test('edges/pow at C pow\'s special values', 'pow', () => leakChecked('pow edges', () => edges.powEdges(base)));
      test('edges/sum, mean, logsumexp of infinities', 'sum', () => leakChecked('infinite sums', () => edges.infiniteSums(base)));
      test('edges/softmax over a zero-size dim', 'softmax', () => leakChecked('softmax zero size', () => edges.softmaxZeroSize(base)));
      test('edges/refused inputs leave the backend as it was', 'sequences', () => refusals.refusedLeaveNothing(backend));
    });

    describe('gradcheck (central differences in float32)', () => {
      for (const g of GRADCHECK_CASES) {
        test(
          `gradcheck/${g.name}`,
          'gradcheck',
          () =>
            leakChecked(g.name, async () => {
              const xs = g.inputs.map((h) => toTensor(h, true));
              try {
                if (g.correct) expect(await gradcheck(g.fn, xs)).toBe(true);
                else {
                  await expect(gradcheck(g.fn, xs)).rejects.toThrow(/gradcheck: backward disagrees with finite differences/);
                  expect(await gradcheck(g.fn, xs, { raiseException: false })).toBe(false);
                }
              } finally {
                for (const x of xs) x.dispose();
              }
            }),
          60_000,
        );
      }
    });

    describe('random shapes (fast-check)', () => {
      for (const { name: propName, property } of properties(base)) {
        test(`properties/${propName}`, 'properties', () => leakChecked(propName, () => fc.assert(property, { numRuns, seed })), 60_000);
      }
      for (const [family, arb] of Object.entries(differentialSamples)) {
        const testName = `differential/${family} vs reference`;
        if (!reference) {
          // nothing to compare with (cpu is the reference itself): shown as skipped, never as passed
          registered.push({ name: testName, op: `differential/${family}` });
          matrix.record(`differential/${family}`, testName, 'skip');
          it.skip(`${testName} (no reference backend given; the properties above ran instead)`, () => {});
          continue;
        }
        test(
          testName,
          `differential/${family}`,
          async () => {
            const onReference = async <T>(fn: () => Promise<T>): Promise<T> => {
              await setBackend(referenceBackend!);
              try {
                return await fn();
              } finally {
                await setBackend(backend);
              }
            };
            await leakChecked(testName, () =>
              fc.assert(
                fc.asyncProperty(arb, (sample) => runDifferential(sample, base, onReference, toleranceFor)),
                { numRuns, seed },
              ),
            );
          },
          60_000,
        );
      }
    });

    describe('PyTorch reference cases, part 2', () => {
      for (const c of cases2) {
        if (isModuleCase(c)) {
          const op = `nn.${c.module}`;
          if (!moduleClass(c.module)) {
            // a module core does not export yet shows as skipped, never as passed
            registered.push({ name: c.name, op });
            matrix.record(op, c.name, 'skip');
            it.skip(`${c.name} (${MODULE_CASES_SKIPPED}: nn.${c.module} is not built yet)`, () => {});
            continue;
          }
          test(c.name, op, () =>
            leakChecked(c.name, async () => {
              if (getBackend() !== backend) await setBackend(backend);
              const problems = await runModuleCase(c, widened(op, loose2));
              if (problems.length > 0) throw new Error(`${c.name} (nn.${c.module}) on '${name}':\n${problems.join('\n')}`);
            }),
          );
          continue;
        }
        test(c.name, c.op, () => leakChecked(c.name, () => runTorchCase2(c, toleranceFor2(c.op))));
      }
    });

    // last: optimizers and modules keep state this suite cannot free, so no leak-checked test may follow them
    describe('programs with optim and nn', () => {
      for (const o of fixtures.optimizers) {
        const label = `${o.optimizer}(${Object.entries(o.options).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`;
        test(`programs/optimizers/${label}`, `optim.${o.optimizer}`, () => programs.optimizerTrajectory(o, base));
      }
      test('programs/linear_regression_seed', 'programs/linear_regression_seed', () =>
        programs.linearRegressionSeed(fixtures.linear_regression_seed, base),
      );
      test('sequences/matmul after training', 'sequences', () => sequences.matmulAfterTraining(base));
    });

    describe('manifest', () => {
      it('names only tests and ops that exist', () => {
        const unknown = skipEntries(supports)
          .map(([key]) => key)
          .filter((key) => !registered.some((r) => skipMatches(key, r.name, r.op)));
        expect(unknown, `supports.skip names no test or op of the suite; check the spelling (case names are PyTorch's, e.g. 'conv2d/s2p0')`).toEqual([]);
      });
    });
  });

  async function runTorchCase2(c: TorchOpCase2, tol: Tolerance): Promise<void> {
    const run = OPS2[c.op];
    if (!run) throw new Error(`conformance has no tensorgrad mapping for PyTorch op '${c.op}' (torch-cases-2.json)`);
    if (getBackend() !== backend) await setBackend(backend);
    const where = `${c.name} (${c.op} ${JSON.stringify(c.attrs)}) on '${name}'`;
    if (c.throws) {
      const e = thrownBy(c.inputs, (xs) => run(xs, c.attrs));
      if (e === null) throw new Error(`${where}: returned normally; expected an Error containing ${JSON.stringify(c.throws)}${c.reference ? ` (${c.reference})` : ' (PyTorch refuses it)'}`);
      if (!(e instanceof Error)) throw new Error(`${where}: threw ${String(e)}, which is not an Error`);
      // the function is missing altogether: that is no refusal, whatever the message names
      if (e instanceof NotExportedError) throw new Error(`${where}: ${e.message}`);
      const text = e.message.toLowerCase();
      const missing = c.throws.filter((s) => !text.includes(s.toLowerCase()));
      if (missing.length > 0) throw new Error(`${where}: the error "${e.message}" does not mention ${JSON.stringify(missing)}`);
      return;
    }
    const wants = c.outputs ?? (c.output ? [c.output] : []);
    if (wants.length === 0) throw new Error(`${where}: the case has neither outputs nor throws`);
    const upstreams = c.upstreams ?? [c.upstream ?? null];
    const requiresGrad = c.inputs.map((_, i) => c.grads?.[i] != null);
    const r = await evaluateMany(c.inputs, requiresGrad, (xs) => run(xs, c.attrs), upstreams);
    const problems: string[] = [];
    if (r.outputs.length !== wants.length) problems.push(`returned ${r.outputs.length} result(s), expected ${wants.length}`);
    wants.forEach((want, j) => {
      const got = r.outputs[j];
      if (!got) return;
      const label = wants.length > 1 ? `output ${j}` : 'output';
      const wantDtype = want.dtype ?? 'float32';
      if (got.dtype !== wantDtype) problems.push(`${label}: dtype ${got.dtype}, expected ${wantDtype}`);
      const exact = wantDtype !== 'float32';
      problems.push(mismatch(label, got.shape, got.data, want.shape, want.data, exact ? { rtol: 0, atol: 0 } : tol));
    });
    c.grads?.forEach((want, i) => {
      if (!want) return;
      const got = r.grads[i];
      if (!got) problems.push(`grad of input ${i}: no gradient reached it (.grad is null)`);
      else problems.push(mismatch(`grad of input ${i} (shape [${c.inputs[i]!.shape.join(',')}])`, got.shape, got.data, want.shape, want.data, tol));
    });
    const report = problems.filter(Boolean);
    if (report.length > 0) throw new Error(`${where}:\n${report.join('\n')}`);
  }

  async function runTorchCase(c: TorchCase, tol: Tolerance): Promise<void> {
    const run = OPS[c.op];
    if (!run) throw new Error(`conformance has no tensorgrad mapping for PyTorch op '${c.op}'`);
    if (getBackend() !== backend) await setBackend(backend);
    const r = await evaluate(c.inputs, (xs) => run(xs, c.attrs), c.upstream);
    const problems: string[] = [];
    const wantDtype = c.output.dtype ?? 'float32';
    if (r.output.dtype !== wantDtype) problems.push(`output: dtype ${r.output.dtype}, expected ${wantDtype}`);
    const exact = wantDtype !== 'float32';
    problems.push(mismatch('output', r.output.shape, r.output.data, c.output.shape, c.output.data, exact ? { rtol: 0, atol: 0 } : tol));
    c.grads?.forEach((want, i) => {
      if (!want) return;
      const got = r.grads[i];
      if (!got) problems.push(`grad of input ${i}: no gradient reached it (.grad is null)`);
      else problems.push(mismatch(`grad of input ${i} (shape [${c.inputs[i]!.shape.join(',')}])`, got.shape, got.data, want.shape, want.data, tol));
    });
    const report = problems.filter(Boolean);
    if (report.length > 0) throw new Error(`${c.name} (${c.op} ${JSON.stringify(c.attrs)}) on '${name}':\n${report.join('\n')}`);
  }
}
