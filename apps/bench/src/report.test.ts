import { describe, expect, it } from 'vitest';
import {
  acceptance,
  checkRows,
  firstLossSpread,
  floorRows,
  formatInt,
  lossRows,
  formatRatio,
  formatValue,
  markdownTable,
  ratio,
  ratioPairs,
  ratioRows,
  renderMarkdown,
  resultRows,
  spread,
  slowdown,
  systemLabel,
  textTable,
  torchChecks,
  torchPairs,
  torchRatioRows,
  type CaseResult,
  type RunReport,
} from './report';
import { lscpuField } from './versions';

const mlp64: CaseResult = { name: 'MLP step (batch 64)', unit: 'ms/step', batch: 64, values: { cpu: 20, worker: 10, 'tfjs-cpu': 120, 'tfjs-wasm': 25 }, counts: {} };
const mlp256: CaseResult = { name: 'MLP step (batch 256)', unit: 'ms/step', batch: 256, values: { worker: 40, 'tfjs-wasm': 70 }, counts: {} };
const mm: CaseResult = { name: 'matmul 1024', unit: 'GFLOP/s', values: { cpu: 20, worker: 35, 'tfjs-wasm': 25 }, counts: {} };

describe('formatting', () => {
  it('prints about three significant digits', () => {
    expect(formatValue(123.456)).toBe('123');
    expect(formatValue(12.345)).toBe('12.3');
    expect(formatValue(1.2345)).toBe('1.23');
    expect(formatValue(0.12345)).toBe('0.123');
    expect(formatValue(undefined)).toBe('–');
    expect(formatValue(NaN)).toBe('–');
  });

  it('prints counts with separators and ratios with a times sign', () => {
    expect(formatInt(34567.8)).toBe('34,568');
    expect(formatRatio(5.234)).toBe('5.23×');
    expect(formatRatio(12.34)).toBe('12.3×');
    expect(formatRatio(undefined)).toBe('–');
  });

  it('labels systems, marking gpujs in fallback mode', () => {
    expect(systemLabel('tfjs-wasm')).toBe('TF.js wasm');
    expect(systemLabel('worker')).toBe('tensorgrad worker');
    expect(systemLabel('gpujs', { fallback: 'true' })).toBe('tensorgrad gpujs†');
    expect(systemLabel('gpujs', { fallback: 'false' })).toBe('tensorgrad gpujs');
    expect(systemLabel('torch-2')).toBe('PyTorch torch-2');
  });

  it('summarises a spread as min / median / max', () => {
    expect(spread([3, 1, 2, 10])).toBe('1.00 / 2.50 / 10.00');
    expect(spread([])).toBe('–');
  });
});

describe('ratios', () => {
  it('pairs every tensorgrad system with every TF.js one', () => {
    expect(ratioPairs(['cpu', 'worker', 'tfjs-cpu', 'tfjs-wasm'])).toEqual([
      ['cpu', 'tfjs-cpu'], ['cpu', 'tfjs-wasm'], ['worker', 'tfjs-cpu'], ['worker', 'tfjs-wasm'],
    ]);
  });

  it('leaves the PyTorch systems out of the TF.js pairs', () => {
    expect(ratioPairs(['cpu', 'torch-1', 'tfjs-wasm', 'torch-2'])).toEqual([['cpu', 'tfjs-wasm']]);
  });

  it('is a speed-up for times and for rates alike, undefined where a system is missing', () => {
    expect(ratio(mlp64, 'cpu', 'tfjs-cpu')).toBe(6);
    expect(ratio(mm, 'worker', 'tfjs-wasm')).toBeCloseTo(1.4);
    expect(ratio(mm, 'gpujs', 'tfjs-wasm')).toBeUndefined();
  });

  it('lays out one column per pair', () => {
    const rows = ratioRows({ systems: ['cpu', 'tfjs-cpu'], results: [mlp64] });
    expect(rows).toEqual([['case', 'cpu vs TF.js cpu'], ['MLP step (batch 64)', '6.00×']]);
  });
});

