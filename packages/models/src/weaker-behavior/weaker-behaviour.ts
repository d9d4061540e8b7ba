import { positivesByBehavior, resolveBehavior, selectInteractions, UserItemCSR, type Interactions } from '@rec/data';
import type { Recommender } from '../plugin/inference.js';

/**
 * Options of {@link WeakerBehaviorRule.fit}.
 * @example
 * ```ts
 * const options: WeakerBehaviorRuleOptions = { target: 'buy' };
 * ```
 */
export interface WeakerBehaviorRuleOptions {
  /** The behaviour to recommend for (default `buy`); every other behaviour is "weaker". */
  target?: string;
}

/**
 * Largest catalogue whose scores stay exact: the top score is 2 · numItems, and float32
 * holds every integer up to 2^24 exactly.
 */
const MAX_ITEMS = 2 ** 23;

/**
 * The "recommend what the user already looked at" rule: each user's items seen in train
 * under a non-target behaviour (viewed or carted) but not under the target (not
 * bought) come first, most popular first; then every other item, by popularity.
 *
 * It learns nothing, and is the baseline a multi-behaviour model has to beat on splits
 * where most test purchases were already viewed or carted (see `behaviorOverlap` in
 * `@rec/data`): under a full-ranking protocol that masks only training purchases, those
 * items stay candidates and this rule ranks them first.
 *
 * Popularity is an item's number of training rows of the target behaviour (purchases),
 * ties broken by its number of training rows of all behaviours, then by the lower item
 * index. The paper gives no such rule; purchases come first because they are what is
 * predicted, and the all-behaviour count separates the many items with equal (often
 * zero) purchase counts by the evidence that remains.
 *
 * Scores are ranks, not counts, so that float32 keeps them exact: with the items in
 * popularity order, the item at position p (0 = most popular) scores `numItems − p`,
 * plus `numItems` when it is one of the user's seen-weaker items. Every score of a user
 * is a distinct integer in [1, 2 · numItems], so no two items tie and the two tiers can
 * never merge or reorder, whatever evaluation breaks ties by. Catalogues of more than
 * 2^23 items are refused for that reason.
 *
 * @example
 * ```ts
 * const { train, test } = (await readDataset('tmall/mbcgcn')).splits.default;
 * const rule = WeakerBehaviorRule.fit(train);
 * const scores = rule.scoreUsers(Int32Array.of(0, 1)); // 2 × numItems, row-major
 * await evaluateFullRanking({
 *   numItems: rule.numItems,
 *   testItems: UserItemCSR.fromInteractions(test),
 *   trainMask: positivesByBehavior(train).buy, // only purchases: viewed items stay candidates
 *   scoreUsers: (users) => rule.scoreUsers(users),
 *   ks: [50, 100],
 * });
 * ```
 * @see Gao et al., Learning Recommender Systems from Multi-Behavior Data (NMTR), §IV-A1
 *   (its protocol ranks only items the user has not interacted with, so this rule has
 *   no seen-weaker tier to exploit there) and §IV-B (K in 50, 80, 100, 200).
 */
export class WeakerBehaviorRule implements Recommender {
  private constructor(
    /** Size of the user index space; users outside it are rejected. */
    readonly numUsers: number,
    readonly numItems: number,
    /** Name of the target behaviour. */
    readonly target: string,
    /** The items in popularity order, most popular first. */
    readonly popularityOrder: Int32Array,
    /** Each item's score outside the seen-weaker tier: `numItems − position`. */
    readonly popularityScores: Float32Array,
    /** Each user's items seen under a non-target behaviour and not under the target. */
    readonly seenWeaker: UserItemCSR,
  ) {}

