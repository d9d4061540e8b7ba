import { Embedding, gather, Module, Philox, reshape, tensor, type Tensor } from '@rec/core';
import type { DotProductFactors, Recommender } from '../plugin/inference.js';
import type { MaybePromise } from '../training/read.js';
import { scoreInBlocks, TOWER_SCORE_BLOCK, type BehaviorRows, type PairwiseModel, type PointwiseModel } from './rows.js';
import { InteractionUnit, type UnitKind } from './unit.js';

/** Hyper-parameters of {@link NCF}. */
export interface NCFConfig {
  readonly numUsers: number;
  readonly numItems: number;
  readonly unit: UnitKind;
  /** Embedding size E (default 64, NMTR §IV-A3). */
  readonly dim?: number;
  /** MLP tower layers (default 3, Table II). */
  readonly layers?: number;
  /** Seed of every initial weight (default 0). */
  readonly seed?: number;
}

/**
 * Neural collaborative filtering on one behaviour (He et al., "Neural
 * Collaborative Filtering", WWW 2017): ŷ_ui = σ(f_Θ(p_u, q_i)) with f one of
 * GMF, MLP or NeuMF ({@link InteractionUnit}, NMTR eq. 5–8). Trained pointwise
 * with log loss and sampled negatives (NCF eq. 7; the objective is
 * `PointwiseObjective`) or, as MC-GMF/MC-MLP/MC-NeuMF, pairwise with
 * multi-channel negatives (NMTR §IV-A2).
 *
 * Choice: NeuMF shares one embedding pair between its GMF and MLP halves, as
 * NMTR's NeuMF unit does (§III-B), so the single-behaviour NeuMF baseline is
 * exactly NMTR-NeuMF's unit on one behaviour; NCF's original NeuMF had
 * separate embeddings and pre-training, which NMTR's baselines do not mention.
 * Embeddings start N(0, 0.01²) as in NCF.
 *
 * @example
 * ```ts
 * const model = new NCF({ numUsers: 100, numItems: 50, unit: 'neumf', dim: 16 });
 * const scores = model.scoreUsers(Int32Array.of(0, 1)); // [2 × 50]
 * ```
 */
export class NCF extends Module implements Recommender, PointwiseModel, PairwiseModel {
  readonly users: Embedding;
  readonly items: Embedding;
  readonly unit: InteractionUnit;
  readonly numItems: number;
  readonly numBehaviors = 1;

  constructor(readonly config: NCFConfig) {
    super();
    const dim = config.dim ?? 64;
    const seed = config.seed ?? 0;
    this.numItems = config.numItems;
    this.users = new Embedding(config.numUsers, dim, { seed, stream: 0 });
    this.items = new Embedding(config.numItems, dim, { seed, stream: 1 });
    this.unit = new InteractionUnit({ kind: config.unit, dim, layers: config.layers }, new Philox({ seed, stream: 2 }));
  }

  score(users: Tensor, items: Tensor): Tensor {
    return this.unit.forward(this.users.forward(users), this.items.forward(items));
  }

  logits(rows: BehaviorRows): Tensor {
    return this.score(rows.users, rows.items);
  }

  /**
   * GMF's score h·(p_u ⊙ q_i) = ⟨p_u ⊙ h, q_i⟩ is a dot product, so evaluation and top-K rank it
   * with `rank_topk` (h as the user weights); MLP and NeuMF towers score through `scoreUsers`.
   */
  dotProductFactors(): DotProductFactors | undefined {
    if (this.unit.kind !== 'gmf') return undefined;
    return { users: this.users.weight, items: this.items.weight, userWeights: reshape(this.unit.h.weight, [this.unit.dim]) };
  }

  /** Scores of `users` against every item, row-major; a promise on `webgpu`, which reads back asynchronously. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    return scoreInBlocks(users, this.numItems, this.unit.kind === 'gmf' ? 256 : TOWER_SCORE_BLOCK, (block) =>
      this.unit.scoreAll(gather(this.users.weight, tensor(block)), this.items.weight),
    );
  }
}
