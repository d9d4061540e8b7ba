/**
 * What a model is trained on — {@link TrainingData}: the interactions of a split and
 * the side information of the dataset — what it may need of it ({@link ModelNeeds}),
 * and the sizes of those inputs a trained model is built for ({@link ModelShape}).
 */
import type { CategoryTree, Dataset, DenseFeatures, Interactions, ItemCategories, UserFeatures } from '@rec/data';
import type { CategoryTask } from './category-task.js';

/**
 * The side inputs a model can require or use:
 * - `behaviors`: several behaviour types in one log (view → cart → buy);
 * - `ratings`: explicit ratings per row;
 * - `timestamps`: a time per row, so per-user sequences;
 * - `categories`: item → categories (multi-label);
 * - `categoryTree`: a category hierarchy with each item's leaf;
 * - `itemFeatures`: dense item feature matrices (image, audio, text);
 * - `userFeatures`: user attributes;
 * - `categoryEvents`: a category-level task — each user's past category events and the
 *   future categories to learn ({@link CategoryTask}, CCRec).
 */
export const SIDE_INPUTS = {
  behaviors: 'several behaviour types',
  ratings: 'explicit ratings',
  timestamps: 'timestamps (per-user sequences)',
  categories: 'item categories',
  categoryTree: 'a category tree',
  itemFeatures: 'dense item features',
  userFeatures: 'user features',
  categoryEvents: 'past and future category events (a category task, e.g. from temporalCategorySplit)',
} as const;

/** One of {@link SIDE_INPUTS}. */
export type SideInput = keyof typeof SIDE_INPUTS;

/** Whether a model cannot train without an input, or uses it when the data has it. */
export type Need = 'required' | 'optional';

/**
 * What a model needs of the data, input by input; inputs not named are ignored.
 * @example
 * ```ts
 * const needs: ModelNeeds = { behaviors: 'required' }; // NMTR
 * ```
 */
export type ModelNeeds = Partial<Record<SideInput, Need>>;

/** What a model predicts: scores over items, scores over categories, or ratings of (user, item) pairs. */
export type ModelOutput = 'items' | 'categories' | 'ratings';

/** Every {@link ModelOutput}, in the order listings show them. */
export const MODEL_OUTPUTS: readonly ModelOutput[] = ['items', 'categories', 'ratings'];

/**
 * The training data of one model fit: the interactions it learns from, the rows held
 * out to validate on, and the dataset's side information (over the same index spaces).
 * @example
 * ```ts
 * const data: TrainingData = { train: fitRows, valid: heldOut, itemCategories: dataset.itemCategories };
 * ```
 */
export interface TrainingData {
  /** The rows the model learns from. */
  readonly train: Interactions;
  /** Rows held out for validation and early stopping, when the model validates. */
  readonly valid?: Interactions;
  readonly itemCategories?: ItemCategories;
  readonly categoryTree?: CategoryTree;
  /** Each item's deepest category-tree node (−1 when none). */
  readonly itemLeafCategory?: Int32Array;
  readonly itemFeatures?: Readonly<Record<string, DenseFeatures>>;
  readonly userFeatures?: UserFeatures;
  /**
   * A category-level task (CCRec): every user's past category events and the future
   * categories of the users to learn from. With it, `train` is the item-level rows of the
   * past events (π), and the task's categories are the category space of the model's output.
   */
  readonly categoryTask?: CategoryTask;
}

/**
 * The training data of `train` (and `valid`) with the side information of `dataset`.
 * @example
 * ```ts
 * const data = trainingDataOf(dataset, split.train, heldOut);
 * ```
 */
export function trainingDataOf(dataset: Pick<Dataset, 'itemCategories' | 'categoryTree' | 'itemLeafCategory' | 'itemFeatures' | 'userFeatures'>, train: Interactions, valid?: Interactions): TrainingData {
  return {
    train,
    ...(valid ? { valid } : {}),
    ...(dataset.itemCategories ? { itemCategories: dataset.itemCategories } : {}),
    ...(dataset.categoryTree ? { categoryTree: dataset.categoryTree } : {}),
    ...(dataset.itemLeafCategory ? { itemLeafCategory: dataset.itemLeafCategory } : {}),
    ...(dataset.itemFeatures && Object.keys(dataset.itemFeatures).length ? { itemFeatures: dataset.itemFeatures } : {}),
    ...(dataset.userFeatures ? { userFeatures: dataset.userFeatures } : {}),
  };
}

