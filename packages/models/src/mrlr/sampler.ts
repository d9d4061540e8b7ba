/**
 * The training triples of MRLR (Algorithm 1, lines 2–5): every item co-rated triple of
 * D_c, sampled user-specific ranking triples of D_r, and N negatives for each.
 *
 * - D_c = {(u, i, k) : i, k ∈ I⁺_u, i ≠ k} (§3.1). Eq. 5 models P(v_k | u, v_i) and "P(v_i
 *   | u, v_k) in a similar way", so both orders of a pair are examples: an epoch visits
 *   every ordered pair of every user's training items once, in a seeded random order.
 *   Its N negatives come from P(D⁻_c) with D⁻_c = D_r (eq. 9): items g the user has not
 *   rated, drawn uniformly (kernel `neg_sample_exclude`).
 * - D_r = {(u, i, j) : i ∈ I⁺_u, j ∉ I⁺_u} is too large to enumerate (§3.5), so it is
 *   sampled: per epoch, one triple (u, i, j) per observed pair (u, i), j uniform over
 *   I \ I⁺_u. Its N negatives come from P(D⁻_r), the opposite triples — (u, h, g) with h
 *   unrated and g rated — whose term σ(−(u·v'_h − u·v'_g)) is σ(u·v'_g − u·v'_h): each is
 *   one more ranking triple (u, g, h) with g uniform over I⁺_u and h uniform over
 *   I \ I⁺_u. So an observed pair yields 1 + N ranking triples per epoch.
 *
 * Batches interleave the two sets: batch b holds D_c examples [b·B, (b+1)·B) of the
 * epoch's order and the proportional share of the epoch's observed pairs for D_r, so
 * every batch mixes both terms of eq. 8 in the same ratio. Everything is a function of
 * (seed, epoch, batch) through Philox counters, so resumed runs repeat themselves.
 *
 * @see mrlr-multi-level-representation-learning-ranking.txt §3.1 (D_r, D_c), §3.5
 * (eq. 8, 9, Algorithm 1).
 */
import { AliasTable, Philox, sampleAliasNegatives, sampleNegatives, tensor, type Tensor, tidy, unigramWeights } from '@rec/core';
import { type MaybePromise, readAndDispose } from '../training/read.js';

/** One batch: D_c examples with their negatives, and D_r triples. */
export interface MrlrBatch {
  /** D_c: the user, the context item i and the target item k of each example. */
  readonly coUsers: Int32Array;
  readonly coItems: Int32Array;
  readonly coTargets: Int32Array;
  /** N negatives per D_c example, row-major [examples, N]. */
  readonly coNegatives: Int32Array;
  /** D_r (with its negative-sampling triples): (u, preferred i, unrated j). */
  readonly rankUsers: Int32Array;
  readonly rankPositives: Int32Array;
  readonly rankNegatives: Int32Array;
}

/** Options of {@link MrlrSampler}. */
export interface MrlrSamplerOptions {
  /** Whether D_c examples are drawn (eq. 5; RL, RLR, MRLR). */
  readonly coRated: boolean;
  /** Whether D_r triples are drawn (eq. 6; PR, RLR, MRLR). */
  readonly ranking: boolean;
  /** N, negatives per positive example (§4.1 grid {1, 5, 10, 20, 50}). */
  readonly negatives: number;
  /** D_c examples per batch (or D_r observed pairs when there is no D_c). */
  readonly batchSize: number;
  readonly seed: number;
  /**
   * Where negatives come from: `uniform` over the user's unrated items (the paper's
   * P(D⁻_c) with D⁻_c = D_r; the default), or `unigram`: unrated items drawn in
   * proportion to count^0.75 as word2vec and Item2Vec do — an ablation, not the paper's.
   */
  readonly negativeDistribution?: 'uniform' | 'unigram';
}

/** Retries of the rejection sampler before a draw is kept as is. */
const MAX_TRIES = 32;

/**
 * Draws MRLR's D_c and D_r examples batch by batch from a user's training items
 * (`indptr`/`indices`: each user's distinct items, ascending).
 *
 * @example
 * ```ts
 * const sampler = new MrlrSampler(csr.indptr, csr.indices, csr.numItems, { coRated: true, ranking: true, negatives: 5, batchSize: 4096, seed: 1 });
 * const batch = await sampler.batch(0, 0);
 * ```
 */
