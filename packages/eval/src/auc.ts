/**
 * Area under the ROC curve for recommendation: per user, pooled, and user-weighted.
 *
 * For one set of positive scores S⁺ and negative scores S⁻,
 *
 *   AUC = ( #{(p, n) : s_p > s_n} + ½ · #{(p, n) : s_p = s_n} ) / (|S⁺| · |S⁻|)
 *
 * the probability that a random positive outscores a random negative, a tie counting
 * one half. This is the Mann–Whitney U statistic over |S⁺|·|S⁻| with mid-ranks, the
 * value scikit-learn's `roc_auc_score` gives, and what a model that scores every item
 * the same earns: 0.5, not 0 or 1.
 *
 * Cost: the smaller side is sorted and each score of the larger side is placed in it
 * by binary search, O((P + N) log min(P, N)) time and O(min(P, N)) memory, never the
 * O(P·N) double loop. A user's AUC over all of their non-interacted items therefore
 * costs O(numItems · log P) and allocates only the P positive scores.
 *
 * Which AUC a paper means matters. MRLR reports "AUC" under 5-fold cross-validation
 * with no formula; in the BPR line of work it compares against (and, in its own
 * baselines, comes from) that is the mean per-user AUC over all non-interacted items.
 * CTR papers report the pooled AUC or DIN's GAUC. All three are here:
 * {@link meanUserAuc}, {@link globalAuc}, {@link gauc}.
 */

/**
 * The negatives a user's positives are compared against in {@link userAuc}:
 * - `{ allExcept }`: every item that is neither a positive nor in `allExcept` (a sorted
 *   ascending list, typically the user's train items), i.e. all non-interacted items;
 * - `{ sampled }`: exactly these items (e.g. drawn by a negative sampler); an item listed
 *   twice counts twice, as a sampler with replacement drew it twice.
 * @example
 * ```ts
 * const all: AucNegatives = { allExcept: trainItems.rowOf(user) };
 * const sampled: AucNegatives = { sampled: Int32Array.of(12, 40, 7) };
 * ```
 */
export type AucNegatives = { readonly allExcept: Int32Array } | { readonly sampled: Int32Array };

function checkScore(value: number, where: string, fn: string): void {
  if (value !== value) throw new Error(`${fn}: ${where} is NaN; AUC needs every score ordered`);
}

/** Number of entries of ascending `sorted` that are < value. */
function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of entries of ascending `sorted` that are ≤ value. */
function upperBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Correctly ordered pairs (ties ½) between positives and negatives, sorting `positive`
 * or `negative` in place (whichever is shorter). Both must be NaN-free.
 */
function orderedPairs(positive: Float64Array, negative: Float64Array): number {
  let pairs = 0;
  if (positive.length <= negative.length) {
    positive.sort();
    for (let j = 0; j < negative.length; j++) {
      const s = negative[j];
      const le = upperBound(positive, s);
      const lt = lowerBound(positive, s);
      // positives strictly above s, plus half of those equal to it
      pairs += positive.length - le + 0.5 * (le - lt);
    }
  } else {
    negative.sort();
    for (let i = 0; i < positive.length; i++) {
      const s = positive[i];
      const lt = lowerBound(negative, s);
      const le = upperBound(negative, s);
      pairs += lt + 0.5 * (le - lt);
    }
  }
  return pairs;
}

/**
 * AUC of one set of positive scores against one set of negative scores (formula in the
 * module header; ties count ½). Returns `undefined` when either side is empty: AUC is
 * then undefined, and the caller decides whether to skip (the aggregates here do).
 *
 * O((P + N) log min(P, N)) time; copies the two inputs (they are not reordered).
 *
 * @throws Error when a score is NaN.
 * @example
 * ```ts
 * aucFromScores([0.9, 0.4], [0.5, 0.1]);      // (2 + 1) / 4 = 0.75
 * aucFromScores([0.5], [0.5, 0.2]);           // (½ + 1) / 2 = 0.75
 * aucFromScores([], [0.3]);                   // undefined
 * ```
 */
