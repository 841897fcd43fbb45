/**
 * Kernel sources: each primitive as the JavaScript function text that gpu.js compiles to
 * WGSL, GLSL, WebAssembly or plain JS. One source per op and (collapsed) rank; shapes,
 * strides and offsets arrive as `Integer` arguments so a compiled kernel serves every
 * shape of its rank. Every device value is a flat float array: int32 and bool are stored
 * as exact floats (integers up to 2^24).
 *
 * Index math runs in the kernel language's numbers: f32 on the GPU backends, so a flat
 * index splits exactly into coordinates below 2^24 elements per tensor (each division is
 * corrected by one integer step either way, which covers the rounding of f32 division).
 */
import type { BinaryOp, ReduceOp, UnaryOp } from '@tensorgrad/core';

/** A kernel ready for `gpu.createKernel`: its source, argument names and types, and what it returns. */
export interface KernelSource {
  readonly source: string;
  readonly argumentTypes: Record<string, 'Array' | 'Integer'>;
  readonly returnType: 'Number' | 'Array(4)';
}

type Arg = readonly [name: string, type: 'Array' | 'Integer'];

function kernel(args: readonly Arg[], body: string, returnType: 'Number' | 'Array(4)' = 'Number'): KernelSource {
  const argumentTypes: Record<string, 'Array' | 'Integer'> = {};
  for (const [name, type] of args) argumentTypes[name] = type;
  return { source: `function(${args.map((a) => a[0]).join(', ')}) {\n${body}\n}`, argumentTypes, returnType };
}

const ints = (prefix: string, n: number): Arg[] => Array.from({ length: n }, (_, d) => [`${prefix}${d}`, 'Integer'] as const);

/**
 * Statements that split `index` into coordinates `c0..c{rank-1}` of a row-major shape whose
 * suffix products are `divisors` (the arguments `p0..p{rank-2}` unless named).
 */
function coordinates(rank: number, index: string, divisors: readonly string[] = Array.from({ length: rank - 1 }, (_, d) => `p${d}`)): string {
  const prefix = 'c';
  if (rank <= 1) return `const ${prefix}0 = ${index};`;
  const lines = [`let ${prefix}rem = ${index};`];
  for (let d = 0; d < rank - 1; d++) {
    const c = `${prefix}${d}`;
    const t = `${prefix}t${d}`;
    const p = divisors[d]!;
    lines.push(
      `let ${c} = Math.floor(${prefix}rem / ${p});`,
      `let ${t} = ${prefix}rem - ${c} * ${p};`,
      // f32 division may round the quotient up or down by one: one integer step puts it right
      `if (${t} < 0) { ${c} = ${c} - 1; ${t} = ${t} + ${p}; }`,
      `if (${t} >= ${p}) { ${c} = ${c} + 1; ${t} = ${t} - ${p}; }`,
      `${prefix}rem = ${t};`,
    );
  }
  lines.push(`const ${prefix}${rank - 1} = ${prefix}rem;`);
  return lines.join('\n');
}

/** `off + c0 * s0 + ... ` for one input's stride arguments. */
function offset(rank: number, strides: string, base: string | null): string {
  const terms = Array.from({ length: Math.max(rank, 1) }, (_, d) => `c${d} * ${strides}${d}`);
  if (base) terms.unshift(base);
  return terms.join(' + ');
}

/** A copy of a contiguous array: uploads, float casts. */
export function copySource(): KernelSource {
  return kernel([['x', 'Array']], 'return x[this.thread.x];');
}

/** Every element `v[0]` (the value travels as a one-element array: scalar arguments here are integers). */
export function fillSource(): KernelSource {
  return kernel([['v', 'Array']], 'return v[0];');
}

