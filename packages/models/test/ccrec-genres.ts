/**
 * ml-100k's genres under CCRec's protocol, shared by the category-baseline tests: the split
 * (cutoff at two-thirds of the time span, 10 folds, k = 10 past and 3 future events), HR@k
 * of a scorer over the warm users of folds 0–2 pooled, and the floors it is compared with
 * (uniformly random scores, category counts).
 */
import type { Dataset } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { evaluateCategoryRanking } from '@rec/eval';
import { categoryRows } from '../src/index.js';
import { type CcrecSplit, ccrecSplit } from '../src/reproductions/ccrec-protocol.js';

let protocol: Promise<{ dataset: Dataset; split: CcrecSplit }> | undefined;
/** The dataset and its CCRec split, read once per test file. */
export const ml100kGenres = (): Promise<{ dataset: Dataset; split: CcrecSplit }> =>
  (protocol ??= readDataset('ml-100k').then((dataset) => {
    let [lo, hi] = [Infinity, -Infinity];
    for (const t of dataset.interactions.timestamps!) [lo, hi] = [Math.min(lo, t), Math.max(hi, t)];
    const split = ccrecSplit(dataset.interactions, { cutoff: lo + (2 / 3) * (hi - lo), itemCategories: dataset.itemCategories!, maxPast: 10, maxFuture: 3, folds: 10 });
    return { dataset, split };
  }));

/** Folds whose warm users are pooled (14, 13, 13 users). */
export const WARM_FOLDS = [0, 1, 2];

export type Scores = (users: Int32Array) => Float32Array | Promise<Float32Array>;
export type HitRates = { 'HR@1': number; 'HR@3': number; 'HR@5': number; users: number };

/** HR@1/3/5 over the warm users of {@link WARM_FOLDS}, pooled, `scorerOf(f)` scoring fold f's users. */
export async function pooledHitRates(split: CcrecSplit, scorerOf: (fold: number) => Promise<Scores> | Scores): Promise<HitRates> {
  const futureCategories = categoryRows(split.future);
  const totals = { 'HR@1': 0, 'HR@3': 0, 'HR@5': 0 };
  let users = 0;
  for (const f of WARM_FOLDS) {
    const { task, warm } = split.fold(f);
    const result = await evaluateCategoryRanking({ numCategories: task.numCategories, futureCategories, users: warm, scoreUsers: await scorerOf(f), ks: [1, 3, 5], metrics: ['HR'] });
    for (const k of ['HR@1', 'HR@3', 'HR@5'] as const) totals[k] += result.metrics[k] * result.numUsers;
    users += result.numUsers;
  }
  return { 'HR@1': totals['HR@1'] / users, 'HR@3': totals['HR@3'] / users, 'HR@5': totals['HR@5'] / users, users };
}

/** The expected HR@k of uniformly random scores: 1 − C(V − m, k)/C(V, k) per warm user with m future categories, pooled. */
export function randomHitRate(split: CcrecSplit, k: number): number {
  const futureCategories = categoryRows(split.future);
  const V = split.split.pastEvents.events.numItems;
  let total = 0;
  let users = 0;
  for (const f of WARM_FOLDS) {
    for (const u of split.fold(f).warm) {
      const m = futureCategories.rowOf(u).length;
      let miss = 1;
      for (let j = 0; j < k; j++) miss *= (V - m - j) / (V - j);
      total += 1 - miss;
      users++;
    }
  }
  return total / users;
}

/** Every user scored by the counts of `events`' categories (a popularity floor). */
export const countsScorer = (events: { items: Int32Array; numItems: number }): Scores => {
  const counts = new Float32Array(events.numItems);
  for (const c of events.items) counts[c]++;
  return (users) => {
    const out = new Float32Array(users.length * counts.length);
    users.forEach((_, b) => out.set(counts, b * counts.length));
    return out;
  };
};

/** `HR@1 0.550, HR@3 0.850, HR@5 0.950`. */
export const formatHitRates = (r: Record<'HR@1' | 'HR@3' | 'HR@5', number>): string => (['HR@1', 'HR@3', 'HR@5'] as const).map((k) => `${k} ${r[k].toFixed(3)}`).join(', ');
