import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fnv1a, initBounds, initValues, paramSeed, tokens, uniform } from './data';
import { gptBatch, lstmBatch } from './systems';
import { CASES, type GptTrainWork } from './cases';

const TGDATA = fileURLToPath(new URL('../torch/tgdata.py', import.meta.url));
/** Any python3 will do: tgdata.py is pure Python. Debian's first, then the one on PATH. */
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => (p.startsWith('/') ? existsSync(p) : spawnSync(p, ['--version']).status === 0));
const py = (...args: string[]): unknown => JSON.parse(execFileSync(PYTHON!, [TGDATA, ...args], { encoding: 'utf8' }));

describe('the deterministic inputs', () => {
  it('draws uniforms in [lo, hi) as float32, the same for the same seed', () => {
    const a = uniform(1000, 7, -0.5, 0.5);
    expect(a).toEqual(uniform(1000, 7, -0.5, 0.5));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...a)).toBeLessThan(0.5);
    expect(a).not.toEqual(uniform(1000, 8, -0.5, 0.5));
  });

  it('makes token ids in [0, vocab)', () => {
    const t = tokens(5000, 3, 65);
    expect(Math.min(...t)).toBe(0);
    expect(Math.max(...t)).toBe(64);
  });

  it('seeds each parameter from its name, small enough for an exact product in the generator', () => {
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(paramSeed('mlp', '0.weight')).toBe(paramSeed('mlp', '0.weight'));
    expect(paramSeed('mlp', '0.weight')).not.toBe(paramSeed('mlp', '0.bias'));
    expect(paramSeed('x', 'y')).toBeLessThan(2 ** 20);
  });

  it('initialises with fan-in bounds (a bias takes its weight\'s) and nanoGPT\'s scheme', () => {
    expect(initBounds('fan-in', [['fc.weight', [10, 100]], ['fc.bias', [10]], ['lstm.weight_hh', [8, 4]], ['lstm.bias_hh', [8]], ['conv.weight', [4, 1, 3, 3]]])).toEqual([
      { kind: 'uniform', bound: 0.1 }, { kind: 'uniform', bound: 0.1 }, { kind: 'uniform', bound: 0.5 }, { kind: 'uniform', bound: 0.5 }, { kind: 'uniform', bound: 1 / 3 },
    ]);
    expect(() => initBounds('fan-in', [['ln.weight', [4]]])).toThrow(/no rule for the vector ln.weight/);
    const gpt = initBounds({ kind: 'gpt', nLayer: 2 }, [['ln_1.weight', [8]], ['attn.c_attn.weight', [24, 8]], ['attn.c_proj.weight', [8, 8]]]);
    expect(gpt[0]).toEqual({ kind: 'ones' });
    expect(gpt[1]).toEqual({ kind: 'uniform', bound: 0.02 * Math.sqrt(3) });
    expect(gpt[2]).toEqual({ kind: 'uniform', bound: (0.02 / 2) * Math.sqrt(3) });
    expect(initValues({ kind: 'gpt', nLayer: 2 }, 'k', [['ln_1.weight', [3]]])[0]).toEqual(new Float32Array([1, 1, 1]));
  });

  it('cuts the GPT and LSTM batches as inputs and next-step targets', () => {
    const w = { ...(CASES.find((c) => c.name === 'GPT iteration')!.work as GptTrainWork), batch: 2 };
    const { x, y } = gptBatch(w);
    const ids = tokens(2 * 65, w.seed, 65);
    expect(x.length).toBe(2 * 64);
    expect(Array.from(x.subarray(64, 70))).toEqual(Array.from(ids.subarray(65, 71)));
    expect(Array.from(y.subarray(0, 5))).toEqual(Array.from(ids.subarray(1, 6)));
    const { input, target } = lstmBatch({ kind: 'lstm', batch: 2, steps: 3, hidden: 4, lr: 0.01, seed: 5 });
    const seq = uniform(8, 5);
    expect(Array.from(input)).toEqual([seq[0], seq[1], seq[2], seq[4], seq[5], seq[6]]);
    expect(Array.from(target)).toEqual([seq[1], seq[2], seq[3], seq[5], seq[6], seq[7]]);
  });
});

// torch/tgdata.py must give the very same float32 values, or PyTorch trains from other weights
describe.skipIf(PYTHON === undefined)('torch/tgdata.py, the same generator in Python', () => {
  it('reproduces uniform bit for bit', () => {
    for (const [n, seed, lo, hi] of [[200, 1, -1, 1], [50, 3, 0, 1], [50, 999983, -0.0625, 0.0625], [20, 0, -4, 4]] as const) {
      expect(py('uniform', String(n), String(seed), String(lo), String(hi))).toEqual(Array.from(uniform(n, seed, lo, hi)));
    }
  });

  it('reproduces the token ids and the initial weights', () => {
    expect(py('tokens', '300', '41', '65')).toEqual(Array.from(tokens(300, 41, 65)));
    const params: [string, number[]][] = [['transformer.h.0.ln_1.weight', [4]], ['transformer.h.0.attn.c_proj.weight', [4, 4]], ['lm_head.weight', [6, 4]]];
    const scheme = { kind: 'gpt', nLayer: 4 } as const;
    expect(py('init', JSON.stringify(scheme), 'gpt', JSON.stringify(params))).toEqual(initValues(scheme, 'gpt', params).map((v) => Array.from(v.subarray(0, 4))));
    const fanIn: [string, number[]][] = [['0.weight', [256, 784]], ['0.bias', [256]], ['lstm1.weight_ih', [204, 1]], ['lstm1.bias_ih', [204]]];
    expect(py('init', '"fan-in"', 'mlp', JSON.stringify(fanIn))).toEqual(initValues('fan-in', 'mlp', fanIn).map((v) => Array.from(v.subarray(0, 4))));
  });
});
