/**
 * Rating-prediction errors for explicit-feedback models and for the rating head of a
 * rank-and-rate model. (RnR trains a rating task next to its ranking task but reports
 * only ranking metrics, Recall@10 under the name "Accuracy@10" and MRR@10; RMSE and MAE
 * are the standard measures of a rating head, so a reproduction can show both.)
 * Predictions and targets are aligned arrays, one entry per held-out (user, item,
 * rating) row; accumulation is in float64.
 */

function checkPair(predictions: ArrayLike<number>, targets: ArrayLike<number>, fn: string): number {
  const n = predictions.length;
  if (targets.length !== n) {
    throw new Error(
      `${fn}: predictions has ${n} entries but targets has ${targets.length}; they must be aligned row by row`,
    );
  }
  if (n === 0) throw new Error(`${fn}: no rows; the error of an empty set is undefined`);
  return n;
}

function checkFinite(value: number, where: string, fn: string): void {
  if (!Number.isFinite(value)) throw new Error(`${fn}: ${where} is ${String(value)}; expected a finite rating`);
}

/**
 * Root mean squared error,
 *
 *   RMSE = √( (1/n) Σ_i (ŷ_i − y_i)² )
 *
 * It weighs large errors more than {@link mae}; the Netflix-prize metric.
 *
 * @param predictions the model's ratings ŷ.
 * @param targets the true ratings y, aligned with `predictions`.
 * @throws Error when the lengths differ, there are no rows, or a value is not finite.
 * @see rnr-rank-and-rate-multi-task.txt (the framework's rating-prediction task)
 * @example
 * ```ts
 * rmse([3, 4, 5], [3, 5, 3]); // √((0 + 1 + 4) / 3) ≈ 1.291
 * ```
 */
export function rmse(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  const n = checkPair(predictions, targets, 'rmse');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    checkFinite(predictions[i], `predictions[${i}]`, 'rmse');
    checkFinite(targets[i], `targets[${i}]`, 'rmse');
    const e = predictions[i] - targets[i];
    sum += e * e;
  }
  return Math.sqrt(sum / n);
}

/**
 * Mean absolute error,
 *
 *   MAE = (1/n) Σ_i |ŷ_i − y_i|
 *
 * @param predictions the model's ratings ŷ.
 * @param targets the true ratings y, aligned with `predictions`.
 * @throws Error when the lengths differ, there are no rows, or a value is not finite.
 * @see rnr-rank-and-rate-multi-task.txt (the framework's rating-prediction task)
 * @example
 * ```ts
 * mae([3, 4, 5], [3, 5, 3]); // (0 + 1 + 2) / 3 = 1
 * ```
 */
export function mae(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  const n = checkPair(predictions, targets, 'mae');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    checkFinite(predictions[i], `predictions[${i}]`, 'mae');
    checkFinite(targets[i], `targets[${i}]`, 'mae');
    sum += Math.abs(predictions[i] - targets[i]);
  }
  return sum / n;
}
