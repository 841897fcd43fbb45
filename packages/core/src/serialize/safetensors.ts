/**
 * The safetensors format, as Hugging Face's `safetensors` library writes it: an 8-byte
 * little-endian header length N, N bytes of JSON header (space-padded to a multiple of 8),
 * then the tensors' raw little-endian bytes back to back. Pure bytes in and out: no Node APIs.
 * A file is untrusted input, so the whole header is checked before anything large is allocated.
 */
import { CHECKPOINT_KEY, type Checkpoint, flattenCheckpoint, rebuildCheckpoint } from './checkpoint';
import type { DType, TypedArray } from '../backend';
import { tensor } from '../creation';
import { fmt } from '../shape';
import { checkOptions, describe, isOptions } from '../validate';
import { Tensor } from '../tensor';

/** The largest header accepted, as the safetensors library's limit (100 MB). */
export const MAX_HEADER_SIZE = 100_000_000;

/** The largest rank accepted, as PyTorch's limit on a tensor's dimensions. */
export const MAX_RANK = 64;

/** Options of {@link serialize} and `save`. */
export interface SerializeOptions {
  /** Free-form string pairs stored under the header's `__metadata__` key (e.g. `{ format: 'pt' }`). */
  metadata?: Record<string, string>;
}

interface DTypeInfo {
  readonly size: number;
  /** The tensorgrad dtype it is read as. */
  readonly as: DType;
  /** Rank in safetensors' `Dtype` enum order: files list tensors by descending rank, then by name. */
  readonly rank: number;
}

// safetensors' Dtype enum in declaration order (its derived Ord), with the ones tensorgrad reads;
// null-prototype, so that a dtype such as "toString" or "__proto__" is not found on Object.prototype
const DTYPES: Record<string, DTypeInfo> = {
  __proto__: null,
  BOOL: { size: 1, as: 'bool', rank: 0 },
  U8: { size: 1, as: 'int32', rank: 1 },
  I8: { size: 1, as: 'int32', rank: 2 },
  I16: { size: 2, as: 'int32', rank: 5 },
  U16: { size: 2, as: 'int32', rank: 6 },
  F16: { size: 2, as: 'float32', rank: 7 },
  BF16: { size: 2, as: 'float32', rank: 8 },
  I32: { size: 4, as: 'int32', rank: 9 },
  U32: { size: 4, as: 'int32', rank: 10 },
  F32: { size: 4, as: 'float32', rank: 11 },
  F64: { size: 8, as: 'float32', rank: 12 },
  I64: { size: 8, as: 'int32', rank: 13 },
  U64: { size: 8, as: 'int32', rank: 14 },
} as unknown as Record<string, DTypeInfo>;

/** An own-property write that works for every name, `__proto__` included. */
function put(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const WRITE_DTYPE: Record<DType, string> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Byte-wise comparison of the UTF-8 encodings, as Rust orders `String`s. */
function compareUtf8(a: string, b: string): number {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return ea.length - eb.length;
}

/** The bytes of a host array, little-endian. */
function littleEndianBytes(values: TypedArray): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN || values.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const size = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k]!;
  return out;
}

/**
 * A state dict as safetensors bytes, laid out as PyTorch's `safetensors.torch.save_file` lays it
 * out (tensors ordered by dtype, then name; header padded with spaces to 8 bytes), so that
 * `safetensors.torch.load_file` reads it. Tensors are read synchronously.
 *
 * @example
 * ```ts
 * const bytes = serialize(model.stateDict());
 * const again = deserialize(bytes);
 * ```
 */
export function serialize(stateDict: Record<string, Tensor> | Checkpoint, options: SerializeOptions = {}): Uint8Array {
  return serializeAs('serialize', stateDict, options);
}

