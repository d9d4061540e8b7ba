/**
 * The visual baselines of the second-hand paper's Tables 2–5 (§4.3), with the paper's
 * Variant-I (no per-item factor) as a configuration of each:
 *
 * - **VBPR** (He & McAuley, AAAI 2016, eq. 2 and 4):
 *   x̂_ui = β_i + ⟨γ_u, γ_i⟩ + ⟨θ_u, E f_i⟩ + ⟨β', f_i⟩.
 * - **Sherlock** (He, Lin, Wang & McAuley, IJCAI 2016, §3): VBPR whose projection E is the
 *   item's own, assembled from its category path: the K' visual dimensions are split into a
 *   segment shared by every item and one segment per level of the tree, and the segment of
 *   level l is projected by the matrix of the item's category at that level,
 *   E_i = [E^0; E^1_{c_1(i)}; …; E^m_{c_m(i)}], so x̂_ui = … + ⟨θ_u, E_i f_i⟩ + ….
 * - **DeepStyle** (Liu, Wu & Wang, SIGIR 2017): the item's style is its projected image minus
 *   a vector of its category, x̂_ui = ⟨p_u, E f_i − l_{c(i)} + v_i⟩ (see {@link DeepStyle}).
 */
import { add, concat, expandDims, gather, gatherMatvec, matmul, Module, mul, noGrad, normalInit, Parameter, reshape, slice, sub, sum, type Tensor, tensor, tidy } from '@rec/core';
import type { CategoryTree } from '@rec/data';
import type { Recommender } from '../plugin/inference.js';
import { allItems, frozen, itemPaths } from './model.js';
import { type MaybePromise, readAndDispose } from '../training/read.js';

/** Sizes of a {@link VBPR}. */
export interface VBPRConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Columns of the visual features f_i. */
  readonly featureDim: number;
  /** K, the size of the free factors γ_u, γ_i; 0 for the second-hand paper's Variant-I (no per-item factor, no item bias). */
  readonly dim: number;
  /** K', the size of the visual factors θ_u and of E f_i. */
  readonly visualDim: number;
  /**
   * The category tree Sherlock's projections follow (nodes and levels m); absent: VBPR's one
   * shared E. K' is split into m + 1 segments, ⌊K' / (m + 1)⌋ rows per level and the rest
   * shared.
   */
  readonly hierarchy?: { readonly numNodes: number; readonly levels: number };
  readonly seed: number;
  /** Standard deviation of the Gaussian initial values (default 0.1); E starts at N(0, 1/F). */
  readonly initStd?: number;
}

/** The item side of the data a visual baseline is built on. */
export interface VisualStructure {
  /** Row-major visual features [numItems × F]. */
  readonly features: Float32Array;
  /** The category tree and each item's deepest category (−1: none); needed by Sherlock and DeepStyle. */
  readonly tree?: CategoryTree;
  readonly itemLeaf?: Int32Array;
}

/**
 * VBPR, and Sherlock when `hierarchy` is given (module doc). α and β_u cancel out of BPR's
 * differences and out of every ranking, so they are left out.
 *
 * With `dim` 0 it is the second-hand paper's Variant-I (§4.3, "VBPR-I", "Sherlock-I"): the
 * per-item latent factor γ_i and the item bias β_i — the "visually irrelevant" per-item
 * information — are removed, and an item is known only by its image (and, for Sherlock, by
 * which categories' projections it goes through).
 *
 * Sherlock's choices where its paper leaves room, for this comparison:
 * - **Segments:** equal sizes per level, the remainder shared; Sherlock tunes the split per
 *   dataset, which §4.2's grid does not include.
 * - **A path shorter than m levels** gives zeros in the missing levels' segments (as
 *   OurModel's eq. 3 does), not the deepest category's matrix again.
 * - **The visual bias** ⟨β', f_i⟩ is VBPR's, shared by every category: the hierarchy is
 *   Sherlock's for the projection.
 *
 * The features (and Sherlock's item paths) are kept in the model as untrained tensors, so a
 * saved model scores without its dataset.
 * @example
 * ```ts
 * const vbpr = new VBPR({ numUsers: 3, numItems: 4, featureDim: 8, dim: 4, visualDim: 4, seed: 1 });
 * vbpr.setStructure({ features: new Float32Array(4 * 8).fill(0.5) });
 * vbpr.scoreUsers(Int32Array.of(0)); // Float32Array(4)
 * ```
 */