  /**
   * Counts item popularity and collects each user's seen-weaker items.
   * Cost: O(train.length + numItems log numItems), memory O(numItems + pairs).
   *
   * @param train the training log, with behaviour types.
   * @param options.target the target behaviour (default `buy`).
   * @throws Error when train has no behaviour types, the target is not one of them, or
   *   the catalogue has more than 2^23 items.
   * @example
   * ```ts
   * const rule = WeakerBehaviorRule.fit(train, { target: 'buy' });
   * rule.seenWeaker.rowOf(0); // what user 0 viewed or carted but did not buy
   * ```
   */
  static fit(train: Interactions, options: WeakerBehaviorRuleOptions = {}): WeakerBehaviorRule {
    const fn = 'WeakerBehaviorRule.fit';
    const target = options.target ?? 'buy';
    const t = resolveBehavior(train, target, fn);
    const { numUsers, numItems, items, length } = train;
    if (numItems > MAX_ITEMS) {
      throw new Error(`${fn}: ${numItems} items exceed 2^23, beyond which float32 rank scores are no longer exact`);
    }
    const behaviors = train.behaviors as Uint8Array;

    const targetCount = new Float64Array(numItems);
    const allCount = new Float64Array(numItems);
    let weakerRows = 0;
    for (let r = 0; r < length; r++) {
      allCount[items[r]]++;
      if (behaviors[r] === t) targetCount[items[r]]++;
      else weakerRows++;
    }
    const popularityOrder = new Int32Array(numItems);
    for (let i = 0; i < numItems; i++) popularityOrder[i] = i;
    popularityOrder.sort((a, b) => targetCount[b] - targetCount[a] || allCount[b] - allCount[a] || a - b);

    const rows = new Int32Array(weakerRows);
    for (let r = 0, w = 0; r < length; r++) if (behaviors[r] !== t) rows[w++] = r;
    const weaker = UserItemCSR.fromInteractions(selectInteractions(train, rows));
    const bought = positivesByBehavior(train)[train.behaviorNames![t]];
    const indptr = new Int32Array(numUsers + 1);
    const indices = new Int32Array(weaker.nnz);
    let w = 0;
    for (let u = 0; u < numUsers; u++) {
      for (const item of weaker.rowOf(u)) if (!bought.has(u, item)) indices[w++] = item;
      indptr[u + 1] = w;
    }
    const seenWeaker = new UserItemCSR({ numUsers, numItems, indptr, indices: indices.slice(0, w) });
    return WeakerBehaviorRule.fromState(target, popularityOrder, seenWeaker);
  }

  /**
   * The rule from what {@link fit} computed — the items in popularity order and each
   * user's seen-weaker items — as a saved rule stores them.
   * @throws Error when `popularityOrder` is not a permutation of the catalogue or the
   *   sizes disagree.
   * @example
   * ```ts
   * const copy = WeakerBehaviorRule.fromState(rule.target, rule.popularityOrder, rule.seenWeaker);
   * ```
   */
  static fromState(target: string, popularityOrder: Int32Array, seenWeaker: UserItemCSR): WeakerBehaviorRule {
    const { numUsers, numItems } = seenWeaker;
    if (numItems > MAX_ITEMS) throw new Error(`WeakerBehaviorRule: ${numItems} items exceed 2^23, beyond which float32 rank scores are no longer exact`);
    if (popularityOrder.length !== numItems) throw new Error(`WeakerBehaviorRule: popularityOrder has ${popularityOrder.length} items, the catalogue ${numItems}`);
    const popularityScores = new Float32Array(numItems);
    for (let p = 0; p < numItems; p++) {
      const item = popularityOrder[p];
      if (!(item >= 0 && item < numItems) || popularityScores[item] !== 0) throw new Error(`WeakerBehaviorRule: popularityOrder is not a permutation of the ${numItems} items (position ${p})`);
      popularityScores[item] = numItems - p;
    }
    return new WeakerBehaviorRule(numUsers, numItems, target, popularityOrder, popularityScores, seenWeaker);
  }

  /**
   * Scores of `users` against every item, row-major `users.length × numItems`: the
   * rank scores described on the class, seen-weaker items lifted by `numItems`.
   * Training purchases are not removed; evaluation masks them.
   * @throws RangeError when a user is outside `[0, numUsers)`.
   */
  scoreUsers(users: Int32Array): Float32Array {
    const { numItems, numUsers } = this;
    const out = new Float32Array(users.length * numItems);
    for (let b = 0; b < users.length; b++) {
      const u = users[b];
      if (!(u >= 0 && u < numUsers)) {
        throw new RangeError(`WeakerBehaviorRule.scoreUsers: users[${b}] = ${u} is outside [0, numUsers = ${numUsers})`);
      }
      const offset = b * numItems;
      out.set(this.popularityScores, offset);
      for (const item of this.seenWeaker.rowOf(u)) out[offset + item] += numItems;
    }
    return out;
  }
}