export function aucFromScores(positive: ArrayLike<number>, negative: ArrayLike<number>): number | undefined {
  const pos = Float64Array.from(positive);
  const neg = Float64Array.from(negative);
  for (let i = 0; i < pos.length; i++) checkScore(pos[i], `positive[${i}]`, 'aucFromScores');
  for (let j = 0; j < neg.length; j++) checkScore(neg[j], `negative[${j}]`, 'aucFromScores');
  if (pos.length === 0 || neg.length === 0) return undefined;
  return orderedPairs(pos, neg) / (pos.length * neg.length);
}

function checkSortedItems(items: Int32Array, numItems: number, what: string): void {
  for (let j = 0; j < items.length; j++) {
    const v = items[j];
    if (v < 0 || v >= numItems) {
      throw new Error(`userAuc: ${what}[${j}] = ${v} is outside [0, scores.length = ${numItems})`);
    }
    if (j > 0 && v <= items[j - 1]) {
      throw new Error(
        `userAuc: ${what} must be sorted ascending without duplicates, ` +
          `but ${what}[${j - 1}] = ${items[j - 1]} and ${what}[${j}] = ${v}`,
      );
    }
  }
}

/**
 * One user's AUC from a score vector over all items: the user's positives (held-out
 * items) against the chosen negatives, ties counting ½.
 *
 * With `{ allExcept: trainItems }` the negatives are all items the user has not
 * interacted with: every index that is neither a positive nor excluded. This is the
 * full, unsampled AUC; it costs O(numItems · log P) and allocates only P scores.
 * With `{ sampled }` the negatives are the listed items (a sampled AUC, cheaper and
 * noisier, and biased upward against hard negatives: say which one a table shows).
 *
 * @param scores one score per item for this user.
 * @param positives the user's positive items, sorted ascending without duplicates.
 * @param negatives what the positives are compared against, see {@link AucNegatives}.
 * @returns the AUC, or `undefined` when there are no positives or no negatives.
 * @throws Error when an item is out of range, a list is unsorted, a sampled negative is
 * also a positive (a sampler that leaks positives), or a compared score is NaN.
 * @example
 * ```ts
 * const scores = Float32Array.of(0.9, 0.1, 0.5, 0.7, 0.3);
 * userAuc(scores, Int32Array.of(2), { allExcept: Int32Array.of(0) }); // vs items 1, 3, 4: 2/3
 * userAuc(scores, Int32Array.of(2), { sampled: Int32Array.of(1, 3) }); // 1/2
 * ```
 */
export function userAuc(
  scores: Float32Array | Float64Array,
  positives: Int32Array,
  negatives: AucNegatives,
): number | undefined {
  const numItems = scores.length;
  checkSortedItems(positives, numItems, 'positives');
  const pos = new Float64Array(positives.length);
  for (let i = 0; i < positives.length; i++) {
    pos[i] = scores[positives[i]];
    checkScore(pos[i], `scores[${positives[i]}] (positive ${i})`, 'userAuc');
  }
  pos.sort();
  const numPositives = pos.length;

  // Correctly ordered pairs contributed by one negative with score s.
  const pairsFor = (s: number): number => {
    const le = upperBound(pos, s);
    return numPositives - le + 0.5 * (le - lowerBound(pos, s));
  };

  let pairs = 0;
  let numNegatives = 0;
  if ('sampled' in negatives) {
    const sampled = negatives.sampled;
    for (let j = 0; j < sampled.length; j++) {
      const item = sampled[j];
      if (item < 0 || item >= numItems) {
        throw new Error(`userAuc: sampled[${j}] = ${item} is outside [0, scores.length = ${numItems})`);
      }
      // Binary search in the sorted positive ids.
      let lo = 0;
      let hi = positives.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (positives[mid] < item) lo = mid + 1;
        else hi = mid;
      }
      if (lo < positives.length && positives[lo] === item) {
        throw new Error(`userAuc: sampled negative ${item} (sampled[${j}]) is also a positive; the sampler leaks positives`);
      }
      const s = scores[item];
      checkScore(s, `scores[${item}] (sampled[${j}])`, 'userAuc');
      pairs += pairsFor(s);
      numNegatives++;
    }
  } else {
    const excluded = negatives.allExcept;
    checkSortedItems(excluded, numItems, 'allExcept');
    let nextPositive = 0;
    let nextExcluded = 0;
    for (let item = 0; item < numItems; item++) {
      // Both lists are ascending, so one merge pass skips them in O(numItems).
      if (nextPositive < positives.length && positives[nextPositive] === item) {
        nextPositive++;
        if (nextExcluded < excluded.length && excluded[nextExcluded] === item) nextExcluded++;
        continue;
      }
      if (nextExcluded < excluded.length && excluded[nextExcluded] === item) {
        nextExcluded++;
        continue;
      }
      const s = scores[item];
      checkScore(s, `scores[${item}]`, 'userAuc');
      pairs += pairsFor(s);
      numNegatives++;
    }
  }
  if (numPositives === 0 || numNegatives === 0) return undefined;
  return pairs / (numPositives * numNegatives);
}

