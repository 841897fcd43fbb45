import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../backend';
import { bundleForNode } from './bundle-for-node';
import { checkGemmVariants, type GemmVariantsReport } from './gemm-variants.check';
import { WASM_BYTES, WASM_SHARED_BYTES } from './gemm.generated';
import { gemmVariant, relaxedBuild } from './gemm';
import { decodeBytes } from './instantiate';

const FLAG = '--experimental-wasm-relaxed-simd';
const here = fileURLToPath(new URL('.', import.meta.url));

/** The one WebAssembly call used here (the repo's TypeScript libs do not declare WebAssembly). */
const validate = (binary: string): boolean => (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly.validate(decodeBytes(binary));
/** Whether this engine validates the relaxed-SIMD build (Node 20: only with the flag). */
const relaxedHere = validate(relaxedBuild(WASM_BYTES));

/** What every report must show, whichever build ran: all paths within float32 rounding of the reference. */
function expectAccurate(r: GemmVariantsReport): void {
  expect(r.products).toBeGreaterThan(50);
  expect(r.vsTypeScript).toBeLessThan(2e-5);
  expect(r.vsFloat64).toBeLessThan(2e-5);
  expect(r.plainVsTypeScript).toBeLessThan(2e-5);
  expect(r.plainVsFloat64).toBeLessThan(2e-5);
  expect(r.shared).toBeLessThan(2e-5);
  expect(r.sharedPlain).toBeLessThan(2e-5);
  expect(r.backend).toBeLessThan(2e-5);
  expect(r.backendPlain).toBeLessThan(2e-5);
  expect(r.conv).toBeLessThan(2e-5);
}

/**
 * checkGemmVariants() in a child Node started with `flags`, after `prelude` (code run first):
 * gemm-variants.check.ts and the sources it imports (core's too) bundled by bundleForNode.
 */
async function checkInChild(flags: readonly string[], prelude = ''): Promise<GemmVariantsReport> {
  // the prelude runs before the check's modules load (a dynamic import)
  const bundle = await bundleForNode(`${prelude}\nconst { checkGemmVariants } = await import('./gemm-variants.check.ts');\nconsole.log(JSON.stringify(checkGemmVariants()));\n`, 'gemm-variants');
  try {
    const r = spawnSync(process.execPath, [...flags, bundle.file], { encoding: 'utf8', timeout: 120_000 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) throw new Error(`the child node ${flags.join(' ')} failed (exit ${String(r.status)}${r.signal ? `, ${r.signal}` : ''}):\n${r.stderr}\n${r.stdout}`);
    return JSON.parse(line) as GemmVariantsReport;
  } finally {
    bundle.remove();
  }
}

describe('the gemm builds: relaxed SIMD where the engine has it or V8 has it behind its flag, plain SIMD else', () => {
  it('the relaxed builds (own and shared memory) validate exactly where relaxed SIMD is on', () => {
    expect(validate(relaxedBuild(WASM_SHARED_BYTES))).toBe(relaxedHere);
    if (Number(process.versions.node.split('.')[0]) < 22 && !process.execArgv.includes(FLAG)) expect(relaxedHere).toBe(false); // Node 20 as shipped
  });

  it('in Node, Node 20 included, picks relaxed SIMD (turning V8\'s flag on for its compile), and gives float32-accurate products on every path', () => {
    const r = checkGemmVariants();
    // Node 20 (V8 11.3) has relaxed SIMD behind --experimental-wasm-relaxed-simd: backend-cpu compiles its build with the flag on
    expect(r.variant).toBe(relaxedHere || typeof process.getBuiltinModule === 'function' ? 'relaxed-simd' : 'simd');
    expect(r.forcedPlain).toBe('simd');
    expect(r.scopedPlain).toBe('simd');
    expectAccurate(r);
    // and the flag stays on (V8's flags are per process: a thread turning it off could fail another's compile; see relaxed-threads.test.ts)
    expect(validate(relaxedBuild(WASM_BYTES))).toBe(r.variant === 'relaxed-simd');
    expect(validate(relaxedBuild(WASM_SHARED_BYTES))).toBe(r.variant === 'relaxed-simd');
  });

  it.skipIf(relaxedHere)('in an engine without relaxed SIMD (Node 20 without process.getBuiltinModule, as a page in a browser without it), picks plain SIMD, one build behind both paths', async () => {
    const r = await checkInChild([], "Object.defineProperty(process, 'getBuiltinModule', { value: undefined });");
    expect(r.variant).toBe('simd');
    expect(r.forcedPlain).toBe('simd');
    expect(r.scopedPlain).toBe('simd');
    expect(r.bitsDiffer).toBe(0);
    expectAccurate(r);
  }, 120_000);

  it(`with ${FLAG}, picks relaxed SIMD (cpuBackend({ relaxedSimd: false }) still plain), within float32 rounding of the TypeScript gemm`, async () => {
    const r = await checkInChild(relaxedHere ? [] : [FLAG]);
    expect(r.variant).toBe('relaxed-simd');
    expect(r.forcedPlain).toBe('simd');
    expect(r.scopedPlain).toBe('simd');
    expectAccurate(r);
    console.log(`relaxed SIMD: ${r.products} products, worst error ${r.vsFloat64.toExponential(2)} vs float64 (plain SIMD ${r.plainVsFloat64.toExponential(2)}); ${r.bitsDiffer} of ${r.elements} elements differ from plain SIMD in some bit`);
  }, 120_000);

  it('reports the kernel per option, and refuses a wasm or relaxedSimd that is not a boolean, naming it', () => {
    expect(gemmVariant({ wasm: false })).toBe('typescript');
    expect(gemmVariant({ wasm: false, relaxedSimd: true })).toBe('typescript');
    expect(gemmVariant({ relaxedSimd: false })).toBe('simd');
    expect(() => cpuBackend({ relaxedSimd: 'no' as unknown as boolean })).toThrow('cpuBackend: relaxedSimd must be true or false, got "no"');
    expect(() => cpuBackend({ relaxedSimd: 0 as unknown as boolean })).toThrow('cpuBackend: relaxedSimd must be true or false, got 0');
    expect(() => gemmVariant({ wasm: false, relaxedSimd: 'on' as unknown as boolean })).toThrow('gemmVariant: relaxedSimd must be true or false, got "on"');
    expect(() => gemmVariant({ wasm: 'yes' as unknown as boolean })).toThrow('gemmVariant: wasm must be true or false, got "yes"');
    expect(() => cpuBackend({ wasm: 'no' as unknown as boolean })).toThrow('cpuBackend: wasm must be true or false, got "no"');
    expect(gemmVariant({ relaxedSimd: null as unknown as boolean })).toBe(gemmVariant()); // null counts as left out
  });
});

describe('scripts/build-wasm.mjs: the relaxed build comes from the same source', () => {
  type Rewrite = (file: string, source: string) => string | null;
  const load = async (): Promise<Rewrite> => ((await import('../../scripts/build-wasm.mjs' as string)) as { relaxedSource: Rewrite }).relaxedSource;

  it("fuses exactly the micro-kernel's eight multiply-adds of gemm.wat, nothing else", async () => {
    const relaxedSource = await load();
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(join(here, 'gemm.wat'), 'utf8');
    const relaxed = relaxedSource('gemm.wat', source)!;
    expect(relaxed.match(/\(f32x4\.relaxed_madd /g)).toHaveLength(8);
    expect(relaxed).toContain('(f32x4.relaxed_madd (local.get $x) (local.get $y1) (local.get $c31)) (nop) (nop) (nop)');
    // undoing the rewrite gives the source back: nothing outside the region changed
    const undone = relaxed.replace(/\(f32x4\.relaxed_madd (\(local\.get \$\w+\)) (\(local\.get \$\w+\)) (\(local\.get \$\w+\))\) \(nop\) \(nop\) \(nop\)/g, '(f32x4.add $3 (f32x4.mul $1 $2))');
    expect(undone).toBe(source);
    expect(relaxedSource('elementwise.wat', readFileSync(join(here, 'elementwise.wat'), 'utf8'))).toBeNull();
  });

  it("derives the relaxed builds at run time, byte for byte what wabt compiles from the @relaxed-madd rewrite", async () => {
    type Builds = { plain: Uint8Array; shared: Uint8Array | null; relaxed: Uint8Array | null; sharedRelaxed: Uint8Array | null };
    const { compileModule } = (await import('../../scripts/build-wasm.mjs' as string)) as { compileModule(file: string): Promise<Builds> };
    const builds = await compileModule('gemm.wat');
    expect(decodeBytes(WASM_BYTES)).toEqual(new Uint8Array(builds.plain)); // the generated literal is current
    expect(decodeBytes(WASM_SHARED_BYTES)).toEqual(new Uint8Array(builds.shared!));
    for (const [plain, want] of [[WASM_BYTES, builds.relaxed!], [WASM_SHARED_BYTES, builds.sharedRelaxed!]] as const) {
      const relaxed = relaxedBuild(plain);
      expect(decodeBytes(relaxed)).toEqual(new Uint8Array(want));
      expect(relaxed.split(',\xb41000')).toHaveLength(9); // eight f32x4.relaxed_madd, each then three nops
    }
  });

  it('fails the build on a region it cannot rewrite whole, naming the line', async () => {
    const relaxedSource = await load();
    const begin = ';; @relaxed-madd begin';
    const end = ';; @relaxed-madd end';
    expect(() => relaxedSource('x.wat', `${begin}\n(local.set $c (f32x4.add (f32x4.mul (local.get $x) (local.get $y)) (local.get $c)))\n${end}`)).toThrow('build-wasm: x.wat:2: an f32x4.mul inside a @relaxed-madd region is not of the form');
    expect(() => relaxedSource('x.wat', `${begin}\n(nop)\n`)).toThrow(`build-wasm: x.wat: ${begin} without an end`);
    expect(() => relaxedSource('x.wat', `(nop)\n${end}`)).toThrow(`build-wasm: x.wat:2: ${end} without a begin`);
    expect(() => relaxedSource('x.wat', `${begin}\n(nop)\n${end}`)).toThrow('build-wasm: x.wat: its @relaxed-madd regions hold no multiply-add to fuse');
  });
});

describe('scripts/build-wasm.mjs: constant splats loaded from a table', () => {
  type Rewrite = (file: string, source: string) => string;
  const load = async (): Promise<Rewrite> => ((await import('../../scripts/build-wasm.mjs' as string)) as { constantTable: Rewrite }).constantTable;
  const module = (body: string, pages = 1): string => `(module\n  (memory (export "memory") ${pages} ${pages})\n  ;; @constants-at 65520\n${body}\n)\n`;

  it('loads each distinct constant from one slot and writes the table as a data segment', async () => {
    const constantTable = await load();
    const out = constantTable('x.wat', module('(f32x4.splat (f32.const 1)) (f32x4.splat (f32.const -inf)) (i32x4.splat (i32.const 0x7f)) (f32x4.splat (f32.const 1.0))'));
    expect(out).toContain('(v128.load32_splat offset=65520 (i32.const 0)) (v128.load32_splat offset=65524 (i32.const 0)) (v128.load32_splat offset=65528 (i32.const 0)) (v128.load32_splat offset=65520 (i32.const 0))');
    expect(out).toContain('(data (i32.const 65520) "\\00\\00\\80\\3f\\00\\00\\80\\ff\\7f\\00\\00\\00"))');
    expect(out).not.toContain('splat (');
  });

  it('leaves a module without the marker alone, and refuses a table that does not fit or a constant it cannot read', async () => {
    const constantTable = await load();
    const plain = '(module (func (drop (f32x4.splat (f32.const 1)))))';
    expect(constantTable('x.wat', plain)).toBe(plain);
    const five = Array.from({ length: 5 }, (_, i) => `(f32x4.splat (f32.const ${i}))`).join(' ');
    expect(() => constantTable('x.wat', module(five))).toThrow('build-wasm: x.wat: 5 constants at 65520 end at 65540, past the memory\'s 65536 bytes');
    expect(() => constantTable('x.wat', module('(f32x4.splat (f32.const nan:0x1))'))).toThrow('build-wasm: x.wat: cannot read the constant f32.const nan:0x1');
  });

  it('elementwise.wat builds from the table: no constant splat is left in it', async () => {
    const constantTable = await load();
    const { readFileSync } = await import('node:fs');
    const out = constantTable('elementwise.wat', readFileSync(join(here, 'elementwise.wat'), 'utf8'));
    expect(out).not.toMatch(/\((f32|i32)x4\.splat \((f32|i32)\.const/);
    expect(out).toMatch(/\(data \(i32\.const 327680\) "/);
  });
});
