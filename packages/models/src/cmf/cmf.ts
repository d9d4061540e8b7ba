import { concat, Embedding, gather, matmul, Module, mul, slice, sum, tensor, type Tensor } from '@rec/core';
import type { Recommender } from '../plugin/inference.js';
import type { MaybePromise } from '../training/read.js';
import { scoreInBlocks, type BehaviorRows, type PointwiseModel } from '../ncf/rows.js';

/** Hyper-parameters of {@link CMF}. */
export interface CMFConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Behaviour names in funnel order, target last. */
  readonly behaviors: readonly string[];
  /** Embedding size (default 64). */
  readonly dim?: number;
  readonly seed?: number;
}

/**
 * Collective matrix factorisation (Singh & Gordon, KDD 2008; Zhao et al. 2015)
 * as NMTR's baseline §IV-A2 adapts it: "we adapted the method by sharing the
 * user embeddings for factorizing different interaction matrices of various
 * types of behaviors" and "augmented the method by sampling negative instances
 * in the same way as our NMTR". So ŷ^r_ui = σ(⟨p_u, q^r_i⟩): one user table
 * shared by all behaviours, one item table per behaviour, trained with the
 * per-behaviour weighted log loss (the weights c_r of eq. 3, tuned in
 * {0, 0.2, …, 1}) on NMTR's cascade batches. Recommendation ranks by the target
 * behaviour's ⟨p_u, q^R_i⟩.
 *
 * Choice: NMTR §II-C writes CMF with shared *item* and per-behaviour user
 * vectors, but §IV-A2's adaptation shares the *user* vectors; with both shared
 * every behaviour would get the same prediction, so the other side is per
 * behaviour. Log loss replaces eq. 3's squared loss, as the augmented
 * implicit-feedback version implies.
 */
export class CMF extends Module implements Recommender, PointwiseModel {
  readonly users: Embedding;
  readonly items: Embedding[];
  readonly numItems: number;
  readonly numBehaviors: number;

  constructor(readonly config: CMFConfig) {
    super();
    const dim = config.dim ?? 64;
    const seed = config.seed ?? 0;
    if (config.behaviors.length < 1) throw new Error('CMF: give at least one behaviour');
    this.numItems = config.numItems;
    this.numBehaviors = config.behaviors.length;
    this.users = new Embedding(config.numUsers, dim, { seed, stream: 0 });
    this.items = config.behaviors.map((_, r) => new Embedding(config.numItems, dim, { seed, stream: 1 + r }));
  }

  logits(rows: BehaviorRows): Tensor {
    const parts: Tensor[] = [];
    for (let r = 0; r < this.numBehaviors; r++) {
      const lo = rows.starts[r];
      const m = rows.starts[r + 1] - lo;
      if (m === 0) continue;
      const u = slice(rows.users, [lo], [m]);
      const i = slice(rows.items, [lo], [m]);
      parts.push(sum(mul(this.users.forward(u), this.items[r].forward(i)), 1));
    }
    return parts.length === 1 ? parts[0] : concat(parts, 0);
  }

  /** Scores of `users` against every item by the target table; a promise on `webgpu`, which reads back asynchronously. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const target = this.items[this.numBehaviors - 1].weight;
    return scoreInBlocks(users, this.numItems, 512, (block) => matmul(gather(this.users.weight, tensor(block)), target, { transposeB: true }));
  }
}
