/**
 * `neg_sample_alias`: negatives drawn from a fixed non-uniform item
 * distribution (word2vec's unigram^0.75, Mikolov et al. 2013, §2.2 "Negative
 * Sampling") through a Walker/Vose alias table, optionally excluding each
 * row's user's positives.
 *
 *   P(j) = w_j / Σ_k w_k,   w_j = count_j^0.75 (built by `unigramWeights`)
 *
 * The table (`prob` f32 [V], `alias` i32 [V]) is built on the host by
 * `AliasTable.fromWeights` — the documented exception of issue 3: Vose's
 * construction is a sequential O(V) pass done once per training run, so a
 * fast version cannot pay. Sampling is the table's recipe (alias.ts):
 *
 *   try t of row r uses Philox words  k = counter + 2·(r·T + t),  k + 1   (T = maxTries)
 *   column = mulhi32(word k, V);  coin = (word k+1 >>> 8)·2⁻²⁴  (exact in f32)
 *   item   = coin < prob[column] ? column : alias[column]
 *
 * Variants:
 * - inputs [prob, alias]: `count` rows, no exclusion; every row keeps its first
 *   try (pass maxTries = 1 to use 2 words per row);
 * - inputs [prob, alias, users, indptr, indices]: one row per user entry; a draw
 *   in the user's sorted CSR row is retried; after T tries the row keeps its
 *   last draw and counts in `exhausted` (as `neg_sample_exclude`).
 * Every try costs exactly 2 words, so all backends consume the same counters
 * and agree bit for bit (EXACT parity).
 *
 * Bad input: shapes, dtypes and attributes are the spec's rule
 * ({@link checkNegSampleAliasInputs}, run by the engine on every backend). This
 * reference checks every alias entry (in [0, V)); native and webgpu check the
 * entries their draws reach (an O(V) scan per call cost more than the draws on
 * a 1,000,000-item table), so a bad entry no draw reaches passes there.
 *
 * Outputs: negatives i32 [n]; exhausted i32 [1].
 * Serves: word2vec-style negative sampling of the item-embedding models (MRLR's
 * skip-gram, CCRec §5.1's popularity-smoothed negatives) and BPR variants.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { mulhi32 } from '../../random/philox.js';
import { u32At } from '../../random/rng.js';
import { sortedHas } from '../../search/sorted.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDrawAttrs } from './draw_attrs.js';
import { checkMaxTries, checkSamplerIndptr, checkSamplerVector } from './sampler_inputs.js';

/** Attributes of `neg_sample_alias`. */
export interface NegSampleAliasAttrs {
  /** Rows to draw when no exclusion CSR is given (ignored otherwise: the row count is users.length). */
  count: number;
  seed: number;
  stream: number;
  counter: number;
  /** Tries per row T; each costs 2 Philox words. */
  maxTries: number;
}

const UNIFORM_STEP = 1 / 16_777_216;

export const negSampleAliasSpec = declareKernel({
  id: 'neg_sample_alias',
  family: 'sampling',
  summary: 'j ~ w_j / Σw (alias table, unigram^0.75), optionally excluding the user positives by bounded retry',
  check: checkNegSampleAliasInputs,
});

/**
 * The rule of `neg_sample_alias` (its spec's `check`, run by `runKernel` on every backend):
 * 2 inputs [prob f32 [V], alias i32 [V]] with V ≥ 1 and `count` in [0, 2³¹), or 5 with the
 * exclusion CSR [users i32 [n], indptr i32 [numUsers + 1], indices i32 [nnz]]; maxTries in
 * [1, 2²⁰] and the Philox attributes, the 2·n·T words from `counter` safe integers. It reads
 * no tensor data: the alias entries and users in range are checked where the data lives.
 *
 * @example
 * ```ts
 * checkNegSampleAliasInputs([prob, alias], { count: 1024, seed: 1, stream: 0, counter: 0, maxTries: 1 });
 * ```
 */
