/**
 * The category-level task (CCRec): what a model that recommends categories trains on —
 * every user's past category events and the future categories of the users it learns
 * from — and the per-user views of it that such models read (the last k past
 * categories as a padded sequence, the future categories as sorted rows).
 */
import { makeValidator } from '@rec/eval';
import { type CategoryTree, createInteractions, type Interactions, ItemCategories, itemCategoryAtDepth, rowsByUser, selectInteractions, type TemporalCategorySplit, UserItemCSR } from '@rec/data';
import type { Validation } from '../training/trainer.js';
import type { Predictor } from './inference.js';

/**
 * A category-level task over one index space of users and categories.
 * @example
 * ```ts
 * const task: CategoryTask = categoryTaskOf(split, { itemCategories: genres, learn, validate });
 * task.past.items;   // each past event's category, rows by user then time
 * task.future.users; // the users the model learns from
 * ```
 */
export interface CategoryTask {
  /** Size of the category space (the model's output). */
  readonly numCategories: number;
  /** Each item's categories in this space (the item rows of `train` map to categories through it). */
  readonly itemCategories: ItemCategories;
  /**
   * Every user's past category events (CCRec's δ_t) as interactions whose "items" are
   * categories with their start times (rows in any order; `pastSequences` orders each
   * user's by time): a model's input, at training and at inference.
   */
  readonly past: Interactions;
  /** Future categories (γ_t) of the users the model learns from: its training targets. */
  readonly future: Interactions;
  /** Future categories of users held out of `future`, to validate on (early stopping, tuning). */
  readonly validFuture?: Interactions;
}

/** Options of {@link categoryTaskOf}. */
export interface CategoryTaskOptions {
  /** The categories of the split (the space of its events). */
  readonly itemCategories: ItemCategories;
  /** Users whose future the model learns from (ascending or not). */
  readonly learn: Int32Array;
  /** Users whose future validates (none of `learn`). */
  readonly validate?: Int32Array;
}

/**
 * The task of a {@link TemporalCategorySplit}: everyone's past events, and the future
 * events of `learn` (and of `validate`, apart). Users in neither (the test users) keep
 * only their past, which is what a model sees of them.
 * @throws Error when a user is in both `learn` and `validate`, or out of range.
 * @example
 * ```ts
 * const task = categoryTaskOf(temporalCategorySplit(log, { cutoff, categories }), { itemCategories, learn: trainUsers });
 * ```
 */
export function categoryTaskOf(split: TemporalCategorySplit, options: CategoryTaskOptions): CategoryTask {
  const events = split.pastEvents.events;
  const numUsers = events.numUsers;
  const role = new Uint8Array(numUsers);
  const mark = (users: Int32Array, value: number, what: string): void => {
    for (const u of users) {
      if (!(Number.isInteger(u) && u >= 0 && u < numUsers)) throw new Error(`categoryTaskOf: ${what} user ${u} is outside 0..${numUsers - 1}`);
      if (role[u] !== 0 && role[u] !== value) throw new Error(`categoryTaskOf: user ${u} is both learned from and validated on`);
      role[u] = value;
    }
  };
  mark(options.learn, 1, 'learn');
  if (options.validate) mark(options.validate, 2, 'validate');
  const future = split.futureEvents.events;
  const rowsOf = (value: number): Interactions => {
    const rows: number[] = [];
    for (let r = 0; r < future.length; r++) if (role[future.users[r]] === value) rows.push(r);
    return selectInteractions(future, Int32Array.from(rows));
  };
  return {
    numCategories: events.numItems,
    itemCategories: options.itemCategories,
    past: events,
    future: rowsOf(1),
    ...(options.validate ? { validFuture: rowsOf(2) } : {}),
  };
}

/**
 * Each user's last `length` past categories, oldest first, as one padded row per user:
 * `sequences[u·length + j]`, with `pad` (default `numCategories`, one past the last
 * category) after the user's `lengths[u]` events — the input of CCRec's MLE, SASRec and
 * FMLP-Rec (right-padded, as CCRec's released MLE pads to k).
 * @example
 * ```ts
 * const { sequences, lengths } = pastSequences(task.past, 10);
 * ```
 */