/**
 * Scored (user, item) rows with binary labels, the pooled form a CTR-style evaluation
 * produces: row r says that `users[r]` was shown an item, the model scored it
 * `scores[r]`, and the label is `labels[r]` (1 positive, 0 negative).
 * User ids are dense indexes (as `@rec/data` id maps make them); grouping by user costs
 * O(rows + max user id) memory.
 * @example
 * ```ts
 * const rows: ScoredRows = {
 *   users: Int32Array.of(0, 0, 1, 1),
 *   scores: Float32Array.of(0.9, 0.2, 0.4, 0.6),
 *   labels: Uint8Array.of(1, 0, 1, 0),
 * };
 * ```
 */
export interface ScoredRows {
  readonly users: Int32Array;
  readonly scores: Float32Array | Float64Array;
  readonly labels: ArrayLike<number>;
}

function checkRows(rows: ScoredRows, fn: string): void {
  const n = rows.users.length;
  if (rows.scores.length !== n || rows.labels.length !== n) {
    throw new Error(
      `${fn}: users, scores and labels must have one entry per row, ` +
        `got ${n}, ${rows.scores.length} and ${rows.labels.length}`,
    );
  }
  for (let r = 0; r < n; r++) {
    if (rows.users[r] < 0) throw new Error(`${fn}: users[${r}] = ${rows.users[r]} is negative`);
    const label = rows.labels[r];
    if (label !== 0 && label !== 1) {
      throw new Error(`${fn}: labels[${r}] = ${String(label)}; labels must be 0 (negative) or 1 (positive)`);
    }
    checkScore(rows.scores[r], `scores[${r}]`, fn);
  }
}

/**
 * Per-user AUCs of the users that have both a positive and a negative row, ascending
 * by user id, with each user's row counts (the weights {@link gauc} can use), and how
 * many users were skipped for lacking one side.
 * @example
 * ```ts
 * const perUser: UserAucs = userAucs(rows);
 * perUser.auc[0]; // AUC of user perUser.users[0]
 * ```
 */
export interface UserAucs {
  readonly users: Int32Array;
  readonly auc: Float64Array;
  readonly positives: Int32Array;
  readonly negatives: Int32Array;
  /** Users with rows but no positive row (AUC undefined), left out above. */
  readonly skippedNoPositives: number;
  /** Users with rows but no negative row (AUC undefined), left out above. */
  readonly skippedNoNegatives: number;
}

/**
 * Groups scored rows by user and computes each user's AUC (ties ½). Users with no
 * positive or no negative row have no AUC; they are left out and counted in
 * `skippedNoPositives` / `skippedNoNegatives`.
 *
 * O(rows · log(rows per user) + max user id) time, O(rows + max user id) memory.
 *
 * @throws Error when the arrays' lengths differ, a user id is negative, a label is not
 * 0 or 1, or a score is NaN.
 * @example
 * ```ts
 * const perUser = userAucs({
 *   users: Int32Array.of(0, 0, 0, 1, 1, 2),
 *   scores: Float32Array.of(0.9, 0.2, 0.5, 0.4, 0.6, 0.3),
 *   labels: Uint8Array.of(1, 0, 0, 1, 0, 1),
 * });
 * // users [0, 1], auc [1, 0]; user 2 has no negative: skippedNoNegatives = 1
 * ```
 */
