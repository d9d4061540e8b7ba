/**
 * Paired significance tests and effect sizes for comparing two models on the same
 * users (per-user metric arrays aligned by user, e.g. two `perUser` outputs of
 * `evaluateFullRanking` over the same test set), and mean ± sd over folds or seeds.
 *
 * The distributions are computed here, without a statistics library:
 * - Student t through the regularised incomplete beta function I_x(a, b), evaluated by
 *   its continued fraction with the modified Lentz method (Numerical Recipes §6.4,
 *   `betacf`), and ln Γ by the Lanczos approximation (g = 7, 9 terms, ~15 digits);
 * - the standard normal through erfc(x) = Q(½, x²), the regularised upper incomplete
 *   gamma function (series below a + 1, continued fraction above; NR §6.2);
 * - the Wilcoxon signed-rank null distribution exactly, by dynamic programming over
 *   the 2ⁿ sign patterns of the (mid-)ranks.
 * The tests check them against values computed independently (scipy, R, closed forms).
 *
 * Which test: NMTR and MRLR report paired t-tests over users; the t-test assumes the
 * mean of the per-user differences is near normal, fine for thousands of users. The
 * Wilcoxon test makes no such assumption and suits few paired values (folds, seeds) or
 * heavy-tailed differences (HR is 0/1 per user).
 */

const EPS = 1e-15;
const FPMIN = 1e-300;
const MAX_ITERATIONS = 10_000;

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos; reflection below ½ keeps it accurate near 0). */
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of I_x(a, b) (NR betacf), modified Lentz; `y` = 1 − x. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // Even step: d_{2m} = m (b − m) x / ((a + 2m − 1)(a + 2m)).
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    // Odd step: d_{2m+1} = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return h;
  }
  throw new Error(`regularizedIncompleteBeta: continued fraction did not converge for a = ${a}, b = ${b}, x = ${x}`);
}

/** I_x(a, b) with 1 − x passed separately, so that x near 1 loses no digits. */
function incompleteBeta(a: number, b: number, x: number, y: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(y));
  // The fraction converges fast for x < (a + 1)/(a + b + 2); otherwise use the symmetry
  // I_x(a, b) = 1 − I_{1−x}(b, a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, y)) / b;
}

/**
 * The regularised incomplete beta function,
 *
 *   I_x(a, b) = B(x; a, b) / B(a, b) = (1 / B(a, b)) ∫_0^x t^{a−1} (1 − t)^{b−1} dt,
 *
 * the CDF of the Beta(a, b) distribution at x. Evaluated by the continued fraction
 * (Numerical Recipes §6.4) with the modified Lentz method to relative accuracy ~1e-15,
 * using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction would converge
 * slowly. Cost: O(√max(a, b)) iterations.
 *
 * @throws Error when a or b is not positive and finite, x is outside [0, 1], or the
 * fraction does not converge (not seen for a, b < 1e6).
 * @example
 * ```ts
 * regularizedIncompleteBeta(0.3, 2, 3);     // 0.3483
 * regularizedIncompleteBeta(0.5, 0.5, 0.5); // 0.5 (by symmetry)
 * ```
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) {
    throw new Error(`regularizedIncompleteBeta: a and b must be positive and finite, got a = ${a}, b = ${b}`);
  }
  if (!(x >= 0 && x <= 1)) throw new Error(`regularizedIncompleteBeta: x must be in [0, 1], got ${x}`);
  return incompleteBeta(a, b, x, 1 - x);
}

function checkDf(df: number, fn: string): void {
  if (!(df > 0) || !Number.isFinite(df)) throw new Error(`${fn}: df must be positive and finite, got ${df}`);
}

/**
 * Two-sided p-value of Student's t distribution with `df` degrees of freedom,
 *
 *   p = P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, ½).
 *
 * `df` need not be an integer (Welch). |t| = ∞ gives 0.
 *
 * @throws Error when t is NaN or df is not positive and finite.
 * @example
 * ```ts
 * studentTTwoSidedP(2.0, 10); // 0.07339
 * ```
 */
