/**
 * The category split of `rec train` and `rec eval` for models that recommend categories
 * (CCRec's family, SASRec, FMLP-Rec, VAERec): `--split ccrec` or `ccrec:<YYYY-MM-DD>`.
 * CCRec's protocol (`ccrecSplit` of `@rec/models`): a cutoff (default: two-thirds of the
 * log's time span) splits each user's log into past and future, one category's
 * interactions within 5 days are one event, the users with a past and a future are cut
 * into 10 seeded folds; fold 0's users are the warm test users, fold 1's the cold test
 * users (past cut to 2 events), fold 2's validate, and the model learns from the others.
 */
import type { Dataset, ItemCategories } from '@rec/data';
import { categoriesAtLevel, type CcrecFold, ccrecSplit, type TrainingData } from '@rec/models/node';

/** A parsed category split: the spec as given and the cutoff it names, if any. */
export interface CategorySplitSpec {
  readonly cutoff?: number;
}

/**
 * `ccrec` or `ccrec:<YYYY-MM-DD>`, else undefined (not a category split).
 * @throws Error when the date does not parse.
 * @example
 * ```ts
 * parseCategorySplit('ccrec:1998-02-10'); // { cutoff: 886464000 }
 * ```
 */
export function parseCategorySplit(spec: string | undefined): CategorySplitSpec | undefined {
  if (spec === undefined || !/^ccrec(:|$)/.test(spec)) return undefined;
  if (spec === 'ccrec') return {};
  const date = spec.slice('ccrec:'.length);
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms)) throw new Error(`--split: '${spec}' is not ccrec or ccrec:<YYYY-MM-DD> (the cutoff date, UTC)`);
  return { cutoff: ms / 1000 };
}

/** The category split of a dataset: fold 0's task and test users, with how to name them. */
export interface CategorySplit {
  /** Canonical spec with the cutoff's date (`ccrec:1998-02-10`). */
  readonly spec: string;
  readonly description: string;
  readonly fold: CcrecFold;
  /** Every user's future categories (the test targets). */
  readonly future: import('@rec/data').Interactions;
  readonly numCategories: number;
  /** What the model trains on. */
  readonly data: TrainingData;
}

/**
 * The categories of `dataset` for a category model: its item categories, else the first
 * level of its category tree.
 */
function categoriesOf(dataset: Dataset): ItemCategories {
  if (dataset.itemCategories) return dataset.itemCategories;
  if (dataset.categoryTree && dataset.itemLeafCategory) return categoriesAtLevel(dataset.categoryTree, dataset.itemLeafCategory, 1, `${dataset.name} (tree level 1)`);
  throw new Error(`${dataset.name} has no item categories or category tree; a category model recommends categories`);
}

/**
 * CCRec's split of `dataset` (see the module header).
 * @throws Error when the log has no timestamps or categories, or too few users span the cutoff.
 * @example
 * ```ts
 * const { data, fold, spec } = categorySplitOf(ml100k, 'ccrec', 0);
 * ```
 */
export function categorySplitOf(dataset: Dataset, spec: string, seed: number): CategorySplit {
  const parsed = parseCategorySplit(spec);
  if (!parsed) throw new Error(`--split: a category model trains on the category split 'ccrec' or 'ccrec:<YYYY-MM-DD>', got '${spec}'`);
  const log = dataset.interactions;
  const ts = log.timestamps;
  if (!ts) throw new Error(`${dataset.name} has no timestamps; the category split cuts each user's log at a date`);
  let cutoff = parsed.cutoff;
  if (cutoff === undefined) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of ts) (lo = Math.min(lo, t), hi = Math.max(hi, t));
    cutoff = Math.floor((lo + ((hi - lo) * 2) / 3) / 86_400) * 86_400;
  }
  const itemCategories = categoriesOf(dataset);
  const split = ccrecSplit(log, { cutoff, itemCategories, seed });
  const fold = split.fold(0);
  const day = new Date(cutoff * 1000).toISOString().slice(0, 10);
  return {
    spec: `ccrec:${day}`,
    description: `CCRec's protocol: cutoff ${day}, one category's interactions within 5 days one event, ${split.order.length} users with a past and a future in 10 seeded folds; ` +
      `${fold.warm.length} warm and ${fold.cold.length} cold test users (past cut to 2 events), ${fold.validate.length} validation users, the rest learned from`,
    fold,
    future: split.future,
    numCategories: itemCategories.numCategories,
    data: {
      train: fold.train, categoryTask: fold.task,
      ...(dataset.userFeatures ? { userFeatures: dataset.userFeatures } : {}),
      ...(dataset.categoryTree && dataset.itemLeafCategory ? { categoryTree: dataset.categoryTree, itemLeafCategory: dataset.itemLeafCategory } : {}),
    },
  };
}
