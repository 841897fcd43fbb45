#!/usr/bin/env node
/**
 * The conformance suite of @tensorgrad/backend-gpujs in Node on headless-gl (gpu.js's optional
 * `gl` package), one backend, every op on the device. Needs an X display: run it as
 * `xvfb-run -a node src/headlessgl-run.mjs` (headlessgl.test.ts does). The suite's output (its
 * support matrix) goes to stderr; stdout gets exactly one line, the result as JSON.
 * `TENSORGRAD_GPU_NUM_RUNS` sets fast-check's runs per property.
 */
import { runSuite } from './run-suite.mjs';

const numRuns = process.env.TENSORGRAD_GPU_NUM_RUNS ? Number(process.env.TENSORGRAD_GPU_NUM_RUNS) : undefined;
// keep stdout for the one JSON line: the suite's console.log output goes to stderr
console.log = console.error;
const result = await runSuite({
  mode: 'headlessgl',
  hostThreshold: 0,
  numRuns,
  onTest: (name, outcome, error) => {
    if (outcome === 'fail') console.error(`[conformance] FAIL ${name}: ${error ?? ''}`);
  },
});
// gpu.js and headless-gl may hold handles open: exit once the line is written
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
