/**
 * How much of a multi-behaviour test split the training data already gives away: for
 * each held-out target pair (u, i), under which behaviours u already interacted with i
 * in train. On the public leave-one-out purchase splits (tmall/mbcgcn, beibei/ghcf,
 * taobao/ghcf) most test purchases are training views or carts of the same user, so a
 * full-ranking protocol that masks only training purchases rewards "recommend what the
 * user viewed" far more than NMTR's protocol, which ranks only the items a user has not
 * interacted with; this module measures that, and marks the test rows it concerns.
 */
import { positivesByBehavior, resolveBehavior } from './indexes.js';
import type { Interactions } from './interactions.js';

/**
 * A number of test pairs and its share of all the target behaviour's test pairs.
 * @example
 * ```ts
 * const seen: OverlapCount = { count: 12, fraction: 0.75 }; // 12 of 16 test pairs
 * ```
 */
export interface OverlapCount {
  readonly count: number;
  /** `count / total`; 0 when there are no test pairs. */
  readonly fraction: number;
}

/**
 * What {@link behaviorOverlap} measures. Counts are over the target behaviour's test
 * rows: a test row repeating a (user, item) pair counts each time (the published
 * leave-one-out splits have one row per user and no repeats).
 * @example
 * ```ts
 * const overlap: BehaviorOverlap = behaviorOverlap(split.train, split.test);
 * overlap.byBehavior.view.fraction; // share of test purchases that were training views
 * ```
 */
export interface BehaviorOverlap {
  /** Name of the target behaviour, e.g. `buy`. */
  readonly target: string;
  /** The training log's behaviour names, in its order (funnel order in @rec/data). */
  readonly behaviorNames: readonly string[];
  /** Number of test rows of the target behaviour. */
  readonly total: number;
  /**
   * For every training behaviour (the target included): test pairs (u, i) where u
   * interacted with i under that behaviour in train. A pair can be in several.
   */
  readonly byBehavior: Readonly<Record<string, OverlapCount>>;
  /** Test pairs seen in train under at least one behaviour other than the target. */
  readonly anyWeaker: OverlapCount;
  /**
   * Test pairs already in train under the target behaviour itself: 0 for a split that
   * does not leak. A full-ranking protocol that masks training purchases cannot rank
   * these at all.
   */
  readonly asTarget: OverlapCount;
  /** Test pairs u never interacted with in train, under any behaviour. */
  readonly neverSeen: OverlapCount;
  /**
   * Per row of the test log (all its rows, length `test.length`): 1 when the row is a
   * target-behaviour pair seen in train under a non-target behaviour, else 0. What an
   * evaluation splits its users by ("test item seen under a weaker behaviour" or not).
   */
  readonly seenWeaker: Uint8Array;
}

function share(count: number, total: number): OverlapCount {
  return { count, fraction: total === 0 ? 0 : count / total };
}

/**
 * Measures, for the test pairs (u, i) of the target behaviour, under which behaviours u
 * already interacted with i in the training log: per behaviour, under any non-target
 * ("weaker") behaviour, under the target itself, and never. A behaviour counts as weaker
 * whatever its position in the funnel: every behaviour other than the target is one.
 * Cost: one `positivesByBehavior(train)` (O(train.length · log)) and a binary search per
 * test row and behaviour.
 *
 * The test log's rows of the target behaviour are those whose behaviour *name* is
 * `target` (the test log may list its names differently from train); a test log without
 * a behaviours column is taken to hold only target rows.
 *
 * @param train the training log; it must have behaviour types.
 * @param test the held-out rows over the same user and item index spaces.
 * @param target the behaviour the test measures (default `buy`).
 * @throws Error when train has no behaviour types, `target` is not one of them or of
 *   test's, or the index spaces of the two logs differ.
 * @example
 * ```ts
 * const { train, test } = (await readDataset('beibei/ghcf')).splits.default;
 * const overlap = behaviorOverlap(train, test);
 * overlap.byBehavior.cart.fraction; // share of test purchases the user had carted in train
 * console.log(formatOverlap(overlap, { names: ['beibei/ghcf'] }));
 * ```
 * @see Gao et al., Learning Recommender Systems from Multi-Behavior Data (NMTR), §IV-A1:
 *   its protocol ranks only the items a user has not interacted with before.
 */
