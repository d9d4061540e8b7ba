import { runKernel } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import type { NegSampleExcludeAttrs } from '../kernels/sampling/neg_sample_exclude.js';
import type { NegSampleAliasAttrs } from '../kernels/sampling/neg_sample_alias.js';
import type { NegSampleCategoryAttrs } from '../kernels/sampling/neg_sample_category.js';
import type { NegSampleMultichannelAttrs } from '../kernels/sampling/neg_sample_multichannel.js';
import type { NegSampleCascadeAttrs } from '../kernels/sampling/neg_sample_cascade.js';
import type { SampleWeightedCandidatesAttrs } from '../kernels/sampling/sample_weighted_candidates.js';
import type { AliasTable } from '../random/alias.js';
import { tensor } from './create.js';
import { expectDType, expectRank } from './validate.js';

/** Per-user positives in compressed sparse row form: row u is indices[indptr[u] .. indptr[u+1]), sorted. */
export interface PositivesCSR {
  /** i32 [numUsers + 1]. */
  indptr: Tensor;
  /** i32 [nnz], sorted within each row. */
  indices: Tensor;
}

/** Counter-based randomness for a sampling call: (seed, stream) and the first counter it may use. */
export interface SamplingRandomness {
  seed: number;
  stream?: number;
  /** First Philox counter. A call uses `users.size × maxTries` counters from here; advance it between calls. */
  counter: number;
}

/**
 * One negative item per entry of `users`, uniform over the items that user
 * has no positive for (kernel `neg_sample_exclude`). Returns the negatives and
 * the number of rows whose tries ran out (their negative may be a positive).
 *
 * @example
 * ```ts
 * const { negatives } = sampleNegatives(users, positives, numItems, { seed: 1, counter: step * users.size * 16 });
 * ```
 */
export function sampleNegatives(
  users: Tensor,
  positives: PositivesCSR,
  numItems: number,
  randomness: SamplingRandomness,
  maxTries = 16,
): { negatives: Tensor; exhausted: Tensor } {
  expectDType(users, ['i32'], 'sampleNegatives', 'users');
  expectRank(users, 1, 'sampleNegatives', 'users');
  expectDType(positives.indptr, ['i32'], 'sampleNegatives', 'positives.indptr');
  expectDType(positives.indices, ['i32'], 'sampleNegatives', 'positives.indices');
  if (!(Number.isInteger(numItems) && numItems > 0)) throw new Error(`sampleNegatives: numItems must be a positive integer, got ${numItems}`);
  if (!(Number.isInteger(maxTries) && maxTries > 0)) throw new Error(`sampleNegatives: maxTries must be a positive integer, got ${maxTries}`);
  const attrs: NegSampleExcludeAttrs = { numItems, seed: randomness.seed, stream: randomness.stream ?? 0, counter: randomness.counter, maxTries };
  const [negatives, exhausted] = runKernel('neg_sample_exclude', [users, positives.indptr, positives.indices], attrs);
  return { negatives, exhausted };
}

function checkRandomness(op: string, randomness: SamplingRandomness, maxTries: number): void {
  if (!Number.isSafeInteger(randomness.counter) || randomness.counter < 0) throw new Error(`${op}: randomness.counter must be a non-negative safe integer, got ${randomness.counter}`);
  if (!(Number.isInteger(maxTries) && maxTries > 0)) throw new Error(`${op}: maxTries must be a positive integer, got ${maxTries}`);
}

function expectIds(t: Tensor, op: string, what: string): void {
  expectDType(t, ['i32'], op, what);
  expectRank(t, 1, op, what);
}

/**
 * Negatives from a fixed item distribution through a host-built alias table
 * (kernel `neg_sample_alias`): word2vec's unigram^0.75 when the table comes
 * from `AliasTable.fromWeights(unigramWeights(counts))`. Without `exclude`,
 * draws `count` items (each try costs 2 counters; `maxTries` defaults to 1);
 * with `exclude`, one negative per entry of `exclude.users`, retried while it
 * is one of that user's positives (`maxTries` defaults to 16), and rows whose
 * tries ran out are counted in `exhausted`. A call uses
 * `2 × rows × maxTries` counters from `randomness.counter`. An `AliasTable`
 * is copied into tensors on every call (2 × its size values); pass
 * `{ prob, alias }` tensors made once to avoid that in a training loop.
 *
 * @example
 * ```ts
 * const table = AliasTable.fromWeights(unigramWeights(itemCounts));
 * const { negatives } = sampleAliasNegatives(table, 1024, { seed: 1, counter: 0 });
 * ```
 * @see Mikolov et al. 2013, "Distributed Representations of Words and Phrases", §2.2.
 */
