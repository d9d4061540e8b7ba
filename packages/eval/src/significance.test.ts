import { describe, expect, it } from 'vitest';
import {
  meanStd,
  normalCdf,
  pairedTTest,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTTwoSidedP,
  wilcoxonSignedRank,
} from './significance.js';

/** |got − want| ≤ rtol·|want| (+ a tiny atol for zeros). */
function expectRelClose(got: number, want: number, rtol = 1e-12): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rtol * Math.abs(want) + 1e-300);
}

describe('regularizedIncompleteBeta', () => {
  it('matches closed forms', () => {
    // Integer a, b: I_x(a, b) = Σ_{j=a}^{a+b−1} C(a+b−1, j) x^j (1−x)^{a+b−1−j}.
    // I_0.3(2, 3) = 6·0.3²·0.7² + 4·0.3³·0.7 + 0.3⁴ = 0.2646 + 0.0756 + 0.0081 = 0.3483.
    expectRelClose(regularizedIncompleteBeta(0.3, 2, 3), 0.3483);
    for (const x of [0.01, 0.2, 0.5, 0.77, 0.999]) {
      expectRelClose(regularizedIncompleteBeta(x, 1, 1), x);
      expectRelClose(regularizedIncompleteBeta(x, 3.5, 1), x ** 3.5);
      expectRelClose(regularizedIncompleteBeta(x, 1, 2.5), 1 - (1 - x) ** 2.5);
      // Arcsine law: I_x(½, ½) = (2/π) asin(√x).
      expectRelClose(regularizedIncompleteBeta(x, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(x)), 1e-13);
    }
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });

  it('matches scipy.special.betainc', () => {
    expectRelClose(regularizedIncompleteBeta(0.2, 0.5, 5), 0.8550723945959195, 1e-13);
    expectRelClose(regularizedIncompleteBeta(0.9, 10, 0.5), 0.15164090963470994, 1e-13);
    expectRelClose(regularizedIncompleteBeta(0.4, 100, 150), 0.50343561029854, 1e-12);
  });

  it('names bad arguments', () => {
    expect(() => regularizedIncompleteBeta(1.2, 1, 1)).toThrow('x must be in [0, 1], got 1.2');
    expect(() => regularizedIncompleteBeta(0.5, 0, 1)).toThrow('a and b must be positive and finite, got a = 0, b = 1');
  });
});

describe('Student t', () => {
  it('gives the two-sided p of known cases', () => {
    // The brief's check and scipy: 2·t.sf(2.0, 10) = 0.07338803477074037.
    expectRelClose(studentTTwoSidedP(2.0, 10), 0.07338803477074037, 1e-12);
    // The tabled 5% critical value for df = 10.
    expectRelClose(studentTTwoSidedP(2.228138851986274, 10), 0.05, 1e-12);
    // df = 1 is Cauchy: p = 1 − (2/π) atan|t|.
    expectRelClose(studentTTwoSidedP(0.5, 1), 1 - (2 / Math.PI) * Math.atan(0.5), 1e-13);
    // df = 2 has p = 1 − |t| / √(t² + 2), checked far in the tail.
    expectRelClose(studentTTwoSidedP(40, 2), 1 - 40 / Math.sqrt(1602), 1e-9);
    expect(studentTTwoSidedP(0, 5)).toBe(1);
    expect(studentTTwoSidedP(-Infinity, 5)).toBe(0);
  });

  it('gives the CDF by symmetry, non-integer df included', () => {
    expectRelClose(studentTCdf(-1.5, 3.5), 0.10890909350767251, 1e-12); // scipy t.cdf(-1.5, 3.5)
    expectRelClose(studentTCdf(1.5, 3.5), 1 - 0.10890909350767251, 1e-12);
    expect(studentTCdf(0, 7)).toBe(0.5);
    expect(() => studentTCdf(1, 0)).toThrow('df must be positive and finite, got 0');
    expect(() => studentTTwoSidedP(Number.NaN, 3)).toThrow('t is NaN');
  });
});

describe('normalCdf', () => {
  it('matches scipy.stats.norm.cdf, tails included', () => {
    expectRelClose(normalCdf(1.96), 0.9750021048517795, 1e-14);
    expectRelClose(normalCdf(0.3), 0.6179114221889526, 1e-14);
    expectRelClose(normalCdf(-3), 0.0013498980316300933, 1e-13);
    expectRelClose(normalCdf(-6), 9.865876450376946e-10, 1e-12);
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
  });
});