// erf as backend-cpu computes it: Maclaurin series below 0.5, Numerical Recipes' erfc fit above
const erfSeries = [1, -3, 10, -42, 216, -1320, 9360, -75600, 685440, -6894720].map((d) => 1.1283791670955126 / d);
const erfcFit = [1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
const horner = (x: string, cs: readonly number[]): string => cs.reduceRight((acc, c, i) => (i === cs.length - 1 ? `${c}` : `${c} + ${x} * (${acc})`), '');
const erfBody = `
const z = Math.abs(v);
let r = 0;
if (z < 0.5) {
  const x2 = v * v;
  r = v * (${horner('x2', erfSeries)});
} else {
  const t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (${horner('t', erfcFit)}));
  if (v >= 0) { r = 1 - erfc; } else { r = erfc - 1; }
}
return r;`;

// truncation toward zero from float arithmetic only: `%` of a non-negative value agrees on every backend
const truncBody = (v: string, out: string) => `const ${out}a = Math.abs(${v});\nlet ${out} = ${out}a - ${out}a % 1;\nif (${v} < 0) { ${out} = -${out}; }`;

const unaryBodies: Record<UnaryOp, string> = {
  neg: 'return -v;',
  abs: 'return Math.abs(v);',
  exp: 'return Math.exp(v);',
  log: 'return Math.log(v);',
  sqrt: 'return Math.sqrt(v);',
  sin: 'return Math.sin(v);',
  cos: 'return Math.cos(v);',
  // clamped: some WGSL tanh implementations overflow to NaN past |x| ~ 89; tanh(15) is 1 in f32
  tanh: 'return Math.tanh(Math.min(Math.max(v, -15), 15));',
  // the stable form: exp never overflows
  sigmoid: 'const e = Math.exp(-Math.abs(v));\nconst r = 1 / (1 + e);\nif (v >= 0) { return r; }\nreturn e * r;',
  relu: 'return Math.max(v, 0);',
  square: 'return v * v;',
  reciprocal: 'return 1 / v;',
  sign: 'let r = 0;\nif (v > 0) { r = 1; }\nif (v < 0) { r = -1; }\nif (v != v) { r = v; }\nreturn r;',
  erf: erfBody,
  floor: `${truncBody('v', 'f')}\nif (f > v) { f = f - 1; }\nreturn f;`,
  logicalNot: 'let r = 0;\nif (v == 0) { r = 1; }\nreturn r;',
};

/** `f(x)` elementwise over a contiguous array. */
export function unarySource(op: UnaryOp): KernelSource {
  return kernel([['x', 'Array']], `const v = x[this.thread.x];\n${unaryBodies[op]}`);
}

/** float→int32 truncates toward zero; →bool is `x != 0` (NaN included). */
export function castSource(to: 'int32' | 'bool'): KernelSource {
  const body = to === 'bool' ? 'let r = 1;\nif (v == 0) { r = 0; }\nreturn r;' : `${truncBody('v', 'r')}\nreturn r;`;
  return kernel([['x', 'Array']], `const v = x[this.thread.x];\n${body}`);
}

function binaryExpression(op: BinaryOp, intDivision: boolean): string {
  switch (op) {
    case 'add':
      return 'return u + w;';
    case 'sub':
      return 'return u - w;';
    case 'mul':
      return 'return u * w;';
    case 'div':
      return intDivision ? `const q = u / w;\n${truncBody('q', 'r')}\nreturn r;` : 'return u / w;';
    case 'pow':
      // C's pow (PyTorch's), case by case: GLSL's pow is undefined for a negative base (and for a
      // zero base with a non-positive exponent), so the kernel only ever takes pow(|u| > 0, w finite).
      // Infinities are recognised as the nonzero values that halving leaves unchanged (no Infinity literal,
      // and no f32-max literal: a shader compiler may round 3.4028235e38 up to Infinity).
      return [
        'const au = Math.abs(u);',
        'const aw = Math.abs(w);',
        'let r = 1;',
        'if (w == 0 || u == 1) { r = 1; } else {',
        '  if (u != u || w != w) { r = u + w; } else {', // NaN in, NaN out
        '    if (aw * 0.5 == aw) {', // w = ±inf (w is nonzero here): 1 for |u| = 1; else 0 or inf by whether |u|^w shrinks
        '      if (au == 1) { r = 1; } else {',
        '        if (au < 1) { if (w > 0) { r = 0; } else { r = aw; } } else { if (w > 0) { r = aw; } else { r = 0; } }',
        '      }',
        '    } else {',
        '      const frac = aw % 1;',
        '      const h = aw * 0.5;',
        '      let odd = 0;',
        '      if (frac == 0) { if (h % 1 != 0) { odd = 1; } }',
        '      let negative = 0;',
        '      if (u < 0) { negative = 1; }',
        '      if (au != 0 && au * 0.5 == au) {', // u = ±inf, w finite nonzero
        '        if (w > 0) { r = au; } else { r = 0; }',
        '      } else {',
        '        if (au == 0) {', // u = ±0: the sign of a -0 shows in 1/u
        '          if (1 / u < 0) { negative = 1; }',
        '          if (w > 0) { r = 0; } else { r = 1 / au; }',
        '        } else {',
        '          if (u < 0 && frac != 0) { r = Math.sqrt(u); } else { r = Math.pow(au, w); }', // sqrt of a negative: NaN
        '        }',
        '      }',
        '      if (negative == 1 && odd == 1) { r = -r; }',
        '    }',
        '  }',
        '}',
        'return r;',
      ].join('\n');
    case 'maximum':
      return 'return Math.max(u, w);';
    case 'minimum':
      return 'return Math.min(u, w);';
    case 'eq':
      return 'let r = 0;\nif (u == w) { r = 1; }\nreturn r;';
    case 'ne':
      return 'let r = 1;\nif (u == w) { r = 0; }\nreturn r;';
    case 'lt':
      return 'let r = 0;\nif (u < w) { r = 1; }\nreturn r;';
    case 'le':
      return 'let r = 0;\nif (u <= w) { r = 1; }\nreturn r;';
    case 'gt':
      return 'let r = 0;\nif (u > w) { r = 1; }\nreturn r;';
    case 'ge':
      return 'let r = 0;\nif (u >= w) { r = 1; }\nreturn r;';
  }
}

/** `a op b` over a collapsed broadcast plan of `rank` dims. */
export function binarySource(op: BinaryOp, rank: number, intDivision: boolean): KernelSource {
  const args: Arg[] = [['a', 'Array'], ['b', 'Array'], ...ints('p', rank - 1), ...ints('sa', rank), ...ints('sb', rank)];
  const body = [
    coordinates(rank, 'this.thread.x'),
    `const u = a[${offset(rank, 'sa', null)}];`,
    `const w = b[${offset(rank, 'sb', null)}];`,
    binaryExpression(op, intDivision),
  ].join('\n');
  return kernel(args, body);
}

/** `cond != 0 ? a : b` over a collapsed broadcast plan. */
export function whereSource(rank: number): KernelSource {
  const args: Arg[] = [['cond', 'Array'], ['a', 'Array'], ['b', 'Array'], ...ints('p', rank - 1), ...ints('sc', rank), ...ints('sa', rank), ...ints('sb', rank)];
  const body = [
    coordinates(rank, 'this.thread.x'),
    `let r = 0;`,
    `if (cond[${offset(rank, 'sc', null)}] != 0) { r = a[${offset(rank, 'sa', null)}]; } else { r = b[${offset(rank, 'sb', null)}]; }`,
    'return r;',
  ].join('\n');
  return kernel(args, body);
}

/** A strided read: permute, expand and slice are all `out[i] = x[off + Σ c_d s_d]`. */
export function stridedSource(rank: number): KernelSource {
  const args: Arg[] = [['x', 'Array'], ...ints('p', rank - 1), ...ints('s', rank), ['off', 'Integer']];
  return kernel(args, `${coordinates(rank, 'this.thread.x')}\nreturn x[${offset(rank, 's', 'off')}];`);
}

/** Constant padding: coordinates inside the source block read it, the rest read `v[0]`. */
export function padSource(rank: number): KernelSource {
  const args: Arg[] = [['x', 'Array'], ['v', 'Array'], ...ints('p', rank - 1), ...ints('lo', rank), ...ints('n', rank), ...ints('s', rank)];
  const lines = [coordinates(rank, 'this.thread.x'), 'let inside = 1;'];
  for (let d = 0; d < rank; d++) {
    lines.push(`const k${d} = c${d} - lo${d};`, `if (k${d} < 0) { inside = 0; }`, `if (k${d} >= n${d}) { inside = 0; }`);
  }
  const at = Array.from({ length: rank }, (_, d) => `k${d} * s${d}`).join(' + ');
  lines.push('let r = v[0];', `if (inside == 1) { r = x[${at}]; }`, 'return r;');
  return kernel(args, lines.join('\n'));
}

/** Up to four inputs viewed as `[outer, w_k]` joined into `[outer, W]`. */
export function concatSource(n: number): KernelSource {
  const args: Arg[] = [...Array.from({ length: n }, (_, k) => [`x${k}`, 'Array'] as const), ['W', 'Integer'], ...ints('w', n)];
  const lines = [coordinates(2, 'this.thread.x', ['W']), 'let j = c1;', 'let r = 0;', 'let done = 0;'];
  for (let k = 0; k < n; k++) {
    lines.push(`if (done == 0) { if (j < w${k}) { r = x${k}[c0 * w${k} + j]; done = 1; } else { j = j - w${k}; } }`);
  }
  lines.push('return r;');
  return kernel(args, lines.join('\n'));
}

/**
 * One reduction pass over `x` viewed as `[A, R, C]`, reducing R in chunks of `CH`: the
 * output is `[A, ncc / C, C]` (one chunk per middle index). argmax/argmin return the
 * index along R of the chunk's winner. Sums are compensated (Kahan).
 */
export function reduceSource(op: ReduceOp): KernelSource {
  const args: Arg[] = [['x', 'Array'], ['ncc', 'Integer'], ['C', 'Integer'], ['R', 'Integer'], ['CH', 'Integer']];
  const head = [
    // coordinates over [A, NC, C]: divisors ncc = NC * C and C
    coordinates(3, 'this.thread.x', ['ncc', 'C']),
    'const base = c0 * R * C + c2;',
    'const start = c1 * CH;',
    'let end = start + CH;',
    'if (end > R) { end = R; }',
    // loops count from a literal 0: WGSL increments integers only, and a counter from `start` would be f32
    'const len = end - start;',
  ];
  let loop: string;
  if (op === 'sum') {
    loop = [
      'let s = 0;',
      'let comp = 0;',
      'for (let k = 0; k < len; k++) {',
      '  const y = x[base + (start + k) * C] - comp;',
      '  const t = s + y;',
      // an infinite partial sum stays as it is (inf - inf in the compensation would make it NaN)
      '  if (t - t == 0) { comp = (t - s) - y; } else { comp = 0; }',
      '  s = t;',
      '}',
      'return s;',
    ].join('\n');
  } else {
    const better = op === 'max' || op === 'argmax' ? 'v > m' : 'v < m';
    const result = op === 'argmax' || op === 'argmin' ? 'at' : 'm';
    loop = [
      'let m = x[base + start * C];',
      'let at = start;',
      'for (let k = 1; k < len; k++) {',
      '  const q = start + k;',
      '  const v = x[base + q * C];',
      // NaN wins and then stays (torch): once m is NaN nothing replaces it
      `  if (m == m) { if (${better} || v != v) { m = v; at = q; } }`,
      '}',
      `return ${result};`,
    ].join('\n');
  }
  return kernel(args, `${head.join('\n')}\n${loop}`);
}

/** The second pass of a chunked argmax/argmin: compare `x` at each chunk's winning index. */
export function argFinalSource(op: 'argmax' | 'argmin'): KernelSource {
  const args: Arg[] = [['x', 'Array'], ['idx', 'Array'], ['C', 'Integer'], ['R', 'Integer'], ['NC', 'Integer']];
  const better = op === 'argmax' ? 'v > m' : 'v < m';
  const body = [
    coordinates(2, 'this.thread.x', ['C']),
    'let m = 0;',
    'let at = 0;',
    'for (let j = 0; j < NC; j++) {',
    '  const k = idx[(c0 * NC + j) * C + c1];',
    '  const v = x[c0 * R * C + k * C + c1];',
    '  if (j == 0) { m = v; at = k; } else {',
    `    if (m == m) { if (${better} || v != v) { m = v; at = k; } }`,
    '  }',
    '}',
    'return at;',
  ].join('\n');
  return kernel(args, body);
}

/**
 * Batched matmul over a flat output `[B, M, N]`, one output per thread: the portable kernel.
 * `sa`/`sb` are the batch strides (0 for a broadcast operand).
 */
export function matmulSource(transposeA: boolean, transposeB: boolean): KernelSource {
  const args: Arg[] = [['a', 'Array'], ['b', 'Array'], ['mn', 'Integer'], ['N', 'Integer'], ['M', 'Integer'], ['K', 'Integer'], ['sa', 'Integer'], ['sb', 'Integer']];
  const aAt = transposeA ? 'abase + k * M + c1' : 'arow + k';
  const bAt = transposeB ? 'bcol + k' : 'bbase + k * N + c2';
  const body = [
    coordinates(3, 'this.thread.x', ['mn', 'N']),
    'const abase = c0 * sa;',
    'const bbase = c0 * sb;',
    'const arow = abase + c1 * K;',
    'const bcol = bbase + c2 * K;',
    'let s = 0;',
    'for (let k = 0; k < K; k++) {',
    `  s += a[${aAt}] * b[${bAt}];`,
    '}',
    'return s;',
  ].join('\n');
  return kernel(args, body);
}

/**
 * WebGPU matmul: output `[N/4, M, B]`, each thread computes four adjacent columns of one row
 * and returns them as a vec4, so it reads each `a` element once for four products. The
 * vec4s land row-major in the output buffer (four floats per thread, threads x-fastest).
 * `a` and `b` are addressed in 3-D (`[batch][row][col]`), which WebGPU indexes in i32.
 * `unroll` (for K divisible by 4) takes four steps of k per loop trip (`K` is then K/4):
 * sixteen products per trip, a quarter of the loop's own instructions.
 */
export function matmulVec4Source(transposeA: boolean, transposeB: boolean, unroll = false): KernelSource {
  const args: Arg[] = [['a', 'Array'], ['b', 'Array'], ['K', 'Integer'], ['sa', 'Integer'], ['sb', 'Integer']];
  const aAt = (k: string) => (transposeA ? `a[za][${k}][y]` : `a[za][y][${k}]`);
  const bAt = (k: string, c: number) => (transposeB ? `b[zb][x4 + ${c}][${k}]` : `b[zb][${k}][x4 + ${c}]`);
  // k stays an i32 inside the index expressions (a declared variable would decay to f32 in WGSL)
  const steps = unroll ? ['k * 4', 'k * 4 + 1', 'k * 4 + 2', 'k * 4 + 3'] : ['k'];
  const body = [
    'const x4 = this.thread.x * 4;',
    'const y = this.thread.y;',
    'const za = this.thread.z * sa;',
    'const zb = this.thread.z * sb;',
    'let s0 = 0;',
    'let s1 = 0;',
    'let s2 = 0;',
    'let s3 = 0;',
    'for (let k = 0; k < K; k++) {',
    ...steps.flatMap((k, u) => [
      `  const av${u} = ${aAt(k)};`,
      `  s0 += av${u} * ${bAt(k, 0)};`,
      `  s1 += av${u} * ${bAt(k, 1)};`,
      `  s2 += av${u} * ${bAt(k, 2)};`,
      `  s3 += av${u} * ${bAt(k, 3)};`,
    ]),
    '}',
    'return [s0, s1, s2, s3];',
  ].join('\n');
  return kernel(args, body, 'Array(4)');
}

/**
 * torch.gather over the index's shape: `x[Σ_{d≠axis} c_d xs_d + index[i] * xa]` (the caller
 * passes `xs_axis = 0` and the axis stride as `xa`).
 */
export function gatherSource(rank: number): KernelSource {
  const args: Arg[] = [['x', 'Array'], ['idx', 'Array'], ...ints('p', rank - 1), ...ints('s', rank), ['xa', 'Integer']];
  const body = [coordinates(rank, 'this.thread.x'), `const j = idx[this.thread.x];`, `return x[${offset(rank, 's', null)} + j * xa];`].join('\n');
  return kernel(args, body);
}

/**
 * scatterAdd written gather-style: each output element sums the `src` entries whose index
 * along `axis` names it, scanning the `J` index positions of its line in index order (the
 * CPU backend's accumulation order). `e_d` is 1 on the axis, `n_d` the index dims (huge on
 * the axis), `s_d` the index strides (0 on the axis) and `ia` the index stride along it.
 */
export function scatterAddSource(rank: number): KernelSource {
  const args: Arg[] = [['idx', 'Array'], ['src', 'Array'], ...ints('p', rank - 1), ...ints('e', rank), ...ints('n', rank), ...ints('s', rank), ['ia', 'Integer'], ['J', 'Integer']];
  const lines = [coordinates(rank, 'this.thread.x'), 'let inside = 1;'];
  for (let d = 0; d < rank; d++) lines.push(`if (c${d} >= n${d}) { inside = 0; }`);
  lines.push(
    `const ca = ${Array.from({ length: rank }, (_, d) => `c${d} * e${d}`).join(' + ')};`,
    `const base = ${offset(rank, 's', null)};`,
    'let acc = 0;',
    'if (inside == 1) {',
    '  for (let j = 0; j < J; j++) {',
    '    const q = base + j * ia;',
    '    if (idx[q] == ca) { acc += src[q]; }',
    '  }',
    '}',
    'return acc;',
  );
  return kernel(args, lines.join('\n'));
}

/**
 * Along-axis kernels see a tensor as `[outer, n, inner]` (`p0 = n·inner`, `p1 = inner`): output
 * element `(c0, c1, c2)` sits at `c1` on the line that starts at `c0·p0 + c2`, its elements `p1` apart.
 *
 * cumsum: the inclusive prefix sum of that line up to `c1` (with `rev = 1` the suffix sum from `c1`,
 * added from the far end as backend-cpu does), compensated (Kahan) as the reduction's sums are.
 */
export function cumsumSource(): KernelSource {
  const args: Arg[] = [['x', 'Array'], ['p0', 'Integer'], ['p1', 'Integer'], ['n', 'Integer'], ['rev', 'Integer']];
  const body = [
    coordinates(3, 'this.thread.x', ['p0', 'p1']),
    'const base = c0 * p0 + c2;',
    'let len = c1 + 1;',
    'if (rev == 1) { len = n - c1; }',
    'let s = 0;',
    'let comp = 0;',
    // the loop counts from a literal 0 (WGSL increments integers only); reversed, step k reads n - 1 - k
    // bounded by the argument n, not len: WebGL 1 compares a loop index with uniforms and constants only
    'for (let k = 0; k < n; k++) {',
    '  if (k >= len) { break; }',
    '  const y = x[base + (k + rev * (n - 1 - 2 * k)) * p1] - comp;',
    '  const t = s + y;',
    '  if (t - t == 0) { comp = (t - s) - y; } else { comp = 0; }',
    '  s = t;',
    '}',
    'return s;',
  ].join('\n');
  return kernel(args, body);
}

/**
 * sort, pass 1: the rank of each element in its line, the number of elements that come before it
 * in a stable sort: smaller ones (larger with `desc = 1`), and equal ones at an earlier position.
 * NaN (neither `< 0` nor `>= 0`) sorts above every number, NaNs among themselves by position.
 */
export function sortRankSource(): KernelSource {
  const args: Arg[] = [['x', 'Array'], ['p0', 'Integer'], ['p1', 'Integer'], ['n', 'Integer'], ['desc', 'Integer']];
  const body = [
    coordinates(3, 'this.thread.x', ['p0', 'p1']),
    'const base = c0 * p0 + c2;',
    'const v = x[base + c1 * p1];',
    // NaN is what fails both v < 0 and v >= 0 (WGSL compilers may fold v != v to false, assuming no NaN)
    'let vnan = 1;',
    'if (v < 0) { vnan = 0; }',
    'if (v >= 0) { vnan = 0; }',
    'let r = 0;',
    'for (let k = 0; k < n; k++) {',
    '  const w = x[base + k * p1];',
    '  let wnan = 1;',
    '  if (w < 0) { wnan = 0; }',
    '  if (w >= 0) { wnan = 0; }',
    '  let before = 0;',
    '  if (vnan == 1) {',
    '    if (wnan == 1) { if (k < c1) { before = 1; } } else { if (desc == 0) { before = 1; } }', // every number comes before NaN ascending
    '  } else {',
    '    if (wnan == 1) { if (desc == 1) { before = 1; } } else {', // NaN comes before every number descending
    '      if (w == v) { if (k < c1) { before = 1; } } else {',
    '        if (desc == 0) { if (w < v) { before = 1; } } else { if (w > v) { before = 1; } }',
    '      }',
    '    }',
    '  }',
    '  r += before;',
    '}',
    'return r;',
  ].join('\n');
  return kernel(args, body);
}

/** sort, pass 2: the position along its line of the element whose rank is `c1` (ranks are a permutation of the line). */
export function sortIndexSource(): KernelSource {
  const args: Arg[] = [['rank', 'Array'], ['p0', 'Integer'], ['p1', 'Integer'], ['n', 'Integer']];
  const body = [
    coordinates(3, 'this.thread.x', ['p0', 'p1']),
    'const base = c0 * p0 + c2;',
    'let found = 0;',
    'for (let k = 0; k < n; k++) {',
    '  if (rank[base + k * p1] == c1) { found = k; }',
    '}',
    'return found;',
  ].join('\n');
  return kernel(args, body);
}

/** sort, pass 3 (a gather along the line): `x` at the position pass 2 found for each output element. */
export function lineGatherSource(): KernelSource {
  const args: Arg[] = [['x', 'Array'], ['idx', 'Array'], ['p0', 'Integer'], ['p1', 'Integer']];
  const body = [coordinates(3, 'this.thread.x', ['p0', 'p1']), 'const base = c0 * p0 + c2;', 'return x[base + idx[this.thread.x] * p1];'].join('\n');
  return kernel(args, body);
}
