/**
 * Seeded synthetic interaction logs with planted structure, for tests and examples
 * that must not depend on downloaded data.
 */
import { Philox } from '@rec/core';
import { createInteractions, type Interactions } from './interactions.js';

/**
 * Philox streams of {@link generateSyntheticInteractions}, one per use, in the
 * `0xda7a_xxxx` range that `@rec/data` keeps for itself (see `LEAVE_LAST_OUT_STREAM`),
 * so changing how one part draws never shifts the others and a seed shared with a
 * split or a model draws unrelated numbers.
 */
export const SYNTHETIC_STREAMS = {
  /** Fisher–Yates permutation of the items, which assigns clusters and popularity ranks. */
  itemShuffle: 0xda7a_0101,
  /** Each user's cluster, `int(numClusters)` in user order. */
  userClusters: 0xda7a_0102,
  /** Start times, cluster choices, Zipf draws and time gaps, user after user. */
  interactions: 0xda7a_0103,
} as const;

/**
 * Options of {@link generateSyntheticInteractions}.
 * @example
 * ```ts
 * const options: SyntheticOptions = {
 *   numUsers: 1000, numItems: 500, numClusters: 10, interactionsPerUser: 20, seed: 1,
 *   inClusterProbability: 0.9,
 * };
 * ```
 */
export interface SyntheticOptions {
  /** Number of users (≥ 1). */
  numUsers: number;
  /** Number of items (≥ numClusters). */
  numItems: number;
  /** Number of latent taste clusters shared by users and items (≥ 1). */
  numClusters: number;
  /** Distinct items per user (1 … numItems). Every user gets exactly this many rows. */
  interactionsPerUser: number;
  /**
   * Seed, any safe integer: the same options always give the same log. Randomness comes
   * from `@rec/core`'s Philox on the streams of {@link SYNTHETIC_STREAMS}.
   */
  seed: number;
  /**
   * Probability that an interaction is drawn from the user's own cluster; otherwise
   * the cluster is uniform over all clusters. Default 0.85. At 1/numClusters the
   * structure disappears and most-popular is as good as anything.
   */
  inClusterProbability?: number;
  /**
   * Zipf exponent of item popularity within a cluster: the r-th most popular item of a
   * cluster has weight 1/(r+1)^s. Default 1 (a long tail). 0 makes items equally popular.
   */
  popularityExponent?: number;
  /** Time of the first possible interaction, Unix seconds. Default 1_600_000_000. */
  startTime?: number;
}

/**
 * A synthetic log and the structure planted in it.
 * @example
 * ```ts
 * const { interactions, userClusters, itemClusters }: SyntheticDataset =
 *   generateSyntheticInteractions(options);
 * itemClusters[interactions.items[0]] === userClusters[interactions.users[0]]; // usually true
 * ```
 */
export interface SyntheticDataset {
  readonly interactions: Interactions;
  /** Cluster of each user. */
  readonly userClusters: Int32Array;
  /** Cluster of each item. */
  readonly itemClusters: Int32Array;
}

