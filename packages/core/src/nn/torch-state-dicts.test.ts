import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { tidy } from '../memory';
import { setBackend } from '../registry';
import { load, save } from '../serialize/index';
import { Tensor } from '../tensor';
import * as nn from './index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };
beforeAll(async () => {
  await setBackend(cpuBackend());
});

// PyTorch state dicts (safetensors) and PyTorch's outputs, written by
// fixtures/torch-modules/make_module_fixtures.py (PyTorch 1.13; RMSNorm by formula, see there)
const dir = fileURLToPath(new URL('../../fixtures/torch-modules/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'tensorgrad-torch-state-dicts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A nested module in cases.json: `{ module: 'LayerNorm', args: [8] }`. */
interface ModuleSpec {
  module: string;
  args: unknown[];
}

/** A forward argument: '$name' (a tensor of the .io file), null, a number or bool, or arrays and objects of them. */
type ArgSpec = unknown;

/** The structure of the forward's return value: names of .io tensors, in arrays as the forward nests them. */
type OutSpec = string | null | OutSpec[];

interface Case {
  name: string;
  module: string;
  args: unknown[];
  torch: string;
  mode: 'train' | 'eval';
  /** PyTorch's state_dict() keys, in order. */
  keys: string[];
  /** The forward's arguments, or a container's children called in turn on `input`. */
  forward: ArgSpec[] | { chain: string[]; input: string };
  /** A chain's outputs: one per child. */
  outputs: OutSpec;
  /** Buffers compared after the forward (train-mode BatchNorm), as `state_after.<key>` in the .io file. */
  stateAfter?: string[];
}

const { torch, cases } = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { torch: string; cases: Case[] };

const RTOL = 1e-4;
const ATOL = 1e-5;

const isSpec = (v: unknown): v is ModuleSpec =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as ModuleSpec).module === 'string' && Array.isArray((v as ModuleSpec).args);

/** Build `type` with cases.json's arguments; every module built is pushed on `built` (to dispose its tensors). */
function build(type: string, args: unknown[], built: nn.Module[]): nn.Module {
  const Ctor = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[type];
  if (typeof Ctor !== 'function') throw new Error(`cases.json: no nn.${type}`);
  const arg = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(arg);
    if (isSpec(v)) return build(v.module, v.args, built);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, arg(x)]));
    return v;
  };
  const m = new Ctor(...args.map(arg));
  built.push(m);
  return m;
}

/** The forward arguments with '$name' replaced by the .io tensor. */
function resolve(v: ArgSpec, io: Record<string, Tensor>): unknown {
  if (typeof v === 'string' && v.startsWith('$')) {
    const t = io[v.slice(1)];
    if (!t) throw new Error(`cases.json: no tensor '${v.slice(1)}' in the .io file`);
    return t;
  }
  if (Array.isArray(v)) return v.map((x) => resolve(x, io));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, io)]));
  return v;
}

/** `got` against PyTorch's `want`: same shape and dtype, floats within rtol/atol, integers and bools equal. */
function expectClose(got: unknown, want: Tensor, what: string): void {
  expect(got, what).toBeInstanceOf(Tensor);
  const g = got as Tensor;
  expect([what, g.shape, g.dtype]).toEqual([what, want.shape, want.dtype]);
  const a = g.dataSync();
  const b = want.dataSync();
  const bad: string[] = [];
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    const ok = want.dtype === 'float32' ? Math.abs(x - y) <= ATOL + RTOL * Math.abs(y) : x === y;
    if (!ok) {
      worst = Math.max(worst, Math.abs(x - y));
      if (bad.length < 5) bad.push(`[${i}] ${x} vs PyTorch ${y}`);
    }
  }
  expect(bad, `${what}: elements differing from PyTorch's (max |diff| ${worst})`).toEqual([]);
}

