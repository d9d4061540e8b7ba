/**
 * `secondhand` and `secondhand-s`: the second-hand marketplace recommender (OurModel and
 * OurModel-S of the second-hand paper), hierarchical category representations and
 * per-category visual transforms with no per-item factor, trained on J1 (BPR with negatives
 * from sibling or the same categories) and, for OurModel, J2 (a softmax over users per item).
 */
import { add, bprLoss, mul, sampleCategoryNegatives, softmaxCrossEntropy, tensor, type Tensor, tidy } from '@rec/core';
import { CategoryTree } from '@rec/data';
import { z } from 'zod';
import { rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import { type ConfigOf, defineModel } from '../plugin/define.js';
import type { ModelShape, TrainingData } from '../plugin/data.js';
import { behaviorLog, behaviorRows } from '../training/log.js';
import { EpochOrder, type Objective } from '../training/objectives.js';
import { andThen, type MaybePromise, readAndDispose } from '../training/read.js';
import { SecondHandModel } from './model.js';
import { DeepStyle, VBPR } from './vbpr.js';

export { SecondHandModel, type SecondHandConfig, type SecondHandStructure } from './model.js';
export { DeepStyle, type DeepStyleConfig, VBPR, type VBPRConfig, type VisualStructure } from './vbpr.js';

const paper = {
  cite: 'Yu, Gan, Wei, Cheng & Nie, Personalized Item Recommendation for Second-hand Trading Platform, ACM Multimedia 2020',
  section: '§3.2–§3.3 (eq. 1–9), §4.2',
};

/** Retries of the category sampler before a draw is kept and counted as exhausted. */
const MAX_TRIES = 16;

const fields = {
  ...trainingFields,
  /** AdamW (§4.2); `l2` is its decoupled weight decay, the λ of eq. 7 and 8. */
  optimizer: trainingFields.optimizer.removeDefault().default('adamw'),
  learningRate: trainingFields.learningRate.removeDefault().default(0.001),
  l2: trainingFields.l2.removeDefault().default(0.01),
  /** d_cat (§4.2 grid {32, 64, 128} is of the final vector length: m·d_cat + d_vis). */
  dim: z.number().int().min(1).max(1024).default(32),
  /** d_vis, the visual part's size (default `dim`). */
  visualDim: z.number().int().min(1).max(1024).optional(),
  /** Pairs per batch (§4.2 grid {64, 128, 256}). */
  batchSize: z.number().int().min(1).max(1 << 16).default(128),
  /** Negatives per positive (§3.3.1 "several"), each a J1 triple. */
  negatives: z.number().int().min(1).max(100).default(4),
  /** Probability that a negative comes from a sibling category rather than the positive's own (kernel `neg_sample_category`). */
  siblingRate: z.number().min(0).max(1).default(0.5),
  /**
   * Where J1's negatives come from: `category` (§3.3.1: the positive's own or a sibling
   * category) or `uniform` (any item the user has not rated; an ablation of ours, to test
   * whether the category negatives are what keeps J1 from learning upper-level preferences).
   */
  sampler: z.enum(['category', 'uniform']).default('category'),
  /** Which dense item features are f^vis: a name of the data's item features, `none`, or `auto` (`image` when the data has it). */
  features: z.string().min(1).default('auto'),
  ...targetField,
  ...rankingValidationFields,
};

/** β1 and β2 of eq. 9 (§4.2: 0.75 and 0.25). */
const multiTask = {
  beta1: z.number().min(0).default(0.75),
  beta2: z.number().min(0).default(0.25),
};

type SecondHandParsed = ConfigOf<z.ZodObject<typeof fields>> & { readonly beta1?: number; readonly beta2?: number };

/** The feature matrix a config names, given what the data offers (undefined: no visual part). */
function featureName(config: { features: string }, available: Readonly<Record<string, number>> | undefined, where: string): string | undefined {
  if (config.features === 'none') return undefined;
  if (config.features === 'auto') return available?.image !== undefined ? 'image' : undefined;
  if (available?.[config.features] === undefined) {
    const names = Object.keys(available ?? {});
    throw new Error(`${where}: features: the data has no item features named '${config.features}' (it has ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'none'}); use auto or none`);
  }
  return config.features;
}

/**
 * One category holding every item: OurModel's tree on data without one (the visual-only
 * stand-ins), and VBPR's sampler, for which `neg_sample_category`'s leaf mode is then a uniform
 * negative the user has not rated.
 */
const oneCategory = (numItems: number): { tree: CategoryTree; itemLeaf: Int32Array } => ({ tree: CategoryTree.fromParents(['all items'], [-1]), itemLeaf: new Int32Array(numItems) });

/** The tree of the data, or {@link oneCategory} when it has none. */
function treeOf(data: Pick<TrainingData, 'categoryTree' | 'itemLeafCategory'>, numItems: number): { tree: CategoryTree; itemLeaf: Int32Array } {
  return data.categoryTree && data.itemLeafCategory ? { tree: data.categoryTree, itemLeaf: data.itemLeafCategory } : oneCategory(numItems);
}

function build(config: SecondHandParsed, shape: ModelShape, name: string): SecondHandModel {
  const feature = featureName(config, shape.itemFeatureDims, name);
  return new SecondHandModel({
    numUsers: shape.numUsers,
    numItems: shape.numItems,
    numNodes: shape.numTreeNodes ?? 1,
    levels: shape.treeLevels ?? 1,
    dim: config.dim,
    featureDim: feature ? shape.itemFeatureDims![feature]! : 0,
    ...(config.visualDim !== undefined ? { visualDim: config.visualDim } : {}),
    seed: config.seed,
  });
}

/** A batch of (u, i) pairs with each pair's negatives, negative-major. */
interface SecondHandBatch {
  readonly users: Int32Array;
  readonly positives: Int32Array;
  readonly negatives: Int32Array;
  /** Pairs in the batch (the first `pairs` rows are each pair once). */
  readonly pairs: number;
}

/**
 * The objective of eq. 9: β1·J1 + β2·J2, each a mean over its batch's terms (the paper writes
 * sums; a mean keeps the learning rate independent of the batch size, which §4.2 tunes).
 * - J1 (eq. 7): −ln σ(score(u, i⁺) − score(u, i⁻)) with `negatives` negatives per positive,
 *   each from the positive's own deepest category or, with probability `siblingRate`, from a
 *   sibling category under the same parent (§3.3.1; kernel `neg_sample_category`), never
 *   one of u's training items. A first-level category has no parent, so its items draw from
 *   their own category only.
 * - J2 (eq. 8): −ln softmax over all users of score(·, i) at u, once per (u, i) pair. The
 *   softmax is over every user, not sampled: the paper's sets have 400–1,000 users (§4.1) and
 *   so do our samples of them, so the [batch × users] logits are small.
 * Regularisation is AdamW's weight decay (`l2`), the paper's optimiser (§4.2), in place of
 * the λ‖θ‖² terms.
 *
 * A consequence of §3.3.1's negatives, found while checking eq. 7: the positive and its
 * negative share every category above the positive's deepest one, so those levels' terms
 * ⟨p_u^k, e^cat⟩ cancel out of J1's score difference. J1 alone never trains a user's
 * preference for the upper levels (and a negative from the same category, without a visual
 * part, gives no gradient at all); J2 does. See docs/reproductions/secondhand.md.
 */
class SecondHandObjective implements Objective<SecondHandBatch> {
  readonly #order: EpochOrder;
  readonly #pairUsers: Int32Array;
  readonly #pairItems: Int32Array;
  readonly #sampling;
  readonly #seen;

  constructor(
    readonly model: PairScorer,
    rated: { indptr: Int32Array; indices: Int32Array },
    categories: { tree: CategoryTree; itemLeaf: Int32Array },
    readonly options: { batchSize: number; negatives: number; siblingRate: number; seed: number; beta1: number; beta2: number },
  ) {
    const U = rated.indptr.length - 1;
    this.#pairUsers = new Int32Array(rated.indices.length);
    for (let u = 0; u < U; u++) this.#pairUsers.fill(u, rated.indptr[u]!, rated.indptr[u + 1]!);
    this.#pairItems = rated.indices;
    if (this.#pairItems.length === 0) throw new Error('secondhand: the training log has no target interactions');
    this.#order = new EpochOrder(Int32Array.from({ length: this.#pairItems.length }, (_, k) => k), options.seed, options.batchSize);
    this.#sampling = categorySampling(categories.tree, categories.itemLeaf);
    this.#seen = { indptr: tensor(rated.indptr), indices: tensor(rated.indices) };
  }

  batches(): number {
    return this.#order.batches();
  }

  prepare(epoch: number, index: number): MaybePromise<SecondHandBatch> {
    const ids = this.#order.batch(epoch, index);
    const pairs = ids.length;
    const n = pairs * this.options.negatives;
    const users = new Int32Array(n);
    const positives = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      users[k] = this.#pairUsers[ids[k % pairs]!]!;
      positives[k] = this.#pairItems[ids[k % pairs]!]!;
    }
    const drawn = tidy(() =>
      sampleCategoryNegatives(tensor(users), tensor(positives), this.#sampling, this.#seen, this.options.siblingRate, {
        seed: this.options.seed, stream: epoch, counter: index * n * (1 + 2 * MAX_TRIES),
      }, MAX_TRIES).negatives,
    );
    return andThen(readAndDispose<Int32Array>(drawn), (negatives) => ({ users, positives, negatives, pairs }));
  }

  batch(_epoch: number, _index: number, b: SecondHandBatch): { loss: Tensor; examples: number } {
    const categories = this.model.categoryVectors?.();
    const u = tensor(b.users);
    const j1 = bprLoss(this.model.score(u, tensor(b.positives), categories), this.model.score(u, tensor(b.negatives), categories));
    let loss = mul(j1, this.options.beta1);
    if (this.options.beta2 > 0) {
      const logits = this.model.scoreAllUsers(tensor(b.positives.subarray(0, b.pairs)), categories);
      loss = add(loss, mul(softmaxCrossEntropy(logits, tensor(b.users.subarray(0, b.pairs))), this.options.beta2));
    }
    return { loss, examples: b.users.length };
  }
}

