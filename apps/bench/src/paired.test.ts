import { describe, expect, it } from 'vitest';
import type { PairedReport } from './paired';
import { pairedChecks, pairedRoundRows, pairedRows, speedSummary } from './report';

const report: PairedReport = {
  threads: 2,
  speeds: [
    [100, 50],
    [90, 100],
  ],
  results: [
    { name: 'matmul 1024', unit: 'GFLOP/s', cpu: 30, worker: 52.5, speedUp: 1.75, pairs: 12, rounds: [{ speedUp: 1.8, ceiling: 1.9 }, { speedUp: 1.6, ceiling: 1.5 }] },
    { name: 'MLP step (batch 256)', unit: 'ms/step', cpu: 14, worker: 10.5, speedUp: 1.35, pairs: 20, rounds: [{ speedUp: 1.35, ceiling: 1.9 }] },
  ],
};

describe('the paired report', () => {
  it("checks issue 4's two speed-ups against the median of pairs", () => {
    const [matmul, mlp] = pairedChecks(report);
    expect(matmul).toMatchObject({ pass: true });
    expect(matmul!.measured).toContain('1.75×');
    expect(mlp).toMatchObject({ pass: false });
    expect(pairedChecks(undefined).map((c) => c.pass)).toEqual([undefined, undefined]);
  });

  it('prints the ratio of medians beside the median of pairs (time over time for ms/step)', () => {
    const rows = pairedRows(report);
    expect(rows[1]).toEqual(['matmul 1024', 'GFLOP/s', '30.0', '52.5', '1.75×', '1.75×', '12']);
    expect(rows[2]![5]).toBe('1.33×'); // 14 / 10.5
  });

  it('gives each round its speed-up and the ceiling measured before it, and sums up the core speeds', () => {
    expect(pairedRoundRows(report)[1]).toEqual(['matmul 1024', '1.80× / 1.90×', '1.60× / 1.50×']);
    const { slowest, ceilings } = speedSummary(report);
    expect(slowest).toEqual([0.5, 0.9]);
    expect(ceilings).toEqual([1.5, 1.9]);
  });
});
