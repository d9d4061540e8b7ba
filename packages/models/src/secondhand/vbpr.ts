import { add, expandDims, gather, matmul, Module, mul, noGrad, normalInit, Parameter, sum, type Tensor, tensor, tidy } from '@rec/core';
import type { Recommender } from '../plugin/inference.js';
import { frozen } from './model.js';
import { andThen, hostCopy, type MaybePromise } from '../training/read.js';

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
  readonly seed: number;
  /** Standard deviation of the Gaussian initial values (default 0.1); E starts at N(0, 1/F). */
  readonly initStd?: number;
}

/**
 * VBPR (He & McAuley, "VBPR: Visual Bayesian Personalized Ranking from Implicit Feedback",
 * AAAI 2016, eq. 2 and 4): x̂_ui = β_i + ⟨γ_u, γ_i⟩ + ⟨θ_u, E f_i⟩ + ⟨β', f_i⟩ (α and β_u
 * cancel out of BPR's differences and out of every ranking, so they are left out).
 *
 * With `dim` 0 it is the second-hand paper's Variant-I (§4.3, "VBPR-I"): the per-item latent
 * factor γ_i and the item bias β_i — the "visually irrelevant" per-item information — are
 * removed, so x̂_ui = ⟨θ_u, E f_i⟩ + ⟨β', f_i⟩ and an item is known only by its image.
 * The features are kept in the model as an untrained tensor (a saved model scores without its
 * dataset).
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
  /** E [K', F]. */
  readonly embedding: Parameter;
  /** β' [F, 1]. */
  readonly visualBias: Parameter;
  /** Untrained: f_i [numItems, F]. */
  readonly features: Parameter;
  readonly numItems: number;

  constructor(readonly config: VBPRConfig) {
    super();
    const { numUsers, numItems, featureDim, dim, visualDim, seed } = config;
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
    this.embedding = param([visualDim, featureDim], 3, 1 / Math.sqrt(featureDim));
    this.visualBias = new Parameter(new Float32Array(featureDim), [featureDim, 1]);
    this.features = frozen(new Float32Array(numItems * featureDim), [numItems, featureDim]);
  }

  /**
   * Writes the items' visual features (row-major [numItems × F]) into the model.
   * @throws Error when their size does not fit.
   */
  setFeatures(values: Float32Array): void {
    if (values.length !== this.features.size) throw new Error(`VBPR: expected ${this.features.size} feature values (${this.numItems} items × ${this.features.shape[1]}), got ${values.length}`);
    this.features.assign(values);
  }

  /** The item side: E f_i [n, K'], and the item's own term β_i + ⟨β', f_i⟩ [n, 1]. */
  #items(items: Tensor): { visual: Tensor; own: Tensor } {
    const f = gather(this.features, items);
    const own = matmul(f, this.visualBias);
    return { visual: matmul(f, this.embedding, { transposeB: true }), own: this.itemBias ? add(own, gather(this.itemBias, items)) : own };
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
        const all = tensor(Int32Array.from({ length: this.numItems }, (_, i) => i));
        const u = tensor(users);
        const item = this.#items(all);
        let s = add(matmul(gather(this.userVisual, u), item.visual, { transposeB: true }), expandDims(sum(item.own, 1), 0));
        if (this.userFactors) s = add(s, matmul(gather(this.userFactors, u), this.itemFactors!, { transposeB: true }));
        return s;
      }),
    );
    return andThen(hostCopy(scores), (values) => {
      scores.dispose();
      return values as Float32Array;
    });
  }
}