export function checkNegSampleAliasInputs(inputs: readonly Tensor[], attrs: NegSampleAliasAttrs): void {
  const K = 'neg_sample_alias';
  const exclude = inputs.length === 5;
  if (!exclude && inputs.length !== 2) throw new Error(`${K}: expected 2 inputs (prob, alias) or 5 (prob, alias, users, indptr, indices), got ${inputs.length}`);
  const [prob, alias, users, indptr, indices] = inputs;
  checkSamplerVector(K, 'prob', prob, 'f32', 'V');
  checkSamplerVector(K, 'alias', alias, 'i32', 'V');
  if (prob.size === 0) throw new Error(`${K}: the alias table is empty`);
  if (alias.size !== prob.size) throw new Error(`${K}: prob has ${prob.size} entries but alias has ${alias.size}`);
  if (exclude) {
    checkSamplerVector(K, 'users', users, 'i32', 'n');
    checkSamplerIndptr(K, 'indptr', indptr, 'numUsers');
    checkSamplerVector(K, 'indices', indices, 'i32', 'nnz');
  } else if (!(Number.isInteger(attrs.count) && attrs.count >= 0 && attrs.count < 2 ** 31)) {
    throw new Error(`${K}: count must be an integer in [0, 2³¹), got ${attrs.count}`);
  }
  const { maxTries } = attrs;
  checkMaxTries(K, maxTries);
  const n = exclude ? users.shape[0] : attrs.count;
  checkDrawAttrs(K, attrs, 2 * n * maxTries, `2·${n}·${maxTries}`);
}

/**
 * `count` draws without exclusion, every row on its first try (maxTries = 1): row r takes
 * Philox words counter + 2r and counter + 2r + 1 of (seed, stream). The reference of
 * `neg_sample_alias`'s 2-input form at maxTries 1, shared with `skipgram_sample_step`, which
 * draws its negatives this way.
 *
 * @example
 * ```ts
 * const negatives = aliasDraws(table.prob, table.alias, 1, 0, 0, 5 * 1024);
 * ```
 */
export function aliasDraws(prob: ArrayLike<number>, alias: ArrayLike<number>, seed: number, stream: number, counter: number, count: number): Int32Array {
  const V = prob.length;
  const out = allocArray('i32', count);
  for (let r = 0; r < count; r++) {
    const k = counter + 2 * r;
    const column = mulhi32(u32At(seed, stream, k), V);
    out[r] = (u32At(seed, stream, k + 1) >>> 8) * UNIFORM_STEP < prob[column] ? column : alias[column];
  }
  return out;
}

/**
 * Checks that every alias entry is a column of the table (in [0, V)), in `K`'s words; shared
 * by `neg_sample_alias` and `skipgram_sample_step`, whose references draw by the same table.
 *
 * @example
 * ```ts
 * checkAliasEntries(hostData(alias), 'skipgram_sample_step');
 * ```
 */
export function checkAliasEntries(alias: ArrayLike<number>, K = 'neg_sample_alias'): void {
  for (let i = 0; i < alias.length; i++) {
    if (alias[i] < 0 || alias[i] >= alias.length) throw new Error(`${K}: alias[${i}] = ${alias[i]} is outside [0, ${alias.length})`);
  }
}

registerKernel<NegSampleAliasAttrs>('neg_sample_alias', 'js', ({ inputs, attrs, backend }) => {
  const K = 'neg_sample_alias';
  const prob = hostData(inputs[0]);
  const alias = hostData(inputs[1]);
  const exclude = inputs.length === 5;
  const users = exclude ? hostData(inputs[2]) : undefined;
  const ptr = exclude ? hostData(inputs[3]) : undefined;
  const idx = exclude ? hostData(inputs[4]) : undefined;
  const { seed, stream, counter, maxTries } = attrs;
  // The data the spec's rule cannot see: every alias entry a column, every user a CSR row.
  checkAliasEntries(alias, K);
  if (users && ptr) {
    const numUsers = ptr.length - 1;
    for (let r = 0; r < users.length; r++) {
      const u = users[r];
      if (u < 0 || u >= numUsers) throw new Error(`${K}: user ${u} at position ${r} is out of range for ${numUsers} users`);
    }
  }
  const n = users ? users.length : attrs.count;
  const V = prob.length;
  const out = allocArray('i32', n);
  let exhausted = 0;
  for (let r = 0; r < n; r++) {
    const lo = ptr ? ptr[users![r]] : 0;
    const hi = ptr ? ptr[users![r] + 1] : 0;
    let item = 0;
    let t = 0;
    for (; t < maxTries; t++) {
      const k = counter + 2 * (r * maxTries + t);
      const column = mulhi32(u32At(seed, stream, k), V);
      item = (u32At(seed, stream, k + 1) >>> 8) * UNIFORM_STEP < prob[column] ? column : alias[column];
      if (!exclude || !sortedHas(idx!, item, lo, hi)) break;
    }
    if (t === maxTries) exhausted++;
    out[r] = item;
  }
  return [hostOutput(backend, [n], 'i32', out), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
});
