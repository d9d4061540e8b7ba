/**
 * What a VAE-based category recommender reads of a user: the category profile x_u (the
 * bag of categories Mult-VAE encodes, Liang et al. 2018 §2) and, for the conditional
 * variant, the condition vector c_u of the user's demographics (one-hot of each
 * categorical feature, a z-score of each numeric one).
 */
import type { Interactions, UserFeatures } from '@rec/data';

/**
 * Each user's category profile x_u as a user → category CSR with a value per entry:
 * 1 per distinct category (`distinct`), or the number of events (`counts`).
 * @example
 * ```ts
 * const p: CategoryProfiles = { indptr: Int32Array.of(0, 2, 3), indices: Int32Array.of(1, 4, 0), values: Float32Array.of(1, 1, 1) };
 * ```
 */
export interface CategoryProfiles {
  /** i32 `[numUsers + 1]`. */
  readonly indptr: Int32Array;
  /** i32 `[nnz]`: categories, ascending within a row, distinct. */
  readonly indices: Int32Array;
  /** f32 `[nnz]`: x_uc, positive. */
  readonly values: Float32Array;
}

/**
 * How a profile weighs a category: `distinct` (x_uc = 1 when u has any event of c, the
 * binarised clicks of Mult-VAE §4.1) or `counts` (x_uc = the number of u's events of c,
 * the bag-of-words counts of the multinomial likelihood, §2.1).
 */
export type ProfileWeighting = 'distinct' | 'counts';

/**
 * The category profiles of the events of `logs` taken together (e.g. `[task.past,
 * task.future]` for the union of a user's past and future events), over their users and
 * categories.
 * @throws Error when the logs disagree on the number of users or categories.
 * @example
 * ```ts
 * const foldIn = categoryProfiles([task.past], 'distinct');             // what a user is encoded from
 * const full = categoryProfiles([task.past, task.future], 'distinct');  // what a training user reconstructs
 * full.indices.subarray(full.indptr[7], full.indptr[8]);               // user 7's categories
 * ```
 * @see Liang et al. 2018, §2.1 (x_u, the counts of a user's clicks), §4.1 (binarised).
 */
