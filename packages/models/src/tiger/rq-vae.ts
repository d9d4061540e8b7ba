/**
 * The RQ-VAE that turns an item's content vector into its Semantic ID codes (Rajput et
 * al., "Recommender Systems with Generative Retrieval", NeurIPS 2023, §3.1; residual
 * quantisation after Zeghidour et al. 2021 and Lee et al. 2022):
 *
 *   z = E(x)                                  encoder MLP, x ∈ R^{D_x} → z ∈ R^{D}
 *   r₀ = z;  c_l = argmin_k ‖r_l − e^l_k‖²;   r_{l+1} = r_l − e^l_{c_l}      (l = 0 … m − 1)
 *   ẑ = Σ_l e^l_{c_l};  x̂ = D(ẑ)               decoder MLP
 *   L = ‖x − x̂‖² + Σ_l ( ‖sg[r_l] − e^l_{c_l}‖² + β ‖r_l − sg[e^l_{c_l}]‖² ),   β = 0.25
 *
 * with the straight-through estimator for the reconstruction's gradient (the decoder reads
 * z + sg[ẑ − z]: ẑ's value, z's gradient). The item's codes (c₀, …, c_{m−1}) are its
 * Semantic ID before the collision level (`appendCollisionLevel`).
 *
 * Choices where the paper leaves room:
 * - r_{l+1} = r_l − sg[e^l_{c_l}]: each codebook learns from its own codebook term only,
 *   and the encoder from every commitment term (each r_l is z minus constants). §3.1
 *   writes the loss per level without saying which path a later level's residual takes.
 * - Norms are summed over features and averaged over the batch's items.
 * - Codebooks start as k-means centroids of the first batch, level by level on that
 *   batch's residuals (§3.1's k-means initialisation of the codebooks, its remedy for
 *   codebook collapse): k-means++ seeding then
 *   {@link KMEANS_ITERATIONS} Lloyd iterations, seeded through Philox, so the same seed
 *   gives the same codebooks.
 * - The decoder mirrors the encoder (hidden sizes reversed).
 *
 * Parameters: `encoder.layers.i.*`, `decoder.layers.i.*` (see `MLP`), `codebooks.l` `[K, D]`.
 */
import { add, gather, MLP, Module, mul, noGrad, Parameter, Philox, square, sub, sum, type Tensor, tensor, tidy } from '@rec/core';
import { hostCopy } from '../training/read.js';

/**
 * Lloyd iterations of the k-means that initialises each codebook (enough for k-means++
 * seeds on a batch of 1024 points to stop moving; §3.1 does not say).
 * @example
 * ```ts
 * const centroids = kMeans(latents, 1024, 32, 256, new Philox({ seed: 1 }), KMEANS_ITERATIONS);
 * ```
 */
export const KMEANS_ITERATIONS = 25;

/**
 * Sizes of an {@link RQVAE}.
 * @example
 * ```ts
 * const config: RQVAEConfig = { inputDim: 19, hidden: [512, 256, 128], latentDim: 32, levels: 3, codebookSize: 256 }; // §4's RQ-VAE
 * ```
 */
export interface RQVAEConfig {
  /** D_x: width of the content vectors. */
  readonly inputDim: number;
  /** The encoder's hidden widths (default [512, 256, 128], §4); the decoder's, reversed. */
  readonly hidden?: readonly number[];
  /** D: width of the latent and of every codeword (default 32, §4). */
  readonly latentDim?: number;
  /** m: quantisation levels (default 3, §4). */
  readonly levels?: number;
  /** K: codewords per level (default 256, §4). */
  readonly codebookSize?: number;
  /** β of the commitment term (default 0.25, §4). */
  readonly beta?: number;
  readonly seed?: number;
}

/**
 * The residual-quantised autoencoder of TIGER §3.1 (equations in this file's header).
 *
 * @example
 * ```ts
 * const rqvae = new RQVAE({ inputDim: 19, hidden: [64], latentDim: 8, levels: 3, codebookSize: 16, seed: 1 });
 * rqvae.initialiseCodebooks(await rqvae.latentsOf(firstBatch, 1024), 1024); // k-means on the first batch
 * const codes = await rqvae.codesOf(content, 1682); // i32 [1682 · 3]
 * ```
 * @see Rajput et al. 2023, §3.1 (RQ-VAE, loss, k-means initialisation), §4 (sizes, β).
 */
export class RQVAE extends Module {
  readonly encoder: MLP;
  readonly decoder: MLP;
  /** e^l: one `[K, D]` codebook per level. */
  readonly codebooks: Parameter[];
  readonly inputDim: number;
  readonly latentDim: number;
  readonly levels: number;
  readonly codebookSize: number;
  readonly beta: number;
  readonly #seed: number;
  #initialised = false;

