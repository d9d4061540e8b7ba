/**
 * The training examples of Item2Vec and Meta-Prod2Vec: every ordered pair of items that
 * share a user's item set, with N unigram^0.75 negatives each, and (Meta-Prod2Vec) the
 * side-information examples of each pair.
 *
 * Item2Vec (Barkan & Koenigstein 2016, §3 eq. 1) treats a user's items as a set — a
 * sentence whose window is the whole set — and maximises
 *
 *   (1/K) Σ_{i=1..K} Σ_{j≠i} [ ln σ(v_i·v'_j) + Σ_{n=1..N} ln σ(−v_i·v'_n) ],
 *
 * so an epoch visits each ordered pair (i, j), i ≠ j, of each user's distinct training
 * items once: (context i, target j). Every pair weighs 1, as word2vec run over the sets
 * with a window spanning each set weighs it; eq. 1's 1/K is word2vec's 1/T (the mean
 * over the corpus) written for one set, and taken per set it would divide a large set's
 * pairs by its size. So a set of K items gives K(K−1) steps per epoch, and heavy users
 * weigh more (Amazon Toys: the largest set, 550 items, holds 11 % of the 2.68 M pairs).
 * Negatives come from the unigram distribution raised
 * to 3/4 (word2vec's, which the paper keeps), the unigram counts being each item's
 * occurrences in the sets (its number of users). Frequent items may be subsampled, as
 * the paper does after Mikolov et al. 2013b (eq. 5): each occurrence of item w is
 * dropped for the epoch with probability 1 − √(ρ/f(w)), f(w) its share of all
 * occurrences, before the pairs are formed.
 *
 * Meta-Prod2Vec (Vasile et al. 2016, §3.2) adds, for the same pair (input i, output j)
 * with metadata M_i, M_j, the four λ-weighted conditionals of
 * L = L_{J|I} + λ·(L_{M|I} + L_{J|M} + L_{M|M} + L_{I|M}):
 *
 *   M|I: i → m_j     J|M: m_i → j     M|M: m_i → m_j     I|M: m_i → i
 *
 * over one vocabulary of items then categories (token numItems + c is category c). With
 * several categories per item (Amazon's attribute lists; the paper's metadata is one
 * value per product, the artist), m_i and m_j are drawn uniformly from the item's
 * categories for each pair and epoch, so each term is the mean over an item's categories
 * in expectation and every term has as many examples as L_{J|I}: λ alone sets their
 * weight, whatever the number of categories. A term whose item has no category is left
 * out for that pair.
 *
 * Negatives of the side-information examples are drawn by the kind of their target:
 * item targets from the items' unigram^0.75, category targets from the categories'
 * (a category's count is the occurrences of its items). Reason: one distribution over
 * the joint vocabulary would give most of an item target's negatives to category
 * tokens (4.3 categories per item in Amazon Toys), which never compete with items when
 * a user's items are ranked. A negative may equal the target (word2vec skips such
 * draws; at the catalogue sizes here it happens for a fraction of a percent of draws).
 *
 * Order and randomness: an epoch's pairs are visited in a Philox-shuffled order, cut in
 * batches of `batchSize` pairs; every draw (subsampling, order, categories, negatives)
 * is a function of (seed, epoch, position), so a run resumed from a checkpoint repeats
 * the uninterrupted one.
 *
 * @see Barkan & Koenigstein, "Item2Vec: Neural Item Embedding for Collaborative
 *   Filtering", MLSP 2016, §3; Vasile, Smirnova & Conneau, "Meta-Prod2Vec: Product
 *   Embeddings Using Side-Information for Recommendation", RecSys 2016, §3.2;
 *   Mikolov et al., "Distributed Representations of Words and Phrases", NIPS 2013, §2.2–2.3.
 */
import { AliasTable, Philox, sampleAliasNegatives, tensor, type Tensor, tidy, unigramWeights } from '@rec/core';
import { andThen, type MaybePromise, readAndDispose } from '../training/read.js';
import type { ItemLists } from './item-embeddings.js';

