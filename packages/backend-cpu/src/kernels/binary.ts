import type { BinaryOp, DType } from '@tensorgrad/core';
import { broadcastPlan, innerLength, innerStride, planOffset, sizeOf, type StridedPlan } from './strides';
import type { ElementArray } from './types';

/** One row of a binary op: `n` elements, each input read from its offset with its stride. */
type BinaryLoop = (a: ElementArray, ia: number, sa: number, b: ElementArray, ib: number, sb: number, out: ElementArray, io: number, n: number) => void;

// One loop per op, written out, so each loop's loads stay monomorphic and nothing is called per element.
const loops: Record<BinaryOp, BinaryLoop> = {
  add(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! + b[ib]!;
  },
  sub(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! - b[ib]!;
  },
  mul(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! * b[ib]!;
  },
  div(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! / b[ib]!;
  },
  pow(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) {
      const x = a[ia]!;
      const y = b[ib]!;
      let r = Math.pow(x, y);
      // C's pow (and PyTorch's) where Math.pow differs: 1^y = 1 for every y (NaN too), (-1)^±inf = 1
      if (r !== r && (x === 1 || (x === -1 && (y === Infinity || y === -Infinity)))) r = 1;
      out[io] = r;
    }
  },
  maximum(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = Math.max(a[ia]!, b[ib]!); // NaN propagates, as torch
  },
  minimum(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = Math.min(a[ia]!, b[ib]!);
  },
  eq(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia] === b[ib]);
  },
  ne(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia] !== b[ib]);
  },
  lt(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! < b[ib]!);
  },
  le(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! <= b[ib]!);
  },
  gt(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! > b[ib]!);
  },
  ge(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! >= b[ib]!);
  },
};

/** A row of a float32 op: each loop sees only `Float32Array`s, so its loads stay monomorphic. */
type F32Loop = (a: Float32Array, ia: number, sa: number, b: Float32Array, ib: number, sb: number, out: Float32Array, io: number, n: number) => void;

/** A row of a float32 comparison into bool (`Uint8Array`) storage. */
type F32CompareLoop = (a: Float32Array, ia: number, sa: number, b: Float32Array, ib: number, sb: number, out: Uint8Array, io: number, n: number) => void;

// The float32 ops every training step runs, written out once per operand layout (both contiguous,
// scalar right, scalar left, strided) and unrolled by four: V8 reloads each typed array's base and
// length after every store and checks for interrupts on every back edge, so a plain loop here runs
// at a third of the speed of the unrolled one.
const f32Loops: Partial<Record<BinaryOp, F32Loop>> = {
  add(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = a[ia]! + b[ib]!;
        out[io + 1] = a[ia + 1]! + b[ib + 1]!;
        out[io + 2] = a[ia + 2]! + b[ib + 2]!;
        out[io + 3] = a[ia + 3]! + b[ib + 3]!;
      }
      for (; io < e; io++, ia++, ib++) out[io] = a[ia]! + b[ib]!;
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = a[ia]! + v;
        out[io + 1] = a[ia + 1]! + v;
        out[io + 2] = a[ia + 2]! + v;
        out[io + 3] = a[ia + 3]! + v;
      }
      for (; io < e; io++, ia++) out[io] = a[ia]! + v;
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = v + b[ib]!;
        out[io + 1] = v + b[ib + 1]!;
        out[io + 2] = v + b[ib + 2]!;
        out[io + 3] = v + b[ib + 3]!;
      }
      for (; io < e; io++, ib++) out[io] = v + b[ib]!;
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! + b[ib]!;
  },
  sub(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = a[ia]! - b[ib]!;
        out[io + 1] = a[ia + 1]! - b[ib + 1]!;
        out[io + 2] = a[ia + 2]! - b[ib + 2]!;
        out[io + 3] = a[ia + 3]! - b[ib + 3]!;
      }
      for (; io < e; io++, ia++, ib++) out[io] = a[ia]! - b[ib]!;
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = a[ia]! - v;
        out[io + 1] = a[ia + 1]! - v;
        out[io + 2] = a[ia + 2]! - v;
        out[io + 3] = a[ia + 3]! - v;
      }
      for (; io < e; io++, ia++) out[io] = a[ia]! - v;
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = v - b[ib]!;
        out[io + 1] = v - b[ib + 1]!;
        out[io + 2] = v - b[ib + 2]!;
        out[io + 3] = v - b[ib + 3]!;
      }
      for (; io < e; io++, ib++) out[io] = v - b[ib]!;
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! - b[ib]!;
  },
  mul(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = a[ia]! * b[ib]!;
        out[io + 1] = a[ia + 1]! * b[ib + 1]!;
        out[io + 2] = a[ia + 2]! * b[ib + 2]!;
        out[io + 3] = a[ia + 3]! * b[ib + 3]!;
      }
      for (; io < e; io++, ia++, ib++) out[io] = a[ia]! * b[ib]!;
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = a[ia]! * v;
        out[io + 1] = a[ia + 1]! * v;
        out[io + 2] = a[ia + 2]! * v;
        out[io + 3] = a[ia + 3]! * v;
      }
      for (; io < e; io++, ia++) out[io] = a[ia]! * v;
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = v * b[ib]!;
        out[io + 1] = v * b[ib + 1]!;
        out[io + 2] = v * b[ib + 2]!;
        out[io + 3] = v * b[ib + 3]!;
      }
      for (; io < e; io++, ib++) out[io] = v * b[ib]!;
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! * b[ib]!;
  },
  div(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = a[ia]! / b[ib]!;
        out[io + 1] = a[ia + 1]! / b[ib + 1]!;
        out[io + 2] = a[ia + 2]! / b[ib + 2]!;
        out[io + 3] = a[ia + 3]! / b[ib + 3]!;
      }
      for (; io < e; io++, ia++, ib++) out[io] = a[ia]! / b[ib]!;
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = a[ia]! / v;
        out[io + 1] = a[ia + 1]! / v;
        out[io + 2] = a[ia + 2]! / v;
        out[io + 3] = a[ia + 3]! / v;
      }
      for (; io < e; io++, ia++) out[io] = a[ia]! / v;
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = v / b[ib]!;
        out[io + 1] = v / b[ib + 1]!;
        out[io + 2] = v / b[ib + 2]!;
        out[io + 3] = v / b[ib + 3]!;
      }
      for (; io < e; io++, ib++) out[io] = v / b[ib]!;
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = a[ia]! / b[ib]!;
  },
  maximum(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = Math.max(a[ia]!, b[ib]!);
  },
  minimum(a, ia, sa, b, ib, sb, out, io, n) {
    for (let e = io + n; io < e; io++, ia += sa, ib += sb) out[io] = Math.min(a[ia]!, b[ib]!);
  },
};

