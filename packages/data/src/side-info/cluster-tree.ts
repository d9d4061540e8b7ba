/**
 * A category tree made by clustering dense item features, for data that has features but no
 * categories: k-means over all items into `branching[0]` first-level categories, then k-means
 * within each of them into `branching[1]`, and so on. The second-hand reproduction uses it to
 * give TikTok's videos a two-level "sound" hierarchy from their acoustic features, so that
 * models built for a hierarchy and images (OurModel, Sherlock, DeepStyle) have both on one set.
 *
 * Clustering is Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii, SODA 2007),
 * squared Euclidean distance, sums in f64, a fixed number of rounds (it stops early once no
 * item moves). A cluster that ends up empty is no node; a cluster with fewer items than the
 * next level's branching is split into as many as it has items.
 */
import { Philox } from '@rec/core';
import { CategoryTree } from './category-tree.js';
import type { DenseFeatures } from './features.js';

/** Options of {@link clusterTree}. */
export interface ClusterTreeOptions {
  /** Children per node at each level, coarse to fine: [8, 4] is 8 top categories of up to 4 each. */
  readonly branching: readonly number[];
  /** Seeds k-means++ (default 1). */
  readonly seed?: number;
  /** Lloyd rounds per clustering (default 25). */
  readonly iterations?: number;
}

/**
 * Clusters `features`' rows into a tree (module doc). Node names are their path of cluster
 * numbers ("3", "3.1"); every item sits at a node of the deepest level.
 *
 * Cost: O(rows · dim · Σ branching · iterations).
 * @throws Error on an empty or non-integer branching, or features with no rows.
 * @example
 * ```ts
 * const audio = tiktok.itemFeatures!['audio']!;
 * const { tree, itemLeaf } = clusterTree(audio, { branching: [8, 4], seed: 1 });
 * tree.levels; // 2
 * ```
 */
export function clusterTree(features: DenseFeatures, options: ClusterTreeOptions): { tree: CategoryTree; itemLeaf: Int32Array } {
  const { branching } = options;
  if (branching.length === 0 || branching.some((k) => !(Number.isInteger(k) && k >= 1))) {
    throw new Error(`clusterTree: branching must be one or more positive whole numbers, got [${branching.join(', ')}]`);
  }
  if (features.rows === 0) throw new Error('clusterTree: the features have no rows');
  const rng = new Philox({ seed: options.seed ?? 1, stream: 0 });
  const iterations = options.iterations ?? 25;
  const names: string[] = [];
  const parents: number[] = [];
  const itemLeaf = new Int32Array(features.rows);
  const split = (members: Int32Array, depth: number, parent: number, prefix: string): void => {
    const labels = kMeans(features, members, Math.min(branching[depth]!, members.length), iterations, rng);
    const groups = new Map<number, number[]>();
    members.forEach((item, r) => {
      const group = groups.get(labels[r]!) ?? [];
      group.push(item);
      groups.set(labels[r]!, group);
    });
    [...groups.keys()].sort((a, b) => a - b).forEach((label, n) => {
      const node = names.length;
      const name = prefix ? `${prefix}.${n}` : `${n}`;
      names.push(name);
      parents.push(parent);
      const group = Int32Array.from(groups.get(label)!);
      if (depth + 1 < branching.length) split(group, depth + 1, node, name);
      else for (const item of group) itemLeaf[item] = node;
    });
  };
  split(Int32Array.from({ length: features.rows }, (_, i) => i), 0, -1, '');
  return { tree: CategoryTree.fromParents(names, parents, 'clusterTree'), itemLeaf };
}

/** Each member's cluster (0 … k − 1) after k-means++ seeding and Lloyd rounds. */
function kMeans(features: DenseFeatures, members: Int32Array, k: number, iterations: number, rng: Philox): Int32Array {
  const { dim, values } = features;
  const n = members.length;
  const distance = (row: number, center: Float64Array, at: number): number => {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const diff = values[row * dim + d]! - center[at * dim + d]!;
      s += diff * diff;
    }
    return s;
  };
  const centers = new Float64Array(k * dim);
  const take = (c: number, row: number) => {
    for (let d = 0; d < dim; d++) centers[c * dim + d] = values[row * dim + d]!;
  };
  // k-means++: the first center uniformly, each next one with probability ∝ squared distance to the nearest.
  take(0, members[rng.int(n)]!);
  const nearest = Float64Array.from(members, (row) => distance(row, centers, 0));
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (const v of nearest) total += v;
    let target = rng.uniform() * total;
    let pick = n - 1;
    for (let r = 0; r < n; r++) {
      target -= nearest[r]!;
      if (target < 0) {
        pick = r;
        break;
      }
    }
    take(c, members[pick]!);
    for (let r = 0; r < n; r++) nearest[r] = Math.min(nearest[r]!, distance(members[r]!, centers, c));
  }
  const labels = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  for (let round = 0; round < iterations; round++) {
    let moved = 0;
    for (let r = 0; r < n; r++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const dist = distance(members[r]!, centers, c);
        if (dist < bestDistance) (best = c), (bestDistance = dist);
      }
      if (labels[r] !== best) (labels[r] = best), moved++;
    }
    if (moved === 0) break;
    sums.fill(0);
    counts.fill(0);
    for (let r = 0; r < n; r++) {
      const c = labels[r]!;
      counts[c]!++;
      for (let d = 0; d < dim; d++) sums[c * dim + d]! += values[members[r]! * dim + d]!;
    }
    // An emptied cluster keeps its center (it may win items back; if not, it is no node).
    for (let c = 0; c < k; c++) if (counts[c]! > 0) for (let d = 0; d < dim; d++) centers[c * dim + d] = sums[c * dim + d]! / counts[c]!;
  }
  return labels;
}