export class MrlrSampler {
  /** Ordered co-rated pairs before each user: user u's pairs are [pairStart[u], pairStart[u+1]). */
  readonly pairStart: Float64Array;
  /** |D_c| per epoch. */
  readonly coRatedCount: number;
  /** Observed (user, item) pairs: the D_r anchors. */
  readonly observed: number;
  readonly #userOfObserved: Int32Array;
  readonly #positives: { indptr: Tensor; indices: Tensor };
  readonly #alias: { prob: Tensor; alias: Tensor } | undefined;
  #order: { epoch: number; co: Int32Array; rank: Int32Array } | undefined;

  constructor(
    readonly indptr: Int32Array,
    readonly indices: Int32Array,
    readonly numItems: number,
    readonly options: MrlrSamplerOptions,
  ) {
    const numUsers = indptr.length - 1;
    const { negatives, batchSize } = options;
    if (!options.coRated && !options.ranking) throw new Error('MrlrSampler: enable the co-rated triples, the ranking triples or both');
    if (!Number.isInteger(negatives) || negatives < 1) throw new Error(`MrlrSampler: negatives must be a positive integer, got ${negatives}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`MrlrSampler: batchSize must be a positive integer, got ${batchSize}`);
    this.pairStart = new Float64Array(numUsers + 1);
    for (let u = 0; u < numUsers; u++) {
      const n = indptr[u + 1] - indptr[u];
      if (n >= numItems) throw new Error(`MrlrSampler: user ${u} has rated all ${numItems} items, so no item is left to be a negative`);
      this.pairStart[u + 1] = this.pairStart[u] + n * (n - 1);
    }
    this.coRatedCount = options.coRated ? this.pairStart[numUsers] : 0;
    if (this.coRatedCount > 0x7fffffff) throw new Error(`MrlrSampler: ${this.coRatedCount} co-rated pairs per epoch exceed 2^31 − 1`);
    this.observed = indices.length;
    if (this.observed === 0) throw new Error('MrlrSampler: the training data has no interactions to train on');
    this.#userOfObserved = new Int32Array(this.observed);
    for (let u = 0; u < numUsers; u++) this.#userOfObserved.fill(u, indptr[u], indptr[u + 1]);
    this.#positives = { indptr: tensor(indptr), indices: tensor(indices) };
    if (options.negativeDistribution === 'unigram') {
      const counts = new Float64Array(numItems);
      for (const i of indices) counts[i]++;
      const table = AliasTable.fromWeights(unigramWeights(counts));
      this.#alias = { prob: tensor(table.prob), alias: tensor(table.alias) };
    } else if (options.negativeDistribution !== undefined && options.negativeDistribution !== 'uniform') {
      throw new Error(`MrlrSampler: negativeDistribution must be 'uniform' or 'unigram', got '${String(options.negativeDistribution)}'`);
    }
  }

  /** Batches per epoch: D_c examples / batch size, or D_r anchors / batch size without D_c. */
  batches(): number {
    const units = this.coRatedCount > 0 ? this.coRatedCount : this.observed;
    return Math.ceil(units / this.options.batchSize);
  }

  /** The D_r observed pairs of batch `index`: [⌊index·P/B⌋, ⌊(index+1)·P/B⌋). */
  rankRange(index: number): [number, number] {
    if (!this.options.ranking) return [0, 0];
    const B = this.batches();
    return [Math.floor((index * this.observed) / B), Math.floor(((index + 1) * this.observed) / B)];
  }

  /** The (user, i, k) of ordered co-rated pair `p` (0 ≤ p < |D_c|). */
  coRatedPair(p: number): [number, number, number] {
    // binary search for the user whose pairs hold p
    let lo = 0;
    let hi = this.pairStart.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.pairStart[mid] <= p) lo = mid;
      else hi = mid - 1;
    }
    const u = lo;
    const r = p - this.pairStart[u];
    const n = this.indptr[u + 1] - this.indptr[u];
    const a = Math.floor(r / (n - 1));
    const b0 = r % (n - 1);
    const b = b0 >= a ? b0 + 1 : b0;
    return [u, this.indices[this.indptr[u] + a], this.indices[this.indptr[u] + b]];
  }

  #epochOrder(epoch: number): { co: Int32Array; rank: Int32Array } {
    if (this.#order?.epoch !== epoch) {
      const co = new Int32Array(this.coRatedCount);
      for (let p = 0; p < co.length; p++) co[p] = p;
      new Philox({ seed: this.options.seed, stream: 0x80000000 + 2 * epoch }).shuffle(co);
      const rank = new Int32Array(this.options.ranking ? this.observed : 0);
      for (let p = 0; p < rank.length; p++) rank[p] = p;
      new Philox({ seed: this.options.seed, stream: 0x80000001 + 2 * epoch }).shuffle(rank);
      this.#order = { epoch, co, rank };
    }
    return this.#order;
  }

  /** Batch `index` of `epoch`: at once on host backends, a promise on `webgpu` (the negatives are read back). */
  batch(epoch: number, index: number): MaybePromise<MrlrBatch> {
    const N = this.options.negatives;
    const B = this.options.batchSize;
    const order = this.#epochOrder(epoch);
    const coIds = order.co.subarray(index * B, (index + 1) * B);
    const m = coIds.length;
    const coUsers = new Int32Array(m);
    const coItems = new Int32Array(m);
    const coTargets = new Int32Array(m);
    const coDrawUsers = new Int32Array(m * N);
    const start = this.pairStart;
    for (let e = 0; e < m; e++) {
      // coRatedPair, inlined: this loop runs |D_c| times per epoch.
      const p = coIds[e];
      let lo = 0;
      let hi = start.length - 2;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (start[mid] <= p) lo = mid;
        else hi = mid - 1;
      }
      const r = p - start[lo];
      const base = this.indptr[lo];
      const n1 = this.indptr[lo + 1] - base - 1;
      const a = Math.floor(r / n1);
      const b0 = r - a * n1;
      coUsers[e] = lo;
      coItems[e] = this.indices[base + a];
      coTargets[e] = this.indices[base + (b0 >= a ? b0 + 1 : b0)];
      for (let t = e * N; t < (e + 1) * N; t++) coDrawUsers[t] = lo;
    }
    const [lo, hi] = this.rankRange(index);
    const anchors = order.rank.subarray(lo, hi);
    const r = anchors.length * (1 + N);
    const rankUsers = new Int32Array(r);
    const rankPositives = new Int32Array(r);
    // D_r's own triple uses the observed item; its N negative-sampling triples a uniform rated item.
    for (let a = 0; a < anchors.length; a++) {
      const u = this.#userOfObserved[anchors[a]];
      const start = this.indptr[u];
      const n = this.indptr[u + 1] - start;
      rankUsers.fill(u, a * (1 + N), (a + 1) * (1 + N));
      rankPositives[a * (1 + N)] = this.indices[anchors[a]];
      for (let t = 1; t <= N; t++) {
        const k = (lo + a) * N + t - 1; // a stateless draw per (epoch, anchor position, t)
        rankPositives[a * (1 + N) + t] = this.indices[start + Math.floor(Philox.uniformAt(this.options.seed, 0x40000000 + epoch, k) * n)];
      }
    }
    // Negatives: uniform over the user's unrated items, one Philox stream per set and epoch.
    const draw = (users: Int32Array, stream: number, perBatch: number) => {
      if (users.length === 0) return new Int32Array(0);
      // the alias sampler uses 2 counters per try, the uniform one 1
      const counter = index * perBatch * (this.#alias ? 2 : 1) * (MAX_TRIES + 1);
      const randomness = { seed: this.options.seed, stream, counter };
      const t = tidy(() =>
        this.#alias
          ? sampleAliasNegatives(this.#alias, users.length, randomness, { users: tensor(users), positives: this.#positives }, MAX_TRIES).negatives
          : sampleNegatives(tensor(users), this.#positives, this.numItems, randomness, MAX_TRIES).negatives,
      );
      return readAndDispose<Int32Array>(t);
    };
    const maxRank = (Math.floor(this.observed / this.batches()) + 1) * (1 + N);
    const coNegatives = draw(coDrawUsers, 2 * epoch, B * N);
    const rankNegatives = draw(rankUsers, 2 * epoch + 1, maxRank);
    const assemble = (co: Int32Array, rank: Int32Array): MrlrBatch => ({ coUsers, coItems, coTargets, coNegatives: co, rankUsers, rankPositives, rankNegatives: rank });
    if (coNegatives instanceof Promise || rankNegatives instanceof Promise) {
      return Promise.all([coNegatives, rankNegatives]).then(([co, rank]) => assemble(co, rank));
    }
    return assemble(coNegatives, rankNegatives);
  }
}
