import { add, concat, Embedding, gather, Module, Philox, reshape, slice, tensor, zeros, type Tensor } from '@rec/core';
import type { DotProductFactors, Recommender } from '../plugin/inference.js';
import type { MaybePromise } from '../training/read.js';
import { scoreInBlocks, TOWER_SCORE_BLOCK, type BehaviorRows, type PointwiseModel } from '../ncf/rows.js';
import { InteractionUnit, type UnitKind } from '../ncf/unit.js';

/** Hyper-parameters of {@link NMTR}. */
export interface NMTRConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Behaviour names in funnel order, target last (e.g. view, cart, buy). */
  readonly behaviors: readonly string[];
  /** The NCF unit of every behaviour (NMTR-GMF, NMTR-MLP, NMTR-NeuMF). */
  readonly unit: UnitKind;
  /** Embedding size E (default 64, §IV-A3). */
  readonly dim?: number;
  /** MLP tower layers (default 3, Table II). */
  readonly layers?: number;
  readonly seed?: number;
}

/**
 * NMTR, the Neural Multi-Task Recommendation model of Gao et al., "Learning
 * Recommender Systems from Multi-Behavior Data" (ICDE 2019 / TKDE), §III:
 * - one shared embedding layer p_u = Pᵀv_u, q_i = Qᵀv_i (eq. 4), used by every behaviour;
 * - a separate NCF unit f^r_Θ per behaviour (eq. 5–8), GMF, MLP or NeuMF;
 * - the cascade of eq. 9: out^1 = f^1 + b^1_i, out^r = out^{r−1} + f^r(p_u, q_i) + b^r_i,
 *   ŷ^r = σ(out^r), with an item bias b^r_i per behaviour;
 * - trained by the multi-task log loss of eq. 12 (`PointwiseObjective` with
 *   `cascade` batches, weights λ_r summing to 1), or behaviour by behaviour for
 *   Table V's sequential variant.
 *
 * Recommendation ranks by out^R, the target behaviour's logit.
 *
 * Implementation: rows arrive sorted by behaviour ({@link BehaviorRows}), so
 * unit r runs only on the rows whose behaviour is r or above — a suffix of the
 * batch — and its contribution is padded with zeros in front; a view row costs
 * one unit, a purchase row R. Item biases start at 0.
 *
 * @example
 * ```ts
 * const model = new NMTR({ numUsers: 10, numItems: 20, behaviors: ['view', 'cart', 'buy'], unit: 'gmf', dim: 8 });
 * model.scoreUsers(Int32Array.of(3)); // out^buy of user 3 against all 20 items
 * ```
 */
export class NMTR extends Module implements Recommender, PointwiseModel {
  readonly users: Embedding;
  readonly items: Embedding;
  readonly units: InteractionUnit[];
  readonly itemBias: Embedding[];
  readonly numItems: number;
  readonly numBehaviors: number;

  constructor(readonly config: NMTRConfig) {
    super();
    const dim = config.dim ?? 64;
    const seed = config.seed ?? 0;
    const R = config.behaviors.length;
    if (R < 1) throw new Error('NMTR: give at least one behaviour');
    this.numItems = config.numItems;
    this.numBehaviors = R;
    this.users = new Embedding(config.numUsers, dim, { seed, stream: 0 });
    this.items = new Embedding(config.numItems, dim, { seed, stream: 1 });
    const rng = new Philox({ seed, stream: 2 });
    this.units = config.behaviors.map(() => new InteractionUnit({ kind: config.unit, dim, layers: config.layers }, rng));
    this.itemBias = config.behaviors.map(() => new Embedding(config.numItems, 1, { seed, std: 0 }));
  }

  /** f^r(p_u, q_i) + b^r_i for aligned rows → `[n]`. */
  contribution(r: number, p: Tensor, q: Tensor, items: Tensor): Tensor {
    return add(this.units[r].forward(p, q), reshape(this.itemBias[r].forward(items), [items.shape[0]]));
  }

  logits(rows: BehaviorRows): Tensor {
    const n = rows.users.shape[0];
    const { starts } = rows;
    if (starts.length !== this.numBehaviors + 1) throw new Error(`NMTR.logits: starts has ${starts.length} entries, expected ${this.numBehaviors + 1}`);
    let out: Tensor | undefined;
    for (let r = 0; r < this.numBehaviors; r++) {
      const lo = starts[r];
      if (lo >= n) break;
      const m = n - lo;
      // Each unit gathers its own suffix of rows from the tables: the gradients reach them as
      // row-sparse pieces, where slicing one [n, E] gather gave every unit's gradient back as
      // a zero-padded [n, E] array to add (about a tenth of an NMTR-NeuMF step).
      const users = lo === 0 ? rows.users : slice(rows.users, [lo], [m]);
      const items = lo === 0 ? rows.items : slice(rows.items, [lo], [m]);
      const c = this.contribution(r, this.users.forward(users), this.items.forward(items), items);
      const padded = lo === 0 ? c : concat([zeros([lo]), c], 0);
      out = out ? add(out, padded) : padded;
    }
    return out ?? zeros([n]);
  }

  /** out^r of every user in `users` against all items, for any behaviour r (default the target). */
  scoreBehavior(users: Int32Array, r = this.numBehaviors - 1): MaybePromise<Float32Array> {
    const towers = this.units.some((u) => u.kind !== 'gmf');
    return scoreInBlocks(users, this.numItems, towers ? TOWER_SCORE_BLOCK : 256, (block) => {
      const p = gather(this.users.weight, tensor(block));
      let out: Tensor | undefined;
      for (let k = 0; k <= r; k++) {
        const s = add(this.units[k].scoreAll(p, this.items.weight), reshape(this.itemBias[k].weight, [1, this.numItems]));
        out = out ? add(out, s) : s;
      }
      return out as Tensor;
    });
  }

  /**
   * With GMF units, out^R = Σ_r (h_r·(p_u ⊙ q_i) + b^r_i) = ⟨p_u ⊙ Σ_r h_r, q_i⟩ + Σ_r b^r_i, a
   * dot product plus an item bias, so evaluation and top-K rank it with `rank_topk`; towers
   * (MLP, NeuMF) score through `scoreUsers`. Scores agree with `scoreUsers` up to f32 rounding
   * (the sums are regrouped).
   */
  dotProductFactors(): DotProductFactors | undefined {
    if (this.units.some((u) => u.kind !== 'gmf')) return undefined;
    const E = this.units[0].dim;
    const weights = this.units.map((u) => reshape(u.h.weight, [E])).reduce((a, b) => add(a, b));
    const bias = this.itemBias.map((b) => reshape(b.weight, [this.numItems])).reduce((a, b) => add(a, b));
    return { users: this.users.weight, items: this.items.weight, userWeights: weights, itemBias: bias };
  }

  /** out^R against every item, row-major; a promise on `webgpu`, which reads back asynchronously. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    return this.scoreBehavior(users);
  }
}
