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
    // arrays of numbers are checkpoint values now (their structure goes in the metadata); a typed array is neither
    expect(() => serialize({ w: new Float32Array(2) as unknown as Tensor })).toThrow(/serialize: 'w' is a Float32Array; wrap it with tensor\(\.\.\.\)/);
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
    ['a header length of zero', bytesOf('', undefined, 0), /header length 0 is too small for a JSON object/],
    ['a header length over 2^32', (() => { const b = bytesOf({}); b[4] = 1; return b; })(), /header length 4294967298 is over the 100000000-byte limit/],
    ['an entry that is not an object', bytesOf({ w: [1, 2] }), /tensor 'w': entry is not an object with dtype, shape and data_offsets/],
    ['a dtype found only on Object.prototype', bytesOf({ w: { dtype: 'toString', shape: [1], data_offsets: [0, 4] } }, f32(1)), /tensor 'w': unknown dtype "toString"/],
    ['a dtype named __proto__', bytesOf({ w: { dtype: '__proto__', shape: [1], data_offsets: [0, 4] } }, f32(1)), /tensor 'w': unknown dtype "__proto__"/],
    ['a dtype that is not a string', bytesOf({ w: { dtype: 4, shape: [1], data_offsets: [0, 4] } }, f32(1)), /tensor 'w': unknown dtype 4/],
    ['a rank over 64', bytesOf({ w: { dtype: 'F32', shape: new Array(65).fill(1), data_offsets: [0, 4] } }, f32(1)), /tensor 'w': shape has rank 65, over the limit of 64 dimensions/],
    ['a negative dim', bytesOf({ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 4] } }, f32(1)), /tensor 'w': shape must be an array of non-negative integers, but dimension 1 is -1 \(in \[2,-1\]\)/],
    ['a fractional dim', bytesOf({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, f32(1)), /tensor 'w': .* dimension 0 is 1\.5/],
    ['a dim past 2^53', bytesOf({ w: { dtype: 'F32', shape: [2 ** 53], data_offsets: [0, 4] } }, f32(1)), /tensor 'w': .* dimension 0 is 9007199254740992/],
    ['a dim that is a string', bytesOf({ w: { dtype: 'F32', shape: ['1'], data_offsets: [0, 4] } }, f32(1)), /tensor 'w': .* dimension 0 is "1"/],
    ['a dim that is null', bytesOf({ w: { dtype: 'F32', shape: [null], data_offsets: [0, 4] } }, f32(1)), /tensor 'w': .* dimension 0 is null/],
    ['missing data_offsets', bytesOf({ w: { dtype: 'F32', shape: [1] } }, f32(1)), /tensor 'w': data_offsets must be \[begin, end\] non-negative integer byte offsets, got undefined/],
    ['three data_offsets', bytesOf({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, f32(1)), /tensor 'w': data_offsets must be .*, got \[0,4,8\]/],
    ['negative data_offsets', bytesOf({ w: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, f32(1)), /tensor 'w': data_offsets must be .*, got \[-4,0\]/],
    ['data_offsets past 2^53', bytesOf({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 2 ** 54] } }, f32(1)), /tensor 'w': data_offsets must be/],
    ['a shape whose bytes overflow what offsets hold', bytesOf({ w: { dtype: 'F64', shape: [2, 3], data_offsets: [0, 24] } }, f32(6)), /tensor 'w': shape \[2,3\] of F64 needs 48 bytes but data_offsets \[0, 24\] hold 24/],
    ['a tensor named __proto__ with a bad shape', bytesOf('{"__proto__":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', f32(1)), /tensor '__proto__': .* dimension 0 is -1/],
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

  it('refuses 100,000 dims of size 1 at once, without working through them', () => {
    const bytes = bytesOf({ w: { dtype: 'F32', shape: new Array(100_000).fill(1), data_offsets: [0, 4] } }, f32(1));
    const start = performance.now();
    expect(() => deserialize(bytes)).toThrow("deserialize: tensor 'w': shape has rank 100000, over the limit of 64 dimensions");
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('accepts rank 64 exactly', () => {
    const got = deserialize(bytesOf({ w: { dtype: 'F32', shape: new Array(64).fill(1), data_offsets: [0, 4] } }, f32(1)));
    expect(got.w!.shape.length).toBe(64);
  });

  it('refuses what is not bytes', () => {
    expect(() => deserialize('abc' as unknown as Uint8Array)).toThrow(/expected a Uint8Array/);
    expect(() => deserialize([1, 2, 3] as unknown as Uint8Array)).toThrow(/expected a Uint8Array/);
  });

  it('names the file when load fails', () => {
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, new Uint8Array(3));
    expect(() => load(path)).toThrow(`load: ${path}: file too small: 3 bytes`);
  });
});

