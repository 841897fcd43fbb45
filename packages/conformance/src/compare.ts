/** Closeness of computed values to PyTorch's, with messages that say where and by how much. */

/** `|got - want| <= atol + rtol * |want|`, elementwise (the golden README's rule). */
export interface Tolerance {
  /** Relative tolerance, scaled by `|want|`. */
  readonly rtol: number;
  /** Absolute tolerance. */
  readonly atol: number;
}

/** The default for float32 backends against PyTorch's float64 values. */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * What differs between `got` and `want` (empty string when they agree): the shape, or the
 * elements outside the tolerance, worst first, with their flat index. NaN matches only NaN.
 *
 * @example
 * ```ts
 * mismatch('neg/3x5 output', [3], [-1, 2, 3], [3], [-1, 2, 3], DEFAULT_TOLERANCE); // ''
 * ```
 */
export function mismatch(
  what: string,
  gotShape: readonly number[],
  got: ArrayLike<number>,
  wantShape: readonly number[],
  want: ArrayLike<number | boolean>,
  tol: Tolerance,
): string {
  if (gotShape.length !== wantShape.length || gotShape.some((d, i) => d !== wantShape[i])) {
    return `${what}: shape ${fmtShape(gotShape)}, expected ${fmtShape(wantShape)}`;
  }
  if (got.length !== want.length) return `${what}: ${got.length} values, expected ${want.length}`;
  const bad: { i: number; g: number; w: number; excess: number }[] = [];
  for (let i = 0; i < want.length; i++) {
    const w = Number(want[i]);
    const g = got[i]!;
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    const allowed = tol.atol + tol.rtol * Math.abs(w);
    const err = Math.abs(g - w);
    if (!(err <= allowed) && !(g === w)) bad.push({ i, g, w, excess: Number.isNaN(err) ? Infinity : err / allowed });
  }
  if (bad.length === 0) return '';
  bad.sort((a, b) => b.excess - a.excess);
  const shown = bad
    .slice(0, 5)
    .map((b) => `[${b.i}] got ${b.g}, want ${b.w} (|diff| ${Math.abs(b.g - b.w).toExponential(2)})`)
    .join('; ');
  return `${what}: ${bad.length}/${want.length} elements differ beyond atol ${tol.atol} + rtol ${tol.rtol}·|want|: ${shown}${bad.length > 5 ? '; …' : ''}`;
}

/** Throw the {@link mismatch} report, if any. */
export function assertClose(
  what: string,
  gotShape: readonly number[],
  got: ArrayLike<number>,
  wantShape: readonly number[],
  want: ArrayLike<number | boolean>,
  tol: Tolerance,
): void {
  const m = mismatch(what, gotShape, got, wantShape, want, tol);
  if (m) throw new Error(m);
}
