/**
 * The content vector x of each item that TIGER's RQ-VAE quantises (Rajput et al. 2023,
 * §3.1). The paper embeds each item's text (title, price, brand, category) with
 * Sentence-T5 into 768 dimensions; our datasets carry no item text, so:
 *
 * - `categories` — the multi-hot of the item's categories (`data.itemCategories`: the
 *   attribute ids of Amazon S3-Rec, the 19 genres of ml-100k): x_i[c] = 1 when item i has
 *   category c. It is the item content the data has, as the paper's embedding is of the
 *   item's own metadata. Items with the same categories get the same vector and hence the
 *   same RQ-VAE codes; the collision level tells them apart (ml-100k: 216 distinct genre
 *   sets over 1,682 movies, 376 of them "Drama" alone).
 * - `cooccurrence` — when the data has no categories: a random projection of the item's
 *   column of the user–item matrix, x_i = Σ_{u ∈ U(i)} g_u / ‖Σ_{u ∈ U(i)} g_u‖ with
 *   g_u ~ N(0, I_D) drawn per user from Philox (seeded). ⟨x_i, x_j⟩ then estimates the cosine
 *   of the two items' audiences (Johnson–Lindenstrauss), so items bought by the same users
 *   share codes. No training, deterministic, O(nnz · D); it is collaborative rather than
 *   content information, which the paper's cold-start use of content cannot have (an item
 *   without training users gets the zero vector).
 */
import { Philox } from '@rec/core';
import { type Interactions, type ItemCategories, UserItemCSR } from '@rec/data';

/**
 * Where the content vectors come from (see this file's header).
 * @example
 * ```ts
 * const source: ContentSource = data.itemCategories ? 'categories' : 'cooccurrence';
 * ```
 */
export type ContentSource = 'categories' | 'cooccurrence';

/**
 * Every item's content vector: f32 `[numItems · dim]`, row-major.
 * @example
 * ```ts
 * const content: ItemContent = categoryContent(dataset.itemCategories!, train.numItems);
 * content.dim; // 19 on ml-100k
 * ```
 */
export interface ItemContent {
  readonly values: Float32Array;
  readonly numItems: number;
  readonly dim: number;
  readonly source: ContentSource;
}

/** Philox stream of the co-occurrence projection's user vectors ("TIGC"). */
const COOCCURRENCE_STREAM = 0x54494743;

/**
 * The multi-hot of each item's categories: x_i[c] = 1 for c ∈ categories(i), else 0.
 * @throws Error when the categories cover another number of items than `numItems`.
 * @example
 * ```ts
 * categoryContent(ItemCategories.fromLists([[0, 2], [1]], ['a', 'b', 'c']), 2).values; // [1, 0, 1,  0, 1, 0]
 * ```
 */
export function categoryContent(itemCategories: ItemCategories, numItems: number): ItemContent {
  if (itemCategories.numItems !== numItems) throw new Error(`tiger: the item categories cover ${itemCategories.numItems} items, the interactions ${numItems}`);
  const dim = itemCategories.numCategories;
  const values = new Float32Array(numItems * dim);
  for (let i = 0; i < numItems; i++) for (const c of itemCategories.of(i)) values[i * dim + c] = 1;
  return { values, numItems, dim, source: 'categories' };
}

/**
 * The random projection of each item's audience (see the header): x_i = Σ_{u ∈ U(i)} g_u,
 * normalised to unit length, g_u ~ N(0, I_dim) from Philox (seed, stream "TIGC"), users in
 * index order. Items without training users get zeros.
 * @throws Error when `dim` is not a positive integer.
 * @example
 * ```ts
 * const content = cooccurrenceContent(data.train, 64, 1); // f32 [numItems · 64]
 * ```
 */
export function cooccurrenceContent(train: Interactions, dim: number, seed: number): ItemContent {
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`tiger: contentDim must be a positive integer, got ${dim}`);
  const rows = UserItemCSR.fromInteractions(train);
  const values = new Float32Array(train.numItems * dim);
  const rng = new Philox({ seed, stream: COOCCURRENCE_STREAM });
  const g = new Float32Array(dim);
  for (let u = 0; u < rows.numUsers; u++) {
    rng.fillNormal(g);
    for (const i of rows.rowOf(u)) for (let j = 0; j < dim; j++) values[i * dim + j]! += g[j]!;
  }
  for (let i = 0; i < train.numItems; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += values[i * dim + j]! ** 2;
    if (norm > 0) for (let j = 0; j < dim; j++) values[i * dim + j]! /= Math.sqrt(norm);
  }
  return { values, numItems: train.numItems, dim, source: 'cooccurrence' };
}

/**
 * The content vectors a fit uses: `auto` takes the categories when the data has them,
 * else the co-occurrence projection.
 * @throws Error when `categories` is asked for and the data has none.
 * @example
 * ```ts
 * const content = itemContentOf(data, 'auto', 64, config.seed);
 * ```
 */
export function itemContentOf(data: { train: Interactions; itemCategories?: ItemCategories }, source: ContentSource | 'auto', dim: number, seed: number): ItemContent {
  if (source === 'categories' || (source === 'auto' && data.itemCategories)) {
    if (!data.itemCategories) throw new Error('tiger: content \'categories\' needs item categories, which the data lacks; use content \'cooccurrence\' or \'auto\'');
    return categoryContent(data.itemCategories, data.train.numItems);
  }
  return cooccurrenceContent(data.train, dim, seed);
}
