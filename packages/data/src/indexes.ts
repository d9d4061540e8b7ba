/**
 * Typed-array indexes over a log and its side information: each user's rows, each
 * behaviour's positives, item popularity per behaviour, item ↔ category lists and
 * category siblings. They are what samplers, masks and splitters look things up in, so
 * all of them are CSR pairs (`indptr`, `indices`) of Int32Arrays that cross into the
 * native and WebGPU kernels without copying.
 */
import { itemPopularity, UserItemCSR } from './csr.js';
import { selectInteractions, type Interactions } from './interactions.js';
import type { CategoryTree } from './side-info/category-tree.js';
import type { ItemCategories } from './side-info/item-categories.js';

/**
 * A compressed-sparse-row list of lists: row `k` is `indices[indptr[k] .. indptr[k+1])`.
 * @example
 * ```ts
 * const lists: CSRLists = { indptr: Int32Array.of(0, 2, 2, 3), indices: Int32Array.of(4, 7, 1) };
 * lists.indices.subarray(lists.indptr[0], lists.indptr[1]); // Int32Array [4, 7]
 * ```
 */
export interface CSRLists {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/**
 * The key {@link positivesByBehavior} and {@link itemPopularityByBehavior} use for a
 * log without behaviour types: its only "behaviour" is every row.
 * @example
 * ```ts
 * positivesByBehavior(ratingsLog)[ALL_BEHAVIORS].has(0, 42);
 * ```
 */
export const ALL_BEHAVIORS = 'all';

/**
 * The index of behaviour `behavior` (a name from `behaviorNames` or an index into it) in
 * `interactions`, or, when `behavior` is undefined, the last behaviour type — the target
 * in funnel order (`view`, `cart`, `buy` → `buy`).
 *
 * @throws Error when the log has no behaviour types, or when the name or index is not
 * one of them (the message lists the ones there are).
 * @example
 * ```ts
 * resolveBehavior(log, 'buy'); // 2 for behaviorNames ['view', 'cart', 'buy']
 * resolveBehavior(log);        // 2 as well: the last one
 * ```
 */
export function resolveBehavior(interactions: Interactions, behavior?: string | number, caller = 'resolveBehavior'): number {
  const names = interactions.behaviorNames;
  if (interactions.behaviors === undefined || names === undefined) {
    throw new Error(`${caller}: the log has no behaviour types; this needs a multi-behaviour log (behaviors + behaviorNames)`);
  }
  if (behavior === undefined) {
    if (names.length === 0) throw new Error(`${caller}: the log has an empty behaviorNames list`);
    return names.length - 1;
  }
  if (typeof behavior === 'number') {
    if (!Number.isInteger(behavior) || behavior < 0 || behavior >= names.length) {
      throw new Error(`${caller}: behaviour index ${behavior} is outside [0, ${names.length}); the log has ${names.join(', ')}`);
    }
    return behavior;
  }
  const index = names.indexOf(behavior);
  if (index < 0) throw new Error(`${caller}: unknown behaviour '${behavior}'; the log has ${names.map((n) => `'${n}'`).join(', ')}`);
  return index;
}

/**
 * Options of {@link rowsByUser}.
 * @example
 * ```ts
 * rowsByUser(log, { byTime: true } satisfies RowsByUserOptions);
 * ```
 */
export interface RowsByUserOptions {
  /**
   * Order each user's rows by timestamp, ascending, ties in row order (a stable sort),
   * instead of row order. Costs a sort per user. Throws when the log has no timestamps.
   */
  byTime?: boolean;
}

/**
 * The row numbers of each user, as CSR over users: user `u`'s rows are
 * `indices[indptr[u] .. indptr[u+1])`, in row order (a stable counting sort), or in time
 * order with `byTime`. The index behind per-user histories, leave-one-out and the
 * per-user splitters. Cost: O(length), plus O(Σ n log n) with `byTime`.
 *
 * @throws Error when `byTime` is set and the log has no timestamps.
 * @example
 * ```ts
 * const { indptr, indices } = rowsByUser(log, { byTime: true });
 * const history = indices.subarray(indptr[7], indptr[7 + 1]); // user 7's rows, oldest first
 * ```
 */
export function rowsByUser(interactions: Interactions, options: RowsByUserOptions = {}): CSRLists {
  const { numUsers, users, length, timestamps } = interactions;
  const indptr = new Int32Array(numUsers + 1);
  for (let r = 0; r < length; r++) indptr[users[r] + 1]++;
  for (let u = 0; u < numUsers; u++) indptr[u + 1] += indptr[u];
  const indices = new Int32Array(length);
  const cursor = indptr.slice(0, numUsers);
  for (let r = 0; r < length; r++) indices[cursor[users[r]]++] = r;
  if (options.byTime) {
    if (timestamps === undefined) throw new Error('rowsByUser: byTime needs a log with timestamps');
    for (let u = 0; u < numUsers; u++) {
      const row = indices.subarray(indptr[u], indptr[u + 1]);
      // Row numbers break ties, which makes the sort stable whatever the engine does.
      if (row.length > 1) row.sort((a, b) => timestamps[a] - timestamps[b] || a - b);
    }
  }
  return { indptr, indices };
}

/**
 * Number of rows of each user (repeats count each time): the "interactions per user"
 * of a statistics table, and what the per-user filters compare with their minimum.
 *
 * @returns Int32Array of length `numUsers`.
 * @example
 * ```ts
 * const activity = userActivity(train);
 * activity[0]; // how many train rows user 0 has
 * ```
 */
export function userActivity(interactions: Interactions): Int32Array {
  const counts = new Int32Array(interactions.numUsers);
  const users = interactions.users;
  for (let r = 0; r < interactions.length; r++) counts[users[r]]++;
  return counts;
}

/** The rows of behaviour `b`. */
function rowsOfBehavior(interactions: Interactions, b: number): Int32Array {
  const behaviors = interactions.behaviors!;
  let count = 0;
  for (let r = 0; r < interactions.length; r++) if (behaviors[r] === b) count++;
  const rows = new Int32Array(count);
  for (let r = 0, w = 0; r < interactions.length; r++) if (behaviors[r] === b) rows[w++] = r;
  return rows;
}

/**
 * Each behaviour's per-user positives as a {@link UserItemCSR}, keyed by behaviour name:
 * `positivesByBehavior(train).buy.has(u, i)` says whether `u` bought `i` in train. This
 * is the index multi-behaviour negative samplers and train-item masks need: NMTR §III-D
 * samples a behaviour's negatives from "u's unobserved interactions of the behavior
 * type", and with {@link multiBehaviorLeaveOneOut} a full-ranking evaluation must mask
 * with the target behaviour's positives only, since the held-out item may have been
 * viewed in train. A log without behaviour types gives one entry, {@link ALL_BEHAVIORS}.
 * Cost: one {@link UserItemCSR.fromInteractions} per behaviour.
 *
 * @example
 * ```ts
 * const positives = positivesByBehavior(train); // { view: UserItemCSR, cart: …, buy: … }
 * positives.buy.rowOf(0); // the items user 0 bought, ascending
 * ```
 * @see Gao et al., Learning Recommender Systems from Multi-Behavior Data (NMTR), §III-D.
 */
export function positivesByBehavior(interactions: Interactions): Record<string, UserItemCSR> {
  const names = interactions.behaviorNames;
  if (interactions.behaviors === undefined || names === undefined) {
    return { [ALL_BEHAVIORS]: UserItemCSR.fromInteractions(interactions) };
  }
  const out: Record<string, UserItemCSR> = {};
  names.forEach((name, b) => {
    out[name] = UserItemCSR.fromInteractions(selectInteractions(interactions, rowsOfBehavior(interactions, b)));
  });
  return out;
}

/**
 * Rows per item for each behaviour, keyed by behaviour name (see {@link itemPopularity},
 * which a log without behaviour types falls back to, under {@link ALL_BEHAVIORS}). The
 * most-popular baseline of each behaviour and the weights of popularity-based negative
 * sampling per behaviour channel. Cost: O(length + numItems · behaviours).
 *
 * @example
 * ```ts
 * const popularity = itemPopularityByBehavior(train);
 * popularity.buy[42]; // how many train purchases item 42 has
 * ```
 */
export function itemPopularityByBehavior(interactions: Interactions): Record<string, Int32Array> {
  const { behaviors, behaviorNames, items, numItems, length } = interactions;
  if (behaviors === undefined || behaviorNames === undefined) return { [ALL_BEHAVIORS]: itemPopularity(interactions) };
  const counts = behaviorNames.map(() => new Int32Array(numItems));
  for (let r = 0; r < length; r++) counts[behaviors[r]][items[r]]++;
  const out: Record<string, Int32Array> = {};
  behaviorNames.forEach((name, b) => (out[name] = counts[b]));
  return out;
}

/**
 * Both directions of an item ↔ category assignment, as CSR lists.
 * @example
 * ```ts
 * const { itemToCategories, categoryToItems }: CategoryItemIndex = categoryItemIndex(cats);
 * ```
 */
export interface CategoryItemIndex {
  readonly numItems: number;
  readonly numCategories: number;
  /** Item `i`'s categories, ascending. */
  readonly itemToCategories: CSRLists;
  /** Category `c`'s items, ascending. */
  readonly categoryToItems: CSRLists;
}

/**
 * The item → categories and category → items lists of a multi-label
 * {@link ItemCategories} (whose own arrays are the first direction and whose
 * `itemsByCategory()` is the second), or of a single category per item such as a
 * dataset's `itemLeafCategory` (−1 for an item without one). Category-constrained
 * negative sampling, MRLR's category-level item groups and CCRec's category events look
 * items up here. Cost: O(numItems + assignments).
 *
 * @param categories the assignments.
 * @param numCategories with an Int32Array, the size of the category space (e.g. the
 *   tree's size); default the largest category + 1. Ignored for ItemCategories.
 * @throws Error when a category in the Int32Array is outside `[−1, numCategories)`.
 * @example
 * ```ts
 * const index = categoryItemIndex(dataset.itemLeafCategory!, dataset.categoryTree!.size);
 * const { indptr, indices } = index.categoryToItems;
 * indices.subarray(indptr[3], indptr[4]); // the items whose leaf is node 3
 * ```
 * @see MRLR (multi-level representation learning for personalized ranking), §3.4: items of the same category.
 */
export function categoryItemIndex(categories: ItemCategories | Int32Array, numCategories?: number): CategoryItemIndex {
  if (!(categories instanceof Int32Array)) {
    return {
      numItems: categories.numItems,
      numCategories: categories.numCategories,
      itemToCategories: { indptr: categories.indptr, indices: categories.indices },
      categoryToItems: categories.itemsByCategory(),
    };
  }
  const numItems = categories.length;
  let max = -1;
  for (let i = 0; i < numItems; i++) if (categories[i] > max) max = categories[i];
  const size = numCategories ?? max + 1;
  const itemIndptr = new Int32Array(numItems + 1);
  const catIndptr = new Int32Array(size + 1);
  for (let i = 0; i < numItems; i++) {
    const c = categories[i];
    if (!Number.isInteger(c) || c < -1 || c >= size) {
      throw new Error(`categoryItemIndex: item ${i} has category ${c}, outside [−1, numCategories = ${size})`);
    }
    itemIndptr[i + 1] = itemIndptr[i] + (c >= 0 ? 1 : 0);
    if (c >= 0) catIndptr[c + 1]++;
  }
  for (let c = 0; c < size; c++) catIndptr[c + 1] += catIndptr[c];
  const itemIndices = new Int32Array(itemIndptr[numItems]);
  const catIndices = new Int32Array(itemIndptr[numItems]);
  const fill = catIndptr.slice(0, size);
  for (let i = 0, w = 0; i < numItems; i++) {
    const c = categories[i];
    if (c < 0) continue;
    itemIndices[w++] = c;
    catIndices[fill[c]++] = i;
  }
  return {
    numItems,
    numCategories: size,
    itemToCategories: { indptr: itemIndptr, indices: itemIndices },
    categoryToItems: { indptr: catIndptr, indices: catIndices },
  };
}

/**
 * Each category node's siblings — the other children of its parent, or for a root the
 * other roots (as {@link CategoryTree.siblings}) — as CSR over nodes, each list in the
 * tree's child order. The second-hand paper (§3.3.1) draws negatives from categories
 * that share the positive item's parent, and the sibling-constrained negative sampler
 * draws from these lists, so they are built once instead of filtered per draw.
 * Size: Σ over parents of k·(k−1) for k children.
 *
 * @throws Error when the lists would exceed 2^31 − 1 entries (a node with ~46,000
 * children); sample from `tree.children(parent)` and reject the node itself instead.
 * @example
 * ```ts
 * const tree = CategoryTree.fromParents(['Clothes', 'Shoes', 'Coats', 'Hats'], [-1, 0, 0, 0]);
 * const { indptr, indices } = categorySiblings(tree);
 * indices.subarray(indptr[1], indptr[2]); // Int32Array [2, 3]
 * ```
 * @see Yu & Gan, Personalized Item Recommendation for Second-hand Trading Platform, §3.3.1.
 */
export function categorySiblings(tree: CategoryTree): CSRLists {
  const n = tree.size;
  const roots = tree.roots();
  const poolSize = (c: number): number => {
    const p = tree.parents[c];
    return p >= 0 ? tree.childPtr[p + 1] - tree.childPtr[p] : roots.length;
  };
  const indptr = new Int32Array(n + 1);
  let total = 0;
  for (let c = 0; c < n; c++) {
    total += poolSize(c) - 1;
    if (total > 0x7fffffff) {
      throw new Error(
        `categorySiblings: the sibling lists exceed 2^31 − 1 entries at node ${c} ('${tree.names[c]}'); ` +
          'sample from tree.children(parent) instead',
      );
    }
    indptr[c + 1] = total;
  }
  const indices = new Int32Array(total);
  for (let c = 0; c < n; c++) {
    const p = tree.parents[c];
    const pool = p >= 0 ? tree.children(p) : roots;
    let w = indptr[c];
    for (let k = 0; k < pool.length; k++) if (pool[k] !== c) indices[w++] = pool[k];
  }
  return { indptr, indices };
}

/**
 * Each item's category at tree depth `depth` (0 = the top level), from its deepest
 * node (e.g. a dataset's `itemLeafCategory`); −1 for an item without a node or whose
 * node is shallower than `depth`. The second-hand paper embeds every level of an item's
 * path (its 13 / 149 / 1,233 categories of levels 1–3), and CCRec recommends at one
 * level; both start from this map.
 *
 * @throws Error when `depth` is negative or a leaf is not a node of the tree.
 * @example
 * ```ts
 * const topLevel = itemCategoryAtDepth(dataset.categoryTree!, dataset.itemLeafCategory!, 0);
 * ```
 * @see Yu & Gan, Personalized Item Recommendation for Second-hand Trading Platform, §3.2 and §4.1.
 */
export function itemCategoryAtDepth(tree: CategoryTree, leafOf: Int32Array, depth: number): Int32Array {
  if (!Number.isInteger(depth) || depth < 0) throw new Error(`itemCategoryAtDepth: depth must be an integer ≥ 0, got ${depth}`);
  const out = new Int32Array(leafOf.length);
  for (let i = 0; i < leafOf.length; i++) {
    const leaf = leafOf[i];
    if (leaf >= tree.size) throw new Error(`itemCategoryAtDepth: item ${i} has node ${leaf}, but the tree has ${tree.size} nodes`);
    out[i] = leaf < 0 || tree.depths[leaf] < depth ? -1 : tree.ancestorAt(leaf, depth);
  }
  return out;
}