/** The side-information terms of Meta-Prod2Vec, in the order of {@link SkipGramBatch.meta}'s `terms` codes. */
export const META_TERMS = ['M|I', 'J|M', 'M|M', 'I|M'] as const;

/** One of {@link META_TERMS}. */
export type MetaTerm = (typeof META_TERMS)[number];

/** SGNS examples: a context token, a target token and N negative tokens each. */
export interface SkipGramExamples {
  readonly contexts: Int32Array;
  readonly targets: Int32Array;
  /** Row-major `[examples, N]`. */
  readonly negatives: Int32Array;
}

/** One batch: the pairs' L_{J|I} examples and, for Meta-Prod2Vec, their side-information examples. */
export interface SkipGramBatch extends SkipGramExamples {
  /** Meta-Prod2Vec's λ-weighted examples; `terms[e]` indexes {@link META_TERMS}. */
  readonly meta?: SkipGramExamples & { readonly terms: Uint8Array };
}

/**
 * One batch's L_{J|I} pairs without their negatives, and where `skipgram_sample_step` draws
 * them: the draws of {@link ItemPairSampler.batch}'s `negatives`, word for word.
 */
export interface SkipGramPairs {
  readonly contexts: Int32Array;
  readonly targets: Int32Array;
  /** The unigram^0.75 alias table over the item tokens. */
  readonly noise: { readonly prob: Tensor; readonly alias: Tensor };
  /** The Philox draw of the batch's N negatives per pair. */
  readonly draw: { readonly seed: number; readonly stream: number; readonly counter: number };
}

/** Options of {@link ItemPairSampler}. */
export interface ItemPairSamplerOptions {
  /** N, negatives per example. */
  readonly negatives: number;
  /** Pairs per batch. */
  readonly batchSize: number;
  readonly seed: number;
  /** ρ of the subsampling rule (0 keeps every occurrence). */
  readonly subsample: number;
  /**
   * Meta-Prod2Vec: each item's categories (ids 0 … numCategories − 1); their tokens
   * follow the items' in the vocabulary.
   */
  readonly metadata?: { readonly itemCategories: ItemLists; readonly numCategories: number };
}

/** Philox streams, one family per use; `+ epoch` keeps epochs apart. */
const STREAM = { order: 0x80000000, subsample: 0x50000000, categories: 0x40000000, negatives: 0 } as const;

/** An epoch's kept items per user and its pair order. */
interface EpochPairs {
  readonly epoch: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  /** Ordered pairs before each user: user u's are [pairStart[u], pairStart[u + 1]). */
  readonly pairStart: Float64Array;
  /** A permutation of the epoch's pair ids. */
  readonly order: Int32Array;
  /** Each pair id's user, when the epoch has at most {@link USER_OF_PAIR_LIMIT} pairs (else found by binary search). */
  readonly userOf: Int32Array | undefined;
}

/** Pairs up to which an epoch keeps each pair's user (4 bytes a pair: 128 MiB at the limit). */
const USER_OF_PAIR_LIMIT = 1 << 25;

/**
 * Draws the SGNS examples of Item2Vec (and Meta-Prod2Vec) batch by batch from each
 * user's distinct training items (see the file's header).
 *
 * @example
 * ```ts
 * const sampler = new ItemPairSampler(userItems, numItems, { negatives: 5, batchSize: 4096, seed: 1, subsample: 0 });
 * for (let b = 0; b < sampler.batches(0); b++) {
 *   const { contexts, targets, negatives } = sampler.batch(0, b) as SkipGramBatch;
 * }
 * ```
 */
export class ItemPairSampler {
  /** Occurrences of each token (items, then categories) in the training sets. */
  readonly counts: Float64Array;
  readonly vocabulary: number;
  /** Item-token negatives (zero weight on category tokens). */
  readonly #itemNoise: { prob: Tensor; alias: Tensor };
  /** Category-token negatives (Meta-Prod2Vec). */
  readonly #categoryNoise: { prob: Tensor; alias: Tensor } | undefined;
  /** Keep probability per item under subsampling (undefined: keep all). */
  readonly #keep: Float64Array | undefined;
  #epoch: EpochPairs | undefined;

