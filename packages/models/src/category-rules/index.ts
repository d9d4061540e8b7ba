/**
 * `category-popular` and `category-frequent`: the honest floors of category
 * recommendation (CCRec's tables): the most popular categories for everyone, and each
 * user's own most frequent past categories first.
 */
import type { NamedArray } from '@rec/core';
import type { Interactions } from '@rec/data';
import { z } from 'zod';
import { type CategoryTask } from '../plugin/category-task.js';
import { defineModel } from '../plugin/define.js';
import type { CategoryScorer } from '../plugin/inference.js';

/**
 * A rule that scores categories by popularity, optionally after the user's own past
 * counts: score(u, c) = personal · n_u(c) · (P + 1) + pop(c), with pop(c) the category's
 * count among the training targets and P the largest pop, so a category the user had more
 * often always ranks first, and popularity breaks ties and ranks the rest.
 * @example
 * ```ts
 * const rule = CategoryRule.fit(task, true);
 * await rule.scoreCategories(Int32Array.of(0)); // user 0's own categories first
 * ```
 */
export class CategoryRule implements CategoryScorer {
  readonly numCategories: number;

  constructor(
    /** Each category's count among the training targets, f32 [C]. */
    readonly popularity: Float32Array,
    /** Each user's past category counts (CSR over users), or undefined for the popularity rule. */
    readonly personal: { readonly indptr: Int32Array; readonly indices: Int32Array; readonly counts: Float32Array } | undefined,
  ) {
    this.numCategories = popularity.length;
  }

  /**
   * Popularity = how often each category is a learning user's future category (the
   * targets a trained model learns; the past events when the task has no future), and,
   * with `personal`, every user's past category counts.
   */
  static fit(task: CategoryTask, personal: boolean): CategoryRule {
    const source = task.future.length > 0 ? task.future : task.past;
    const popularity = new Float32Array(task.numCategories);
    for (const c of source.items) popularity[c]!++;
    return new CategoryRule(popularity, personal ? countsByUser(task.past) : undefined);
  }

  scoreCategories(users: Int32Array): Float32Array {
    const C = this.numCategories;
    const out = new Float32Array(users.length * C);
    let top = 0;
    for (const p of this.popularity) top = Math.max(top, p);
    const personal = this.personal;
    users.forEach((u, b) => {
      out.set(this.popularity, b * C);
      if (!personal) return;
      if (!(Number.isInteger(u) && u >= 0 && u < personal.indptr.length - 1)) throw new Error(`category-frequent: user ${u} is outside 0..${personal.indptr.length - 2}`);
      for (let p = personal.indptr[u]!; p < personal.indptr[u + 1]!; p++) out[b * C + personal.indices[p]!] += personal.counts[p]! * (top + 1);
    });
    return out;
  }
}

/** Each user's count of each past category, as CSR rows. */
function countsByUser(past: Interactions): { indptr: Int32Array; indices: Int32Array; counts: Float32Array } {
  const perUser: Map<number, number>[] = Array.from({ length: past.numUsers }, () => new Map());
  for (let r = 0; r < past.length; r++) {
    const row = perUser[past.users[r]!]!;
    row.set(past.items[r]!, (row.get(past.items[r]!) ?? 0) + 1);
  }
  const indptr = new Int32Array(past.numUsers + 1);
  perUser.forEach((row, u) => (indptr[u + 1] = indptr[u]! + row.size));
  const indices = new Int32Array(indptr[past.numUsers]!);
  const counts = new Float32Array(indices.length);
  perUser.forEach((row, u) => {
    [...row.keys()].sort((a, b) => a - b).forEach((c, j) => {
      indices[indptr[u]! + j] = c;
      counts[indptr[u]! + j] = row.get(c)!;
    });
  });
  return { indptr, indices, counts };
}

const paper = { cite: 'the floor rows of category recommendation (CCRec, Wang, Akash et al. 2025, Tables 3–8 compare against trained baselines only)', section: '§6.2' };

function requireTask(task: CategoryTask | undefined, name: string): CategoryTask {
  if (!task) throw new Error(`${name} needs a category task (past and future category events), which the data lacks`);
  return task;
}

function array(state: Record<string, NamedArray>, key: string, dtype: 'i32' | 'f32', name: string): NamedArray {
  const a = state[key];
  if (a?.dtype !== dtype) throw new Error(`the ${name} model's '${key}' is missing or not ${dtype}`);
  return a;
}

for (const personal of [false, true]) {
  const name = personal ? 'category-frequent' : 'category-popular';
  defineModel({
    name,
    title: personal ? "User's most frequent category" : 'Most popular category',
    family: 'Rules',
    paper,
    summary: personal
      ? "each user's past categories by how often they occur, then the rest by popularity"
      : 'every user gets the categories most often among the training targets',
    config: z.object({}),
    needs: { categoryEvents: 'required' },
    outputs: ['categories'],
    rule: true,
    fit: (data) => ({ model: CategoryRule.fit(requireTask(data.categoryTask, name), personal) }),
    save: (model: CategoryRule) => ({
      tensors: {
        popularity: { dtype: 'f32', shape: [model.numCategories], data: model.popularity },
        ...(model.personal
          ? {
            'past.indptr': { dtype: 'i32', shape: [model.personal.indptr.length], data: model.personal.indptr },
            'past.indices': { dtype: 'i32', shape: [model.personal.indices.length], data: model.personal.indices },
            'past.counts': { dtype: 'f32', shape: [model.personal.counts.length], data: model.personal.counts },
          }
          : {}),
      },
    }),
    load: (state) => {
      const popularity = array(state.tensors, 'popularity', 'f32', name).data as Float32Array;
      if (!personal) return new CategoryRule(popularity, undefined);
      return new CategoryRule(popularity, {
        indptr: array(state.tensors, 'past.indptr', 'i32', name).data as Int32Array,
        indices: array(state.tensors, 'past.indices', 'i32', name).data as Int32Array,
        counts: array(state.tensors, 'past.counts', 'f32', name).data as Float32Array,
      });
    },
  });
}