// comparisons of float32 operands (relu's gradient mask, dropout's keep mask), laid out as above
const f32CompareLoops: Partial<Record<BinaryOp, F32CompareLoop>> = {
  eq(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = +(a[ia]! === b[ib]!);
        out[io + 1] = +(a[ia + 1]! === b[ib + 1]!);
        out[io + 2] = +(a[ia + 2]! === b[ib + 2]!);
        out[io + 3] = +(a[ia + 3]! === b[ib + 3]!);
      }
      for (; io < e; io++, ia++, ib++) out[io] = +(a[ia]! === b[ib]!);
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = +(a[ia]! === v);
        out[io + 1] = +(a[ia + 1]! === v);
        out[io + 2] = +(a[ia + 2]! === v);
        out[io + 3] = +(a[ia + 3]! === v);
      }
      for (; io < e; io++, ia++) out[io] = +(a[ia]! === v);
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = +(v === b[ib]!);
        out[io + 1] = +(v === b[ib + 1]!);
        out[io + 2] = +(v === b[ib + 2]!);
        out[io + 3] = +(v === b[ib + 3]!);
      }
      for (; io < e; io++, ib++) out[io] = +(v === b[ib]!);
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! === b[ib]!);
  },
  ne(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = +(a[ia]! !== b[ib]!);
        out[io + 1] = +(a[ia + 1]! !== b[ib + 1]!);
        out[io + 2] = +(a[ia + 2]! !== b[ib + 2]!);
        out[io + 3] = +(a[ia + 3]! !== b[ib + 3]!);
      }
      for (; io < e; io++, ia++, ib++) out[io] = +(a[ia]! !== b[ib]!);
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = +(a[ia]! !== v);
        out[io + 1] = +(a[ia + 1]! !== v);
        out[io + 2] = +(a[ia + 2]! !== v);
        out[io + 3] = +(a[ia + 3]! !== v);
      }
      for (; io < e; io++, ia++) out[io] = +(a[ia]! !== v);
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = +(v !== b[ib]!);
        out[io + 1] = +(v !== b[ib + 1]!);
        out[io + 2] = +(v !== b[ib + 2]!);
        out[io + 3] = +(v !== b[ib + 3]!);
      }
      for (; io < e; io++, ib++) out[io] = +(v !== b[ib]!);
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! !== b[ib]!);
  },
  lt(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = +(a[ia]! < b[ib]!);
        out[io + 1] = +(a[ia + 1]! < b[ib + 1]!);
        out[io + 2] = +(a[ia + 2]! < b[ib + 2]!);
        out[io + 3] = +(a[ia + 3]! < b[ib + 3]!);
      }
      for (; io < e; io++, ia++, ib++) out[io] = +(a[ia]! < b[ib]!);
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = +(a[ia]! < v);
        out[io + 1] = +(a[ia + 1]! < v);
        out[io + 2] = +(a[ia + 2]! < v);
        out[io + 3] = +(a[ia + 3]! < v);
      }
      for (; io < e; io++, ia++) out[io] = +(a[ia]! < v);
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = +(v < b[ib]!);
        out[io + 1] = +(v < b[ib + 1]!);
        out[io + 2] = +(v < b[ib + 2]!);
        out[io + 3] = +(v < b[ib + 3]!);
      }
      for (; io < e; io++, ib++) out[io] = +(v < b[ib]!);
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! < b[ib]!);
  },
  le(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = +(a[ia]! <= b[ib]!);
        out[io + 1] = +(a[ia + 1]! <= b[ib + 1]!);
        out[io + 2] = +(a[ia + 2]! <= b[ib + 2]!);
        out[io + 3] = +(a[ia + 3]! <= b[ib + 3]!);
      }
      for (; io < e; io++, ia++, ib++) out[io] = +(a[ia]! <= b[ib]!);
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = +(a[ia]! <= v);
        out[io + 1] = +(a[ia + 1]! <= v);
        out[io + 2] = +(a[ia + 2]! <= v);
        out[io + 3] = +(a[ia + 3]! <= v);
      }
      for (; io < e; io++, ia++) out[io] = +(a[ia]! <= v);
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = +(v <= b[ib]!);
        out[io + 1] = +(v <= b[ib + 1]!);
        out[io + 2] = +(v <= b[ib + 2]!);
        out[io + 3] = +(v <= b[ib + 3]!);
      }
      for (; io < e; io++, ib++) out[io] = +(v <= b[ib]!);
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! <= b[ib]!);
  },
  gt(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = +(a[ia]! > b[ib]!);
        out[io + 1] = +(a[ia + 1]! > b[ib + 1]!);
        out[io + 2] = +(a[ia + 2]! > b[ib + 2]!);
        out[io + 3] = +(a[ia + 3]! > b[ib + 3]!);
      }
      for (; io < e; io++, ia++, ib++) out[io] = +(a[ia]! > b[ib]!);
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = +(a[ia]! > v);
        out[io + 1] = +(a[ia + 1]! > v);
        out[io + 2] = +(a[ia + 2]! > v);
        out[io + 3] = +(a[ia + 3]! > v);
      }
      for (; io < e; io++, ia++) out[io] = +(a[ia]! > v);
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = +(v > b[ib]!);
        out[io + 1] = +(v > b[ib + 1]!);
        out[io + 2] = +(v > b[ib + 2]!);
        out[io + 3] = +(v > b[ib + 3]!);
      }
      for (; io < e; io++, ib++) out[io] = +(v > b[ib]!);
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! > b[ib]!);
  },
  ge(a, ia, sa, b, ib, sb, out, io, n) {
    const e = io + n;
    if (sa === 1 && sb === 1) {
      for (const e4 = e - 3; io < e4; io += 4, ia += 4, ib += 4) {
        out[io] = +(a[ia]! >= b[ib]!);
        out[io + 1] = +(a[ia + 1]! >= b[ib + 1]!);
        out[io + 2] = +(a[ia + 2]! >= b[ib + 2]!);
        out[io + 3] = +(a[ia + 3]! >= b[ib + 3]!);
      }
      for (; io < e; io++, ia++, ib++) out[io] = +(a[ia]! >= b[ib]!);
    } else if (sa === 1 && sb === 0) {
      const v = b[ib]!;
      for (const e4 = e - 3; io < e4; io += 4, ia += 4) {
        out[io] = +(a[ia]! >= v);
        out[io + 1] = +(a[ia + 1]! >= v);
        out[io + 2] = +(a[ia + 2]! >= v);
        out[io + 3] = +(a[ia + 3]! >= v);
      }
      for (; io < e; io++, ia++) out[io] = +(a[ia]! >= v);
    } else if (sa === 0 && sb === 1) {
      const v = a[ia]!;
      for (const e4 = e - 3; io < e4; io += 4, ib += 4) {
        out[io] = +(v >= b[ib]!);
        out[io + 1] = +(v >= b[ib + 1]!);
        out[io + 2] = +(v >= b[ib + 2]!);
        out[io + 3] = +(v >= b[ib + 3]!);
      }
      for (; io < e; io++, ib++) out[io] = +(v >= b[ib]!);
    } else for (; io < e; io++, ia += sa, ib += sb) out[io] = +(a[ia]! >= b[ib]!);
  },
};