export function studentTTwoSidedP(t: number, df: number): number {
  checkDf(df, 'studentTTwoSidedP');
  if (t !== t) throw new Error('studentTTwoSidedP: t is NaN');
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  // x = df/(df + t²) and 1 − x = t²/(df + t²), each computed without cancellation.
  return incompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

/**
 * CDF of Student's t distribution, P(T ≤ t), from the two-sided p-value by symmetry.
 *
 * @throws Error when t is NaN or df is not positive and finite.
 * @example
 * ```ts
 * studentTCdf(-1.5, 3.5); // 0.1089
 * studentTCdf(0, 7);      // 0.5
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  const p = studentTTwoSidedP(t, df);
  return t >= 0 ? 1 - p / 2 : p / 2;
}

/** Regularised upper incomplete gamma Q(a, x) for x ≥ 0 (NR gser / gcf). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logFront = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    // Series for P(a, x), then Q = 1 − P.
    let ap = a;
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_ITERATIONS; n++) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) return 1 - sum * Math.exp(logFront);
    }
    throw new Error(`normalCdf: gamma series did not converge for a = ${a}, x = ${x}`);
  }
  // Continued fraction for Q(a, x), modified Lentz.
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return Math.exp(logFront) * h;
  }
  throw new Error(`normalCdf: gamma continued fraction did not converge for a = ${a}, x = ${x}`);
}

/**
 * CDF of the standard normal distribution, Φ(z) = ½ erfc(−z/√2), with
 * erfc(x) = Q(½, x²) for x ≥ 0 (relative accuracy ~1e-15, in the tails too).
 *
 * @throws Error when z is NaN.
 * @example
 * ```ts
 * normalCdf(1.96); // 0.9750
 * normalCdf(-6);   // 9.866e-10
 * ```
 */
export function normalCdf(z: number): number {
  if (z !== z) throw new Error('normalCdf: z is NaN');
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const x = -z / Math.SQRT2;
  const erfc = x >= 0 ? gammaQ(0.5, x * x) : 2 - gammaQ(0.5, x * x);
  return 0.5 * erfc;
}

function differences(a: ArrayLike<number>, b: ArrayLike<number>, fn: string): Float64Array {
  if (a.length !== b.length) {
    throw new Error(`${fn}: the samples must be paired, but a has ${a.length} values and b has ${b.length}`);
  }
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    d[i] = a[i] - b[i];
    if (!Number.isFinite(d[i])) {
      throw new Error(`${fn}: a[${i}] = ${a[i]} and b[${i}] = ${b[i]} do not give a finite difference`);
    }
  }
  return d;
}

/**
 * Outcome of {@link pairedTTest}.
 * @example
 * ```ts
 * const { t, df, p, cohensDz } = pairedTTest(ndcgOurs, ndcgBaseline);
 * ```
 */
export interface PairedTTestResult {
  /** Number of pairs. */
  readonly n: number;
  /** Mean of d_i = a_i − b_i. */
  readonly meanDifference: number;
  /** Sample standard deviation of d (n − 1 denominator). */
  readonly sdDifference: number;
  readonly t: number;
  readonly df: number;
  /** Two-sided p-value. */
  readonly p: number;
  /** Effect size d_z = mean(d) / sd(d). */
  readonly cohensDz: number;
}

/**
 * Paired (dependent-samples) t-test of H0: mean(a − b) = 0, two-sided:
 *
 *   d_i = a_i − b_i,  d̄ = mean(d),  s_d = √( Σ (d_i − d̄)² / (n − 1) )
 *   t = d̄ / (s_d / √n),  df = n − 1,  p = I_{df/(df+t²)}(df/2, ½)
 *
 * with effect size Cohen's d_z = d̄ / s_d (= t / √n): the mean difference in units of
 * the differences' spread, independent of n, unlike p.
 *
 * All differences equal: if they are all 0 the samples are identical, t = 0, p = 1,
 * d_z = 0; otherwise s_d = 0 under a non-zero mean, t = d_z = ±∞ and p = 0.
 *
 * @param a one value per unit (user, fold, seed) for the first model.
 * @param b the same units for the second model, in the same order.
 * @throws Error when the lengths differ, n < 2, or a difference is not finite.
 * @see nmtr-multi-behavior-cascade.txt §IV-B ("one-sample paired t-tests"),
 * mrlr-multi-level-representation-learning-ranking.txt §4.2 ("Paired t-test")
 * @example
 * ```ts
 * // Student's sleep data (Cushny & Peebles), drug 1 vs drug 2 on ten patients:
 * pairedTTest([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0],
 *             [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]);
 * // { t: -4.0621, df: 9, p: 0.002833, cohensDz: -1.2846, ... }
 * ```
 */
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>): PairedTTestResult {
  const d = differences(a, b, 'pairedTTest');
  const n = d.length;
  if (n < 2) throw new Error(`pairedTTest: needs at least 2 pairs to estimate a variance, got ${n}`);
  let sum = 0;
  for (const v of d) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of d) ss += (v - mean) * (v - mean);
  const sd = Math.sqrt(ss / (n - 1));
  const df = n - 1;
  let t: number;
  let p: number;
  let dz: number;
  if (sd === 0) {
    t = mean === 0 ? 0 : mean > 0 ? Infinity : -Infinity;
    p = mean === 0 ? 1 : 0;
    dz = t;
  } else {
    t = mean / (sd / Math.sqrt(n));
    p = studentTTwoSidedP(t, df);
    dz = mean / sd;
  }
  return { n, meanDifference: mean, sdDifference: sd, t, df, p, cohensDz: dz };
}