describe('reading bytes from wherever they lie', () => {
  const dict = () => ({ a: tensor([1.5, -2, 3.25]), i: tensor([7, -8], { dtype: 'int32' }), b: tensor([true, false, true], { dtype: 'bool' }) });
  const want = { a: [1.5, -2, 3.25], i: [7, -8], b: [1, 0, 1] };
  const check = (got: Record<string, Tensor>) => {
    expect(Object.keys(got).sort()).toEqual(['a', 'b', 'i']);
    for (const [k, v] of Object.entries(want)) expect(Array.from(got[k]!.dataSync()), k).toEqual(v);
  };

  it('reads a small file read back with fs.readFileSync (a Buffer into a shared pool)', () => {
    const path = join(dir, 'small.safetensors');
    writeFileSync(path, serialize(dict()));
    const buf = readFileSync(path);
    check(deserialize(buf));
    check(deserialize(buf.subarray(0))); // a Buffer from subarray is a Buffer too
  });

  it('reads a Buffer that is a view at an offset into a pool, as Buffer.from makes', () => {
    const bytes = serialize(dict());
    const buf = Buffer.from(bytes); // small: allocated from the pool
    check(deserialize(buf));
    expect(buf.byteOffset !== 0 || buf.buffer.byteLength !== buf.byteLength).toBe(true);
  });

  for (const offset of [1, 3, 5]) {
    it(`reads a Uint8Array view at odd offset ${offset} (a Float32Array cannot view it, so the data is copied)`, () => {
      const bytes = serialize(dict());
      const big = new Uint8Array(bytes.length + offset + 7).fill(0xee);
      big.set(bytes, offset);
      const view = big.subarray(offset, offset + bytes.length);
      const got = deserialize(view);
      check(got);
      // the tensors own their data: the caller may reuse its buffer
      big.fill(0);
      check(got);
    });
  }

  it('reads a DataView, an ArrayBuffer and another typed array over the same bytes', () => {
    const bytes = serialize(dict());
    const big = new Uint8Array(bytes.length + 16);
    big.set(bytes, 8);
    check(deserialize(new DataView(big.buffer, 8, bytes.length)));
    check(deserialize(big.buffer.slice(8, 8 + bytes.length)));
    // a Float64Array over bytes whose length is a multiple of 8 (header padded to 8, 8 bytes of data)
    const even = serialize({ a: tensor([1.5, -2]) });
    const wide = new Uint8Array(even.length + 16);
    wide.set(even, 8);
    expect(deserialize(new Float64Array(wide.buffer, 8, even.length / 8)).a!.tolist()).toEqual([1.5, -2]);
  });

  it('reads a file PyTorch wrote from a view at an offset', () => {
    const bytes = fixture('converted.safetensors');
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expectValues(deserialize(big.subarray(3)), expected['converted.safetensors']!);
  });
});

describe('names that are Object.prototype keys', () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

  it('round-trips tensors named __proto__, constructor, toString and the like', () => {
    const dict: Record<string, Tensor> = {};
    names.forEach((n, i) => Object.defineProperty(dict, n, { value: tensor([i, i + 0.5]), enumerable: true }));
    expect(Object.keys(dict)).toEqual(names);
    const bytes = serialize(dict);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('"__proto__":{"dtype":"F32","shape":[2]');
    const got = deserialize(bytes);
    expect(Object.keys(got).sort()).toEqual(names.slice().sort());
    names.forEach((n, i) => {
      expect(Object.prototype.hasOwnProperty.call(got, n), n).toBe(true);
      expect(got[n], n).toBeInstanceOf(Object.getPrototypeOf(tensor([0])).constructor);
      expect(Array.from(got[n]!.dataSync()), n).toEqual([i, i + 0.5]);
    });
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype); // not replaced by a tensor named __proto__
    // and again: what was read serializes to the same bytes
    expect(serialize(got)).toEqual(bytes);
  });

  it('reads a __proto__ tensor from a header written by hand', () => {
    const header = '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    const got = deserialize(bytesOf(header, new Uint8Array(new Float32Array([3, 4]).buffer)));
    expect(Object.keys(got)).toEqual(['__proto__', 'constructor']);
    expect(got['__proto__']!.tolist()).toEqual([3]);
    expect(got['constructor']!.tolist()).toEqual([4]);
  });

  it('round-trips metadata keys named __proto__ and constructor', () => {
    const metadata = JSON.parse('{"__proto__":"p","constructor":"c","format":"pt"}') as Record<string, string>;
    const text = new TextDecoder().decode(serialize({ w: tensor([1]) }, { metadata }));
    expect(text).toContain('{"__metadata__":{"__proto__":"p","constructor":"c","format":"pt"},"w":');
    expect(Object.keys(deserialize(serialize({ w: tensor([1]) }, { metadata })))).toEqual(['w']);
  });
});