describe('ratios vs PyTorch', () => {
  const gpt: CaseResult = { name: 'GPT iteration', unit: 'ms/step', values: { cpu: 300, worker: 150, 'torch-1': 60, 'torch-2': 50 }, counts: {} };
  const gen: CaseResult = { name: 'GPT generation (per token)', unit: 'ms/token', values: { cpu: 2, worker: 2.5, 'torch-1': 1, 'torch-2': 1 }, counts: {} };
  const mmRate: CaseResult = { name: 'matmul 1024', unit: 'GFLOP/s', values: { cpu: 40, 'torch-1': 100 }, counts: {} };

  it('pairs cpu with torch-1 and worker with torch-2, where both ran', () => {
    expect(torchPairs(['cpu', 'worker', 'tfjs-cpu', 'torch-1', 'torch-2'])).toEqual([['cpu', 'torch-1'], ['worker', 'torch-2']]);
    expect(torchPairs(['cpu', 'worker', 'torch-2'])).toEqual([['worker', 'torch-2']]);
    expect(torchPairs(['cpu', 'worker'])).toEqual([]);
  });

  it('gives tensorgrad\'s time over PyTorch\'s, for rates too', () => {
    expect(slowdown(gpt, 'cpu', 'torch-1')).toBe(5);
    expect(slowdown(mmRate, 'cpu', 'torch-1')).toBe(2.5);
    expect(slowdown(mmRate, 'worker', 'torch-2')).toBeUndefined();
    expect(torchRatioRows({ systems: ['cpu', 'worker', 'torch-1', 'torch-2'], results: [gpt, mmRate] })).toEqual([
      ['case', 'cpu / PyTorch torch-1', 'worker / PyTorch torch-2'],
      ['GPT iteration', '5.00×', '3.00×'],
      ['matmul 1024', '2.50×', '–'],
    ]);
  });

  it('checks issue 15\'s targets for both pairs, honestly', () => {
    const mlp: CaseResult = { ...mlp64, values: { cpu: 2, worker: 1, 'torch-1': 1, 'torch-2': 0.6 } };
    const checks = torchChecks([gpt, gen, mlp]);
    expect(checks.map((c) => c.claim)).toEqual([
      "GPT iteration: tensorgrad cpu ≤ 2× PyTorch torch-1's time",
      "GPT iteration: tensorgrad worker ≤ 2× PyTorch torch-2's time",
      "makemore MLP step: tensorgrad cpu ≤ 2× PyTorch torch-1's time",
      "makemore MLP step: tensorgrad worker ≤ 2× PyTorch torch-2's time",
      "GPT generation (per token): tensorgrad cpu ≤ 3× PyTorch torch-1's time",
      "GPT generation (per token): tensorgrad worker ≤ 3× PyTorch torch-2's time",
      "MLP step (batch 64): tensorgrad cpu ≤ 2× PyTorch torch-1's time",
      "MLP step (batch 64): tensorgrad worker ≤ 2× PyTorch torch-2's time",
    ]);
    expect(checks.map((c) => c.pass)).toEqual([false, false, undefined, undefined, true, true, true, true]);
    expect(checks[0]!.measured).toBe('5.00× (300 vs 60.0 ms/step)');
    expect(checks[2]!.measured).toBe('not measured');
  });

  it("puts each case's products at the SIMD peak beside PyTorch's time: one thread, and an ideal split", () => {
    const floors = { peak: { gflops: 50, instruction: 'fused multiply-add' as const }, flops: { 'GPT iteration': 3.96e9, 'GPT generation (per token)': 5e7, 'matmul 1024': 2e9 }, timed: { 'GPT iteration': { products: 99, step: 300 }, 'GPT generation (per token)': { products: 1.25, step: 2 } }, threads: 2 };
    expect(floorRows({ results: [gpt, gen, mmRate], floors })).toEqual([
      ['case', 'products (GFLOP)', 'at the peak, 1 thread', 'over torch-1', 'cpu: its products, timed', 'cpu: the rest of its step', 'the rest, room at the target', 'at the peak, 2 threads', 'over torch-2', 'target'],
      // 3.96e9 / 50e9 s = 79.2 ms, over 60 and 50 ms; a cpu step of 300 ms less its products' 99 leaves 201; 2 × 60 less 79.2 leaves 40.8
      ['GPT iteration', '3.96', '79.2 ms/step', '1.32×', '99.0 ms/step (40.0 GFLOP/s, 80% of the peak)', '201 ms/step', '40.8 ms/step', '39.6 ms/step', '0.79×', '2×'],
      ['GPT generation (per token)', '0.0500', '1.00 ms/token', '1.00×', '1.25 ms/token (40.0 GFLOP/s, 80% of the peak)', '0.750 ms/token', '2.00 ms/token', '0.500 ms/token', '0.50×', '3×'],
    ]); // matmul 1024 is no target of issue 15: no row
    expect(floorRows({ results: [gpt], floors: undefined })).toEqual([]);
  });
});

