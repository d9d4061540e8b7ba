import { describe, expect, it } from 'vitest';
import { chiSquareCriticalValue, chiSquareStatistic } from './goodness-of-fit.js';

describe('chiSquareStatistic', () => {
  it('computes Pearson’s statistic', () => {
    expect(chiSquareStatistic([48, 52], [50, 50])).toBeCloseTo(0.16, 12);
    expect(chiSquareStatistic([10, 20, 30], [20, 20, 20])).toBeCloseTo(10, 12);
  });

  it('skips empty impossible bins and rejects observed impossible outcomes', () => {
    expect(chiSquareStatistic([5, 0, 5], [5, 0, 5])).toBe(0);
    expect(chiSquareStatistic([5, 1, 4], [5, 0, 5])).toBe(Infinity);
  });

  it('rejects mismatched bin counts', () => {
    expect(() => chiSquareStatistic([1, 2], [1])).toThrow(/observed has 2 bins but expected has 1/);
  });
});

describe('chiSquareCriticalValue (Wilson–Hilferty)', () => {
  // Upper-tail quantiles from standard chi-square tables.
  const table: Array<[number, 0.05 | 0.01 | 0.001, number, number]> = [
    // dof, alpha, exact, allowed relative error
    [1, 0.001, 10.828, 0.035],
    [2, 0.001, 13.816, 0.025],
    [9, 0.001, 27.877, 0.01],
    [10, 0.05, 18.307, 0.01],
    [10, 0.01, 23.209, 0.01],
    [19, 0.001, 43.82, 0.005],
    [99, 0.05, 123.225, 0.001],
  ];

  it.each(table)('dof %i, alpha %f is close to the table value %f', (dof, alpha, exact, tolerance) => {
    const approx = chiSquareCriticalValue(dof, alpha);
    expect(Math.abs(approx - exact) / exact).toBeLessThan(tolerance);
    // At these levels the approximation errs on the lenient side, never the strict one.
    if (alpha === 0.001) expect(approx).toBeGreaterThanOrEqual(exact);
  });

  it('rejects non-positive or fractional degrees of freedom', () => {
    expect(() => chiSquareCriticalValue(0, 0.05)).toThrow(RangeError);
    expect(() => chiSquareCriticalValue(2.5, 0.05)).toThrow(RangeError);
  });
});