/** Compare a forward's return value to the .io tensors named in `spec`, nested the same way. */
function expectOutputs(got: unknown, spec: OutSpec, io: Record<string, Tensor>, what: string): void {
  if (spec === null) {
    expect(got, what).toBeNull();
  } else if (typeof spec === 'string') {
    expectClose(got, io[spec]!, `${what} ${spec}`);
  } else {
    expect(Array.isArray(got), `${what}: expected ${spec.length} outputs`).toBe(true);
    expect((got as unknown[]).length, what).toBe(spec.length);
    spec.forEach((s, i) => expectOutputs((got as unknown[])[i], s, io, what));
  }
}

function disposeAll(modules: nn.Module[]): void {
  for (const m of modules) for (const t of [...m.parameters(), ...m.buffers()]) t.dispose();
}

describe(`PyTorch ${torch} state dicts load into tensorgrad modules and give PyTorch's outputs`, () => {
  it('has a case of every module type', () => {
    const types = new Set(cases.map((c) => c.module));
    for (const t of ['BatchNorm1d', 'BatchNorm2d', 'GroupNorm', 'RMSNorm', 'Conv1d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'Identity', 'LeakyReLU',
      'ModuleList', 'ModuleDict', 'RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell', 'MultiheadAttention', 'TransformerEncoderLayer',
      'TransformerEncoder', 'Embedding']) {
      expect(types.has(t), t).toBe(true);
    }
    expect(cases.some((c) => c.mode === 'train' && c.stateAfter)).toBe(true);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.torch}`, () => {
      const built: nn.Module[] = [];
      try {
        tidy(() => {
          const m = build(c.module, c.args, built);
          const state = load(join(dir, `${c.name}.safetensors`));
          const io = load(join(dir, `${c.name}.io.safetensors`));

          // the keys: exactly PyTorch's, and in state_dict()'s order
          const ours = m.stateDict();
          expect(Object.keys(ours).sort(), 'key set').toEqual(Object.keys(state).sort());
          expect(Object.keys(ours), 'key order').toEqual(c.keys);
          m.loadStateDict(state, { strict: true });
          for (const [k, t] of Object.entries(m.stateDict())) expectClose(t, state[k]!, `loaded ${k}`);

          m.train(c.mode === 'train');
          if (Array.isArray(c.forward)) {
            const out = (m.forward as (...a: unknown[]) => unknown)(...(resolve(c.forward, io) as unknown[]));
            expectOutputs(out, c.outputs, io, 'output');
          } else {
            // a container: its children called in turn, each output compared
            const outs = c.outputs as string[];
            let h = io[c.forward.input.slice(1)]!;
            c.forward.chain.forEach((name, i) => {
              const child = m.namedChildren().find(([n]) => n === name);
              expect(child, `child '${name}'`).toBeDefined();
              h = child![1].forward(h) as Tensor;
              expectClose(h, io[outs[i]!]!, `child ${name}`);
            });
          }
          for (const k of c.stateAfter ?? []) expectClose(m.stateDict()[k], io[`state_after.${k}`]!, `${k} after the forward`);

          // the other way: what tensorgrad saves loads back with PyTorch's keys and values, and an
          // all-float32 state dict is byte for byte the file safetensors.torch.save_file wrote
          // (tensorgrad writes num_batches_tracked as I32 where PyTorch writes I64)
          m.loadStateDict(state);
          const path = join(tmp, `${c.name}.safetensors`);
          save(m.stateDict(), path);
          const again = load(path);
          expect(Object.keys(again).sort()).toEqual(Object.keys(state).sort());
          for (const [k, t] of Object.entries(state)) expectClose(again[k], t, `saved ${k}`);
          if (Object.values(state).every((t) => t.dtype === 'float32')) {
            expect(new Uint8Array(readFileSync(path)), 'the bytes PyTorch wrote').toEqual(new Uint8Array(readFileSync(join(dir, `${c.name}.safetensors`))));
          }
          const fresh = build(c.module, c.args, built);
          fresh.loadStateDict(again, { strict: true });
        });
      } finally {
        disposeAll(built);
      }
    });
  }
});