/**
 * Which side inputs the data has.
 * @example
 * ```ts
 * availableInputs({ train }); // e.g. ['behaviors', 'timestamps']
 * ```
 */
export function availableInputs(data: TrainingData): SideInput[] {
  const { train } = data;
  const has: Record<SideInput, boolean> = {
    behaviors: (train.behaviorNames?.length ?? 0) >= 2,
    ratings: train.ratings !== undefined,
    timestamps: train.timestamps !== undefined,
    categories: data.itemCategories !== undefined,
    categoryTree: data.categoryTree !== undefined,
    itemFeatures: data.itemFeatures !== undefined && Object.keys(data.itemFeatures).length > 0,
    userFeatures: data.userFeatures !== undefined,
    categoryEvents: data.categoryTask !== undefined,
  };
  return (Object.keys(SIDE_INPUTS) as SideInput[]).filter((input) => has[input]);
}

/**
 * Checks that `data` has every input `needs` requires.
 * @param model - the model's name, for the message.
 * @param where - names the data in the message (a dataset name).
 * @returns the optional inputs the model will use because the data has them.
 * @throws Error, one line naming each missing required input.
 * @example
 * ```ts
 * checkNeeds('nmtr-gmf', { behaviors: 'required' }, { train }, 'ml-100k');
 * // Error: nmtr-gmf needs several behaviour types, which ml-100k lacks
 * ```
 */
export function checkNeeds(model: string, needs: ModelNeeds, data: TrainingData, where = 'the data'): SideInput[] {
  const has = new Set(availableInputs(data));
  const entries = Object.entries(needs) as [SideInput, Need][];
  const missing = entries.filter(([input, need]) => need === 'required' && !has.has(input)).map(([input]) => SIDE_INPUTS[input]);
  if (missing.length) throw new Error(`${model} needs ${missing.join(' and ')}, which ${where} lacks`);
  return entries.filter(([input, need]) => need === 'optional' && has.has(input)).map(([input]) => input);
}

/**
 * The sizes a trained model is built for — its index spaces and the shapes of its side
 * inputs — kept in a saved model so it can be rebuilt without the data.
 * @example
 * ```ts
 * const shape: ModelShape = { numUsers: 943, numItems: 1682, behaviors: ['all'] };
 * ```
 */
export interface ModelShape {
  readonly numUsers: number;
  readonly numItems: number;
  /** Behaviours the model uses, funnel order, target last (`['all']` for a log without types). */
  readonly behaviors: readonly string[];
  /** Size of the category index space, when the data has categories (a category task's, when it has one). */
  readonly numCategories?: number;
  /** Nodes of the category tree, when there is one. */
  readonly numTreeNodes?: number;
  /** Levels of the category tree (its deepest node's depth + 1), when there is one. */
  readonly treeLevels?: number;
  /** Columns of each dense item feature matrix, by name. */
  readonly itemFeatureDims?: Readonly<Record<string, number>>;
  /** Vocabulary size of each categorical user feature, by name. */
  readonly userFeatureSizes?: Readonly<Record<string, number>>;
}

/** The {@link ModelShape} of `data` for a model using `behaviors`. */
export function shapeOf(data: TrainingData, behaviors: readonly string[]): ModelShape {
  const { train } = data;
  const itemFeatures = data.itemFeatures && Object.keys(data.itemFeatures).length
    ? Object.fromEntries(Object.entries(data.itemFeatures).map(([name, f]) => [name, f.dim]))
    : undefined;
  return {
    numUsers: train.numUsers,
    numItems: train.numItems,
    behaviors: [...behaviors],
    ...(data.categoryTask || data.itemCategories ? { numCategories: data.categoryTask?.numCategories ?? data.itemCategories!.numCategories } : {}),
    ...(data.categoryTree ? { numTreeNodes: data.categoryTree.names.length, treeLevels: data.categoryTree.levels } : {}),
    ...(itemFeatures ? { itemFeatureDims: itemFeatures } : {}),
    ...(data.userFeatures
      ? { userFeatureSizes: Object.fromEntries(Object.entries(data.userFeatures.categorical).map(([name, f]) => [name, f.vocabulary.length])) }
      : {}),
  };
}