export function userAucs(rows: ScoredRows): UserAucs {
  checkRows(rows, 'userAucs');
  const { users, scores, labels } = rows;
  const n = users.length;
  let maxUser = -1;
  for (let r = 0; r < n; r++) if (users[r] > maxUser) maxUser = users[r];

  // Counting sort of rows by user, positives and negatives apart.
  const posCount = new Int32Array(maxUser + 1);
  const negCount = new Int32Array(maxUser + 1);
  for (let r = 0; r < n; r++) {
    if (labels[r] === 1) posCount[users[r]]++;
    else negCount[users[r]]++;
  }
  const posStart = new Int32Array(maxUser + 2);
  const negStart = new Int32Array(maxUser + 2);
  for (let u = 0; u <= maxUser; u++) {
    posStart[u + 1] = posStart[u] + posCount[u];
    negStart[u + 1] = negStart[u] + negCount[u];
  }
  const posScores = new Float64Array(posStart[maxUser + 1]);
  const negScores = new Float64Array(negStart[maxUser + 1]);
  const posFill = posStart.slice(0, maxUser + 1);
  const negFill = negStart.slice(0, maxUser + 1);
  for (let r = 0; r < n; r++) {
    if (labels[r] === 1) posScores[posFill[users[r]]++] = scores[r];
    else negScores[negFill[users[r]]++] = scores[r];
  }

  const outUsers: number[] = [];
  const outAuc: number[] = [];
  const outPos: number[] = [];
  const outNeg: number[] = [];
  let skippedNoPositives = 0;
  let skippedNoNegatives = 0;
  for (let u = 0; u <= maxUser; u++) {
    const p = posCount[u];
    const q = negCount[u];
    if (p === 0 && q === 0) continue; // not in the rows at all
    if (p === 0) {
      skippedNoPositives++;
      continue;
    }
    if (q === 0) {
      skippedNoNegatives++;
      continue;
    }
    const pairs = orderedPairs(
      posScores.subarray(posStart[u], posStart[u + 1]),
      negScores.subarray(negStart[u], negStart[u + 1]),
    );
    outUsers.push(u);
    outAuc.push(pairs / (p * q));
    outPos.push(p);
    outNeg.push(q);
  }
  return {
    users: Int32Array.from(outUsers),
    auc: Float64Array.from(outAuc),
    positives: Int32Array.from(outPos),
    negatives: Int32Array.from(outNeg),
    skippedNoPositives,
    skippedNoNegatives,
  };
}

/**
 * An aggregate AUC and what went into it.
 * @example
 * ```ts
 * const { value, users, skippedNoPositives } = meanUserAuc(userAucs(rows));
 * ```
 */
export interface AucSummary {
  readonly value: number;
  /** How each user's AUC was weighted: equally, by rows, or by positive rows. */
  readonly weight: 'user' | 'impressions' | 'positives';
  /** Users whose AUC entered the aggregate. */
  readonly users: number;
  readonly skippedNoPositives: number;
  readonly skippedNoNegatives: number;
}

function checkUserAucs(perUser: UserAucs, fn: string): void {
  const n = perUser.users.length;
  if (perUser.auc.length !== n || perUser.positives.length !== n || perUser.negatives.length !== n) {
    throw new Error(`${fn}: users, auc, positives and negatives must be aligned (one entry per user)`);
  }
  if (n === 0) {
    throw new Error(
      `${fn}: no user has both a positive and a negative ` +
        `(${perUser.skippedNoPositives} without positives, ${perUser.skippedNoNegatives} without negatives); AUC is undefined`,
    );
  }
}

/**
 * Mean per-user AUC: every user with an AUC counts once,
 *
 *   AUC_mean = (1 / |U'|) Σ_{u∈U'} AUC_u,  U' = users with ≥ 1 positive and ≥ 1 negative.
 *
 * This is the AUC of BPR (Rendle et al. 2009), the usual reading of MRLR's "AUC".
 *
 * @throws Error when no user has an AUC.
 * @see mrlr-multi-level-representation-learning-ranking.txt §4.1 (Evaluation: AUC)
 * @example
 * ```ts
 * meanUserAuc(userAucs(rows)).value;
 * ```
 */