export function behaviorOverlap(train: Interactions, test: Interactions, target = 'buy'): BehaviorOverlap {
  const fn = 'behaviorOverlap';
  const targetIndex = resolveBehavior(train, target, fn);
  const names = train.behaviorNames as readonly string[];
  if (test.numUsers > train.numUsers || test.numItems > train.numItems) {
    throw new Error(
      `${fn}: test spans ${test.numUsers} users × ${test.numItems} items but train only ` +
        `${train.numUsers} × ${train.numItems}; the two logs must share their index spaces`,
    );
  }
  const testTarget = test.behaviors === undefined ? -1 : resolveBehavior(test, target, fn);

  const byName = positivesByBehavior(train);
  const positives = names.map((name) => byName[name]);
  const seen = new Int32Array(names.length);
  let total = 0;
  let anyWeaker = 0;
  let neverSeen = 0;
  const seenWeaker = new Uint8Array(test.length);
  for (let r = 0; r < test.length; r++) {
    if (test.behaviors !== undefined && test.behaviors[r] !== testTarget) continue;
    const u = test.users[r];
    const i = test.items[r];
    total++;
    let weaker = false;
    let any = false;
    for (let b = 0; b < names.length; b++) {
      if (!positives[b].has(u, i)) continue;
      seen[b]++;
      any = true;
      if (b !== targetIndex) weaker = true;
    }
    if (weaker) {
      anyWeaker++;
      seenWeaker[r] = 1;
    }
    if (!any) neverSeen++;
  }

  const byBehavior: Record<string, OverlapCount> = {};
  names.forEach((name, b) => (byBehavior[name] = share(seen[b], total)));
  return {
    target,
    behaviorNames: names,
    total,
    byBehavior,
    anyWeaker: share(anyWeaker, total),
    asTarget: share(seen[targetIndex], total),
    neverSeen: share(neverSeen, total),
    seenWeaker,
  };
}

/** `1234567` → `1,234,567`, locale-independent. */
function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function formatShare({ count, fraction }: OverlapCount): string {
  return `${formatCount(count)} (${(fraction * 100).toFixed(1)} %)`;
}

/**
 * Renders one or more {@link BehaviorOverlap}s as a Markdown table, one column per
 * overlap (e.g. per dataset), one row per training behaviour, then "any non-target",
 * "none" and the number of test pairs; each cell is `count (percent %)`, the percent
 * with one decimal. A behaviour a dataset lacks shows `—`. Lines joined with `\n`.
 *
 * @param input the overlap, or several side by side.
 * @param options.names column headings, in the order of `input` (default: none for one
 *   overlap, `#1`, `#2`, … for several).
 * @example
 * ```ts
 * console.log(formatOverlap([tmall, beibei], { names: ['tmall/mbcgcn', 'beibei/ghcf'] }));
 * // | test buy pair seen in train as | tmall/mbcgcn | beibei/ghcf |
 * // | :-- | --: | --: |
 * // | view | 1,234 (56.7 %) | — |
 * // | cart | … | … |
 * // | buy (target) | 0 (0.0 %) | 0 (0.0 %) |
 * // …
 * ```
 */
export function formatOverlap(
  input: BehaviorOverlap | readonly BehaviorOverlap[],
  options: { names?: readonly string[] } = {},
): string {
  const overlaps: readonly BehaviorOverlap[] = Array.isArray(input) ? input : [input as BehaviorOverlap];
  const missing = '—';
  const targets = [...new Set(overlaps.map((o) => o.target))];
  const behaviors: string[] = [];
  for (const o of overlaps) for (const name of o.behaviorNames) if (!targets.includes(name) && !behaviors.includes(name)) behaviors.push(name);

  const rows: string[][] = [];
  for (const name of behaviors) {
    rows.push([name, ...overlaps.map((o) => (o.byBehavior[name] ? formatShare(o.byBehavior[name]) : missing))]);
  }
  rows.push([`${targets.join(' / ')} (target)`, ...overlaps.map((o) => formatShare(o.asTarget))]);
  rows.push(['any non-target behaviour', ...overlaps.map((o) => formatShare(o.anyWeaker))]);
  rows.push(['none', ...overlaps.map((o) => formatShare(o.neverSeen))]);
  rows.push([`test ${targets.join(' / ')} pairs`, ...overlaps.map((o) => formatCount(o.total))]);

  const header = [
    `test ${targets.join(' / ')} pair seen in train as`,
    ...overlaps.map((_, k) => options.names?.[k] ?? (overlaps.length > 1 ? `#${k + 1}` : '')),
  ];
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line([':--', ...overlaps.map(() => '--:')]), ...rows.map(line)].join('\n');
}