// Student's sleep data (Cushny & Peebles 1905, R's `sleep`): extra hours of sleep for
// ten patients under drug 1 and drug 2.
const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('pairedTTest', () => {
  it("reproduces Student's sleep data (R: t = -4.0621, df = 9, p-value = 0.002833)", () => {
    // d = drug1 − drug2 = −1.2, −2.4, −1.3, −1.3, 0, −1.0, −1.8, −0.8, −4.6, −1.4
    // mean −1.58, sd 1.22998, t = −1.58 / (1.22998/√10) = −4.0621; scipy ttest_rel agrees.
    const result = pairedTTest(drug1, drug2);
    expect(result.n).toBe(10);
    expect(result.df).toBe(9);
    expectRelClose(result.meanDifference, -1.58, 1e-12);
    expectRelClose(result.sdDifference, 1.2299954832798073, 1e-12);
    expectRelClose(result.t, -4.062127683382037, 1e-12);
    expectRelClose(result.p, 0.002832890197384273, 1e-10);
    // d_z = −1.58 / 1.22998 = t / √n.
    expectRelClose(result.cohensDz, -1.2845575625910546, 1e-12);
    expectRelClose(result.cohensDz, result.t / Math.sqrt(10), 1e-12);
  });

  it('is symmetric in the order of the samples', () => {
    const ab = pairedTTest(drug1, drug2);
    const ba = pairedTTest(drug2, drug1);
    expect(ba.t).toBeCloseTo(-ab.t, 12);
    expect(ba.p).toBeCloseTo(ab.p, 15);
  });

  it('handles zero spread: identical samples p = 1, a constant shift p = 0', () => {
    expect(pairedTTest([1, 2, 3], [1, 2, 3])).toMatchObject({ t: 0, p: 1, cohensDz: 0 });
    expect(pairedTTest([2, 3, 4], [1, 2, 3])).toMatchObject({ t: Infinity, p: 0, cohensDz: Infinity });
    expect(pairedTTest([0, 1], [1, 2])).toMatchObject({ t: -Infinity, p: 0 });
  });

  it('names bad input', () => {
    expect(() => pairedTTest([1, 2], [1])).toThrow('pairedTTest: the samples must be paired, but a has 2 values and b has 1');
    expect(() => pairedTTest([1], [2])).toThrow('needs at least 2 pairs');
    expect(() => pairedTTest([1, Number.NaN], [2, 3])).toThrow('a[1] = NaN and b[1] = 3 do not give a finite difference');
  });
});

/** Exact two-sided p by listing all 2ⁿ sign patterns, mid-ranks by averaging positions. */
function exactPByEnumeration(d: readonly number[]): number {
  const nz = d.filter((v) => v !== 0);
  const abs = nz.map(Math.abs);
  const sorted = [...abs].sort((x, y) => x - y);
  const rank = abs.map((v) => {
    const first = sorted.indexOf(v) + 1;
    const last = sorted.lastIndexOf(v) + 1;
    return (first + last) / 2;
  });
  const observed = nz.reduce((s, v, i) => s + (v > 0 ? rank[i] : 0), 0);
  let le = 0;
  let ge = 0;
  const patterns = 2 ** nz.length;
  for (let mask = 0; mask < patterns; mask++) {
    let w = 0;
    for (let i = 0; i < nz.length; i++) if (mask & (1 << i)) w += rank[i];
    if (w <= observed + 1e-9) le++;
    if (w >= observed - 1e-9) ge++;
  }
  return Math.min(1, (2 * Math.min(le, ge)) / patterns);
}

