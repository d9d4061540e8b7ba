/**
 * The page's bundled log: generated in the page, deterministically, by `@rec/data`'s
 * `generateSyntheticInteractions` (no data file ships with the page), then written as CSV
 * text and read back through the same parser as a dropped file.
 */
import { generateSyntheticInteractions, type SyntheticOptions } from '@rec/data';

/**
 * The bundled log's recipe: 600 users in 10 taste clusters, 400 items, 20 distinct items
 * per user, 85 % of them from the user's own cluster, Zipf popularity within a cluster.
 * Most-popular can only offer every cluster's heads at once, so a model that learns a
 * user's cluster wins by a wide margin: BPR's leave-last-out HR@10 is about 0.5 against
 * most-popular's 0.035 (the page's defaults, 10 epochs of dim 32; `test/session.test.ts`).
 */
export const SYNTHETIC_LOG: Readonly<SyntheticOptions> = {
  numUsers: 600,
  numItems: 400,
  numClusters: 10,
  interactionsPerUser: 20,
  inClusterProbability: 0.85,
  seed: 17,
};

/** The bundled log's file name, as the page names it. */
export const SYNTHETIC_LOG_NAME = 'synthetic-600x400.csv';

/**
 * The bundled log as CSV text with a header (`user,item,timestamp`); users are `u1` …
 * `u600`, items `i1` … `i400`. The same text on every call.
 * Cost: about 12,000 rows, a few milliseconds.
 * @example
 * ```ts
 * syntheticLogCsv().split('\n')[0]; // 'user,item,timestamp'
 * ```
 */
export function syntheticLogCsv(options: Readonly<SyntheticOptions> = SYNTHETIC_LOG): string {
  const { interactions } = generateSyntheticInteractions(options);
  const { users, items, timestamps, length } = interactions;
  const lines = ['user,item,timestamp'];
  for (let r = 0; r < length; r++) lines.push(`u${users[r]! + 1},i${items[r]! + 1},${timestamps![r]}`);
  return `${lines.join('\n')}\n`;
}