/** @internal {@link serialize} with errors named after `op` (`save` calls it). */
export function serializeAs(op: string, checkpoint: Record<string, Tensor> | Checkpoint, options: SerializeOptions = {}): Uint8Array {
  if (checkpoint === null || typeof checkpoint !== 'object' || checkpoint instanceof Tensor || Array.isArray(checkpoint)) {
    throw new Error(`${op}: expected an object of name → Tensor, e.g. model.stateDict(), or a checkpoint object of them, got ${describe(checkpoint)}`);
  }
  checkOptions(op, options, ['metadata']);
  if (options?.metadata !== undefined && !isOptions(options.metadata)) {
    throw new Error(`${op}: metadata must be an object of string → string, got ${describe(options.metadata)}`);
  }
  options = options ?? {};
  const { tensors: stateDict, tree } = flattenCheckpoint(op, checkpoint);
  if (tree !== null) {
    if (options.metadata && Object.prototype.hasOwnProperty.call(options.metadata, CHECKPOINT_KEY)) {
      throw new Error(`${op}: metadata key '${CHECKPOINT_KEY}' is reserved for the checkpoint's structure`);
    }
    options = { metadata: { ...options.metadata, [CHECKPOINT_KEY]: tree } };
  }
  const entries = Object.entries(stateDict).map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new Error(`serialize: '${name}' is not a Tensor`);
    if (name === '__metadata__') throw new Error("serialize: '__metadata__' is reserved by the safetensors format; pass it as options.metadata");
    return { name, t, dtype: WRITE_DTYPE[t.dtype] };
  });
  entries.sort((a, b) => DTYPES[b.dtype]!.rank - DTYPES[a.dtype]!.rank || compareUtf8(a.name, b.name));
  // null-prototype objects written with defineProperty: a tensor or metadata key named `__proto__`
  // becomes an own key (JSON.stringify writes it), not the object's prototype
  const header: Record<string, unknown> = Object.create(null);
  if (options.metadata) {
    const meta: Record<string, string> = Object.create(null);
    for (const k of Object.keys(options.metadata).sort(compareUtf8)) {
      const v = options.metadata[k];
      if (typeof v !== 'string') throw new Error(`serialize: metadata value of '${k}' must be a string, got ${typeof v}`);
      put(meta, k, v);
    }
    put(header, '__metadata__', meta);
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t, dtype } of entries) {
    const bytes = littleEndianBytes(t.dataSync());
    put(header, name, { dtype, shape: t.shape.slice(), data_offsets: [offset, offset + bytes.length] });
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20); // spaces, as safetensors pads
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Parse and check the header of `bytes`: every problem is thrown before any tensor is allocated. */
function readHeader(bytes: Uint8Array): { entries: Entry[]; dataStart: number; metadata: Record<string, string> | null } {
  if (bytes.length < 8) throw new Error(`deserialize: file too small: ${bytes.length} bytes, but a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n < 2) throw new Error(`deserialize: header length ${n} is too small for a JSON object; the file is not safetensors or is corrupt`);
  if (n > MAX_HEADER_SIZE) throw new Error(`deserialize: header length ${n} is over the ${MAX_HEADER_SIZE}-byte limit; the file is not safetensors or is corrupt`);
  if (8 + n > bytes.length) {
    throw new Error(`deserialize: header length ${n} runs past the end of the file (${bytes.length} bytes); the file is truncated or not safetensors`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new Error('deserialize: header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new Error("deserialize: header is not a JSON object (it must start with '{')");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`deserialize: header is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(header)) throw new Error('deserialize: header is not a JSON object');
  // JSON.parse makes every key, `__proto__` included, an own property; read only own properties
  const own = (o: Record<string, unknown>, key: string): unknown => (Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined);
  const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const short = (v: unknown): string => {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  };
  const entries: Entry[] = [];
  let metadata: Record<string, string> | null = null;
  for (const name of Object.keys(header)) {
    const info = header[name];
    if (name === '__metadata__') {
      if (!isPlainObject(info) || Object.values(info).some((v) => typeof v !== 'string')) {
        throw new Error('deserialize: __metadata__ must be an object of string values');
      }
      metadata = info as Record<string, string>;
      continue;
    }
    if (!isPlainObject(info)) throw new Error(`deserialize: tensor '${name}': entry is not an object with dtype, shape and data_offsets`);
    const dtype = own(info, 'dtype');
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(DTYPES, dtype)) {
      throw new Error(`deserialize: tensor '${name}': unknown dtype ${short(dtype)}; tensorgrad reads ${Object.keys(DTYPES).join(', ')}`);
    }
    const shape = own(info, 'shape');
    if (!Array.isArray(shape)) throw new Error(`deserialize: tensor '${name}': shape must be an array of non-negative integers, got ${short(shape)}`);
    if (shape.length > MAX_RANK) {
      throw new Error(`deserialize: tensor '${name}': shape has rank ${shape.length}, over the limit of ${MAX_RANK} dimensions`);
    }
    const bad = shape.findIndex((d) => !isIndex(d));
    if (bad >= 0) {
      throw new Error(
        `deserialize: tensor '${name}': shape must be an array of non-negative integers, but dimension ${bad} is ${short(shape[bad])} (in ${short(shape)})`,
      );
    }
    const offsets = own(info, 'data_offsets');
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
      throw new Error(`deserialize: tensor '${name}': data_offsets must be [begin, end] non-negative integer byte offsets, got ${short(offsets)}`);
    }
    entries.push({ name, dtype, shape: shape as number[], begin: offsets[0], end: offsets[1] });
  }
  // the tensors must tile the data region exactly: in offset order, each begins where the last ended
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.end > dataLength) {
      throw new Error(`deserialize: tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] are out of range: the data region has ${dataLength} bytes (the file is truncated?)`);
    }
    if (e.end < e.begin) throw new Error(`deserialize: tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] end before they begin`);
    if (e.begin < at) throw new Error(`deserialize: tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap the previous tensor, which ends at ${at}`);
    if (e.begin > at) throw new Error(`deserialize: tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] leave a gap after byte ${at}; tensors must cover the data region contiguously`);
    let count = 1;
    for (const d of e.shape) count *= d;
    const expected = count * DTYPES[e.dtype]!.size;
    if (expected !== e.end - e.begin) {
      throw new Error(
        `deserialize: tensor '${e.name}': shape ${fmt(e.shape)} of ${e.dtype} needs ${expected} bytes but data_offsets [${e.begin}, ${e.end}] hold ${e.end - e.begin}`,
      );
    }
    at = e.end;
  }
  if (at !== dataLength) {
    throw new Error(`deserialize: the tensors cover ${at} bytes of data but the data region has ${dataLength}; the file has trailing bytes or is corrupt`);
  }
  return { entries, dataStart, metadata };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decode one tensor's bytes (already checked to fit) into a host array of its tensorgrad dtype. */