/**
 * What {@link SecondHandObjective} trains: a scorer of (user, item) pairs and of every user for
 * an item (J2's logits). A model over a category tree gives `categoryVectors`, which a batch
 * computes once and hands to both scorers.
 */
export interface PairScorer {
  score(users: Tensor, items: Tensor, categories?: Tensor): Tensor;
  scoreAllUsers(items: Tensor, categories?: Tensor): Tensor;
  categoryVectors?(): Tensor;
}

/**
 * The `neg_sample_category` tables of a tree: each item's deepest node (items without one
 * share an extra category, index numNodes), the items of each category, and each
 * category's siblings (the other children of its parent that hold items; none for a first-level
 * category).
 */
export function categorySampling(tree: CategoryTree, itemLeaf: Int32Array) {
  const N = tree.size;
  const leaf = Int32Array.from(itemLeaf, (c) => (c < 0 ? N : c));
  const counts = new Int32Array(N + 2);
  for (const c of leaf) counts[c + 1]!++;
  for (let c = 0; c <= N; c++) counts[c + 1]! += counts[c]!;
  const items = new Int32Array(leaf.length);
  const fill = counts.slice(0, N + 1);
  leaf.forEach((c, i) => (items[fill[c]!++] = i));
  const sibPtr = new Int32Array(N + 2);
  const sibs: number[] = [];
  for (let c = 0; c <= N; c++) {
    // A sibling holding no items of its own (an inner node of Yelp's uneven paths) is left out: a draw from it would find nothing.
    if (c < N && tree.parents[c]! >= 0) sibs.push(...tree.siblings(c).filter((s) => counts[s + 1]! > counts[s]!));
    sibPtr[c + 1] = sibs.length;
  }
  return {
    itemCategory: tensor(leaf),
    categoryItems: { indptr: tensor(counts), indices: tensor(items) },
    siblings: { indptr: tensor(sibPtr), indices: tensor(Int32Array.from(sibs)) },
  };
}