export class VBPR extends Module implements Recommender {
  /** γ_u [numUsers, K] (absent in Variant-I). */
  readonly userFactors?: Parameter;
  /** γ_i [numItems, K] (absent in Variant-I). */
  readonly itemFactors?: Parameter;
  /** β_i [numItems, 1] (absent in Variant-I). */
  readonly itemBias?: Parameter;
  /** θ_u [numUsers, K']. */
  readonly userVisual: Parameter;
  /** E [K', F]; Sherlock's shared segment E^0 [K' − m·s, F]. */
  readonly embedding: Parameter;
  /** Sherlock: E^l_c of every node c [numNodes + 1, s, F] (row numNodes: a missing level, masked out). */
  readonly nodeProjections?: Parameter;
  /** Sherlock, untrained: each item's node per level [numItems, m], numNodes where the path is shorter. */
  readonly itemPath?: Parameter;
  /** Sherlock, untrained: 1 where the item's path has that level, else 0 [numItems, m]. */
  readonly pathMask?: Parameter;
  /** β' [F, 1]. */
  readonly visualBias: Parameter;
  /** Untrained: f_i [numItems, F]. */
  readonly features: Parameter;
  readonly numItems: number;
  /** Sherlock: rows per level's segment (0 for VBPR). */
  readonly segment: number;

  constructor(readonly config: VBPRConfig) {
    super();
    const { numUsers, numItems, featureDim, dim, visualDim, seed, hierarchy } = config;
    for (const [name, v] of Object.entries({ numUsers, numItems, featureDim, visualDim }) as [string, number][]) {
      if (!(Number.isInteger(v) && v >= 1)) throw new Error(`VBPR: ${name} must be a positive integer, got ${v}`);
    }
    if (!(Number.isInteger(dim) && dim >= 0)) throw new Error(`VBPR: dim must be a whole number (0: no free factors), got ${dim}`);
    const std = config.initStd ?? 0.1;
    const param = (shape: number[], stream: number, s = std) => new Parameter(normalInit(shape, s, { seed, stream }), shape);
    this.numItems = numItems;
    if (dim > 0) {
      this.userFactors = param([numUsers, dim], 0);
      this.itemFactors = param([numItems, dim], 1);
      this.itemBias = new Parameter(new Float32Array(numItems), [numItems, 1]);
    }
    this.userVisual = param([numUsers, visualDim], 2);
    this.segment = 0;
    if (hierarchy) {
      const { numNodes, levels } = hierarchy;
      if (!(Number.isInteger(numNodes) && numNodes >= 1 && Number.isInteger(levels) && levels >= 1)) {
        throw new Error(`Sherlock: the hierarchy needs positive whole numNodes and levels, got ${numNodes} and ${levels}`);
      }
      this.segment = Math.floor(visualDim / (levels + 1));
      if (this.segment < 1) throw new Error(`Sherlock: visualDim ${visualDim} cannot hold a segment for each of ${levels} levels and the shared one; use at least ${levels + 1}`);
      this.nodeProjections = param([numNodes + 1, this.segment, featureDim], 5, 1 / Math.sqrt(featureDim));
      this.itemPath = frozen(new Int32Array(numItems * levels).fill(numNodes), [numItems, levels]);
      this.pathMask = frozen(new Float32Array(numItems * levels), [numItems, levels]);
    }
    this.embedding = param([visualDim - this.segment * (hierarchy?.levels ?? 0), featureDim], 3, 1 / Math.sqrt(featureDim));
    this.visualBias = new Parameter(new Float32Array(featureDim), [featureDim, 1]);
    this.features = frozen(new Float32Array(numItems * featureDim), [numItems, featureDim]);
  }

  /**
   * Writes the items' visual features (row-major [numItems × F]) and, for Sherlock, their
   * category paths into the model.
   * @throws Error when a size does not fit, or Sherlock is given no tree.
   */
  setStructure(structure: VisualStructure): void {
    const { features } = structure;
    if (features.length !== this.features.size) throw new Error(`VBPR: expected ${this.features.size} feature values (${this.numItems} items × ${this.features.shape[1]}), got ${features.length}`);
    if (this.itemPath) {
      if (!structure.tree || !structure.itemLeaf) throw new Error('Sherlock: needs the category tree and each item\'s category');
      const numNodes = this.nodeProjections!.shape[0]! - 1;
      const { path } = itemPaths(structure.tree, structure.itemLeaf, { numNodes, levels: this.itemPath.shape[1]!, numItems: this.numItems }, 'Sherlock');
      this.itemPath.assign(path);
      this.pathMask!.assign(Float32Array.from(path, (c) => (c < numNodes ? 1 : 0)));
    }
    this.features.assign(features);
  }