describe('losses', () => {
  it('measures how far apart the first losses are', () => {
    expect(firstLossSpread({ cpu: [2, 1, 5] })).toBeUndefined();
    expect(firstLossSpread({ cpu: [2, 1, 5], 'torch-1': [2, 1.5, 3] })).toBe(0);
    expect(firstLossSpread({ a: [1.0, 0, 1], b: [1.001, 0, 1], c: [0.999, 0, 1] })).toBeCloseTo(0.002);
  });

  it('lays out first → last (steps) per system, with the agreement, "dropout" for dropout cases', () => {
    const rows = lossRows({
      systems: ['cpu', 'torch-1'],
      infos: {},
      losses: { 'GPT iteration': { cpu: [4.2169079, 3.2414159, 8], 'torch-1': [4.2169079, 3.2414169, 8] }, 'MNIST Net step': { cpu: [2.3021, 2.25, 6], 'torch-1': [2.3087, 2.23, 7] } },
    });
    expect(rows).toEqual([
      ['case (loss: first → last, steps)', 'tensorgrad cpu', 'PyTorch torch-1', 'first losses agree to'],
      ['GPT iteration', '4.21691 → 3.241 (8)', '4.21691 → 3.241 (8)', 'identical'],
      ['MNIST Net step', '2.30210 → 2.250 (6)', '2.30870 → 2.230 (7)', 'dropout'],
    ]);
  });
});

describe('resultRows', () => {
  it('adds a samples/s row under each training case', () => {
    const rows = resultRows({ systems: ['cpu', 'tfjs-cpu'], infos: {}, results: [mm, mlp64] });
    expect(rows).toEqual([
      ['case', 'unit', 'tensorgrad cpu', 'TF.js cpu'],
      ['matmul 1024', 'GFLOP/s', '20.0', '–'],
      ['MLP step (batch 64)', 'ms/step', '20.0', '120'],
      ['MLP step (batch 64)', 'samples/s', '3,200', '533'],
    ]);
  });
});