const comparisons: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/**
 * Output dtype of a binary op: comparisons give `bool`, arithmetic keeps the input dtype.
 *
 * @example
 * ```ts
 * binaryOutDType('lt', 'float32'); // 'bool'
 * ```
 */
export function binaryOutDType(op: BinaryOp, dtype: DType): DType {
  return comparisons.has(op) ? 'bool' : dtype;
}

/**
 * Plan a binary op: inputs of `aShape` and `bShape` broadcast (NumPy rules) to `outShape`.
 * The plan is plain data (arrays of numbers), so it can be sent to a worker.
 *
 * @example
 * ```ts
 * const plan = binaryPlan([4, 3], [3], [4, 3]);
 * ```
 */
export function binaryPlan(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): StridedPlan {
  // the common cases, planned without the general walk: equal shapes, and a scalar on either side
  const n = sizeOf(outShape);
  if (n > 0 && sameDims(aShape, bShape) && sameDims(aShape, outShape)) {
    return { shape: [n], strides: [[1], [1]], offsets: [0, 0] };
  }
  if (n > 0 && bShape.length === 0 && sameDims(aShape, outShape)) return { shape: [n], strides: [[1], [0]], offsets: [0, 0] };
  if (n > 0 && aShape.length === 0 && sameDims(bShape, outShape)) return { shape: [n], strides: [[0], [1]], offsets: [0, 0] };
  return broadcastPlan(outShape, [aShape, bShape]);
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `out[o] = a[·] op b[·]` for output elements `o` in `[start, end)` (row-major over `outShape`).
 * Any split of `[0, numel(outShape))` into ranges gives the same result as one call.
 * `out` must have the op's output dtype ({@link binaryOutDType}); int32 results wrap like `Int32Array` stores.
 *
 * @example
 * ```ts
 * const a = new Float32Array([1, 2, 3, 4, 5, 6]), b = new Float32Array([10, 20, 30]);
 * const out = new Float32Array(6);
 * binaryRange('add', a, b, out, binaryPlan([2, 3], [3], [2, 3]), 0, 6); // [11, 22, 33, 14, 25, 36]
 * ```
 */
export function binaryRange(op: BinaryOp, a: ElementArray, b: ElementArray, out: ElementArray, plan: StridedPlan, start: number, end: number): void {
  if (a instanceof Float32Array && b instanceof Float32Array) {
    if (out instanceof Float32Array) {
      const fast = f32Loops[op];
      if (fast !== undefined) return rows(fast, a, b, out, plan, start, end);
    } else if (out instanceof Uint8Array) {
      const fast = f32CompareLoops[op];
      if (fast !== undefined) return compareRows(fast, a, b, out, plan, start, end);
    }
  }
  const loop = loops[op];
  if (loop === undefined) throw new Error(`binary: unknown op '${op}'`);
  rows(loop, a, b, out, plan, start, end);
}

// rows of a comparison: as {@link rows}, with float32 inputs and bool output
function compareRows(loop: F32CompareLoop, a: Float32Array, b: Float32Array, out: Uint8Array, plan: StridedPlan, start: number, end: number): void {
  const inner = innerLength(plan);
  const sa = innerStride(plan, 0);
  const sb = innerStride(plan, 1);
  if (plan.shape.length <= 1) {
    loop(a, plan.offsets[0]! + start * sa, sa, b, plan.offsets[1]! + start * sb, sb, out, start, end - start);
    return;
  }
  for (let o = start; o < end; ) {
    const n = Math.min(inner - (o % inner), end - o);
    loop(a, planOffset(plan, 0, o), sa, b, planOffset(plan, 1, o), sb, out, o, n);
    o += n;
  }
}

// one row of the innermost collapsed dim (or its part inside the range) per call of `loop`
function rows<T extends ElementArray>(
  loop: (a: T, ia: number, sa: number, b: T, ib: number, sb: number, out: T, io: number, n: number) => void,
  a: T,
  b: T,
  out: T,
  plan: StridedPlan,
  start: number,
  end: number,
): void {
  const inner = innerLength(plan);
  const sa = innerStride(plan, 0);
  const sb = innerStride(plan, 1);
  if (plan.shape.length <= 1) {
    // one collapsed dim (or a scalar): offsets are a linear function of the output index
    loop(a, plan.offsets[0]! + start * sa, sa, b, plan.offsets[1]! + start * sb, sb, out, start, end - start);
    return;
  }
  let o = start;
  while (o < end) {
    const col = o % inner;
    const n = Math.min(inner - col, end - o);
    loop(a, planOffset(plan, 0, o), sa, b, planOffset(plan, 1, o), sb, out, o, n);
    o += n;
  }
}
