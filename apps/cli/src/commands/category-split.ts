/**
 * The category split of `rec train` and `rec eval` for models that recommend categories
 * (CCRec's family, SASRec, FMLP-Rec, VAERec): `--split ccrec[:<YYYY-MM-DD>][:tree-level=<n>]`.
 * The categories are the dataset's item categories, or with `tree-level=<n>` the nodes at
 * depth n of its category tree (Toys: 2 gives the 164 second-level categories of
 * `rec reproduce ccrec --data toys`; its item categories are 1,027 attributes, brands included).
 * CCRec's protocol (`ccrecSplit` of `@rec/models`): a cutoff (default: two-thirds of the
 * log's time span) splits each user's log into past and future, one category's
 * interactions within 5 days are one event, the users with a past and a future are cut
 * into 10 seeded folds; fold 0's users are the warm test users, fold 1's the cold test
 * users (past cut to 2 events), fold 2's validate, and the model learns from the others.
 */
import type { Dataset, ItemCategories } from '@rec/data';
import { categoriesAtLevel, type CcrecFold, ccrecSplit, type TrainingData } from '@rec/models/node';

/** A parsed category split: the cutoff and the category-tree level it names, if any. */
export interface CategorySplitSpec {
  readonly cutoff?: number;
  /** Depth of the dataset's category tree whose nodes are the categories (≥ 1). */
  readonly treeLevel?: number;
}

/**
 * `ccrec[:<YYYY-MM-DD>][:tree-level=<n>]`, else undefined (not a category split).
 * @throws Error when a part is neither a valid date nor `tree-level=<n ≥ 1>`, or repeats.
 * @example
 * ```ts
 * parseCategorySplit('ccrec:1998-02-10'); // { cutoff: 886464000 }
 * parseCategorySplit('ccrec:tree-level=2'); // { treeLevel: 2 }
 * ```
 */
export function parseCategorySplit(spec: string | undefined): CategorySplitSpec | undefined {
  if (spec === undefined || !/^ccrec(:|$)/.test(spec)) return undefined;
  const bad = (): Error => new Error(`--split: '${spec}' is not ccrec[:<YYYY-MM-DD>][:tree-level=<n>] (the cutoff date, UTC; the depth of the dataset's category tree whose nodes are the categories, n ≥ 1)`);
  let cutoff: number | undefined;
  let treeLevel: number | undefined;
  for (const part of spec.split(':').slice(1)) {
    const level = /^tree-level=(\d+)$/.exec(part);
    if (level && treeLevel === undefined && Number(level[1]) >= 1) {
      treeLevel = Number(level[1]);
      continue;
    }
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(part) && cutoff === undefined ? Date.parse(`${part}T00:00:00Z`) : NaN;
    if (!Number.isFinite(ms)) throw bad();
    cutoff = ms / 1000;
  }
  return { ...(cutoff === undefined ? {} : { cutoff }), ...(treeLevel === undefined ? {} : { treeLevel }) };
}

/** The category split of a dataset: fold 0's task and test users, with how to name them. */
export interface CategorySplit {
  /** Canonical spec with the cutoff's date and the tree level, if any (`ccrec:1998-02-10`, `ccrec:2013-10-30:tree-level=2`). */
  readonly spec: string;
  readonly description: string;
  readonly fold: CcrecFold;
  /** Every user's future categories (the test targets). */
  readonly future: import('@rec/data').Interactions;
  readonly numCategories: number;
  /** The categories: each item's, by the split's category index (the saved model keeps their names). */
  readonly itemCategories: ItemCategories;
  /** What the model trains on. */
  readonly data: TrainingData;
}

/**
 * The categories of `dataset` for a category model: the nodes at `treeLevel` of its
 * category tree when asked, else its item categories, else the first level of its tree.
 */
function categoriesOf(dataset: Dataset, treeLevel: number | undefined): ItemCategories {
  if (treeLevel !== undefined) {
    if (!dataset.categoryTree || !dataset.itemLeafCategory) throw new Error(`--split: ${dataset.name} has no category tree, so tree-level=${treeLevel} names no categories; leave it out to use its item categories`);
    const categories = categoriesAtLevel(dataset.categoryTree, dataset.itemLeafCategory, treeLevel, `${dataset.name} (tree level ${treeLevel})`);
    if (categories.numCategories === 0) throw new Error(`--split: no item of ${dataset.name} has a category at tree level ${treeLevel}; its tree is shallower`);
    return categories;
  }
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
  const itemCategories = categoriesOf(dataset, parsed.treeLevel);
  const level = parsed.treeLevel === undefined ? '' : `:tree-level=${parsed.treeLevel}`;
  const split = ccrecSplit(log, { cutoff, itemCategories, seed });
  const fold = split.fold(0);
  const day = new Date(cutoff * 1000).toISOString().slice(0, 10);
  return {
    spec: `ccrec:${day}${level}`,
    description: `CCRec's protocol over ${itemCategories.numCategories} categories (${parsed.treeLevel === undefined ? 'item categories' : `category-tree level ${parsed.treeLevel}`}): cutoff ${day}, one category's interactions within 5 days one event, ${split.order.length} users with a past and a future in 10 seeded folds; ` +
      `${fold.warm.length} warm and ${fold.cold.length} cold test users (past cut to 2 events), ${fold.validate.length} validation users, the rest learned from`,
    fold,
    future: split.future,
    numCategories: itemCategories.numCategories,
    itemCategories,
    data: {
      train: fold.train, categoryTask: fold.task,
      ...(dataset.userFeatures ? { userFeatures: dataset.userFeatures } : {}),
      ...(dataset.categoryTree && dataset.itemLeafCategory ? { categoryTree: dataset.categoryTree, itemLeafCategory: dataset.itemLeafCategory } : {}),
    },
  };
}
