/**
 * Mult-VAE (Liang, Krishnan, Hoffman & Jebara, "Variational Autoencoders for
 * Collaborative Filtering", WWW 2018, §2) over categories: CCRec's VAERec and, with the
 * user's demographics as a condition, VAERec+ (CCRec §6.2).
 *
 *   x̃_u   = dropout_p(x_u / ‖x_u‖₂)                       (input, training only)
 *   [μ_u, log σ²_u] = W₂ tanh(W₁ [x̃_u ; c_u] + b₁) + b₂     (q_φ(z_u | x_u), §2.2)
 *   z_u   = μ_u + σ_u ⊙ ε, ε ~ N(0, I) in training; z_u = μ_u at inference
 *   π(z_u) ∝ exp(W₄ tanh(W₃ [z_u ; c_u] + b₃) + b₄)       (f_θ, eq. 1)
 *   L_β(x_u) = Σ_c x_uc log π_c(z_u) − β · KL(q_φ(z_u | x_u) ‖ N(0, I))   (eq. 6)
 *
 * with x_u the user's category profile (C categories), c_u the condition (F columns, none
 * for plain Mult-VAE), and β annealed linearly from 0 to a cap (§2.2.2).
 */
import { concat, exp, gaussianKL, Linear, logSoftmax, mean, Module, mul, slice, sum, tanh, tensor, type Tensor, add } from '@rec/core';
import type { CategoryScorer } from '../plugin/inference.js';
import { scoreInBlocks } from '../ncf/rows.js';
import type { MaybePromise } from '../training/read.js';
import type { CategoryProfiles } from './profiles.js';

/**
 * Hyper-parameters of {@link MultVAE}.
 * @example
 * ```ts
 * const config: MultVAEConfig = { numUsers: 943, numCategories: 19, hidden: 600, latent: 200, conditionDim: 24 };
 * ```
 */
export interface MultVAEConfig {
  readonly numUsers: number;
  readonly numCategories: number;
  /** Hidden units of the encoder's and the decoder's one hidden layer (default 600, §4.3). */
  readonly hidden?: number;
  /** Latent size K of z_u (default 200, §4.3). */
  readonly latent?: number;
  /** Columns of the condition c_u (default 0: plain Mult-VAE). */
  readonly conditionDim?: number;
  /** Seed of the Glorot-uniform weights (default 0). */
  readonly seed?: number;
}

/**
 * The dense inputs of a batch of users: [x̃_u ; c_u] rows and, apart, the conditions.
 * @example
 * ```ts
 * const input: MultVAEInput = multVAEInput(profiles, Int32Array.of(3, 9), vae.numCategories, vae.conditions, vae.conditionDim);
 * ```
 */
export interface MultVAEInput {
  /** f32 `[B, C + F]`: the normalised (and, in training, dropped-out) profile, then the condition. */
  readonly encoder: Float32Array;
  /** f32 `[B, F]`: the conditions again, for the decoder (empty when F = 0). */
  readonly conditions: Float32Array;
  readonly rows: number;
}

/**
 * Mult-VAE (Liang et al. 2018) as a category scorer: an encoder MLP [C (+F) → H → 2K] and
 * a decoder MLP [K (+F) → H → C], tanh on the hidden layers, over each user's category
 * profile, optionally conditioned on the user's demographics (a conditional VAE: c_u
 * joins the encoder's input and the decoder's z_u).
 *
 * Choices (the paper leaves them open or our task differs):
 * - Weights are Glorot-uniform per layer (the released code's Xavier initialiser), biases
 *   start at zero (the release draws them from a truncated N(0, 0.001²): a difference
 *   below what a first Adam step moves).
 * - The condition is not normalised nor dropped out: dropout is Mult-VAE's corruption
 *   of the clicks (§2.2), and c_u is known exactly at inference.
 * - {@link scoreCategories} returns the decoder's logits (log π up to a constant per user,
 *   the same order), from z = μ: the posterior mean, as the paper predicts (§2.4).
 * - What a user is encoded from at inference — the past profile, and the condition — is
 *   kept with the model ({@link setInputs}) and saved with it.
 *
 * @example
 * ```ts
 * const vae = new MultVAE({ numUsers: 2, numCategories: 4, hidden: 8, latent: 3, seed: 1 });
 * vae.setInputs({ indptr: Int32Array.of(0, 2, 3), indices: Int32Array.of(0, 3, 1), values: Float32Array.of(1, 1, 1) });
 * const scores = await vae.scoreCategories(Int32Array.of(1, 0)); // 2 × 4 logits
 * ```
 * @see Liang et al. 2018, §2.1 (eq. 1–2), §2.2 (eq. 3–6), §2.4 (prediction), §4.3 (architecture).
 */
