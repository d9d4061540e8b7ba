import type { IdMap, Interactions, RawId } from './interactions.js';
import type { CategoryTree } from './side-info/category-tree.js';
import type { DenseFeatures, UserFeatures } from './side-info/features.js';
import type { ItemCategories } from './side-info/item-categories.js';

/**
 * A split a dataset was published with, kept exactly as published: the
 * train/test (and validation) interactions over the dataset's index spaces,
 * and, for sampled-ranking protocols, fixed negative candidates per test row.
 */
export interface PublishedSplit {
  readonly train: Interactions;
  readonly test: Interactions;
  readonly valid?: Interactions;
  /**
   * Fixed negatives of each test row (e.g. NCF's 99 for ml-1m): row r's are
   * `testNegatives.items[r·k .. (r+1)·k)` with k = `testNegatives.perRow`.
   */
  readonly testNegatives?: { readonly perRow: number; readonly items: Int32Array };
  /** Where it comes from and how it was made, in a sentence. */
  readonly description: string;
}

/**
 * A dataset as the models see it: interactions over dense user and item
 * indexes, the raw ids behind them, its published splits, and whatever side
 * information it has.
 */
export interface Dataset<UserId extends RawId = RawId, ItemId extends RawId = RawId> {
  /** Registry name, e.g. `ml-100k`, `tmall/mbcgcn`, `amazon-s3rec/Beauty`. */
  readonly name: string;
  /**
   * Every interaction of the dataset. For data published only as splits this
   * is their union, with `behaviors` set where there are several behaviours.
   */
  readonly interactions: Interactions;
  readonly userIds: IdMap<UserId>;
  readonly itemIds: IdMap<ItemId>;
  /** Published splits by name (`u1` … `u5`, `ua`, `ub`; `default` where there is one). */
  readonly splits: Readonly<Record<string, PublishedSplit>>;
  /** Multi-label item categories (genres, attributes, category tags). */
  readonly itemCategories?: ItemCategories;
  /** The category hierarchy, when the data has one, and each item's deepest node (−1 when none). */
  readonly categoryTree?: CategoryTree;
  readonly itemLeafCategory?: Int32Array;
  /** Dense item features by name (`image`, `audio`, …). */
  readonly itemFeatures?: Readonly<Record<string, DenseFeatures>>;
  readonly userFeatures?: UserFeatures;
  /** Item titles or names, where the data has them. */
  readonly itemNames?: readonly string[];
}
