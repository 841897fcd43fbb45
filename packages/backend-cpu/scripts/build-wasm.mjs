// Compiles src/wasm/*.wat (WebAssembly text, SIMD) to binary with wabt's wat2wasm and writes each
// as src/wasm/<name>.generated.ts exporting the bytes as a string literal, one character per byte,
// each byte shifted up by BYTE_SHIFT (mod 256) so that the most frequent ones (local.get, the SIMD
// prefix 0xFD) land on printable ASCII, written as itself; the rest are \xNN escapes. Gzipped, that
// is about 25% smaller than base64 (gzip sees the module's own byte patterns), and the shift of 47
// saves another 6% over none (measured over all 256). The package's `build` runs this
// before tsup, and the tests' global setup runs it too, so a clean clone never misses it.
// A module whose memory line is `(memory (export "memory") N N) ;; @shared-variant ...` is also
// compiled a second time with that memory imported as a shared one (`env.memory`, at least N
// pages, at most SHARED_MAX_PAGES), exported as WASM_SHARED_BYTES: threads that instantiate it on
// the same WebAssembly.Memory see each other's writes (the worker backend's shared packed operand).
// A module with a region between `;; @relaxed-madd begin` and `;; @relaxed-madd end` lines is also
// compiled with relaxed SIMD: inside that region every `(f32x4.add ACC (f32x4.mul X Y))`, each
// operand a `(local.get $name)`, becomes `(f32x4.relaxed_madd X Y ACC)` (a fused multiply-add where
// the hardware has one), padded with three nops to the mul and add's length, so that the relaxed
// module is the plain one with those 12-byte runs rewritten: gemm.ts derives it at run time
// (relaxedBuild), and the tests check that against this compile (compileModule). The build fails
// when the region is unbalanced, rewrites nothing, or keeps an f32x4.mul it could not fuse, so the
// two paths come from one source and cannot drift apart.
// A module with a `;; @constants-at ADDRESS` line gets every `(f32x4.splat (f32.const X))` and
// `(i32x4.splat (i32.const X))` replaced by `(v128.load32_splat offset=A (i32.const 0))` from a
// table of the distinct constants written as a data segment at ADDRESS: V8 builds a splat of a
// constant with three instructions (immediate to a general register, to a vector one, broadcast)
// each time it is used, and a broadcast load is one or two. The kernels' approximations went 20–30%
// faster (GELU, its gradient, tanh, sigmoid). The build fails when the table would not fit the
// module's memory; the JavaScript side must leave that region alone.
// Rewrites a generated file only when its contents change (keeps watchers and caches quiet).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'wasm');
/** The most pages (64 KiB) a shared variant's imported memory may have: 1 GiB. */
const SHARED_MAX_PAGES = 16384;
const OWN_MEMORY = /\(memory \(export "memory"\) (\d+) \1\)(?= *;; @shared-variant)/;
const RELAXED_BEGIN = ';; @relaxed-madd begin';
const RELAXED_END = ';; @relaxed-madd end';
const LOCAL = String.raw`\(local\.get \$[\w.]+\)`;
const MUL_ADD = new RegExp(String.raw`\(f32x4\.add (${LOCAL}) \(f32x4\.mul (${LOCAL}) (${LOCAL})\)\)`, 'g');

/**
 * `source` with every multiply-add inside its @relaxed-madd regions fused into f32x4.relaxed_madd
 * (see the header), or null when it has no such region; throws on a region it cannot rewrite whole.
 */
export function relaxedSource(file, source) {
  const lines = source.split('\n');
  let inside = false;
  let regions = 0;
  let fused = 0;
  const out = lines.map((line, i) => {
    const where = `${file}:${i + 1}`;
    if (line.includes(RELAXED_BEGIN)) {
      if (inside) throw new Error(`build-wasm: ${where}: ${RELAXED_BEGIN} inside another region`);
      inside = true;
      regions++;
      return line;
    }
    if (line.includes(RELAXED_END)) {
      if (!inside) throw new Error(`build-wasm: ${where}: ${RELAXED_END} without a begin`);
      inside = false;
      return line;
    }
    if (!inside) return line;
    const rewritten = line.replace(MUL_ADD, (_, acc, x, y) => {
      fused++;
      return `(f32x4.relaxed_madd ${x} ${y} ${acc}) (nop) (nop) (nop)`; // as long as the mul and add: see relaxedBuild in src/wasm/gemm.ts
    });
    if (rewritten.includes('f32x4.mul')) throw new Error(`build-wasm: ${where}: an f32x4.mul inside a @relaxed-madd region is not of the form (f32x4.add (local.get $acc) (f32x4.mul (local.get $x) (local.get $y))): ${line.trim()}`);
    return rewritten;
  });
  if (inside) throw new Error(`build-wasm: ${file}: ${RELAXED_BEGIN} without an end`);
  if (regions === 0) return null;
  if (fused === 0) throw new Error(`build-wasm: ${file}: its @relaxed-madd regions hold no multiply-add to fuse`);
  return out.join('\n');
}

const CONSTANTS_AT = /^\s*;; @constants-at (\d+)\b/m;
const SPLAT = /\((f32|i32)x4\.splat \(\1\.const ([^()\s]+)\)\)/g;

/** A WebAssembly text number (decimal or hex integer, decimal float, inf, nan, `_` separators) as a number; null for other forms. */
function watNumber(literal) {
  const m = /^([+-]?)(.*)$/.exec(literal.replaceAll('_', ''));
  const sign = m[1] === '-' ? -1 : 1;
  if (m[2] === 'inf') return sign * Infinity;
  if (m[2] === 'nan') return NaN;
  const value = /^(0x[0-9a-f]+|\d+(\.\d*)?(e[+-]?\d+)?)$/i.test(m[2]) ? Number(m[2]) : NaN;
  return Number.isNaN(value) ? null : sign * value;
}