function secondhandModel(name: string, title: string, summary: string, withJ2: boolean) {
  const schema = withJ2 ? z.object({ ...fields, ...multiTask }) : z.object({ ...fields, beta1: multiTask.beta1 });
  return defineModel({
    name,
    title,
    family: 'Second-hand',
    paper,
    summary,
    config: schema,
    needs: { categoryTree: 'optional', itemFeatures: 'optional' },
    outputs: ['items'],
    create: (config, shape) => build(config as unknown as SecondHandParsed, shape, name),
    fit: async (data, parsed, context) => {
      const config = parsed as unknown as SecondHandParsed;
      const model = build(config, context.shape, name);
      const feature = featureName(config, context.shape.itemFeatureDims, name);
      const categories = treeOf(data, context.shape.numItems);
      model.setStructure({ ...categories, ...(feature ? { features: data.itemFeatures![feature]!.values } : {}) });
      const log = behaviorLog(data.train, context.shape.behaviors);
      const sampling = config.sampler === 'uniform' ? oneCategory(context.shape.numItems) : categories;
      const objective = new SecondHandObjective(model, behaviorRows(log, log.behaviors.length - 1), sampling, {
        batchSize: config.batchSize, negatives: config.negatives, siblingRate: config.siblingRate, seed: config.seed,
        beta1: config.beta1 ?? 0.75, beta2: withJ2 ? (config.beta2 ?? 0.25) : 0,
      });
      return { model, history: await context.train(model, objective) };
    },
  });
}

