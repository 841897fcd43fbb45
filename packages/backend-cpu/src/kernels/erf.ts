// 2/sqrt(pi) * (-1)^n / (n! (2n + 1)): the Maclaurin series of erf, exact to double precision for |x| < 0.5
const c0 = 1.1283791670955126;
const c1 = -c0 / 3;
const c2 = c0 / 10;
const c3 = -c0 / 42;
const c4 = c0 / 216;
const c5 = -c0 / 1320;
const c6 = c0 / 9360;
const c7 = -c0 / 75600;
const c8 = c0 / 685440;
const c9 = -c0 / 6894720;

/**
 * The error function, accurate to float32 (relative error below 2e-7 everywhere): the Maclaurin
 * series for |x| < 0.5, else 1 − erfc with the Chebyshev fit of Numerical Recipes (`erfcc`,
 * relative error of erfc below 1.2e-7).
 *
 * @example
 * ```ts
 * erf(0.5); // 0.5204998778...
 * ```
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z < 0.5) {
    const x2 = x * x;
    return x * (c0 + x2 * (c1 + x2 * (c2 + x2 * (c3 + x2 * (c4 + x2 * (c5 + x2 * (c6 + x2 * (c7 + x2 * (c8 + x2 * c9)))))))));
  }
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc : erfc - 1; // NaN falls through to erfc - 1 = NaN
}