export function meanUserAuc(perUser: UserAucs): AucSummary {
  checkUserAucs(perUser, 'meanUserAuc');
  let sum = 0;
  for (const v of perUser.auc) sum += v;
  return {
    value: sum / perUser.auc.length,
    weight: 'user',
    users: perUser.users.length,
    skippedNoPositives: perUser.skippedNoPositives,
    skippedNoNegatives: perUser.skippedNoNegatives,
  };
}

/**
 * Group AUC (GAUC, Zhou et al. 2018, "Deep Interest Network for Click-Through Rate
 * Prediction", KDD, §6.3 Metrics): per-user AUCs averaged with weights,
 *
 *   GAUC = Σ_u w_u · AUC_u / Σ_u w_u
 *
 * - `weight: 'impressions'` (default, DIN's definition): w_u = #impression_u, the number
 *   of the user's scored rows (positives + negatives);
 * - `weight: 'positives'`: w_u = the user's positive rows (clicks), a common variant.
 *
 * Users without a positive or a negative have no AUC and no weight; they are skipped
 * and counted in the result. Unlike the pooled {@link globalAuc}, GAUC only compares
 * items within a user, so it is not moved by how score scales differ between users.
 *
 * @throws Error when no user has an AUC.
 * @example
 * ```ts
 * gauc(userAucs(rows)).value;                          // impression-weighted
 * gauc(userAucs(rows), { weight: 'positives' }).value; // click-weighted
 * ```
 */
export function gauc(perUser: UserAucs, options: { weight?: 'impressions' | 'positives' } = {}): AucSummary {
  checkUserAucs(perUser, 'gauc');
  const weight = options.weight ?? 'impressions';
  if (weight !== 'impressions' && weight !== 'positives') {
    throw new Error(`gauc: weight must be 'impressions' or 'positives', got ${String(weight)}`);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < perUser.users.length; i++) {
    const w = weight === 'impressions' ? perUser.positives[i] + perUser.negatives[i] : perUser.positives[i];
    num += w * perUser.auc[i];
    den += w;
  }
  return {
    value: num / den,
    weight,
    users: perUser.users.length,
    skippedNoPositives: perUser.skippedNoPositives,
    skippedNoNegatives: perUser.skippedNoNegatives,
  };
}

/**
 * Pooled AUC over all (user, item) rows: every positive row against every negative row,
 * whoever the users are (ties ½). It is the AUC CTR papers report; it rewards a model
 * for ranking active users above inactive ones as well as for ranking items within a
 * user, which {@link gauc} and {@link meanUserAuc} do not.
 *
 * @returns the AUC and the numbers of positive and negative rows.
 * @throws Error when the rows have no positive or no negative, or on bad rows (see
 * {@link userAucs}).
 * @example
 * ```ts
 * globalAuc(rows); // { value: 0.71, positives: 1200, negatives: 48000 }
 * ```
 */
export function globalAuc(rows: ScoredRows): { value: number; positives: number; negatives: number } {
  checkRows(rows, 'globalAuc');
  let numPositives = 0;
  for (let r = 0; r < rows.labels.length; r++) numPositives += rows.labels[r];
  const numNegatives = rows.labels.length - numPositives;
  if (numPositives === 0 || numNegatives === 0) {
    throw new Error(
      `globalAuc: AUC needs positive and negative rows, got ${numPositives} positives and ${numNegatives} negatives`,
    );
  }
  const pos = new Float64Array(numPositives);
  const neg = new Float64Array(numNegatives);
  let p = 0;
  let q = 0;
  for (let r = 0; r < rows.labels.length; r++) {
    if (rows.labels[r] === 1) pos[p++] = rows.scores[r];
    else neg[q++] = rows.scores[r];
  }
  return { value: orderedPairs(pos, neg) / (numPositives * numNegatives), positives: numPositives, negatives: numNegatives };
}