  /** @throws Error naming the size that is not a positive integer, or β < 0. */
  constructor(config: RQVAEConfig) {
    super();
    const hidden = config.hidden ?? [512, 256, 128];
    this.inputDim = config.inputDim;
    this.latentDim = config.latentDim ?? 32;
    this.levels = config.levels ?? 3;
    this.codebookSize = config.codebookSize ?? 256;
    this.beta = config.beta ?? 0.25;
    for (const [name, value] of Object.entries({ inputDim: this.inputDim, latentDim: this.latentDim, levels: this.levels, codebookSize: this.codebookSize })) {
      if (!(Number.isInteger(value) && value >= 1)) throw new Error(`RQVAE: ${name} must be a positive integer, got ${value}`);
    }
    for (const h of hidden) if (!(Number.isInteger(h) && h >= 1)) throw new Error(`RQVAE: hidden widths must be positive integers, got [${hidden.join(', ')}]`);
    if (!(this.beta >= 0)) throw new Error(`RQVAE: beta must be ≥ 0, got ${this.beta}`);
    this.#seed = config.seed ?? 0;
    const rng = new Philox({ seed: this.#seed, stream: 0 });
    this.encoder = new MLP([this.inputDim, ...hidden, this.latentDim], rng);
    this.decoder = new MLP([this.latentDim, ...[...hidden].reverse(), this.inputDim], rng);
    // Placeholders until k-means replaces them on the first batch (small, so an untrained
    // model still quantises to some code).
    this.codebooks = Array.from({ length: this.levels }, () => {
      const values = rng.fillNormal(new Float32Array(this.codebookSize * this.latentDim), 0, 0.01);
      return new Parameter(values, [this.codebookSize, this.latentDim]);
    });
  }

  /** Whether the codebooks hold k-means centroids yet. */
  get initialised(): boolean {
    return this.#initialised;
  }

  /** z = E(x) `[B, D]` of content rows x `[B, D_x]`. */
  encode(x: Tensor): Tensor {
    return this.encoder.forward(x);
  }

  /**
   * Sets each codebook to the k-means centroids of the batch's level-l residuals (§3.1's
   * initialisation against codebook collapse): level 0 clusters z, level l + 1 the
   * residuals left by level l's nearest centroids. Seeded by the model's seed.
   * @param z f32 `[rows · D]`: the first batch's latents ({@link latentsOf}), not written
   */
  initialiseCodebooks(z: Float32Array, rows: number): void {
    this.#initialiseFrom(z.slice(0, rows * this.latentDim), rows);
  }

  #initialiseFrom(residual: Float32Array, rows: number): void {
    const D = this.latentDim;
    const K = this.codebookSize;
    const rng = new Philox({ seed: this.#seed, stream: 0x4b4d4541 }); // "KMEA"
    this.codebooks.forEach((codebook) => {
      const centroids = kMeans(residual, rows, D, K, rng, KMEANS_ITERATIONS);
      codebook.assign(centroids);
      const codes = nearestCodes(residual, rows, centroids, K, D);
      for (let i = 0; i < rows; i++) for (let j = 0; j < D; j++) residual[i * D + j]! -= centroids[codes[i]! * D + j]!;
    });
    this.#initialised = true;
  }

  /**
   * Every level's code of each latent row (f32 `[rows · D]` on the host), by the residual
   * recursion c_l = argmin_k ‖r_l − e^l_k‖², with the codebooks read back: i32
   * `[rows · levels]`. Ties go to the lower code.
   */
  async quantizeLatents(z: Float32Array, rows: number): Promise<Int32Array> {
    const D = this.latentDim;
    const K = this.codebookSize;
    const books = await Promise.all(this.codebooks.map(async (c) => (await hostCopy(c)) as Float32Array));
    const residual = z.slice(0, rows * D);
    const codes = new Int32Array(rows * this.levels);
    books.forEach((book, l) => {
      const level = nearestCodes(residual, rows, book, K, D);
      for (let i = 0; i < rows; i++) {
        const c = level[i]!;
        codes[i * this.levels + l] = c;
        for (let j = 0; j < D; j++) residual[i * D + j]! -= book[c * D + j]!;
      }
    });
    return codes;
  }

  /** z of content rows (f32 `[rows · D_x]`), read back: f32 `[rows · D]`. */
  async latentsOf(x: Float32Array, rows: number): Promise<Float32Array> {
    const z = tidy(() => noGrad(() => this.encode(tensor(x, [rows, this.inputDim]))));
    const values = (await hostCopy(z)) as Float32Array;
    z.dispose();
    return values;
  }

  /**
   * Every item's m codes, i32 `[numItems · levels]`, encoding the content in blocks of
   * 1024 items with training mode off (restored afterwards).
   * @param content f32 `[numItems · D_x]`
   */
  async codesOf(content: Float32Array, numItems: number): Promise<Int32Array> {
    if (content.length !== numItems * this.inputDim) throw new Error(`RQVAE.codesOf: content holds ${content.length} values, not ${numItems} rows of ${this.inputDim}`);
    const training = this.training;
    this.eval();
    try {
      const codes = new Int32Array(numItems * this.levels);
      for (let start = 0; start < numItems; start += 1024) {
        const rows = Math.min(1024, numItems - start);
        const z = await this.latentsOf(content.subarray(start * this.inputDim, (start + rows) * this.inputDim), rows);
        codes.set(await this.quantizeLatents(z, rows), start * this.levels);
      }
      return codes;
    } finally {
      this.train(training);
    }
  }

  /**
   * The loss L of the header for content rows x `[B, D_x]` given their codes (i32
   * `[B · levels]`, from {@link quantizeLatents} on the same parameters): differentiable
   * in the encoder, decoder and codebooks. Returns the total and its two parts.
   */
  loss(x: Tensor, codes: Int32Array): { loss: Tensor; reconstruction: Tensor; quantization: Tensor } {
    const B = x.shape[0]!;
    if (codes.length !== B * this.levels) throw new Error(`RQVAE.loss: ${codes.length} codes for ${B} rows of ${this.levels} levels`);
    const z = this.encode(x);
    let residual = z;
    let quantized: Tensor | undefined;
    let quantization: Tensor | undefined;
    this.codebooks.forEach((codebook, l) => {
      const e = gather(codebook, tensor(Int32Array.from({ length: B }, (_, i) => codes[i * this.levels + l]!)));
      const codebookTerm = sum(square(sub(stopGradient(residual), e)));
      const commitment = mul(sum(square(sub(residual, stopGradient(e)))), this.beta);
      const level = add(codebookTerm, commitment);
      quantization = quantization ? add(quantization, level) : level;
      quantized = quantized ? add(quantized, e) : e;
      residual = sub(residual, stopGradient(e));
    });
    // Straight-through: ẑ's value, z's gradient.
    const straightThrough = add(z, stopGradient(sub(quantized!, z)));
    const reconstruction = mul(sum(square(sub(this.decoder.forward(straightThrough), x))), 1 / B);
    const quantizationMean = mul(quantization!, 1 / B);
    return { loss: add(reconstruction, quantizationMean), reconstruction, quantization: quantizationMean };
  }
}

/** sg[t]: t's value, no gradient. */
function stopGradient(t: Tensor): Tensor {
  return noGrad(() => mul(t, 1));
}

/**
 * The index of each row's nearest centroid (squared Euclidean; ties to the lower index):
 * i32 `[rows]`. Plain loops, O(rows · K · D).
 * @example
 * ```ts
 * nearestCodes(Float32Array.of(0, 0,  3, 3), 2, Float32Array.of(2.9, 3, 0.1, 0), 2, 2); // [1, 0]
 * ```
 */
export function nearestCodes(points: Float32Array, rows: number, centroids: Float32Array, K: number, D: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let k = 0; k < K; k++) {
      let d = 0;
      for (let j = 0; j < D; j++) {
        const diff = points[i * D + j]! - centroids[k * D + j]!;
        d += diff * diff;
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * K centroids of `rows` points (f32 `[rows · D]`): k-means++ seeding (each next centre
 * drawn with probability ∝ its squared distance to the nearest chosen one; uniformly when
 * every point is already a centre, as with fewer distinct points than K), then `iterations`
 * Lloyd steps; an emptied cluster keeps its centroid. Draws come from `rng` only, so a
 * seeded generator gives the same centroids. Cost O(iterations · rows · K · D).
 * @returns f32 `[K · D]`
 * @example
 * ```ts
 * const centroids = kMeans(points, 1024, 32, 256, new Philox({ seed: 1 }), 25);
 * ```
 * @see Arthur & Vassilvitskii 2007 (k-means++).
 */
export function kMeans(points: Float32Array, rows: number, D: number, K: number, rng: Philox, iterations: number): Float32Array {
  if (!(rows >= 1)) throw new Error('kMeans: needs at least one point');
  const centroids = new Float32Array(K * D);
  const nearest = new Float64Array(rows).fill(Infinity);
  const take = (k: number, i: number): void => {
    centroids.set(points.subarray(i * D, (i + 1) * D), k * D);
    for (let p = 0; p < rows; p++) {
      let d = 0;
      for (let j = 0; j < D; j++) {
        const diff = points[p * D + j]! - centroids[k * D + j]!;
        d += diff * diff;
      }
      if (d < nearest[p]!) nearest[p] = d;
    }
  };
  take(0, rng.int(rows));
  for (let k = 1; k < K; k++) {
    let total = 0;
    for (let p = 0; p < rows; p++) total += nearest[p]!;
    let chosen = rng.int(rows);
    if (total > 0) {
      let target = rng.uniform() * total;
      for (let p = 0; p < rows; p++) {
        target -= nearest[p]!;
        if (target <= 0 && nearest[p]! > 0) {
          chosen = p;
          break;
        }
      }
    }
    take(k, chosen);
  }
  const sums = new Float64Array(K * D);
  const counts = new Int32Array(K);
  for (let it = 0; it < iterations; it++) {
    const codes = nearestCodes(points, rows, centroids, K, D);
    sums.fill(0);
    counts.fill(0);
    for (let p = 0; p < rows; p++) {
      const k = codes[p]!;
      counts[k]++;
      for (let j = 0; j < D; j++) sums[k * D + j]! += points[p * D + j]!;
    }
    for (let k = 0; k < K; k++) if (counts[k]! > 0) for (let j = 0; j < D; j++) centroids[k * D + j] = sums[k * D + j]! / counts[k]!;
  }
  return centroids;
}