function checkInteger(value: number, what: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`generateSyntheticInteractions: ${what} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

/** Index of the first cumulative weight above `target` (binary search). */
function sampleCumulative(cumulative: Float64Array, from: number, to: number, target: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Generates a log in which a personalised model clearly beats most-popular:
 *
 * - items are split evenly and at random into `numClusters` clusters; within a cluster
 *   they get a random popularity rank and Zipf weights 1/(rank+1)^s (a long tail);
 * - each user belongs to a uniformly random cluster and draws `interactionsPerUser`
 *   distinct items: with probability `inClusterProbability` from their own cluster,
 *   otherwise from a uniformly random cluster, each time by the Zipf weights;
 * - each user's interactions are spaced 1 s – 1 h apart starting at a random time in
 *   the 30 days after `startTime`, in draw order, so timestamps never tie within a
 *   user and leave-last-out holds out the last draw.
 *
 * Most-popular can only recommend the cluster heads of all clusters at once; a model
 * that learns the user's cluster recommends the heads of that cluster, so with the
 * defaults and 10 clusters its leave-one-out HR@10 is several times higher.
 * Cost: O(numUsers · interactionsPerUser · log numItems).
 *
 * @throws Error naming the first option out of range.
 * @example
 * ```ts
 * const { interactions, userClusters } = generateSyntheticInteractions({
 *   numUsers: 500, numItems: 300, numClusters: 10, interactionsPerUser: 20, seed: 7,
 * });
 * interactions.length; // 10000
 * ```
 */
export function generateSyntheticInteractions(options: SyntheticOptions): SyntheticDataset {
  const { numUsers, numItems, numClusters, interactionsPerUser, seed } = options;
  const inCluster = options.inClusterProbability ?? 0.85;
  const exponent = options.popularityExponent ?? 1;
  const startTime = options.startTime ?? 1_600_000_000;
  checkInteger(numUsers, 'numUsers', 1, 0x7fffffff);
  checkInteger(numItems, 'numItems', 1, 0x7fffffff);
  checkInteger(numClusters, 'numClusters', 1, numItems);
  checkInteger(interactionsPerUser, 'interactionsPerUser', 1, numItems);
  if (numUsers * interactionsPerUser > 0x7fffffff) {
    throw new Error('generateSyntheticInteractions: numUsers × interactionsPerUser must stay below 2^31 rows');
  }
  if (!(inCluster >= 0 && inCluster <= 1)) {
    throw new Error(`generateSyntheticInteractions: inClusterProbability must be in [0, 1], got ${inCluster}`);
  }
  if (!(Number.isFinite(exponent) && exponent >= 0)) {
    throw new Error(`generateSyntheticInteractions: popularityExponent must be ≥ 0, got ${exponent}`);
  }
  if (!Number.isFinite(startTime)) {
    throw new Error(`generateSyntheticInteractions: startTime must be finite, got ${startTime}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`generateSyntheticInteractions: seed must be a safe integer, got ${String(seed)}`);
  }

  // Items by cluster: a random permutation cut into near-equal consecutive blocks, so
  // `clusterItems[clusterStart[c] + r]` is the item of popularity rank r in cluster c.
  const clusterItems = new Philox({ seed, stream: SYNTHETIC_STREAMS.itemShuffle }).shuffle(
    Int32Array.from({ length: numItems }, (_, i) => i),
  );
  const clusterStart = new Int32Array(numClusters + 1);
  for (let c = 0; c <= numClusters; c++) clusterStart[c] = Math.floor((c * numItems) / numClusters);
  const itemClusters = new Int32Array(numItems);
  const cumulative = new Float64Array(numItems);
  for (let c = 0; c < numClusters; c++) {
    let total = 0;
    for (let p = clusterStart[c]; p < clusterStart[c + 1]; p++) {
      itemClusters[clusterItems[p]] = c;
      total += 1 / Math.pow(p - clusterStart[c] + 1, exponent);
      cumulative[p] = total;
    }
  }

  const userClusters = new Int32Array(numUsers);
  const clusterRng = new Philox({ seed, stream: SYNTHETIC_STREAMS.userClusters });
  for (let u = 0; u < numUsers; u++) userClusters[u] = clusterRng.int(numClusters);

  const rows = numUsers * interactionsPerUser;
  const users = new Int32Array(rows);
  const items = new Int32Array(rows);
  const timestamps = new Float64Array(rows);
  const taken = new Uint8Array(numItems);
  const THIRTY_DAYS = 30 * 86_400;
  // Rejection sampling keeps the Zipf shape; when a user has taken most of a cluster it
  // falls back to the next free item, so generation always ends.
  const MAX_TRIES = 32;

  const rng = new Philox({ seed, stream: SYNTHETIC_STREAMS.interactions });
  let row = 0;
  for (let u = 0; u < numUsers; u++) {
    const first = row;
    let time = startTime + rng.int(THIRTY_DAYS);
    for (let n = 0; n < interactionsPerUser; n++) {
      // The cluster is drawn once per interaction and kept through the retries, so a
      // user who has taken a cluster's heads still draws from their own cluster and
      // `inClusterProbability` holds for the log, not only for the first draws.
      const c = rng.bernoulli(inCluster) ? userClusters[u] : rng.int(numClusters);
      const from = clusterStart[c];
      const to = clusterStart[c + 1];
      let item = -1;
      let p = from;
      for (let attempt = 0; attempt < MAX_TRIES && item < 0; attempt++) {
        // Philox.uniform has 2^-24 resolution, so only ranks whose weight is below 2^-24 of
        // their cluster's total (clusters of millions of items) get rounded probabilities.
        p = sampleCumulative(cumulative, from, to, rng.uniform() * cumulative[to - 1]);
        if (!taken[clusterItems[p]]) item = clusterItems[p];
      }
      // Fallback: the next free item after the last draw, in this cluster if it has
      // one, else anywhere (interactionsPerUser ≤ numItems guarantees one exists).
      for (let q = p + 1; item < 0 && q < p + 1 + (to - from); q++) {
        const candidate = clusterItems[from + ((q - from) % (to - from))];
        if (!taken[candidate]) item = candidate;
      }
      for (let q = 0; item < 0; q++) {
        if (!taken[clusterItems[q]]) item = clusterItems[q];
      }
      taken[item] = 1;
      users[row] = u;
      items[row] = item;
      timestamps[row] = time;
      time += 1 + rng.int(3600);
      row++;
    }
    for (let r = first; r < row; r++) taken[items[r]] = 0;
  }

  const interactions = createInteractions({ users, items, timestamps, numUsers, numItems });
  return { interactions, userClusters, itemClusters };
}