/** OurModel: eq. 1–6 trained on β1·J1 + β2·J2 (eq. 9). */
export const secondhandModelDefinition = secondhandModel(
  'secondhand', 'OurModel (second-hand)',
  'hierarchical category representations (eq. 1) + per-category visual transforms (eq. 2), no per-item factor; BPR with category negatives + softmax over users per item (eq. 9)',
  true,
);
/** OurModel-S: OurModel without J2 (§4.4). */
export const secondhandSModelDefinition = secondhandModel(
  'secondhand-s', 'OurModel-S (second-hand, J1 only)',
  'OurModel trained on J1 alone: BPR with negatives from sibling or the same categories (eq. 7)',
  false,
);

export { SecondHandObjective };

/** The visual baselines' fields: OurModel's without the category sampler (their negatives are uniform). */
const { siblingRate: _siblingRate, sampler: _sampler, ...vbprFields } = fields;
/** The variants' and DeepStyle's fields: no K' either (their `dim` is the one item vector's size). */
const { visualDim: _visualDim, ...variantFields } = vbprFields;

/** The three visual baselines of §4.3. */
type VisualFamily = 'vbpr' | 'sherlock' | 'deepstyle';
/** The original model, its Variant-I (no per-item factor) or its Variant-II (Variant-I + J2). */
type VisualVariant = 'original' | 'I' | 'II';
type VisualParsed = ConfigOf<z.ZodObject<typeof vbprFields>> & { readonly beta1?: number; readonly beta2?: number };

const VISUAL_PAPERS: Record<VisualFamily, { cite: string; section: string; name: string }> = {
  vbpr: { name: 'VBPR', cite: 'He & McAuley, VBPR: Visual Bayesian Personalized Ranking from Implicit Feedback, AAAI 2016', section: 'VBPR eq. 2, 4' },
  sherlock: { name: 'Sherlock', cite: 'He, Lin, Wang & McAuley, Sherlock: Sparse Hierarchical Embeddings for Visually-aware One-class Collaborative Filtering, IJCAI 2016', section: 'Sherlock §3 (hierarchical projection)' },
  deepstyle: { name: 'DeepStyle', cite: 'Liu, Wu & Wang, DeepStyle: Learning User Preferences for Visual Recommendation, SIGIR 2017', section: 'DeepStyle §2 (style = E f_i − l_c)' },
};

function buildVisual(config: VisualParsed, shape: ModelShape, name: string, family: VisualFamily, variant: VisualVariant): VBPR | DeepStyle {
  const feature = featureName(config, shape.itemFeatureDims, name);
  if (!feature) throw new Error(`${name}: needs visual item features (the data has ${Object.keys(shape.itemFeatureDims ?? {}).map((n) => `'${n}'`).join(', ') || 'none'}; features: ${config.features})`);
  const featureDim = shape.itemFeatureDims![feature]!;
  const { numUsers, numItems } = shape;
  if (family === 'deepstyle') {
    return new DeepStyle({ numUsers, numItems, numNodes: shape.numTreeNodes ?? 1, featureDim, dim: config.dim, itemFactors: variant === 'original', seed: config.seed });
  }
  return new VBPR({
    numUsers, numItems, featureDim,
    dim: variant === 'original' ? config.dim : 0,
    visualDim: variant === 'original' ? ((config as { visualDim?: number }).visualDim ?? config.dim) : config.dim,
    ...(family === 'sherlock' ? { hierarchy: { numNodes: shape.numTreeNodes ?? 1, levels: shape.treeLevels ?? 1 } } : {}),
    seed: config.seed,
  });
}