  /** The item's projected image E_i f_i [n, K'] from its features `f` [n, F]. */
  #project(f: Tensor, items: Tensor): Tensor {
    const shared = matmul(f, this.embedding, { transposeB: true });
    if (!this.itemPath) return shared;
    const n = items.size;
    const m = this.itemPath.shape[1]!;
    const path = gather(this.itemPath, items);
    const mask = gather(this.pathMask!, items);
    const parts = [shared];
    for (let l = 0; l < m; l++) {
      const nodes = reshape(slice(path, [0, l], [n, 1]), [n]);
      parts.push(mul(gatherMatvec(this.nodeProjections!, nodes, f), slice(mask, [0, l], [n, 1])));
    }
    return concat(parts, 1);
  }

  /** The item side: E_i f_i [n, K'], and the item's own term β_i + ⟨β', f_i⟩ [n, 1]. */
  #items(items: Tensor): { visual: Tensor; own: Tensor } {
    const f = gather(this.features, items);
    const own = matmul(f, this.visualBias);
    return { visual: this.#project(f, items), own: this.itemBias ? add(own, gather(this.itemBias, items)) : own };
  }

  /** x̂_ui of aligned `users` and `items` (i32 [n]) → f32 [n]. */
  score(users: Tensor, items: Tensor): Tensor {
    const item = this.#items(items);
    let s = add(sum(mul(gather(this.userVisual, users), item.visual), 1), sum(item.own, 1));
    if (this.userFactors) s = add(s, sum(mul(gather(this.userFactors, users), gather(this.itemFactors!, items)), 1));
    return s;
  }

  /** x̂ of every user (columns) for each of `items` (rows) → [n, numUsers]: J2's logits. */
  scoreAllUsers(items: Tensor): Tensor {
    const item = this.#items(items);
    let s = add(matmul(item.visual, this.userVisual, { transposeB: true }), item.own);
    if (this.userFactors) s = add(s, matmul(gather(this.itemFactors!, items), this.userFactors, { transposeB: true }));
    return s;
  }

  /** Scores of `users` against every item, row-major; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const scores = tidy(() =>
      noGrad(() => {
        const u = tensor(users);
        const item = this.#items(allItems(this.numItems));
        const s = add(matmul(gather(this.userVisual, u), item.visual, { transposeB: true }), expandDims(sum(item.own, 1), 0));
        return this.userFactors ? add(s, matmul(gather(this.userFactors, u), this.itemFactors!, { transposeB: true })) : s;
      }),
    );
    return readAndDispose(scores);
  }
}

/** Sizes of a {@link DeepStyle}. */
export interface DeepStyleConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Nodes of the category tree (1 for data without one). */
  readonly numNodes: number;
  /** Columns of the visual features f_i. */
  readonly featureDim: number;
  /** K: the size of p_u, of E f_i, of l_c and of v_i (the one vector length). */
  readonly dim: number;
  /** false: the second-hand paper's Variant-I, without the per-item factor v_i. */
  readonly itemFactors: boolean;
  readonly seed: number;
  /** Standard deviation of the Gaussian initial values (default 0.1); E starts at N(0, 1/F). */
  readonly initStd?: number;
}

/**
 * DeepStyle (Liu, Wu & Wang, "DeepStyle: Learning User Preferences for Visual
 * Recommendation", SIGIR 2017): an item's style is its projected CNN features with its
 * category's vector taken away, and the user's one preference vector meets style plus a free
 * item factor:
 *
 *   x̂_ui = ⟨p_u, E f_i − l_{c(i)} + v_i⟩,   trained by BPR.
 *
 * With `itemFactors` false it is the second-hand paper's Variant-I (§4.3, "DeepStyle-I"):
 * x̂_ui = ⟨p_u, E f_i − l_{c(i)}⟩.
 *
 * Choices, for this comparison: c(i) is the item's deepest category (DeepStyle's data has one
 * level; the deepest is the most specific "category information" to subtract), and an item
 * without one uses an extra shared row of l; no bias terms (DeepStyle's predictor has
 * none). On a one-category stand-in, l is one vector, ⟨p_u, l⟩ is the same for every item of a
 * user, and the model ranks as VBPR-I without its visual bias.
 * @example
 * ```ts
 * const style = new DeepStyle({ numUsers: 3, numItems: 4, numNodes: 1, featureDim: 8, dim: 4, itemFactors: false, seed: 1 });
 * style.setStructure({ features: new Float32Array(4 * 8).fill(0.5) });
 * style.scoreUsers(Int32Array.of(0)); // Float32Array(4)
 * ```
 */
