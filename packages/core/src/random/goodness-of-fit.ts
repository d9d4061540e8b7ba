/**
 * Pearson's chi-square goodness-of-fit test, for checking that a sampler's observed
 * frequencies match the distribution it claims to draw from.
 */

/** Significance levels {@link chiSquareCriticalValue} supports. */
export type ChiSquareSignificance = 0.05 | 0.01 | 0.001;

// Upper standard-normal quantiles z_{1-α}; only these three levels are needed for
// sampler tests, which keeps an inverse-normal implementation out of the library.
const NORMAL_UPPER_QUANTILE: Record<ChiSquareSignificance, number> = {
  0.05: 1.6448536269514722,
  0.01: 2.3263478740408408,
  0.001: 3.090232306167813,
};

/**
 * Pearson's statistic `sum((observed[i] - expected[i])^2 / expected[i])`.
 *
 * Bins with `expected[i] = 0` are skipped when `observed[i]` is also 0 and make the
 * statistic `Infinity` otherwise, so an impossible outcome always fails the test.
 *
 * @param observed - observed count per bin.
 * @param expected - expected count per bin (same length), non-negative.
 * @returns the chi-square statistic.
 * @throws RangeError if the lengths differ.
 *
 * @example
 * ```ts
 * chiSquareStatistic([48, 52], [50, 50]); // 0.16
 * ```
 */
export function chiSquareStatistic(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (observed.length !== expected.length) {
    throw new RangeError(
      `chiSquareStatistic: observed has ${observed.length} bins but expected has ${expected.length}`,
    );
  }
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const diff = observed[i]! - expected[i]!;
    if (expected[i] === 0) {
      if (diff !== 0) return Infinity;
      continue;
    }
    statistic += (diff * diff) / expected[i]!;
  }
  return statistic;
}

/**
 * Upper critical value of the chi-square distribution, `x` with `P(X > x) = α` for
 * `X ~ χ²(dof)`, by the Wilson–Hilferty cube-root normal approximation
 * `dof * (1 - 2/(9 dof) + z_{1-α} sqrt(2/(9 dof)))^3`.
 *
 * At `α = 0.001` it overestimates (errs on the lenient side) by 3% at `dof = 1`
 * (11.16 vs 10.83), 0.7% at `dof = 9` and under 0.3% from `dof = 19` on; tests that
 * need an exact threshold at very few degrees of freedom should use a table.
 *
 * @param degreesOfFreedom - positive integer; for a goodness-of-fit test over `k`
 *   bins with fully specified probabilities this is `k - 1`.
 * @param significance - tail probability α: 0.05, 0.01 or 0.001.
 * @returns the critical value; reject the fit when the statistic exceeds it.
 * @throws RangeError if `degreesOfFreedom` is not a positive integer.
 *
 * @example
 * ```ts
 * chiSquareCriticalValue(9, 0.001); // ≈ 28.06 (exact: 27.88)
 * chiSquareCriticalValue(99, 0.05); // ≈ 123.22 (exact: 123.23)
 * ```
 */
export function chiSquareCriticalValue(
  degreesOfFreedom: number,
  significance: ChiSquareSignificance,
): number {
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom < 1) {
    throw new RangeError(
      `chiSquareCriticalValue: degreesOfFreedom must be a positive integer, got ${degreesOfFreedom}`,
    );
  }
  const z = NORMAL_UPPER_QUANTILE[significance];
  const spread = 2 / (9 * degreesOfFreedom);
  const root = 1 - spread + z * Math.sqrt(spread);
  return degreesOfFreedom * root * root * root;
}
