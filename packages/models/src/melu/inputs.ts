/**
 * What MeLU reads of the data (Lee et al. 2019, §3.1 and §4.1): the users' categorical
 * contents, the ids' feature lists, each user's set of observed ids, and the negatives a
 * user's rows are labelled against on implicit data.
 *
 * The paper's MovieLens user contents are gender, age, occupation and zip code, its item
 * contents rate, genre, director and actor (§4.1). What the data here has:
 * - ml-100k: gender, occupation (categorical), age in years (numeric, put into the seven
 *   age groups of MovieLens-1M, whose age field is what the paper embeds), zip (a
 *   near-identifier on 943 users: 795 values, left out by default, see `maxVocabulary`);
 *   genres as the item's feature list;
 * - Amazon (S3-Rec): no user contents; the item's attribute ids as its feature list.
 */
import { Philox, sortedHas } from '@rec/core';
import { type Interactions, type ItemCategories, positivesByBehavior, type UserFeatures } from '@rec/data';
import type { IdFeatures, UserField } from './network.js';

/**
 * MovieLens-1M's age groups (its README): under 18, 18–24, 25–34, 35–44, 45–49, 50–55,
 * 56+; the lower bound of each.
 * @example
 * ```ts
 * AGE_GROUP_STARTS[2]; // 25: the group 25–34
 * ```
 */
export const AGE_GROUP_STARTS = [0, 18, 25, 35, 45, 50, 56] as const;

/**
 * Names of {@link AGE_GROUP_STARTS}' groups.
 * @example
 * ```ts
 * AGE_GROUP_NAMES[userFieldsOf(features, numUsers).find((f) => f.name === 'age')!.codes[0]!]; // user 0's age group
 * ```
 */
export const AGE_GROUP_NAMES = ['Under 18', '18-24', '25-34', '35-44', '45-49', '50-55', '56+'] as const;

/**
 * Options of {@link userFieldsOf}.
 * @example
 * ```ts
 * const options: UserFieldOptions = { features: ['gender', 'age'], maxVocabulary: 64 };
 * ```
 */
export interface UserFieldOptions {
  /** The features to embed, by name (default: every categorical one of at most `maxVocabulary` values, and numeric `age`). */
  readonly features?: readonly string[];
  /** Categorical features with more values are left out unless named (default 64). */
  readonly maxVocabulary?: number;
  /** The model named in error messages (default `melu`). */
  readonly model?: string;
}

/**
 * The user fields MeLU embeds from `features`: categorical features as they are, numeric
 * `age` as its MovieLens-1M age group (the only numeric content the paper embeds), sorted
 * by name so a model's parameter order does not depend on the data's column order.
 * Without features, none (the user part of x₀ is absent).
 * @throws Error naming the feature when a named one does not exist or is numeric other than `age`,
 *   or a feature does not cover `numUsers` users.
 * @example
 * ```ts
 * userFieldsOf(ml100k.userFeatures, 943).map((f) => f.name); // ['age', 'gender', 'occupation']
 * ```
 * @see Lee et al. 2019, §3.1 (user contents embedded and concatenated), §4.1 (MovieLens contents).
 */