export class DeepStyle extends Module implements Recommender {
  /** p_u [numUsers, K]. */
  readonly userFactors: Parameter;
  /** v_i [numItems, K] (absent in Variant-I). */
  readonly itemFactors?: Parameter;
  /** E [K, F]. */
  readonly embedding: Parameter;
  /** l_c [numNodes + 1, K] (row numNodes: items without a category). */
  readonly categoryOffsets: Parameter;
  /** Untrained: f_i [numItems, F]. */
  readonly features: Parameter;
  /** Untrained: each item's deepest category, numNodes for none. */
  readonly itemLeaf: Parameter;
  readonly numItems: number;

  constructor(readonly config: DeepStyleConfig) {
    super();
    const { numUsers, numItems, numNodes, featureDim, dim, seed } = config;
    for (const [name, v] of Object.entries({ numUsers, numItems, numNodes, featureDim, dim }) as [string, number][]) {
      if (!(Number.isInteger(v) && v >= 1)) throw new Error(`DeepStyle: ${name} must be a positive integer, got ${v}`);
    }
    const std = config.initStd ?? 0.1;
    const param = (shape: number[], stream: number, s = std) => new Parameter(normalInit(shape, s, { seed, stream }), shape);
    this.numItems = numItems;
    this.userFactors = param([numUsers, dim], 0);
    if (config.itemFactors) this.itemFactors = param([numItems, dim], 1);
    this.embedding = param([dim, featureDim], 3, 1 / Math.sqrt(featureDim));
    this.categoryOffsets = param([numNodes + 1, dim], 4);
    this.features = frozen(new Float32Array(numItems * featureDim), [numItems, featureDim]);
    this.itemLeaf = frozen(new Int32Array(numItems).fill(numNodes), [numItems]);
  }

  /**
   * Writes the items' visual features and deepest categories into the model.
   * @throws Error when a size does not fit.
   */
  setStructure(structure: VisualStructure): void {
    const { features } = structure;
    if (features.length !== this.features.size) throw new Error(`DeepStyle: expected ${this.features.size} feature values (${this.numItems} items × ${this.features.shape[1]}), got ${features.length}`);
    const numNodes = this.categoryOffsets.shape[0]! - 1;
    let leaf: Int32Array;
    if (structure.tree && structure.itemLeaf) {
      leaf = itemPaths(structure.tree, structure.itemLeaf, { numNodes, levels: structure.tree.levels, numItems: this.numItems }, 'DeepStyle').leaf;
    } else if (numNodes === 1) {
      leaf = new Int32Array(this.numItems);
    } else {
      throw new Error(`DeepStyle: the model has ${numNodes} categories but was given no tree`);
    }
    this.itemLeaf.assign(leaf);
    this.features.assign(features);
  }

  /** The item vectors E f_i − l_{c(i)} (+ v_i) of `items` → [n, K]. */
  #items(items: Tensor): Tensor {
    const style = sub(matmul(gather(this.features, items), this.embedding, { transposeB: true }), gather(this.categoryOffsets, gather(this.itemLeaf, items)));
    return this.itemFactors ? add(style, gather(this.itemFactors, items)) : style;
  }

  /** x̂_ui of aligned `users` and `items` (i32 [n]) → f32 [n]. */
  score(users: Tensor, items: Tensor): Tensor {
    return sum(mul(gather(this.userFactors, users), this.#items(items)), 1);
  }

  /** x̂ of every user (columns) for each of `items` (rows) → [n, numUsers]: J2's logits. */
  scoreAllUsers(items: Tensor): Tensor {
    return matmul(this.#items(items), this.userFactors, { transposeB: true });
  }

  /** Scores of `users` against every item, row-major; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const scores = tidy(() => noGrad(() => matmul(gather(this.userFactors, tensor(users)), this.#items(allItems(this.numItems)), { transposeB: true })));
    return readAndDispose(scores);
  }
}
