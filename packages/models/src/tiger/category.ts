/**
 * TIGER over categories (CCRec §6.2, categories as items): the item model whose "items"
 * are the category task's categories, scoring them as a category recommender.
 */
import type { CategoryScorer } from '../plugin/inference.js';
import { TigerModel } from './tiger.js';

/**
 * A {@link TigerModel} whose ids are categories: `scoreCategories` is the beam's scores
 * (log p(c | u) for the beam's categories, −Infinity for the rest; the whole vocabulary
 * when the beam holds every category).
 * @example
 * ```ts
 * const scores = await model.scoreCategories(Int32Array.of(0, 3)); // 2 × numCategories
 * ```
 */
export class CategoryTigerModel extends TigerModel implements CategoryScorer {
  get numCategories(): number {
    return this.numItems;
  }

  /**
   * Scores of `users` against every category, row-major `users.length × numCategories`.
   * @throws Error when a user is out of range.
   */
  scoreCategories(users: Int32Array): Promise<Float32Array> {
    return this.scoreUsers(users);
  }
}
