import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { deserialize, load, nn, save, serialize, setBackend, tensor, type Tensor } from '../index';

const { cpuBackend } = (await import('@tensorgrad/backend-cpu' as string)) as { cpuBackend: () => Backend };

// written by PyTorch's safetensors.torch.save_file through fixtures/safetensors/make_fixtures.py
const fixtures = new URL('../../fixtures/safetensors/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, fixtures)));
type Expected = Record<string, Record<string, { shape: number[]; dtype: string; data: number[] }>>;
const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8')) as Expected;

const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-safetensors-'));

beforeAll(async () => {
  await setBackend(cpuBackend());
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tensor of the values PyTorch wrote, as expected.json records them. */
function fromExpected(v: { shape: number[]; dtype: string; data: number[] }): Tensor {
  return tensor(v.data, { shape: v.shape, dtype: v.dtype as 'float32' | 'int32' | 'bool' });
}

function expectValues(got: Record<string, Tensor>, want: Expected[string]): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [name, v] of Object.entries(want)) {
    const t = got[name]!;
    expect([name, t.shape, t.dtype]).toEqual([name, v.shape, v.dtype]);
    expect(Array.from(t.dataSync()), name).toEqual(v.data.map((x) => (v.dtype === 'float32' ? Math.fround(x) : x)));
  }
}

/** Safetensors bytes from a header object and a data region, for malformed-file tests. */
function bytesOf(header: unknown, data = new Uint8Array(0), length?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, length ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('reading files PyTorch wrote', () => {
  it('reads F32, I32 and BOOL tensors, scalars and empty tensors with their values', () => {
    expectValues(deserialize(fixture('mixed.safetensors')), expected['mixed.safetensors']!);
  });

  it('converts F64, F16 and BF16 to float32 and I64 and U8 to int32', () => {
    expectValues(deserialize(fixture('converted.safetensors')), expected['converted.safetensors']!);
  });

  it('refuses an I64 value that does not fit in int32, naming the tensor and the value', () => {
    expect(() => deserialize(fixture('i64_overflow.safetensors'))).toThrow(
      "deserialize: tensor 'big' (I64) holds 1099511627776 at index 1, which does not fit in int32",
    );
  });

  it('loads a file from disk into a module', () => {
    const path = join(dir, 'linear.safetensors');
    writeFileSync(path, fixture('mixed.safetensors'));
    const sd = load(path);
    const fc = new nn.Linear(4, 3);
    fc.loadStateDict({ weight: sd['fc1.weight']!, bias: sd['fc1.bias']! });
    expect(Array.from(fc.weight.dataSync())).toEqual(expected['mixed.safetensors']!['fc1.weight']!.data.map(Math.fround));
  });
});

describe('writing the layout PyTorch writes', () => {
  it('gives the exact bytes of the PyTorch-written file for the same tensors', () => {
    const dict = Object.fromEntries(Object.entries(expected['mixed.safetensors']!).map(([k, v]) => [k, fromExpected(v)]));
    expect(serialize(dict)).toEqual(fixture('mixed.safetensors'));
  });

  it('writes metadata first, as safetensors does', () => {
    const dict = { w: fromExpected(expected['metadata.safetensors']!.w!) };
    expect(serialize(dict, { metadata: { format: 'pt' } })).toEqual(fixture('metadata.safetensors'));
  });

  it('sorts metadata keys, so that the same dict always gives the same bytes', () => {
    const text = new TextDecoder().decode(serialize({ w: tensor([1]) }, { metadata: { format: 'pt', epoch: '3' } }));
    expect(text).toContain('{"__metadata__":{"epoch":"3","format":"pt"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
  });

  it('round-trips a model through save and load', () => {
    const model = new nn.Sequential(new nn.Linear(3, 5), new nn.ReLU(), new nn.Linear(5, 2));
    const path = join(dir, 'model.safetensors');
    save(model.stateDict(), path);
    const again = new nn.Sequential(new nn.Linear(3, 5), new nn.ReLU(), new nn.Linear(5, 2));
    again.loadStateDict(load(path));
    for (const [name, p] of model.namedParameters()) {
      expect(again.stateDict()[name]!.tolist(), name).toEqual(p.tolist());
    }
    const bytes = readFileSync(path);
    expect(bytes.readUInt32LE(0) % 8).toBe(0); // header padded to 8 bytes
  });

  it("refuses a name the format reserves and values that aren't tensors", () => {
    expect(() => serialize({ __metadata__: tensor([1]) })).toThrow(/reserved/);
    expect(() => serialize({ w: [1, 2] as unknown as Tensor })).toThrow("serialize: 'w' is not a Tensor");
  });
});

describe('reading untrusted bytes', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const cases: [string, Uint8Array, RegExp][] = [
    ['a file shorter than the 8-byte length', new Uint8Array(5), /file too small: 5 bytes/],
    ['a header length over 100 MB', bytesOf({}, undefined, 100_000_001), /header length 100000001 is over the 100000000-byte limit/],
    ['a header length past the end of the file', bytesOf({}, undefined, 4096), /header length 4096 runs past the end of the file \(10 bytes\)/],
    ['a truncated file', fixture('mixed.safetensors').subarray(0, 500), /out of range: the data region has \d+ bytes \(the file is truncated\?\)/],
    ['a header that is not JSON', bytesOf('{"a": nope}'), /header is not valid JSON/],
    ['a header that is not an object', bytesOf('[1, 2]'), /header is not a JSON object/],
    ['an unknown dtype', bytesOf({ w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16)), /tensor 'w': unknown dtype "F128"/],
    ['a missing shape', bytesOf({ w: { dtype: 'F32', data_offsets: [0, 4] } }, f32(1)), /tensor 'w': shape must be an array of non-negative integers/],
    ['offsets past the data', bytesOf({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(1)), /tensor 'w': data_offsets \[0, 8\] are out of range: the data region has 4 bytes/],
    [
      'overlapping tensors',
      bytesOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(3)),
      /tensor 'b': data_offsets \[4, 12\] overlap the previous tensor, which ends at 8/,
    ],
    [
      'a gap between tensors',
      bytesOf({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, f32(3)),
      /tensor 'b': data_offsets \[8, 12\] leave a gap after byte 4/,
    ],
    ['trailing bytes after the tensors', bytesOf({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)), /cover 4 bytes of data but the data region has 8/],
    ['offsets that end before they begin', bytesOf({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32(1)), /end before they begin/],
    ['a shape that does not match the offsets', bytesOf({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)), /tensor 'w': shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/],
    ['metadata that is not strings', bytesOf({ __metadata__: { epoch: 3 } }), /__metadata__ must be an object of string values/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => deserialize(bytes)).toThrow(message);
    });
  }

  it('refuses a huge claimed tensor before allocating anything for it', () => {
    // 2^40 float32 elements claimed by a 20-byte file: the offsets check throws first
    const bytes = bytesOf({ w: { dtype: 'F32', shape: [2 ** 20, 2 ** 20], data_offsets: [0, 2 ** 42] } }, f32(1));
    expect(() => deserialize(bytes)).toThrow(/data_offsets \[0, 4398046511104\] are out of range/);
  });

  it('names the file when load fails', () => {
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, new Uint8Array(3));
    expect(() => load(path)).toThrow(`load: ${path}: file too small: 3 bytes`);
  });
});