  constructor(readonly userItems: ItemLists, readonly numItems: number, readonly options: ItemPairSamplerOptions) {
    const { negatives, batchSize, subsample, metadata } = options;
    if (!Number.isInteger(negatives) || negatives < 1) throw new Error(`ItemPairSampler: negatives must be a positive integer, got ${negatives}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`ItemPairSampler: batchSize must be a positive integer, got ${batchSize}`);
    if (!(subsample >= 0 && subsample < 1)) throw new Error(`ItemPairSampler: subsample must be in [0, 1), got ${subsample}`);
    const numCategories = metadata?.numCategories ?? 0;
    if (metadata && metadata.itemCategories.indptr.length !== numItems + 1) throw new Error(`ItemPairSampler: the item categories cover ${metadata.itemCategories.indptr.length - 1} items, the data ${numItems}`);
    this.vocabulary = numItems + numCategories;
    this.counts = new Float64Array(this.vocabulary);
    const { indptr, indices } = userItems;
    let pairs = 0;
    for (let u = 0; u + 1 < indptr.length; u++) {
      const n = indptr[u + 1] - indptr[u];
      pairs += n * (n - 1);
    }
    if (pairs === 0) throw new Error('ItemPairSampler: no user has two or more training items, so there is no item pair to learn from');
    if (pairs > 0x7fffffff) throw new Error(`ItemPairSampler: ${pairs} ordered item pairs per epoch exceed 2^31 − 1`);
    for (const i of indices) this.counts[i]++;
    if (metadata) {
      const { indptr: cp, indices: ci } = metadata.itemCategories;
      for (let i = 0; i < numItems; i++) for (let q = cp[i]; q < cp[i + 1]; q++) this.counts[numItems + ci[q]] += this.counts[i];
    }
    const weights = unigramWeights(this.counts);
    const itemWeights = weights.slice();
    itemWeights.fill(0, numItems);
    const table = (w: Float64Array) => {
      const t = AliasTable.fromWeights(w);
      return { prob: tensor(t.prob), alias: tensor(t.alias) };
    };
    this.#itemNoise = table(itemWeights);
    if (metadata && weights.subarray(numItems).some((w) => w > 0)) {
      const categoryWeights = weights.slice();
      categoryWeights.fill(0, 0, numItems);
      this.#categoryNoise = table(categoryWeights);
    }
    if (subsample > 0) {
      const total = indices.length;
      this.#keep = Float64Array.from(this.counts.subarray(0, numItems), (c) => (c > 0 ? Math.min(1, Math.sqrt((subsample * total) / c)) : 1));
    }
  }

  /** Batches of `epoch`. */
  batches(epoch: number): number {
    return Math.ceil(this.#pairsOf(epoch).order.length / this.options.batchSize);
  }

  /** Ordered pairs of `epoch` (every pair of the kept items of each user). */
  pairCount(epoch: number): number {
    return this.#pairsOf(epoch).order.length;
  }

  #pairsOf(epoch: number): EpochPairs {
    if (this.#epoch?.epoch === epoch) return this.#epoch;
    const { seed } = this.options;
    const keep = this.#keep;
    let { indptr, indices } = this.userItems;
    if (keep) {
      const kept: number[] = [];
      const ptr = new Int32Array(indptr.length);
      for (let u = 0; u + 1 < indptr.length; u++) {
        for (let q = indptr[u]; q < indptr[u + 1]; q++) {
          const item = indices[q];
          if (keep[item] >= 1 || Philox.uniformAt(seed, STREAM.subsample + epoch, q) < keep[item]) kept.push(item);
        }
        ptr[u + 1] = kept.length;
      }
      indptr = ptr;
      indices = Int32Array.from(kept);
    }
    const pairStart = new Float64Array(indptr.length);
    for (let u = 0; u + 1 < indptr.length; u++) {
      const n = indptr[u + 1] - indptr[u];
      pairStart[u + 1] = pairStart[u] + n * (n - 1);
    }
    const order = new Int32Array(pairStart[pairStart.length - 1]);
    for (let p = 0; p < order.length; p++) order[p] = p;
    new Philox({ seed, stream: STREAM.order + epoch }).shuffle(order);
    // Each pair's user, so a batch maps its pair ids without a binary search per pair (which,
    // with the tuple it returned, was about half of an Item2Vec epoch on Toys).
    let userOf: Int32Array | undefined;
    if (order.length <= USER_OF_PAIR_LIMIT) {
      userOf = new Int32Array(order.length);
      for (let u = 0; u + 1 < pairStart.length; u++) userOf.fill(u, pairStart[u], pairStart[u + 1]);
    }
    this.#epoch = { epoch, indptr, indices, pairStart, order, userOf };
    return this.#epoch;
  }

  /** The user of pair `p`: its precomputed entry, or the binary search over the users' pair ranges. */
  static #userOf(e: EpochPairs, p: number): number {
    if (e.userOf) return e.userOf[p];
    const { pairStart } = e;
    let lo = 0;
    let hi = pairStart.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (pairStart[mid] <= p) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The (context item, target item) of pair `p` of user `u` into contexts[k], targets[k]. */
  static #items(e: EpochPairs, u: number, p: number, contexts: Int32Array, targets: Int32Array, k: number): void {
    const { indptr, indices, pairStart } = e;
    const r = p - pairStart[u];
    const n = indptr[u + 1] - indptr[u];
    const a = Math.floor(r / (n - 1));
    const b0 = r % (n - 1);
    const b = b0 >= a ? b0 + 1 : b0;
    contexts[k] = indices[indptr[u] + a];
    targets[k] = indices[indptr[u] + b];
  }

  /** The (user, context item, target item) of pair `p` of `epoch` (0 ≤ p < {@link pairCount}). */
  pair(epoch: number, p: number): [number, number, number] {
    const e = this.#pairsOf(epoch);
    const u = ItemPairSampler.#userOf(e, p);
    const context = new Int32Array(1);
    const target = new Int32Array(1);
    ItemPairSampler.#items(e, u, p, context, target, 0);
    return [u, context[0], target[0]];
  }

  /**
   * Batch `index` of `epoch` as pairs and their negatives' draw, for a step that draws the
   * negatives itself (`skipgram_sample_step`); without Meta-Prod2Vec's side information only.
   */
  pairs(epoch: number, index: number): SkipGramPairs {
    if (this.options.metadata) throw new Error('ItemPairSampler.pairs: Meta-Prod2Vec batches draw their side-information negatives on the host; use batch()');
    const { contexts, targets } = this.#pairsOfBatch(epoch, index);
    return { contexts, targets, noise: this.#itemNoise, draw: this.#drawAt(epoch, index, STREAM.negatives, 1) };
  }

  /**
   * Where a batch's draws of one kind start: stream 3·epoch + `kind` (0 the pairs' negatives,
   * 1 and 2 Meta-Prod2Vec's item and category negatives), 2 words per draw, `perPair` × N
   * draws reserved per pair of every batch.
   */
  #drawAt(epoch: number, index: number, kind: number, perPair: number): { seed: number; stream: number; counter: number } {
    const { seed, negatives: N, batchSize: B } = this.options;
    return { seed, stream: 3 * epoch + kind, counter: 2 * index * perPair * B * N };
  }

  #pairsOfBatch(epoch: number, index: number): { contexts: Int32Array; targets: Int32Array } {
    const { batchSize: B } = this.options;
    const pairs = this.#pairsOf(epoch);
    const ids = pairs.order.subarray(index * B, (index + 1) * B);
    const m = ids.length;
    const contexts = new Int32Array(m);
    const targets = new Int32Array(m);
    for (let k = 0; k < m; k++) ItemPairSampler.#items(pairs, ItemPairSampler.#userOf(pairs, ids[k]), ids[k], contexts, targets, k);
    return { contexts, targets };
  }

  /** Batch `index` of `epoch`: at once on host backends, a promise on `webgpu` (the negatives are read back). */
  batch(epoch: number, index: number): MaybePromise<SkipGramBatch> {
    const { seed, negatives: N, batchSize: B, metadata } = this.options;
    const { contexts, targets } = this.#pairsOfBatch(epoch, index);
    const m = contexts.length;
    const draw = (noise: { prob: Tensor; alias: Tensor }, count: number, kind: number, perPair: number): MaybePromise<Int32Array> => {
      if (count === 0) return new Int32Array(0);
      const t = tidy(() => sampleAliasNegatives(noise, count, this.#drawAt(epoch, index, kind, perPair)).negatives);
      return readAndDispose<Int32Array>(t);
    };
    const main = draw(this.#itemNoise, m * N, STREAM.negatives, 1);
    if (!metadata) return andThen(main, (negatives) => ({ contexts, targets, negatives }));

    // Side-information examples of each pair (up to 4), by the kind of their target.
    const { itemCategories: cats } = metadata;
    const metaContexts = new Int32Array(4 * m);
    const metaTargets = new Int32Array(4 * m);
    const terms = new Uint8Array(4 * m);
    const itemRows = new Int32Array(4 * m);
    const categoryRows = new Int32Array(4 * m);
    let count = 0;
    let items = 0;
    let categories = 0;
    // Two words per pair position: m_i's, then m_j's.
    const rng = new Philox({ seed, stream: STREAM.categories + epoch });
    rng.skipTo(2 * index * B);
    const categoryOf = (item: number): number => {
      const lo = cats.indptr[item];
      const n = cats.indptr[item + 1] - lo;
      const u = rng.uniform();
      return n === 0 ? -1 : this.numItems + cats.indices[lo + Math.floor(u * n)];
    };
    const push = (context: number, target: number, term: number) => {
      metaContexts[count] = context;
      metaTargets[count] = target;
      terms[count] = term;
      if (target < this.numItems) itemRows[items++] = count;
      else categoryRows[categories++] = count;
      count++;
    };
    for (let e = 0; e < m; e++) {
      const i = contexts[e];
      const j = targets[e];
      const mi = categoryOf(i);
      const mj = categoryOf(j);
      if (mj >= 0) push(i, mj, 0); // M|I
      if (mi >= 0) push(mi, j, 1); // J|M
      if (mi >= 0 && mj >= 0) push(mi, mj, 2); // M|M
      if (mi >= 0) push(mi, i, 3); // I|M
    }
    const itemNegatives = draw(this.#itemNoise, items * N, 1, 2);
    const categoryNegatives = this.#categoryNoise ? draw(this.#categoryNoise, categories * N, 2, 2) : new Int32Array(0);
    const assemble = (negatives: Int32Array, itemNeg: Int32Array, categoryNeg: Int32Array): SkipGramBatch => {
      const metaNegatives = new Int32Array(count * N);
      for (let r = 0; r < items; r++) metaNegatives.set(itemNeg.subarray(r * N, (r + 1) * N), itemRows[r] * N);
      for (let r = 0; r < categories; r++) metaNegatives.set(categoryNeg.subarray(r * N, (r + 1) * N), categoryRows[r] * N);
      return {
        contexts, targets, negatives,
        meta: { contexts: metaContexts.slice(0, count), targets: metaTargets.slice(0, count), negatives: metaNegatives, terms: terms.slice(0, count) },
      };
    };
    if (main instanceof Promise || itemNegatives instanceof Promise || categoryNegatives instanceof Promise) {
      return Promise.all([main, itemNegatives, categoryNegatives]).then(([a, b, c]) => assemble(a, b, c));
    }
    return assemble(main, itemNegatives, categoryNegatives);
  }
}