export function pastSequences(past: Interactions, length: number, pad = past.numItems): { sequences: Int32Array; lengths: Int32Array } {
  if (!(Number.isInteger(length) && length >= 1)) throw new Error(`pastSequences: length must be a positive integer, got ${length}`);
  const { numUsers, items } = past;
  const { indptr, indices } = rowsByUser(past, { byTime: past.timestamps !== undefined });
  const sequences = new Int32Array(numUsers * length).fill(pad);
  const lengths = new Int32Array(numUsers);
  for (let u = 0; u < numUsers; u++) {
    const start = Math.max(indptr[u]!, indptr[u + 1]! - length);
    lengths[u] = indptr[u + 1]! - start;
    for (let p = start; p < indptr[u + 1]!; p++) sequences[u * length + p - start] = items[indices[p]!]!;
  }
  return { sequences, lengths };
}

/**
 * Each user's distinct categories in `events` (sorted rows): the relevant sets of the
 * category protocol, and the users' known categories.
 * @example
 * ```ts
 * categoryRows(task.future).rowOf(7); // user 7's future categories, ascending
 * ```
 */
export function categoryRows(events: Interactions): UserItemCSR {
  return UserItemCSR.fromInteractions(events);
}

/** Users with at least one row in `events`, ascending. */
export function usersOf(events: Interactions): Int32Array {
  const seen = new Uint8Array(events.numUsers);
  for (const u of events.users) seen[u] = 1;
  const out: number[] = [];
  seen.forEach((s, u) => s && out.push(u));
  return Int32Array.from(out);
}

/**
 * A category log of explicit (user, category) pairs, for tests and hand-made tasks.
 * @example
 * ```ts
 * const past = categoryLog([0, 0, 1], [2, 5, 1], 2, 6);
 * ```
 */
export function categoryLog(users: ArrayLike<number>, categories: ArrayLike<number>, numUsers: number, numCategories: number, timestamps?: ArrayLike<number>): Interactions {
  return createInteractions({
    users: Int32Array.from(users), items: Int32Array.from(categories), numUsers, numItems: numCategories,
    ...(timestamps ? { timestamps: Float64Array.from(timestamps) } : {}),
  });
}

/**
 * The validation of a category model: `metric` of the category protocol on the task's
 * `validFuture` users, nothing masked; undefined when the task has no validation users.
 * The default, NDCG@5, covers the cut-offs of CCRec's tables (1 to 5) with one smooth
 * number: HR@3 over a dozen validation users (ml-100k's folds) moves in steps of 1/12 and
 * ties across epochs, so early stopping kept the first epoch.
 * @example
 * ```ts
 * validation: (model, data, config) => categoryValidation(model, data.categoryTask!, config.patience),
 * ```
 */
export function categoryValidation(model: Predictor, task: CategoryTask, patience = 3, metric = 'NDCG@5'): Validation | undefined {
  const valid = task.validFuture;
  if (!valid || valid.length === 0 || typeof model.scoreCategories !== 'function') return undefined;
  const validate = makeValidator({
    protocol: 'category-ranking',
    numCategories: task.numCategories,
    futureCategories: categoryRows(valid),
    users: usersOf(valid),
    metric,
  });
  return { name: metric, patience, evaluate: () => validate(model as never) };
}

/**
 * The categories of one level of a category tree as {@link ItemCategories}: each item's
 * ancestor at `depth` (items with a shorter path have none), renumbered densely in order of
 * first appearance and named by the tree. How a tree's level becomes a task's categories
 * (CCRec on Toys' second level).
 * @example
 * ```ts
 * const level2 = categoriesAtLevel(toys.categoryTree!, toys.itemLeafCategory!, 2, 'Toys level 2'); // 164 categories
 * ```
 */
export function categoriesAtLevel(tree: CategoryTree, leafOf: Int32Array, depth: number, source: string): ItemCategories {
  const level = itemCategoryAtDepth(tree, leafOf, depth);
  const index = new Map<number, number>();
  for (const node of level) if (node >= 0 && !index.has(node)) index.set(node, index.size);
  return ItemCategories.fromLists(Array.from(level, (node) => (node >= 0 ? [index.get(node)!] : [])), [...index.keys()].map((node) => tree.names[node]!), source);
}