export function sampleAliasNegatives(
  table: AliasTable | { prob: Tensor; alias: Tensor },
  count: number,
  randomness: SamplingRandomness,
  exclude?: { users: Tensor; positives: PositivesCSR },
  maxTries = exclude ? 16 : 1,
): { negatives: Tensor; exhausted: Tensor } {
  const op = 'sampleAliasNegatives';
  checkRandomness(op, randomness, maxTries);
  const on = exclude ? { backend: exclude.users.backend } : {};
  const prob = table.prob instanceof Float32Array ? tensor(table.prob, undefined, on) : table.prob;
  const alias = table.alias instanceof Int32Array ? tensor(table.alias, undefined, on) : table.alias;
  expectDType(prob, ['f32'], op, 'table.prob');
  expectDType(alias, ['i32'], op, 'table.alias');
  const inputs = [prob, alias];
  if (exclude) {
    expectIds(exclude.users, op, 'exclude.users');
    expectIds(exclude.positives.indptr, op, 'exclude.positives.indptr');
    expectIds(exclude.positives.indices, op, 'exclude.positives.indices');
    if (count !== exclude.users.size) throw new Error(`${op}: count ${count} must equal exclude.users.size ${exclude.users.size} (one negative per user entry)`);
    inputs.push(exclude.users, exclude.positives.indptr, exclude.positives.indices);
  } else if (!(Number.isInteger(count) && count >= 0)) {
    throw new Error(`${op}: count must be a non-negative integer, got ${count}`);
  }
  const attrs: NegSampleAliasAttrs = { count, seed: randomness.seed, stream: randomness.stream ?? 0, counter: randomness.counter, maxTries };
  const [negatives, exhausted] = runKernel('neg_sample_alias', inputs, attrs);
  return { negatives, exhausted };
}

/**
 * A category tree flattened for sampling: the leaf category of each item, each
 * leaf's items, and each leaf's sibling leaves (same parent, itself excluded).
 */
export interface CategorySampling {
  /** i32 [numItems]: the leaf category of each item. */
  itemCategory: Tensor;
  /** Leaf → items CSR (i32 [C + 1], i32 [·]). */
  categoryItems: { indptr: Tensor; indices: Tensor };
  /** Leaf → sibling leaves CSR (i32 [C + 1], i32 [·]). */
  siblings: { indptr: Tensor; indices: Tensor };
}

/**
 * One negative per (user, positive) row from the positive's leaf category or,
 * with probability `siblingRate`, from a sibling category under the same
 * parent (kernel `neg_sample_category`), retried while it is one of the user's
 * positives; rows whose tries ran out (or whose category is empty) are
 * counted in `exhausted`. A call uses `rows × (1 + 2·maxTries)` counters.
 *
 * @example
 * ```ts
 * const { negatives, exhausted } = sampleCategoryNegatives(users, positives, tree, userPositives, 0.5, { seed: 1, counter: 0 });
 * ```
 * @see second-hand paper §3.3.1 (negatives from sibling categories or the same leaf).
 */
export function sampleCategoryNegatives(
  users: Tensor,
  positives: Tensor,
  categories: CategorySampling,
  userPositives: PositivesCSR,
  siblingRate: number,
  randomness: SamplingRandomness,
  maxTries = 16,
): { negatives: Tensor; exhausted: Tensor } {
  const op = 'sampleCategoryNegatives';
  checkRandomness(op, randomness, maxTries);
  if (!(siblingRate >= 0 && siblingRate <= 1)) throw new Error(`${op}: siblingRate must be in [0, 1], got ${siblingRate}`);
  const named: [Tensor, string][] = [
    [users, 'users'], [positives, 'positives'], [categories.itemCategory, 'categories.itemCategory'],
    [categories.categoryItems.indptr, 'categories.categoryItems.indptr'], [categories.categoryItems.indices, 'categories.categoryItems.indices'],
    [categories.siblings.indptr, 'categories.siblings.indptr'], [categories.siblings.indices, 'categories.siblings.indices'],
    [userPositives.indptr, 'userPositives.indptr'], [userPositives.indices, 'userPositives.indices'],
  ];
  for (const [t, what] of named) expectIds(t, op, what);
  const attrs: NegSampleCategoryAttrs = { siblingRate, seed: randomness.seed, stream: randomness.stream ?? 0, counter: randomness.counter, maxTries };
  const [negatives, exhausted] = runKernel('neg_sample_category', named.map(([t]) => t), attrs);
  return { negatives, exhausted };
}

/**
 * MC-BPR negatives (kernel `neg_sample_multichannel`): with probability
 * `viewedRate` an item the user viewed but did not buy, else an item the user
 * never interacted with (uniform, retried while in `seen`). Users without
 * viewed-not-bought items always take the unseen channel. Returns the
 * negatives, the channel of each (1 viewed, 0 unseen) and the exhausted-row
 * count. A call uses `rows × (1 + maxTries)` counters.
 *
 * @example
 * ```ts
 * const { negatives, channel } = sampleMultichannelNegatives(users, viewedNotBought, seenAny, numItems, 0.3, { seed: 1, counter: 0 });
 * ```
 * @see Loni et al. 2016 (MC-BPR), as used in NMTR §IV-A2.
 */
