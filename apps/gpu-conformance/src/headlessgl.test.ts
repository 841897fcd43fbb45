/**
 * The conformance suite of @tensorgrad/backend-gpujs in Node on headless-gl under Xvfb, where
 * gpu.js's WebGL kernels really run (Mesa): one backend, every op on the device. Skipped
 * without xvfb-run or a built `gl`, except on CI (CI set), where that fails.
 */
import { describe, it } from 'vitest';
import { headlessGlMissing, runHeadlessGl } from './headlessgl';
import { availability, expectRanOnDevice, summarize } from './report';

const { skip, missing } = availability('headlessgl', headlessGlMissing());

describe('gpu-conformance: Node headless-gl under Xvfb', () => {
  it.skipIf(skip)('runs every conformance case on one headlessgl backend in Node under Xvfb, kernels on the device', async () => {
    if (missing) throw new Error(`CI is set, so this cannot be skipped: ${missing}`);
    const r = await runHeadlessGl(540_000);
    summarize('node', r);
    expectRanOnDevice(r, 'headlessgl');
  });
});
