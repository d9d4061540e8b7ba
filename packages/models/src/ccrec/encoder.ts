/**
 * CCRec's user-distinctive category encoder (§5.2, Fig. 5): a VAE over
 * X = [f_t; π_t; δ] — the user's demographic features, the user's item-interaction profile
 * within one category, and that category — whose encoder gives μ_t and log σ²_t; a sample
 * e_t = μ_t + σ_t·ε is decoded back to X̂. After training, the embedding of a (user,
 * category) pair is the encoder's mean μ_t (256-d, §6.1), which the MLE (MLE+VAE) and
 * the final model (CCRec) read for each past category.
 *
 *   loss = Σ_dims BCE(X̂, X) + KL(N(μ, σ²) ‖ N(0, I))
 *
 * Choices where §5.2 is vague, and why:
 * - **X is binary**: f_t as one-hots of each categorical user feature (the industry set's
 *   age group, parental status and gender are categorical), π_t as a multi-hot *profile*
 *   of the user's past items that carry the category, δ as a one-hot of the category; so the
 *   decoder is Bernoulli (BCE on logits, summed over dimensions), the standard VAE
 *   likelihood for binary data (Kingma & Welling 2014, App. C.1).
 * - **Encoder and decoder: one hidden layer of 512 with ReLU** ("two MLP units" give μ and
 *   log σ²); β = 1 (the plain VAE of [10]).
 * - **The profile** is the items themselves, or, where the data has a category tree, the
 *   items' leaf categories: the released VAE's input is the leaves of a user's items within
 *   a top category (`past_leaf` on Tmall), and a catalogue of 12,000 items makes X as wide
 *   as the catalogue otherwise.
 * - **The embedding is μ**, not a sample, so a user's embeddings do not change between
 *   calls and a saved model scores the same as the trained one.
 *
 * @see Wang, Akash et al., On Recommending Category: A Cascading Approach (CCRec), §5.2, §6.1.
 * @see Kingma & Welling, Auto-Encoding Variational Bayes, ICLR 2014.
 */
import { add, bceWithLogits, exp, gaussianKL, Linear, mean, Module, mul, Philox, relu, sum, type Tensor, tensor } from '@rec/core';

/** Sizes of a {@link CategoryEncoder}. */
export interface CategoryEncoderConfig {
  /** Width of X. */
  readonly inputDim: number;
  readonly hiddenDim: number;
  /** Width of e_t (256 in §6.1). */
  readonly embeddingDim: number;
  readonly seed: number;
}

/**
 * The VAE of §5.2.
 * @example
 * ```ts
 * const vae = new CategoryEncoder({ inputDim: 1730, hiddenDim: 512, embeddingDim: 256, seed: 1 });
 * const { loss } = vae.loss(x, eps); // x f32 [B, 1730] of 0/1, eps f32 [B, 256] ~ N(0, 1)
 * ```
 */
export class CategoryEncoder extends Module {
  readonly encoderHidden: Linear;
  readonly mean: Linear;
  readonly logVariance: Linear;
  readonly decoderHidden: Linear;
  readonly decoderOutput: Linear;

  constructor(readonly config: CategoryEncoderConfig) {
    super();
    const rng = new Philox({ seed: config.seed, stream: 43 });
    this.encoderHidden = new Linear(config.inputDim, config.hiddenDim, rng);
    this.mean = new Linear(config.hiddenDim, config.embeddingDim, rng);
    this.logVariance = new Linear(config.hiddenDim, config.embeddingDim, rng);
    this.decoderHidden = new Linear(config.embeddingDim, config.hiddenDim, rng);
    this.decoderOutput = new Linear(config.hiddenDim, config.inputDim, rng);
  }

  /** μ and log σ² of X `[B, inputDim]`. */
  encode(x: Tensor): { mu: Tensor; logVar: Tensor } {
    const h = relu(this.encoderHidden.forward(x));
    return { mu: this.mean.forward(h), logVar: this.logVariance.forward(h) };
  }

  /**
   * The negative ELBO per row, averaged over the batch.
   * @param eps f32 `[B, embeddingDim]` standard normal draws (the reparameterisation's ε).
   */
  loss(x: Tensor, eps: Tensor): Tensor {
    const { mu, logVar } = this.encode(x);
    const z = add(mu, mul(exp(mul(logVar, 0.5)), eps));
    const logits = this.decoderOutput.forward(relu(this.decoderHidden.forward(z)));
    const reconstruction = mean(sum(bceWithLogits(logits, x, 'none'), -1));
    return add(reconstruction, gaussianKL(mu, logVar, 'mean'));
  }
}

/**
 * Builds the rows of X = [f_t; π_t; δ] for (user, category) pairs.
 * @example
 * ```ts
 * const inputs = new EncoderInputs({ numCategories: 19, profileOf: Int32Array.from({ length: 1682 }, (_, i) => i), profileSize: 1682, userItems, itemCategories });
 * const x = inputs.rows(users, categories); // f32 [n · inputDim]
 * ```
 */
export class EncoderInputs {
  /** Width of f_t: the sum of the user features' vocabulary sizes. */
  readonly featureDim: number;
  readonly inputDim: number;

  constructor(private readonly parts: {
    readonly numCategories: number;
    /** Each item's profile index (itself, or its leaf category), −1 for none. */
    readonly profileOf: Int32Array;
    /** Size of the profile space. */
    readonly profileSize: number;
    /** Per user, the index of each categorical feature's value within f_t (−1 when unknown), `[numUsers × features]`. */
    readonly featureCodes?: { readonly codes: Int32Array; readonly perUser: number; readonly width: number };
    /** Each user's past items (sorted CSR rows). */
    readonly userItems: { readonly indptr: Int32Array; readonly indices: Int32Array };
    /** Each item's categories (CSR). */
    readonly itemCategories: { readonly indptr: Int32Array; readonly indices: Int32Array };
  }) {
    this.featureDim = parts.featureCodes?.width ?? 0;
    this.inputDim = this.featureDim + parts.profileSize + parts.numCategories;
  }

  /** X for each aligned (users[n], categories[n]), row-major. */
  rows(users: ArrayLike<number>, categories: ArrayLike<number>): Float32Array {
    const { featureCodes, userItems, itemCategories, profileOf, profileSize } = this.parts;
    const D = this.inputDim;
    const out = new Float32Array(users.length * D);
    for (let n = 0; n < users.length; n++) {
      const u = users[n]!;
      const c = categories[n]!;
      const row = n * D;
      if (featureCodes) {
        for (let f = 0; f < featureCodes.perUser; f++) {
          const code = featureCodes.codes[u * featureCodes.perUser + f]!;
          if (code >= 0) out[row + code] = 1;
        }
      }
      for (let p = userItems.indptr[u]!; p < userItems.indptr[u + 1]!; p++) {
        const item = userItems.indices[p]!;
        for (let q = itemCategories.indptr[item]!; q < itemCategories.indptr[item + 1]!; q++) {
          if (itemCategories.indices[q] === c) {
            const profile = profileOf[item]!;
            if (profile >= 0) out[row + this.featureDim + profile] = 1;
            break;
          }
        }
      }
      out[row + this.featureDim + profileSize + c] = 1;
    }
    return out;
  }

  /** The same rows as a tensor `[n, inputDim]`. */
  tensor(users: ArrayLike<number>, categories: ArrayLike<number>): Tensor {
    return tensor(this.rows(users, categories), [users.length, this.inputDim]);
  }
}