export function userFieldsOf(features: UserFeatures | undefined, numUsers: number, options: UserFieldOptions = {}): UserField[] {
  if (!features) return [];
  const maxVocabulary = options.maxVocabulary ?? 64;
  const model = options.model ?? 'melu';
  const categorical = Object.keys(features.categorical);
  const numeric = Object.keys(features.numeric);
  const names = options.features
    ? [...options.features]
    : [...categorical.filter((n) => features.categorical[n]!.vocabulary.length <= maxVocabulary), ...numeric.filter((n) => n === 'age' && !categorical.includes('age'))];
  const fields = names.map((name): UserField => {
    const c = features.categorical[name];
    if (c) {
      if (c.codes.length !== numUsers) throw new Error(`${model}: user feature '${name}' covers ${c.codes.length} users, the data has ${numUsers}`);
      return { name, codes: c.codes, size: c.vocabulary.length };
    }
    const values = features.numeric[name];
    if (!values) throw new Error(`${model}: userFeatures: no user feature '${name}'; the data has ${[...categorical, ...numeric].join(', ') || 'none'}`);
    if (name !== 'age') throw new Error(`${model}: userFeatures: '${name}' is numeric; MeLU embeds categorical contents, and of the numeric ones only 'age' (as its MovieLens-1M age group)`);
    if (values.length !== numUsers) throw new Error(`${model}: user feature 'age' covers ${values.length} users, the data has ${numUsers}`);
    return { name, codes: Int32Array.from(values, ageGroup), size: AGE_GROUP_STARTS.length };
  });
  return fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The MovieLens-1M age group of an age in years (−1 when not a number). */
function ageGroup(age: number): number {
  if (!Number.isFinite(age)) return -1;
  let g = 0;
  while (g + 1 < AGE_GROUP_STARTS.length && age >= AGE_GROUP_STARTS[g + 1]!) g++;
  return g;
}

/**
 * The ids' feature lists of `categories` (genres, attribute ids), or undefined without them.
 * @throws Error when the categories cover another number of items.
 * @example
 * ```ts
 * idFeaturesOf(ml100k.itemCategories, 1682)!.numFeatures; // 19 genres
 * ```
 */
export function idFeaturesOf(categories: ItemCategories | undefined, numItems: number): IdFeatures | undefined {
  if (!categories) return undefined;
  if (categories.numItems !== numItems) throw new Error(`melu: the item categories cover ${categories.numItems} items, the interactions ${numItems}`);
  return { indptr: categories.indptr, indices: categories.indices, numFeatures: categories.numCategories };
}

/**
 * Each user's distinct observed ids, ascending (CSR over users): a user's rows in `logs`
 * of behaviour `target` (every row of a log without behaviour types). MeLU's user task is a
 * set of rated items (§3.3), so order and repeats do not matter: with `[train, valid]` this
 * is the item set of `historySequences(train, valid)`.
 * @throws Error when the logs disagree on their sizes.
 * @example
 * ```ts
 * const history = userItemSets([data.train, data.valid], 'all');
 * history.indices.subarray(history.indptr[3], history.indptr[4]); // user 3's items
 * ```
 */
export function userItemSets(logs: readonly (Interactions | undefined)[], target: string): { indptr: Int32Array; indices: Int32Array } {
  const present = logs.filter((l): l is Interactions => l !== undefined);
  if (present.length === 0) throw new Error('userItemSets: needs at least one log');
  const { numUsers, numItems } = present[0]!;
  const rows = present.map((log) => {
    if (log.numUsers !== numUsers || log.numItems !== numItems) throw new Error(`userItemSets: the logs disagree on their sizes (${log.numUsers} × ${log.numItems}, the first ${numUsers} × ${numItems})`);
    const byBehavior = positivesByBehavior(log);
    const csr = log.behaviorNames ? byBehavior[target] : Object.values(byBehavior)[0];
    if (!csr) throw new Error(`userItemSets: the log has no behaviour '${target}'`);
    return csr;
  });
  if (rows.length === 1) return { indptr: Int32Array.from(rows[0]!.indptr), indices: Int32Array.from(rows[0]!.indices) };
  const indptr = new Int32Array(numUsers + 1);
  const lists: Int32Array[] = [];
  for (let u = 0; u < numUsers; u++) {
    const set = new Set<number>();
    for (const csr of rows) for (const i of csr.rowOf(u)) set.add(i);
    const list = Int32Array.from(set).sort();
    lists.push(list);
    indptr[u + 1] = indptr[u]! + list.length;
  }
  const indices = new Int32Array(indptr[numUsers]!);
  lists.forEach((list, u) => indices.set(list, indptr[u]));
  return { indptr, indices };
}

/** Tries of the rejection sampler before a draw is kept even if observed (only a user who has nearly every id). */
const MAX_TRIES = 64;

/**
 * `count` ids drawn uniformly with replacement from those not in `observed` (sorted), by
 * rejection with `rng`; after {@link MAX_TRIES} rejections the last draw is kept. None
 * when every id is observed.
 * @example
 * ```ts
 * drawNegatives(new Philox({ seed: 1 }), Int32Array.of(2, 5), 10, 3); // three ids other than 2 and 5
 * ```
 */
export function drawNegatives(rng: Philox, observed: Int32Array, numIds: number, count: number): Int32Array {
  if (observed.length >= numIds) return new Int32Array(0);
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    let id = rng.int(numIds);
    for (let t = 1; t < MAX_TRIES && sortedHas(observed, id); t++) id = rng.int(numIds);
    out[k] = id;
  }
  return out;
}

/**
 * Rows of `positives` (label 1) followed by `negatives` (label 0).
 * @example
 * ```ts
 * labelled(Int32Array.of(4), Int32Array.of(7, 9)); // ids [4, 7, 9], labels [1, 0, 0]
 * ```
 */
export function labelled(positives: Int32Array, negatives: Int32Array): { ids: Int32Array; labels: Float32Array } {
  const ids = new Int32Array(positives.length + negatives.length);
  ids.set(positives);
  ids.set(negatives, positives.length);
  const labels = new Float32Array(ids.length);
  labels.fill(1, 0, positives.length);
  return { ids, labels };
}

/**
 * Philox words reserved per user in a stream: user u draws from `u · 2^24` on.
 * @example
 * ```ts
 * const firstWordOfUser7 = 7 * WORDS_PER_USER;
 * ```
 */
export const WORDS_PER_USER = 2 ** 24;

/**
 * A generator positioned at `user`'s words of `stream`, so a user's draws do not depend
 * on which other users are drawn for, or in what order.
 * @example
 * ```ts
 * drawNegatives(userRng(1, INFERENCE_STREAM, 7), observed, numItems, observed.length); // user 7's negatives at inference
 * ```
 */
export function userRng(seed: number, stream: number, user: number): Philox {
  const rng = new Philox({ seed, stream });
  rng.skipTo(user * WORDS_PER_USER);
  return rng;
}