export class MultVAE extends Module implements CategoryScorer {
  /** W₁, b₁ `[C + F, H]`: the encoder's hidden layer. */
  readonly encoderHidden: Linear;
  /** W₂, b₂ `[H, 2K]`: μ (first K columns) and log σ² (last K). */
  readonly encoderOutput: Linear;
  /** W₃, b₃ `[K + F, H]`: the decoder's hidden layer. */
  readonly decoderHidden: Linear;
  /** W₄, b₄ `[H, C]`: the logits over categories. */
  readonly decoderOutput: Linear;
  readonly numUsers: number;
  readonly numCategories: number;
  readonly hidden: number;
  readonly latent: number;
  readonly conditionDim: number;
  #profiles: CategoryProfiles | undefined;
  #conditions: Float32Array | undefined;

  constructor(readonly config: MultVAEConfig) {
    super();
    const { numUsers, numCategories } = config;
    const H = config.hidden ?? 600;
    const K = config.latent ?? 200;
    const F = config.conditionDim ?? 0;
    const seed = config.seed ?? 0;
    const positive = (value: number, name: string, min = 1): void => {
      if (!(Number.isInteger(value) && value >= min)) throw new Error(`MultVAE: ${name} must be an integer ≥ ${min}, got ${value}`);
    };
    positive(numUsers, 'numUsers', 0);
    positive(numCategories, 'numCategories');
    positive(H, 'hidden');
    positive(K, 'latent');
    positive(F, 'conditionDim', 0);
    this.numUsers = numUsers;
    this.numCategories = numCategories;
    this.hidden = H;
    this.latent = K;
    this.conditionDim = F;
    this.encoderHidden = new Linear(numCategories + F, H, { seed, stream: 0 });
    this.encoderOutput = new Linear(H, 2 * K, { seed, stream: 1 });
    this.decoderHidden = new Linear(K + F, H, { seed, stream: 2 });
    this.decoderOutput = new Linear(H, numCategories, { seed, stream: 3 });
  }

  /** Each user's profile encoded at inference (undefined until {@link setInputs}). */
  get profiles(): CategoryProfiles | undefined {
    return this.#profiles;
  }

  /** Each user's condition c_u, `[numUsers · F]` (undefined without conditions). */
  get conditions(): Float32Array | undefined {
    return this.#conditions;
  }

  /**
   * Sets what {@link scoreCategories} encodes: each user's category profile (the past)
   * and, for a conditional model, each user's condition (`[numUsers · conditionDim]`).
   * @throws Error when the profiles are not a CSR over this model's users and categories,
   *   or the conditions are missing, unexpected or of the wrong length.
   */
  setInputs(profiles: CategoryProfiles, conditions?: Float32Array): void {
    const { indptr, indices, values } = profiles;
    const U = this.numUsers;
    if (indptr.length !== U + 1 || indptr[0] !== 0 || indptr[U] !== indices.length || values.length !== indices.length) {
      throw new Error(`MultVAE.setInputs: the profiles need indptr of ${U + 1} entries from 0 to indices.length (${indices.length}), and one value per index (${values.length})`);
    }
    for (let u = 0; u < U; u++) if (indptr[u + 1]! < indptr[u]!) throw new Error(`MultVAE.setInputs: indptr decreases at user ${u}`);
    for (const c of indices) if (!(c >= 0 && c < this.numCategories)) throw new Error(`MultVAE.setInputs: category ${c} is outside [0, ${this.numCategories})`);
    if (this.conditionDim === 0 && conditions && conditions.length > 0) throw new Error('MultVAE.setInputs: conditions given to a model built without conditionDim');
    if (this.conditionDim > 0 && conditions?.length !== U * this.conditionDim) {
      throw new Error(`MultVAE.setInputs: the model is conditioned on ${this.conditionDim} columns, so conditions needs ${U} × ${this.conditionDim} values, got ${conditions?.length ?? 'none'}`);
    }
    this.#profiles = profiles;
    this.#conditions = this.conditionDim > 0 ? conditions : undefined;
  }

  /** μ and log σ² of q_φ(z | x), each `[B, K]`, from the encoder input `[B, C + F]`. */
  encode(input: Tensor): { mu: Tensor; logVar: Tensor } {
    const out = this.encoderOutput.forward(tanh(this.encoderHidden.forward(input)));
    const B = input.shape[0]!;
    return { mu: slice(out, [0, 0], [B, this.latent]), logVar: slice(out, [0, this.latent], [B, this.latent]) };
  }

  /** The logits over categories `[B, C]` of codes `z` (`[B, K]`) under conditions `[B, F]`. */
  decode(z: Tensor, conditions?: Tensor): Tensor {
    const input = this.conditionDim > 0 ? concat([z, conditions!], 1) : z;
    return this.decoderOutput.forward(tanh(this.decoderHidden.forward(input)));
  }