/**
 * Outcome of {@link wilcoxonSignedRank}.
 * @example
 * ```ts
 * const { p, r, method } = wilcoxonSignedRank(foldsOurs, foldsBaseline);
 * ```
 */
export interface WilcoxonResult {
  /** Pairs with a non-zero difference: the n of the test. */
  readonly n: number;
  /** Pairs with a zero difference, dropped before ranking. */
  readonly zeros: number;
  /** Sum of the ranks of positive differences (a > b); R's V. */
  readonly wPlus: number;
  /** Sum of the ranks of negative differences; wPlus + wMinus = n(n+1)/2. */
  readonly wMinus: number;
  /** Standardised W+, (W+ − μ)/σ with the tie correction, no continuity correction. */
  readonly z: number;
  /** Two-sided p-value. */
  readonly p: number;
  readonly method: 'exact' | 'normal';
  /** Effect size r = z / √n (positive when a tends to exceed b), in [−1, 1]. */
  readonly r: number;
}

/** Largest n for which `method: 'exact'` is accepted (O(n³) time, O(n²) memory). */
const EXACT_LIMIT = 200;

/**
 * Wilcoxon signed-rank test of H0: the differences a_i − b_i are symmetric about 0,
 * two-sided.
 *
 * - **Zeros**: pairs with d_i = 0 are dropped before ranking (Wilcoxon's original
 *   method, R's `wilcox.test` and scipy's `zero_method='wilcox'`); n counts the rest.
 * - **Ties**: equal |d_i| (compared exactly, as floats) share the average of their ranks.
 * - **Statistic**: W+ = Σ_{d_i > 0} rank(|d_i|).
 * - **Exact p** (`method: 'auto'` with n ≤ 25, or `'exact'`): under H0 every sign
 *   pattern of the ranks has probability 2⁻ⁿ; the distribution of W+ is enumerated by
 *   dynamic programming over doubled ranks (integers even with mid-ranks), so it is
 *   exact, given the observed ties, where R and scipy fall back to the normal.
 *   p = min(1, 2·min(P(W+ ≤ w), P(W+ ≥ w))).
 * - **Normal p** (n > 25 under `'auto'`, or `'normal'`): μ = n(n+1)/4,
 *   σ² = n(n+1)(2n+1)/24 − Σ_ties (t³ − t)/48, z = (W+ − μ − ½·sign(W+ − μ))/σ with the
 *   continuity correction, p = 2(1 − Φ(|z|)); this is R's and scipy's approximation.
 * - **Effect size** r = z/√n (Rosenthal 1991; Fritz, Morris & Richler 2012) with z
 *   without continuity correction, so r does not depend on the p method; n is the
 *   number of non-zero pairs.
 * - n = 0 (all pairs equal): p = 1, z = r = 0.
 *
 * @param a one value per unit (user, fold, seed) for the first model.
 * @param b the same units for the second model, in the same order.
 * @param options.method `'auto'` (default), `'exact'` (n ≤ 200) or `'normal'`.
 * @throws Error when the lengths differ, a difference is not finite, or `'exact'` is
 * asked for more than 200 non-zero pairs.
 * @example
 * ```ts
 * // Hollander & Wolfe's depression scores (R's wilcox.test example): V = 40, p = 0.0391
 * wilcoxonSignedRank([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30],
 *                    [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]);
 * ```
 */