export function sampleMultichannelNegatives(
  users: Tensor,
  viewed: PositivesCSR,
  seen: PositivesCSR,
  numItems: number,
  viewedRate: number,
  randomness: SamplingRandomness,
  maxTries = 16,
): { negatives: Tensor; channel: Tensor; exhausted: Tensor } {
  const op = 'sampleMultichannelNegatives';
  checkRandomness(op, randomness, maxTries);
  if (!(Number.isInteger(numItems) && numItems > 0)) throw new Error(`${op}: numItems must be a positive integer, got ${numItems}`);
  if (!(viewedRate >= 0 && viewedRate <= 1)) throw new Error(`${op}: viewedRate must be in [0, 1], got ${viewedRate}`);
  const named: [Tensor, string][] = [[users, 'users'], [viewed.indptr, 'viewed.indptr'], [viewed.indices, 'viewed.indices'], [seen.indptr, 'seen.indptr'], [seen.indices, 'seen.indices']];
  for (const [t, what] of named) expectIds(t, op, what);
  const attrs: NegSampleMultichannelAttrs = { viewedRate, numItems, seed: randomness.seed, stream: randomness.stream ?? 0, counter: randomness.counter, maxTries };
  const [negatives, channel, exhausted] = runKernel('neg_sample_multichannel', named.map(([t]) => t), attrs);
  return { negatives, channel, exhausted };
}

/**
 * Per-behaviour negatives for a behaviour cascade (kernel `neg_sample_cascade`):
 * for each (user, positive) row and each behaviour b whose CSR holds the
 * positive, an item the user has no behaviour-b interaction with; -1 where the
 * positive has no behaviour-b interaction. `behaviours.indptr` is i32
 * [B, numUsers + 1] of absolute offsets into the shared `behaviours.indices`.
 * A call uses `rows × B × maxTries` counters.
 *
 * @example
 * ```ts
 * const { negatives } = sampleCascadeNegatives(users, items, { indptr, indices }, numItems, { seed: 1, counter: 0 }); // [n, B]
 * ```
 * @see NMTR §III-D (multi-task training: one negative per observed behaviour).
 */
export function sampleCascadeNegatives(
  users: Tensor,
  positives: Tensor,
  behaviours: PositivesCSR,
  numItems: number,
  randomness: SamplingRandomness,
  maxTries = 16,
): { negatives: Tensor; exhausted: Tensor } {
  const op = 'sampleCascadeNegatives';
  checkRandomness(op, randomness, maxTries);
  if (!(Number.isInteger(numItems) && numItems > 0)) throw new Error(`${op}: numItems must be a positive integer, got ${numItems}`);
  expectIds(users, op, 'users');
  expectIds(positives, op, 'positives');
  expectDType(behaviours.indptr, ['i32'], op, 'behaviours.indptr');
  expectRank(behaviours.indptr, 2, op, 'behaviours.indptr');
  expectIds(behaviours.indices, op, 'behaviours.indices');
  const attrs: NegSampleCascadeAttrs = { numItems, seed: randomness.seed, stream: randomness.stream ?? 0, counter: randomness.counter, maxTries };
  const [negatives, exhausted] = runKernel('neg_sample_cascade', [users, positives, behaviours.indptr, behaviours.indices], attrs);
  return { negatives, exhausted };
}

/**
 * Probability-weighted draws from per-row candidate lists (kernel
 * `sample_weighted_candidates`): `numSamples` draws per row of
 * `candidates[r, l]` with probability `weights[r, l] / Σ_l weights[r, l]`, by
 * inverse CDF on one counter per draw. Returns the drawn candidates and their
 * normalised weights. A call uses `rows × numSamples` counters.
 *
 * @example
 * ```ts
 * const { samples, sampleWeights } = sampleWeightedCandidates(topCategories, mleProbabilities, 4, { seed: 1, counter: 0 });
 * ```
 * @see CCRec §5.1 (probability-weighted negative sampler).
 */
export function sampleWeightedCandidates(
  candidates: Tensor,
  weights: Tensor,
  numSamples: number,
  randomness: SamplingRandomness,
): { samples: Tensor; sampleWeights: Tensor } {
  const op = 'sampleWeightedCandidates';
  checkRandomness(op, randomness, 1);
  if (!(Number.isInteger(numSamples) && numSamples >= 0)) throw new Error(`${op}: numSamples must be a non-negative integer, got ${numSamples}`);
  expectDType(candidates, ['i32'], op, 'candidates');
  expectRank(candidates, 2, op, 'candidates');
  expectDType(weights, ['f32'], op, 'weights');
  expectRank(weights, 2, op, 'weights');
  const attrs: SampleWeightedCandidatesAttrs = { numSamples, seed: randomness.seed, stream: randomness.stream ?? 0, counter: randomness.counter };
  const [samples, sampleWeights] = runKernel('sample_weighted_candidates', [candidates, weights], attrs);
  return { samples, sampleWeights };
}
