import { describe, expect, it } from 'vitest';
import { mae, rmse } from './rating.js';

describe('rmse and mae', () => {
  it('match hand-computed values', () => {
    // Errors 0, −1, 2: RMSE = √(5/3), MAE = 3/3.
    expect(rmse([3, 4, 5], [3, 5, 3])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(mae([3, 4, 5], [3, 5, 3])).toBeCloseTo(1, 12);
    expect(rmse(Float32Array.of(2.5), Float32Array.of(4))).toBeCloseTo(1.5, 6);
    expect(mae(Float64Array.of(1, 1, 1, 1), Float64Array.of(1, 1, 1, 1))).toBe(0);
  });

  it('weigh large errors differently: RMSE ≥ MAE, equal when all errors are the same size', () => {
    expect(rmse([0, 0, 0, 4], [0, 0, 0, 0])).toBe(2); // √(16/4)
    expect(mae([0, 0, 0, 4], [0, 0, 0, 0])).toBe(1);
    expect(rmse([1, 3], [2, 2])).toBe(mae([1, 3], [2, 2]));
  });

  it('name mismatched, empty and non-finite input', () => {
    expect(() => rmse([1, 2], [1])).toThrow('rmse: predictions has 2 entries but targets has 1');
    expect(() => mae([], [])).toThrow('mae: no rows');
    expect(() => rmse([1, Number.NaN], [1, 2])).toThrow('rmse: predictions[1] is NaN; expected a finite rating');
    expect(() => mae([1, 2], [Infinity, 2])).toThrow('mae: targets[0] is Infinity');
  });
});