export function categoryProfiles(logs: readonly Interactions[], weighting: ProfileWeighting): CategoryProfiles {
  if (logs.length === 0) throw new Error('categoryProfiles: needs at least one log of category events');
  const { numUsers, numItems: numCategories } = logs[0]!;
  for (const log of logs) {
    if (log.numUsers !== numUsers || log.numItems !== numCategories) {
      throw new Error(`categoryProfiles: the logs disagree on their sizes (${log.numUsers} users × ${log.numItems} categories, the first ${numUsers} × ${numCategories})`);
    }
  }
  // Per-user counts through a user-major bucket of (user, category) keys.
  const rowLength = new Int32Array(numUsers + 1);
  for (const log of logs) for (const u of log.users) rowLength[u + 1]!++;
  for (let u = 0; u < numUsers; u++) rowLength[u + 1]! += rowLength[u]!;
  const fill = rowLength.slice(0, numUsers);
  const byUser = new Int32Array(rowLength[numUsers]!);
  for (const log of logs) log.users.forEach((u, r) => (byUser[fill[u]!++] = log.items[r]!));
  const indptr = new Int32Array(numUsers + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    const row = byUser.subarray(rowLength[u]!, rowLength[u + 1]!).sort();
    for (let p = 0; p < row.length; p++) {
      if (p > 0 && row[p] === row[p - 1]) {
        if (weighting === 'counts') values[values.length - 1]!++;
        continue;
      }
      indices.push(row[p]!);
      values.push(1);
    }
    indptr[u + 1] = indices.length;
  }
  return { indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

/**
 * Each user's condition vector c_u, row-major `[numUsers, columns.length]`.
 * @example
 * ```ts
 * const { columns, values } = userConditions(dataset.userFeatures);
 * values.subarray(7 * columns.length, 8 * columns.length); // user 7's c_u
 * ```
 */
export interface UserConditions {
  readonly numUsers: number;
  /** What each column is: `gender=F`, `occupation=writer`, `age (z-score)`. */
  readonly columns: readonly string[];
  /** f32 `[numUsers · columns.length]`. */
  readonly values: Float32Array;
}

/** Options of {@link userConditions}. */
export interface UserConditionOptions {
  /**
   * The features to use, by name (categorical or numeric); default every numeric feature
   * and every categorical one with at most `maxVocabulary` values.
   */
  readonly features?: readonly string[];
  /**
   * Categorical features with more values than this are left out by default (default 64):
   * they are near-identifiers (ml-100k's `zip` has 795 values over 943 users), whose
   * one-hot columns a held-out user would meet untrained.
   */
  readonly maxVocabulary?: number;
}

/**
 * The condition vectors of a conditional VAE from user features: for each categorical
 * feature the one-hot of the user's code (all zero when the code is −1, missing), for
 * each numeric feature its z-score (x − mean) / std over the users with a finite value (0
 * when missing; 0 for every user when the feature is constant), features in name order,
 * categorical first.
 *
 * Numeric features are standardised rather than bucketed because the one rule fits any
 * numeric feature (ml-100k's `age` in years) without choosing cut points per dataset; the
 * statistics are over every user of `features` (demographics, not labels, so held-out
 * users' values leak nothing about their future).
 *
 * @throws Error naming an unknown feature (with the known ones), or when no feature is left.
 * @example
 * ```ts
 * const c = userConditions(ml100k.userFeatures);
 * c.columns; // ['gender=F', 'gender=M', 'occupation=administrator', …, 'age (z-score)']
 * ```
 * @see CCRec §6.2 (VAERec+ "adds the user's demographic information"); Liang et al. 2018, §2.2 (the encoder's input).
 */
export function userConditions(features: UserFeatures, options: UserConditionOptions = {}): UserConditions {
  const maxVocabulary = options.maxVocabulary ?? 64;
  const categoricalNames = Object.keys(features.categorical).sort();
  const numericNames = Object.keys(features.numeric).sort();
  const known = [...categoricalNames, ...numericNames];
  if (options.features) {
    for (const name of options.features) {
      if (!known.includes(name)) throw new Error(`userConditions: no user feature '${name}'; the data has ${known.join(', ') || 'none'}`);
    }
  }
  const chosen = (name: string, vocabulary?: number): boolean =>
    options.features ? options.features.includes(name) : vocabulary === undefined || vocabulary <= maxVocabulary;
  const categorical = categoricalNames.filter((name) => chosen(name, features.categorical[name]!.vocabulary.length));
  const numeric = numericNames.filter((name) => chosen(name));
  if (categorical.length + numeric.length === 0) {
    throw new Error(`userConditions: no user feature to condition on (categorical ones over ${maxVocabulary} values are left out unless named; the data has ${known.join(', ') || 'none'})`);
  }
  const first = categorical.length ? features.categorical[categorical[0]!]!.codes : features.numeric[numeric[0]!]!;
  const numUsers = first.length;
  const columns: string[] = [];
  for (const name of categorical) for (const value of features.categorical[name]!.vocabulary) columns.push(`${name}=${value}`);
  for (const name of numeric) columns.push(`${name} (z-score)`);
  const width = columns.length;
  const values = new Float32Array(numUsers * width);
  let offset = 0;
  for (const name of categorical) {
    const { codes, vocabulary } = features.categorical[name]!;
    if (codes.length !== numUsers) throw new Error(`userConditions: feature '${name}' has ${codes.length} users, '${categorical[0] ?? numeric[0]}' ${numUsers}`);
    codes.forEach((code, u) => {
      if (code >= 0) values[u * width + offset + code] = 1;
    });
    offset += vocabulary.length;
  }
  for (const name of numeric) {
    const x = features.numeric[name]!;
    if (x.length !== numUsers) throw new Error(`userConditions: feature '${name}' has ${x.length} users, '${categorical[0] ?? numeric[0]}' ${numUsers}`);
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (const v of x) {
      if (!Number.isFinite(v)) continue;
      n++;
      sum += v;
      squares += v * v;
    }
    const mean = n ? sum / n : 0;
    const std = n ? Math.sqrt(Math.max(0, squares / n - mean * mean)) : 0;
    x.forEach((v, u) => {
      if (Number.isFinite(v) && std > 0) values[u * width + offset] = (v - mean) / std;
    });
    offset++;
  }
  return { numUsers, columns, values };
}
