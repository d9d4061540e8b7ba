/**
 * MeLU over categories (CCRec §6.2: "we directly use categories as items in the original
 * model"): the item-level {@link MeLU} whose ids are a category task's categories, each
 * user personalised by the local update (Lee et al. 2019, §3.3) on their past categories
 * and scored against every category.
 *
 *   S_u = past categories of u (label 1) + sampled categories outside them (label 0)
 *   θ₂ᵘ = θ₂ − α ∇_{θ₂} L_S(θ₁, θ₂)            (the local update, `localSteps` times)
 *   s_uc = ŷ(x₀ = [U_u; q_c]; θ₂ᵘ)              for every category c
 *
 * with U_u the user's demographic embeddings (absent without user features) and q_c the
 * category's own embedding, its only content. A user without past events is scored by
 * the global θ₂ (MeLU's cold start).
 */
import type { CategoryScorer } from '../plugin/inference.js';
import { MeLU, type Personalisation, type UserHistories } from './melu.js';
import type { MeLUNetwork } from './network.js';

/**
 * A {@link MeLU} whose ids are categories, its histories each user's distinct past
 * categories: `scoreCategories` is `scoreUsers` over the categories (logits, higher is
 * better; past categories are not masked, as returning to one is a hit in CCRec's protocol).
 * @example
 * ```ts
 * const model = new CategoryMeLU(network, { indptr: past.indptr, indices: past.indices }, { steps: 1, learningRate: 0.5, negatives: 1, seed: 1 });
 * model.scoreCategories(Int32Array.of(0, 3)); // 2 × numCategories
 * ```
 * @see Lee et al. 2019, §3.3; CCRec §6.2.
 */
export class CategoryMeLU extends MeLU implements CategoryScorer {
  /**
   * @param pasts each user's distinct past categories, ascending (CSR over users): the support set of each user's local update.
   * @throws Error when the pasts do not cover the network's users and categories.
   */
  constructor(network: MeLUNetwork, pasts: UserHistories, personalisation: Personalisation) {
    super(network, pasts, personalisation, 'category-melu');
  }

  get numCategories(): number {
    return this.numItems;
  }

  /**
   * Scores of `users` against every category, row-major `users.length × numCategories`,
   * each user after the local update on their past categories. Cost per user: one local
   * update over (1 + negatives) × their past categories' rows, one pass of numCategories rows.
   * @throws Error when a user is out of range.
   */
  scoreCategories(users: Int32Array): Float32Array {
    for (const u of users) if (!(Number.isInteger(u) && u >= 0 && u < this.numUsers)) throw new Error(`category-melu.scoreCategories: user ${u} is outside 0..${this.numUsers - 1}`);
    return this.scoreUsers(users);
  }
}