/**
 * `source` with its constant splats loaded from a table (see the header), or `source` itself when
 * it has no @constants-at line; throws when the table does not fit the module's fixed memory.
 */
export function constantTable(file, source) {
  const at = CONSTANTS_AT.exec(source);
  if (at === null) return source;
  const base = Number(at[1]);
  const slots = new Map(); // the constant's four bytes, as hex escapes -> its index
  const rewritten = source.replace(SPLAT, (_, type, literal) => {
    const value = watNumber(literal);
    if (value === null) throw new Error(`build-wasm: ${file}: cannot read the constant ${type}.const ${literal}`);
    const bytes = new Uint8Array((type === 'f32' ? new Float32Array([value]) : new Int32Array([value])).buffer);
    const key = [...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
    if (!slots.has(key)) slots.set(key, slots.size);
    return `(v128.load32_splat offset=${base + 4 * slots.get(key)} (i32.const 0))`;
  });
  const pages = /\(memory \(export "memory"\) (\d+) \1\)/.exec(source);
  if (pages === null) throw new Error(`build-wasm: ${file}: @constants-at needs a memory of fixed size, (memory (export "memory") N N)`);
  const end = base + 4 * slots.size;
  if (base % 4 !== 0 || end > Number(pages[1]) * 65536) throw new Error(`build-wasm: ${file}: ${slots.size} constants at ${base} end at ${end}, past the memory's ${Number(pages[1]) * 65536} bytes (or the address is not a multiple of 4)`);
  const close = rewritten.lastIndexOf(')');
  return `${rewritten.slice(0, close)}\n  (data (i32.const ${base}) "${[...slots.keys()].join('')}"))\n`;
}

/** How far each byte is shifted in the generated literal (src/wasm/instantiate.ts's `decodeBytes` shifts it back). */
const BYTE_SHIFT = 47;

/** `bytes`, each shifted by BYTE_SHIFT, as a single-quoted JavaScript string literal of one character per byte. */
function byteLiteral(bytes) {
  let text = "'";
  for (const byte of bytes) {
    const b = (byte + BYTE_SHIFT) & 255;
    if (b === 0x5c || b === 0x27) text += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) text += String.fromCharCode(b);
    else text += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${text}'`;
}

/** The module in `source` as wasm bytes, with `features` (wabt's names) on top of SIMD. */
function compile(wabt, file, source, features = {}) {
  const all = { simd: true, ...features };
  const module = wabt.parseWat(file, source, all);
  try {
    module.resolveNames();
    module.validate(all);
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}

/**
 * The builds of `file` (a .wat in src/wasm, after its constant table): the plain module, its
 * shared-memory variant (null without a @shared-variant memory), and with a @relaxed-madd region the
 * relaxed-SIMD builds of both (else null). Only the first two are written out; src/wasm/gemm.ts
 * derives the relaxed ones from them at run time (relaxedBuild), and the tests compare that with these.
 */
function compileAll(wabt, file) {
  const source = constantTable(file, readFileSync(join(dir, file), 'utf8'));
  const own = OWN_MEMORY.exec(source);
  const shared = (src, features) => (own === null ? null : compile(wabt, file, src.replace(OWN_MEMORY, `(import "env" "memory" (memory ${own[1]} ${SHARED_MAX_PAGES} shared))`), { threads: true, ...features }));
  const relaxed = relaxedSource(file, source);
  return {
    pages: own === null ? null : Number(own[1]),
    plain: compile(wabt, file, source),
    shared: shared(source, {}),
    relaxed: relaxed === null ? null : compile(wabt, file, relaxed, { relaxed_simd: true }),
    sharedRelaxed: relaxed === null ? null : shared(relaxed, { relaxed_simd: true }),
  };
}

/** {@link compileAll} of `file` (`'gemm.wat'`), for the tests. */
export async function compileModule(file) {
  return compileAll(await wabtInit(), file);
}

export async function buildWasm() {
  const wabt = await wabtInit();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.wat'))) {
    const name = file.slice(0, -'.wat'.length);
    const { pages, plain, shared, relaxed } = compileAll(wabt, file);
    let text = `// Generated by scripts/build-wasm.mjs from ${file} (wabt ${wabtVersion()}): do not edit, do not commit.\n`;
    text +=
      `/** The compiled module, ${plain.length} bytes, one character each${relaxed !== null ? ' (its relaxed-SIMD build: relaxedBuild in gemm.ts)' : ''}. */\n` +
      `export const WASM_BYTES = ${byteLiteral(plain)};\n`;
    if (shared !== null)
      text +=
        `/** The same module importing its memory as a shared one (\`env.memory\`, ${pages} to ${SHARED_MAX_PAGES} pages), ${shared.length} bytes, one character each. */\n` +
        `export const WASM_SHARED_BYTES = ${byteLiteral(shared)};\n`;
    const out = join(dir, `${name}.generated.ts`);
    if (!existsSync(out) || readFileSync(out, 'utf8') !== text) writeFileSync(out, text);
    console.log(`build-wasm: ${file} -> ${name}.generated.ts (${plain.length} bytes${shared !== null ? ', and a shared-memory variant' : ''}${relaxed !== null ? '; its relaxed-SIMD source compiles' : ''})`);
  }
}

function wabtVersion() {
  return createRequire(import.meta.url)('wabt/package.json').version;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildWasm();