function visualDefinition(family: VisualFamily, variant: VisualVariant, summary: string) {
  const { name: base, cite, section } = VISUAL_PAPERS[family];
  const name = `${family}${variant === 'original' ? '' : `-${variant.toLowerCase()}`}`;
  const own = variant === 'original' && family !== 'deepstyle' ? vbprFields : variantFields;
  const schema = variant === 'II' ? z.object({ ...own, ...multiTask }) : z.object({ ...own, beta1: multiTask.beta1 });
  return defineModel({
    name,
    title: variant === 'original' ? base : `${base}-${variant}`,
    family: 'Second-hand',
    paper: {
      cite: `${cite}; variants as the second-hand paper (Yu et al., ACM MM 2020) §4.3 defines them`,
      section: variant === 'original' ? section : variant === 'I' ? `${section}; second-hand §4.3 Variant-I (no per-item factor)` : `${section}; second-hand §4.3 Variant-II (Variant-I + J2, eq. 8–9)`,
    },
    summary,
    config: schema,
    needs: { itemFeatures: 'required', ...(family === 'vbpr' ? {} : { categoryTree: 'optional' as const }) },
    outputs: ['items'],
    create: (config, shape) => buildVisual(config as unknown as VisualParsed, shape, name, family, variant),
    fit: async (data, parsed, context) => {
      const config = parsed as unknown as VisualParsed;
      const model = buildVisual(config, context.shape, name, family, variant);
      const features = data.itemFeatures![featureName(config, context.shape.itemFeatureDims, name)!]!.values;
      model.setStructure({ features, ...(family === 'vbpr' ? {} : treeOf(data, context.shape.numItems)) });
      const log = behaviorLog(data.train, context.shape.behaviors);
      const objective = new SecondHandObjective(model, behaviorRows(log, log.behaviors.length - 1), oneCategory(context.shape.numItems), {
        batchSize: config.batchSize, negatives: config.negatives, siblingRate: 0, seed: config.seed,
        beta1: config.beta1 ?? 0.75, beta2: variant === 'II' ? (config.beta2 ?? 0.25) : 0,
      });
      return { model, history: await context.train(model, objective) };
    },
  });
}

/*
 * The visual baselines are trained by BPR with uniform negatives (their papers' sampler), under
 * the same optimiser as OurModel (AdamW; the second-hand paper does not say how it trained its
 * baselines, and one optimiser for every row keeps the comparison about the models). In the
 * originals `dim` is K and `visualDim` K'; in the variants (and DeepStyle, whose one vector
 * serves both) `dim` is the only item vector's size.
 */
/** VBPR (He & McAuley 2016). */
export const vbprModelDefinition = visualDefinition('vbpr', 'original', 'BPR with a free factor per item plus a learned projection of its visual features (He & McAuley 2016)');
/** VBPR-I: VBPR without the per-item factor and bias; an item is its projected image. */
export const vbprIModelDefinition = visualDefinition('vbpr', 'I', 'VBPR without the per-item latent factor and bias: an item is its projected image (second-hand §4.3 Variant-I)');
/** VBPR-II: VBPR-I trained with J1 + J2 (β1, β2 as OurModel). */
export const vbprIIModelDefinition = visualDefinition('vbpr', 'II', 'VBPR-I trained with the second-hand paper\'s item→user softmax as well (second-hand §4.3 Variant-II)');
/** Sherlock (He et al. 2016): VBPR with a projection assembled from the item's category path. */
export const sherlockModelDefinition = visualDefinition('sherlock', 'original', 'VBPR whose visual projection is assembled from the item\'s category path, one segment per level (He et al. 2016)');
/** Sherlock-I: Sherlock without the per-item factor and bias. */
export const sherlockIModelDefinition = visualDefinition('sherlock', 'I', 'Sherlock without the per-item latent factor and bias (second-hand §4.3 Variant-I)');
/** Sherlock-II: Sherlock-I trained with J1 + J2. */
export const sherlockIIModelDefinition = visualDefinition('sherlock', 'II', 'Sherlock-I trained with the second-hand paper\'s item→user softmax as well (second-hand §4.3 Variant-II)');
/** DeepStyle (Liu et al. 2017): style = projected image − category vector, plus a free item factor. */
export const deepStyleModelDefinition = visualDefinition('deepstyle', 'original', 'an item is its style (projected image minus its category\'s vector) plus a free factor (Liu et al. 2017)');
/** DeepStyle-I: DeepStyle without the per-item factor. */
export const deepStyleIModelDefinition = visualDefinition('deepstyle', 'I', 'DeepStyle without the per-item latent factor: an item is its style (second-hand §4.3 Variant-I)');
/** DeepStyle-II: DeepStyle-I trained with J1 + J2. */
export const deepStyleIIModelDefinition = visualDefinition('deepstyle', 'II', 'DeepStyle-I trained with the second-hand paper\'s item→user softmax as well (second-hand §4.3 Variant-II)');