describe('wilcoxonSignedRank', () => {
  // Hollander & Wolfe (1973) p. 29, depression scale at the first (x) and second (y)
  // visit; R's wilcox.test(x, y, paired = TRUE) example: V = 40, p-value = 0.03906.
  const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

  it('gives the exact p of the textbook example', () => {
    // W− = 5 (ranks of the two negative differences, 0.08 → 2 and 0.147 → 3).
    // P(W− ≤ 5) counts the rank subsets of {1..9} summing to ≤ 5: {}, {1}, {2}, {3}, {4},
    // {5}, {1,2}, {1,3}, {1,4}, {2,3} = 10 of 2⁹ = 512, so p = 2·10/512 = 0.0390625.
    const result = wilcoxonSignedRank(x, y);
    expect(result).toMatchObject({ n: 9, zeros: 0, wPlus: 40, wMinus: 5, method: 'exact' });
    expectRelClose(result.p, 0.0390625, 1e-14);
    // z = (40 − 22.5) / √71.25 without continuity correction; r = z/√9.
    expectRelClose(result.z, 17.5 / Math.sqrt(71.25), 1e-12);
    expectRelClose(result.r, 17.5 / Math.sqrt(71.25) / 3, 1e-12);
  });

  it('gives R/scipy normal approximation on request', () => {
    // scipy.stats.wilcoxon(x, y, method='approx', correction=True): p = 0.04401098401295143
    // = 2Φ(−(40 − 22.5 − 0.5)/√71.25).
    const result = wilcoxonSignedRank(x, y, { method: 'normal' });
    expect(result.method).toBe('normal');
    expectRelClose(result.p, 0.04401098401295143, 1e-12);
  });

  it('drops zero differences and averages tied ranks (sleep data)', () => {
    // d has one 0 (dropped: n = 9) and a tie (two −1.3); every non-zero d is negative, so
    // W+ = 0, and exactly one of 2⁹ sign patterns reaches it: p = 2/512.
    const exact = wilcoxonSignedRank(drug1, drug2);
    expect(exact).toMatchObject({ n: 9, zeros: 1, wPlus: 0, wMinus: 45, method: 'exact' });
    expectRelClose(exact.p, 2 / 512, 1e-14);
    // R: V = 0, p-value = 0.009091 (normal, tie- and continuity-corrected; R warns it
    // cannot compute the exact p with ties). σ² = 9·10·19/24 − (2³ − 2)/48 = 71.125,
    // z = (0 − 22.5 + 0.5)/√71.125; scipy (zero_method='wilcox') gives 0.009090698015925044.
    const normal = wilcoxonSignedRank(drug1, drug2, { method: 'normal' });
    expectRelClose(normal.p, 0.009090698015925044, 1e-12);
    expectRelClose(normal.z, -22.5 / Math.sqrt(71.125), 1e-12);
  });

  it('is exact under ties: matches enumeration of all sign patterns', () => {
    const cases = [
      [1, -1, 2, 2, -3, 4, 4, 4, -5, 6],
      [0.5, 0.5, -0.5, 1, -2, 2, 0, 3, -3, 3, 3, 0],
      [-1, -2, -2, -3, 4, 5, 5, 5, 5, -6, 7, 8, -8, 9],
      [1, 2, 3],
      [-1],
    ];
    for (const d of cases) {
      const zeros = d.map(() => 0);
      const result = wilcoxonSignedRank(d, zeros);
      expect(result.method).toBe('exact');
      expectRelClose(result.p, exactPByEnumeration(d), 1e-12);
    }
  });

  it('uses the normal approximation above 25 pairs, matching scipy', () => {
    // 30 differences with 2 zeros and many ties; scipy.stats.wilcoxon(d, zero_method='wilcox',
    // correction=True, method='approx') → p = 0.001928442996788096; W+ = 339.5, n = 28.
    const d = [5, -2, 3, 3, 0, 7, -1, 4, 4, 4, 9, -6, 2, 0, 11, 8, -3, 5, 6, 2, -4, 10, 3, 1, -2, 7, 9, 12, -5, 6];
    const result = wilcoxonSignedRank(
      d,
      d.map(() => 0),
    );
    expect(result).toMatchObject({ n: 28, zeros: 2, wPlus: 339.5, wMinus: 66.5, method: 'normal' });
    expectRelClose(result.p, 0.001928442996788096, 1e-11);
    // Without continuity correction scipy gives p = 0.0018554916833581942: that is our z.
    expectRelClose(2 * normalCdf(-Math.abs(result.z)), 0.0018554916833581942, 1e-11);
    expect(result.r).toBeCloseTo(result.z / Math.sqrt(28), 14);
    // The exact p on the same data (2²⁸ sign patterns, by the DP): an independent count
    // with integer arithmetic (Python, exact big integers over doubled mid-ranks) gives
    // 0.0011810660362243652. The normal approximation overstates it by 60% this far out.
    const exact = wilcoxonSignedRank(
      d,
      d.map(() => 0),
      { method: 'exact' },
    );
    expect(exact.method).toBe('exact');
    expectRelClose(exact.p, 0.0011810660362243652, 1e-12);
  });

  it('handles all-zero differences and names bad input', () => {
    expect(wilcoxonSignedRank([1, 2], [1, 2])).toMatchObject({ n: 0, zeros: 2, p: 1, z: 0, r: 0 });
    expect(() => wilcoxonSignedRank([1], [1, 2])).toThrow('the samples must be paired');
    const many = Array.from({ length: 201 }, (_, i) => i + 1);
    expect(() => wilcoxonSignedRank(many, many.map(() => 0), { method: 'exact' })).toThrow(
      "exact p for 201 non-zero pairs is too costly (limit 200); use method 'normal'",
    );
    // @ts-expect-error: a method that does not exist
    expect(() => wilcoxonSignedRank([1], [2], { method: 'fast' })).toThrow("method must be 'auto', 'exact' or 'normal'");
  });
});

describe('meanStd', () => {
  it('gives the mean and the sample (n − 1) standard deviation', () => {
    const three = meanStd([0.31, 0.33, 0.32]);
    expect(three.mean).toBeCloseTo(0.32, 14);
    expect(three.sd).toBeCloseTo(0.01, 14);
    expect(three.n).toBe(3);
    // Σ(x − 5)² = 32 over 8 values: sample sd √(32/7), not the population √(32/8) = 2.
    const eight = meanStd(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9));
    expect(eight.mean).toBe(5);
    expect(eight.sd).toBeCloseTo(Math.sqrt(32 / 7), 14);
  });

  it('has no sd for one value and rejects empty or non-finite input', () => {
    const one = meanStd([0.4]);
    expect(one.mean).toBe(0.4);
    expect(one.sd).toBeNaN();
    expect(() => meanStd([])).toThrow('meanStd: no values');
    expect(() => meanStd([1, Infinity])).toThrow('meanStd: values[1] is Infinity');
  });
});