  /**
   * The negative β-ELBO of a batch (eq. 6), averaged over its users: −(1/B) Σ_u Σ_c
   * x_uc log π_c(z_u) + β · (1/B) Σ_u KL_u, with z_u = μ_u + σ_u ⊙ ε_u.
   * @param targets - f32 `[B, C]`: the profiles x_u the likelihood scores (not normalised).
   * @param noise - f32 `[B, K]`: the ε_u of the reparameterisation.
   */
  negativeElbo(input: MultVAEInput, targets: Float32Array, noise: Float32Array, beta: number): { loss: Tensor; logLikelihood: Tensor; kl: Tensor } {
    const B = input.rows;
    const { mu, logVar } = this.encode(tensor(input.encoder, [B, this.numCategories + this.conditionDim]));
    const z = add(mu, mul(exp(mul(logVar, 0.5)), tensor(noise, [B, this.latent])));
    const logits = this.decode(z, this.conditionDim > 0 ? tensor(input.conditions, [B, this.conditionDim]) : undefined);
    const logLikelihood = mean(sum(mul(logSoftmax(logits, 1), tensor(targets, [B, this.numCategories])), 1));
    const kl = gaussianKL(mu, logVar, 'mean');
    return { loss: add(mul(logLikelihood, -1), mul(kl, beta)), logLikelihood, kl };
  }

  /**
   * The decoder's logits of `users` against every category from z = μ(x_u), row-major
   * `users.length × numCategories`, each user encoded from its kept profile (no dropout);
   * a promise on `webgpu`.
   * @throws Error when no inputs were set.
   */
  scoreCategories(users: Int32Array): MaybePromise<Float32Array> {
    const profiles = this.#profiles;
    if (!profiles) throw new Error('MultVAE.scoreCategories: no user profiles; call setInputs with the past categories first');
    return scoreInBlocks(users, this.numCategories, 256, (block) => {
      const input = multVAEInput(profiles, block, this.numCategories, this.#conditions, this.conditionDim);
      const { mu } = this.encode(tensor(input.encoder, [block.length, this.numCategories + this.conditionDim]));
      return this.decode(mu, this.conditionDim > 0 ? tensor(input.conditions, [block.length, this.conditionDim]) : undefined);
    });
  }
}

/**
 * Where the input dropout's randomness comes from: a uniform per (user, category).
 * @example
 * ```ts
 * const dropout: InputDropout = { p: 0.5, uniform: (u, c) => Philox.uniformAt(seed, stream, u * numCategories + c) };
 * ```
 */
export interface InputDropout {
  /** Dropout probability p (the release's 1 − keep_prob, 0.5). */
  readonly p: number;
  /** The uniform of user u's category c (in [0, 1)); the entry is dropped when it is below p. */
  readonly uniform: (user: number, category: number) => number;
}

/**
 * The dense inputs of `users`: each row the L2-normalised profile x_u / ‖x_u‖₂ (zero for
 * an empty profile), each entry dropped with probability p and the kept ones scaled by
 * 1/(1 − p) when `dropout` is given, then the condition c_u.
 * @example
 * ```ts
 * const profiles = { indptr: Int32Array.of(0, 2), indices: Int32Array.of(0, 2), values: Float32Array.of(3, 4) };
 * multVAEInput(profiles, Int32Array.of(0), 3).encoder; // [0.6, 0, 0.8]
 * ```
 * @see Liang et al. 2018, §2.2 and §4.3 (input dropout 0.5); the released code normalises, then drops out.
 */
export function multVAEInput(
  profiles: CategoryProfiles, users: Int32Array, numCategories: number, conditions?: Float32Array, conditionDim = 0, dropout?: InputDropout,
): MultVAEInput {
  const width = numCategories + conditionDim;
  const encoder = new Float32Array(users.length * width);
  const decoderConditions = new Float32Array(users.length * conditionDim);
  const keep = dropout ? 1 / (1 - dropout.p) : 1;
  users.forEach((u, b) => {
    const lo = profiles.indptr[u]!;
    const hi = profiles.indptr[u + 1]!;
    let norm = 0;
    for (let p = lo; p < hi; p++) norm += profiles.values[p]! * profiles.values[p]!;
    const scale = norm > 0 ? keep / Math.sqrt(norm) : 0;
    for (let p = lo; p < hi; p++) {
      const c = profiles.indices[p]!;
      if (dropout && dropout.uniform(u, c) < dropout.p) continue;
      encoder[b * width + c] = profiles.values[p]! * scale;
    }
    if (conditionDim > 0) {
      const row = conditions!.subarray(u * conditionDim, (u + 1) * conditionDim);
      encoder.set(row, b * width + numCategories);
      decoderConditions.set(row, b * conditionDim);
    }
  });
  return { encoder, conditions: decoderConditions, rows: users.length };
}
