import { Embedding, gather, matmul, Module, Parameter, tensor } from '@rec/core';
import { scoreInBlocks } from '../ncf/rows.js';
import type { DotProductFactors, Recommender } from '../plugin/inference.js';
import { hostCopy, type MaybePromise } from '../training/read.js';
import type { CoFactorFactors } from './als.js';

/** Hyper-parameters of {@link CoFactor}'s tables. */
export interface CoFactorConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Latent size K (default 10, MRLR §4.1's d). */
  readonly dim?: number;
  readonly seed?: number;
  /** Standard deviation of the initial θ, β, γ (default 0.01, their code's `init_std`). */
  readonly initStd?: number;
}

/**
 * CoFactor's parameters (Liang et al., RecSys 2016, §2.3): user factors θ, item factors β
 * shared by the click and the co-occurrence factorisations, item context factors γ, and
 * the item and context biases w and c of the SPPMI term. Fitted by `CoFactorALS`
 * (closed-form alternating least squares, not the trainer); held as a `Module` so a
 * trained model saves and loads through its parameters. It recommends by
 * ŷ_ui = θ_uᵀβ_i, as the paper does: γ, w and c only shape β through the SPPMI term.
 *
 * @example
 * ```ts
 * const model = new CoFactor({ numUsers: 943, numItems: 1682, dim: 10, seed: 1 });
 * const scores = await model.scoreUsers(Int32Array.of(0)); // θ_0ᵀβ_i for every i
 * ```
 * @see MRLR §4.1 (baseline 6) and Table 2.
 */
export class CoFactor extends Module implements Recommender {
  /** θ. */
  readonly users: Embedding;
  /** β. */
  readonly items: Embedding;
  /** γ. */
  readonly contexts: Embedding;
  /** w. */
  readonly itemBias: Parameter;
  /** c. */
  readonly contextBias: Parameter;
  readonly numItems: number;

  constructor(readonly config: CoFactorConfig) {
    super();
    const dim = config.dim ?? 10;
    const seed = config.seed ?? 0;
    const std = config.initStd ?? 0.01;
    this.numItems = config.numItems;
    this.users = new Embedding(config.numUsers, dim, { seed, stream: 0, std });
    this.items = new Embedding(config.numItems, dim, { seed, stream: 1, std });
    this.contexts = new Embedding(config.numItems, dim, { seed, stream: 2, std });
    this.itemBias = new Parameter(new Float32Array(config.numItems), [config.numItems]);
    this.contextBias = new Parameter(new Float32Array(config.numItems), [config.numItems]);
  }

  /** θ_uᵀβ_i of `users` against every item, row-major; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    return scoreInBlocks(users, this.numItems, 512, (block) => matmul(gather(this.users.weight, tensor(block)), this.items.weight, { transposeB: true }));
  }

  /** The score is θ_uᵀβ_i = ⟨users[u], items[i]⟩: these tables, for ranking through `rank_topk`. */
  dotProductFactors(): DotProductFactors {
    return { users: this.users.weight, items: this.items.weight };
  }

  /** The parameters in double precision, for the ALS (a promise on `webgpu`). */
  readFactors(): MaybePromise<CoFactorFactors> {
    const tables = [this.users.weight, this.items.weight, this.contexts.weight, this.itemBias, this.contextBias];
    const read = tables.map((t) => hostCopy(t));
    const toFactors = (values: ArrayLike<number>[]): CoFactorFactors => {
      const [theta, beta, gamma, w, c] = values.map((v) => Float64Array.from(v));
      return { theta, beta, gamma, w, c };
    };
    return read.some((r) => r instanceof Promise) ? Promise.all(read).then(toFactors) : toFactors(read as ArrayLike<number>[]);
  }

  /** Overwrites the parameters with `factors` (rounded to f32). */
  writeFactors(factors: CoFactorFactors): void {
    this.users.weight.assign(Float32Array.from(factors.theta));
    this.items.weight.assign(Float32Array.from(factors.beta));
    this.contexts.weight.assign(Float32Array.from(factors.gamma));
    this.itemBias.assign(Float32Array.from(factors.w));
    this.contextBias.assign(Float32Array.from(factors.c));
  }
}