export function wilcoxonSignedRank(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { method?: 'auto' | 'exact' | 'normal' } = {},
): WilcoxonResult {
  const all = differences(a, b, 'wilcoxonSignedRank');
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'exact' && method !== 'normal') {
    throw new Error(`wilcoxonSignedRank: method must be 'auto', 'exact' or 'normal', got ${String(method)}`);
  }
  const nonZero = all.filter((v) => v !== 0);
  const n = nonZero.length;
  const zeros = all.length - n;
  const useExact = method === 'exact' || (method === 'auto' && n <= 25);
  if (method === 'exact' && n > EXACT_LIMIT) {
    throw new Error(
      `wilcoxonSignedRank: exact p for ${n} non-zero pairs is too costly (limit ${EXACT_LIMIT}); use method 'normal'`,
    );
  }
  if (n === 0) {
    return { n, zeros, wPlus: 0, wMinus: 0, z: 0, p: 1, method: useExact ? 'exact' : 'normal', r: 0 };
  }

  // Rank |d| ascending; ties share the mean rank. Ranks are kept doubled (integers).
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => Math.abs(nonZero[i]) - Math.abs(nonZero[j]));
  const doubledRank = new Int32Array(n);
  let tieTerm = 0; // Σ (t³ − t) over tie groups
  for (let start = 0; start < n; ) {
    let end = start + 1;
    const value = Math.abs(nonZero[order[start]]);
    while (end < n && Math.abs(nonZero[order[end]]) === value) end++;
    // Ranks start+1 .. end share their mean (start + 1 + end) / 2; doubled: start + 1 + end.
    for (let k = start; k < end; k++) doubledRank[order[k]] = start + 1 + end;
    const t = end - start;
    tieTerm += t * t * t - t;
    start = end;
  }
  let doubledWPlus = 0;
  for (let i = 0; i < n; i++) if (nonZero[i] > 0) doubledWPlus += doubledRank[i];
  const total = n * (n + 1); // doubled n(n+1)/2
  const wPlus = doubledWPlus / 2;
  const wMinus = (total - doubledWPlus) / 2;

  const mu = (n * (n + 1)) / 4;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const z = sigma > 0 ? (wPlus - mu) / sigma : 0;
  const r = z / Math.sqrt(n);

  let p: number;
  if (useExact) {
    // prob[s] = P(doubled W+ = s); add one rank at a time, each positive with chance ½.
    let prob = new Float64Array(total + 1);
    let next = new Float64Array(total + 1);
    prob[0] = 1;
    let reach = 0;
    for (let i = 0; i < n; i++) {
      const step = doubledRank[i];
      next.fill(0, 0, reach + step + 1);
      for (let s = 0; s <= reach; s++) {
        const half = 0.5 * prob[s];
        next[s] += half;
        next[s + step] += half;
      }
      reach += step;
      [prob, next] = [next, prob];
    }
    let lower = 0; // P(W+ ≤ w)
    let upper = 0; // P(W+ ≥ w)
    for (let s = 0; s <= total; s++) {
      if (s <= doubledWPlus) lower += prob[s];
      if (s >= doubledWPlus) upper += prob[s];
    }
    p = Math.min(1, 2 * Math.min(lower, upper));
  } else {
    const deviation = wPlus - mu;
    const corrected = sigma > 0 ? (deviation - 0.5 * Math.sign(deviation)) / sigma : 0;
    p = Math.min(1, 2 * normalCdf(-Math.abs(corrected)));
  }
  return { n, zeros, wPlus, wMinus, z, p, method: useExact ? 'exact' : 'normal', r };
}

/**
 * Mean and sample standard deviation, for "mean ± sd" over folds or seeds:
 *
 *   mean = (1/n) Σ x_i,  sd = √( Σ (x_i − mean)² / (n − 1) )
 *
 * The n − 1 (Bessel) denominator estimates the spread of the population the runs were
 * drawn from, which is what "± sd across 5 seeds" claims. With one value sd is NaN
 * (no spread can be estimated), not 0, so a table cannot show a false "± 0".
 *
 * @throws Error when `values` is empty or holds a non-finite value.
 * @example
 * ```ts
 * meanStd([0.31, 0.33, 0.32]); // { mean: 0.32, sd: 0.01, n: 3 }
 * ```
 */
export function meanStd(values: ArrayLike<number>): { mean: number; sd: number; n: number } {
  const n = values.length;
  if (n === 0) throw new Error('meanStd: no values');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`meanStd: values[${i}] is ${String(values[i])}`);
    sum += values[i];
  }
  const mean = sum / n;
  if (n === 1) return { mean, sd: NaN, n };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) * (values[i] - mean);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}