describe('tables', () => {
  it('aligns text columns: the first to the left, the rest to the right', () => {
    expect(textTable([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\n---  --\nccc   d');
  });

  it('writes Markdown with right-aligned number columns and escaped pipes', () => {
    expect(markdownTable([['case', 'x'], ['a|b', '1']])).toBe('| case | x |\n| --- | ---: |\n| a\\|b | 1 |');
  });
});

describe('acceptance', () => {
  it('checks the four criteria of issue 6', () => {
    const checks = acceptance([mm, mlp64, mlp256]);
    expect(checks.map((c) => c.pass)).toEqual([true, true, false, true]);
    expect(checks[0]!.measured).toBe('6.00×, 20.0 ms (TF.js cpu 120 ms)');
    expect(checks[2]!.measured).toBe('1.75× (40.0 vs 70.0 ms)');
  });

  it('fails the cpu check over 25 ms even at 5× and says "not run" where a case is missing', () => {
    const slow: CaseResult = { ...mlp64, values: { cpu: 26, 'tfjs-cpu': 200 } };
    const checks = acceptance([slow]);
    expect(checks[0]!.pass).toBe(false);
    expect(checks[3]!.pass).toBeUndefined();
    expect(checkRows(checks)[4]).toEqual(['matmul n = 1024 on tensorgrad worker ≥ 30 GFLOP/s, ahead of TF.js wasm', 'not measured', 'not run']);
  });
});

describe('renderMarkdown', () => {
  const report: RunReport = {
    systems: ['cpu', 'gpujs', 'tfjs-cpu'],
    infos: { cpu: { library: 'tensorgrad', backend: 'cpu' }, gpujs: { library: 'tensorgrad', backend: 'gpujs', fallback: 'true' }, 'tfjs-cpu': { library: 'TensorFlow.js 4.22.0', backend: 'cpu' } },
    results: [mlp64],
    machine: { cpu: 'AMD EPYC', cores: 2, node: '20.20.2', v8: '11.3', os: 'Linux 6' },
    versions: { '@tensorflow/tfjs': '4.22.0' },
    date: '2025-01-01T00:00:00Z',
    rounds: 5,
    quick: false,
    command: 'pnpm bench',
    load: { before: 0.5, during: [1, 1.5] },
    capacities: [1.9, 2],
    seconds: 180,
    losses: { 'MLP step (batch 64)': { cpu: [2.3, 0.1, 40] } },
  };
  const md = renderMarkdown(report);

  it('states the machine, the versions and the load', () => {
    expect(md).toContain('- CPU: AMD EPYC, 2 cores');
    expect(md).toContain('Node 20.20.2, V8 11.3');
    expect(md).toContain('- @tensorflow/tfjs: 4.22.0');
    expect(md).toContain('0.50 before the run; min / median / max during it 1.00 / 1.25 / 1.50');
  });

  it('marks the gpujs fallback and explains it', () => {
    expect(md).toContain('| case | unit | tensorgrad cpu | tensorgrad gpujs† | TF.js cpu |');
    expect(md).toContain('† gpujs ran its fallback mode');
  });

  it('has the ratios, the acceptance table, the losses and how to reproduce', () => {
    expect(md).toContain('| MLP step (batch 64) | 6.00× | – |');
    expect(md).toContain('## Acceptance (issue 6)');
    expect(md).toContain('2.30000 → 0.1000 (40)');
    expect(md).toContain('pnpm bench -- --quick');
    expect(md).not.toContain('## Ratios vs PyTorch'); // no PyTorch system in this run
  });

  it('adds the PyTorch ratios and issue 15\'s checks when PyTorch ran, and names skipped systems', () => {
    const withTorch = renderMarkdown({
      ...report,
      systems: ['cpu', 'torch-1'],
      infos: { cpu: { library: 'tensorgrad', backend: 'cpu' }, 'torch-1': { library: 'PyTorch 1.13', backend: 'CPU', blas: 'libopenblasp-r0.3.21.so' } },
      results: [{ ...mlp64, values: { cpu: 3, 'torch-1': 1 } }],
      skipped: { 'torch-2': '/usr/bin/python3 has no torch' },
    });
    expect(withTorch).toContain('## Ratios vs PyTorch');
    expect(withTorch).toContain('| MLP step (batch 64) | 3.00× |');
    expect(withTorch).toContain("| MLP step (batch 64): tensorgrad cpu ≤ 2× PyTorch torch-1's time | 3.00× (3.00 vs 1.00 ms/step) | FAIL |");
    expect(withTorch).toContain('- **PyTorch torch-1**: PyTorch 1.13, CPU; blas: libopenblasp-r0.3.21.so');
    expect(withTorch).toContain('- **PyTorch torch-2**: skipped: /usr/bin/python3 has no torch');
    expect(withTorch).not.toContain('## Floors'); // none measured
    const withFloors = renderMarkdown({
      ...report,
      systems: ['cpu', 'torch-1'],
      results: [{ ...mlp64, values: { cpu: 3, 'torch-1': 1 } }],
      floors: { peak: { gflops: 50, instruction: 'fused multiply-add' }, flops: { 'MLP step (batch 64)': 6.45e7 }, timed: {}, threads: 2 },
    });
    expect(withFloors).toContain("## Floors: the matrix products at this processor's SIMD peak");
    expect(withFloors).toContain('fused multiply-add, ran at 50.0 GFLOP/s');
    expect(withFloors).toContain('| MLP step (batch 64) | 0.0645 | 1.29 ms/step | 1.29× | – | – | 0.710 ms/step | 0.645 ms/step | – | 2× |');
  });
});

describe('lscpuField', () => {
  it('reads a field of lscpu output', () => {
    const out = 'Architecture:        x86_64\nModel name:          AMD EPYC 7B12\nThread(s) per core:  2\n';
    expect(lscpuField(out, 'Model name')).toBe('AMD EPYC 7B12');
    expect(lscpuField(out, 'Thread(s) per core')).toBe('2');
    expect(lscpuField(out, 'Flags')).toBeUndefined();
  });
});