function decode(e: Entry, raw: Uint8Array): TypedArray {
  const info = DTYPES[e.dtype]!;
  const count = raw.length / info.size;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const ints = (read: (i: number) => number | bigint): Int32Array => {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const v = read(i);
      const num = typeof v === 'bigint' ? Number(v) : v;
      if (num < -2147483648 || num > 2147483647) {
        throw new Error(`deserialize: tensor '${e.name}' (${e.dtype}) holds ${v} at index ${i}, which does not fit in int32 (tensorgrad's integer type)`);
      }
      out[i] = num;
    }
    return out;
  };
  switch (e.dtype) {
    // copied byte-wise into a fresh array: `raw` may start at any offset (a Float32Array cannot
    // view an unaligned one) and the tensor must not alias the caller's buffer
    case 'F32': {
      if (!LITTLE_ENDIAN) return Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
      const out = new Float32Array(count);
      new Uint8Array(out.buffer).set(raw);
      return out;
    }
    case 'I32': {
      if (!LITTLE_ENDIAN) return Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
      const out = new Int32Array(count);
      new Uint8Array(out.buffer).set(raw);
      return out;
    }
    case 'BOOL':
      return Uint8Array.from(raw, (v) => (v ? 1 : 0));
    case 'F64':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
    case 'F16':
      return Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(i * 2, true)));
    case 'BF16': {
      const out = new Float32Array(count);
      const bits = new DataView(out.buffer);
      for (let i = 0; i < count; i++) bits.setUint32(i * 4, view.getUint16(i * 2, true) << 16, LITTLE_ENDIAN);
      return out;
    }
    case 'I64':
      return ints((i) => view.getBigInt64(i * 8, true));
    case 'U64':
      return ints((i) => view.getBigUint64(i * 8, true));
    case 'U32':
      return ints((i) => view.getUint32(i * 4, true));
    case 'I16':
      return ints((i) => view.getInt16(i * 2, true));
    case 'U16':
      return ints((i) => view.getUint16(i * 2, true));
    case 'I8':
      return ints((i) => view.getInt8(i));
    default: // U8
      return ints((i) => view.getUint8(i));
  }
}

/**
 * Tensors from safetensors bytes (as written by {@link serialize} or PyTorch's
 * `safetensors.torch.save_file`), on the current backend. F32, I32 and BOOL load as they are;
 * F64, F16 and BF16 become float32, and I64 and the smaller integer types int32 (a value
 * that does not fit throws). A malformed file throws a message naming the problem.
 *
 * @example
 * ```ts
 * model.loadStateDict(deserialize(bytes));
 * ```
 */
export function deserialize(bytes: ArrayBufferView | ArrayBufferLike): Record<string, Tensor> {
  return read(bytes).tensors;
}

/**
 * A checkpoint back from safetensors bytes written by {@link serialize}: the same nesting of
 * objects, arrays, numbers, strings and tensors (on the current backend). Bytes of a plain
 * state dict (PyTorch's, say) give its name → Tensor object.
 *
 * @example
 * ```ts
 * const ck = deserializeCheckpoint(serialize({ model: model.stateDict(), optimizer: opt.stateDict(), iter: 3 }));
 * ck.iter; // 3
 * ```
 */
export function deserializeCheckpoint(bytes: ArrayBufferView | ArrayBufferLike): Checkpoint {
  const { tensors, metadata } = read(bytes);
  const tree = metadata?.[CHECKPOINT_KEY];
  return tree === undefined ? tensors : rebuildCheckpoint('deserializeCheckpoint', tree, tensors);
}

function read(bytes: ArrayBufferView | ArrayBufferLike): { tensors: Record<string, Tensor>; metadata: Record<string, string> | null } {
  const data = asBytes(bytes);
  if (!data) throw new Error('deserialize: expected a Uint8Array (e.g. a Node Buffer), another ArrayBufferView or an ArrayBuffer of safetensors bytes');
  const { entries, dataStart, metadata } = readHeader(data);
  const arrays = entries.map((e) => decode(e, data.subarray(dataStart + e.begin, dataStart + e.end)));
  const out: Record<string, Tensor> = {};
  entries.forEach((e, i) => put(out, e.name, tensor(arrays[i]!, { shape: e.shape, dtype: DTYPES[e.dtype]!.as })));
  return { tensors: out, metadata };
}

/**
 * A plain `Uint8Array` over exactly the bytes of `bytes`: a view (a Node `Buffer` is a view into a
 * larger shared pool, at some byteOffset) keeps its byteOffset and byteLength, and a plain
 * Uint8Array's methods are used from then on (a Buffer's `slice` does not copy).
 */
function asBytes(bytes: unknown): Uint8Array | null {
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = Object.prototype.toString.call(bytes);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(bytes as ArrayBufferLike);
  return null;
}
