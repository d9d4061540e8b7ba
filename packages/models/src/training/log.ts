import type { Interactions } from '@rec/data';

/**
 * A training log in the form the multi-behaviour objectives sample from: the
 * behaviours in funnel order (target last), the union of observed (user, item)
 * pairs with a bit per behaviour, and each behaviour's user → items CSR stacked
 * as the `neg_sample_cascade` kernel reads it.
 */
export interface BehaviorLog {
  readonly numUsers: number;
  readonly numItems: number;
  /** Behaviour names, lowest first; the last is the target (NMTR's Y^R). */
  readonly behaviors: readonly string[];
  /** Observed pairs, sorted by user then item, each once. */
  readonly pairs: { readonly users: Int32Array; readonly items: Int32Array; readonly mask: Uint8Array };
  /** i32 `[R, numUsers + 1]`: row pointers of behaviour r's CSR, absolute offsets into `indices`. */
  readonly indptr: Int32Array;
  /** Items of every (behaviour, user) row, ascending within a row. */
  readonly indices: Int32Array;
}

/**
 * Builds a {@link BehaviorLog} from training interactions.
 *
 * @param train - interactions with behaviour types (or without: one behaviour, `all`).
 * @param behaviors - which behaviours to use, in funnel order, target last
 *   (default: all of `train.behaviorNames` in their order). Giving only
 *   `['buy']` gives the single-behaviour log the NCF baselines train on.
 * @throws Error naming the behaviour when one is unknown, or when more than 8 are asked for.
 * @example
 * ```ts
 * const log = behaviorLog(train, ['view', 'cart', 'buy']);
 * log.pairs.mask[0]; // bit r set when pair 0 was observed under behaviour r
 * ```
 */
export function behaviorLog(train: Interactions, behaviors?: readonly string[]): BehaviorLog {
  const names = train.behaviorNames ?? ['all'];
  const chosen = behaviors ?? names;
  if (chosen.length === 0 || chosen.length > 8) throw new Error(`behaviorLog: give 1 to 8 behaviours, got ${chosen.length}`);
  const codes = chosen.map((name) => {
    const b = names.indexOf(name);
    if (b < 0) throw new Error(`behaviorLog: unknown behaviour '${name}'; the log has ${names.map((n) => `'${n}'`).join(', ')}`);
    return b;
  });
  const R = chosen.length;
  const U = train.numUsers;
  const slotOf = new Int8Array(Math.max(names.length, 1)).fill(-1);
  codes.forEach((b, r) => (slotOf[b] = r));
  // Count per (behaviour slot, user), then fill; duplicates are removed after sorting each row.
  const counts = new Int32Array(R * U);
  const slots = new Int8Array(train.length);
  for (let k = 0; k < train.length; k++) {
    const r = train.behaviors ? slotOf[train.behaviors[k]] : 0;
    slots[k] = r;
    if (r >= 0) counts[r * U + train.users[k]]++;
  }
  const start = new Int32Array(R * U + 1);
  for (let s = 0; s < R * U; s++) start[s + 1] = start[s] + counts[s];
  const raw = new Int32Array(start[R * U]);
  const fill = start.slice(0, R * U);
  for (let k = 0; k < train.length; k++) {
    const r = slots[k];
    if (r >= 0) raw[fill[r * U + train.users[k]]++] = train.items[k];
  }
  const indptr = new Int32Array(R * (U + 1));
  const indices = new Int32Array(raw.length);
  let out = 0;
  for (let r = 0; r < R; r++) {
    for (let u = 0; u < U; u++) {
      indptr[r * (U + 1) + u] = out;
      const row = raw.subarray(start[r * U + u], start[r * U + u + 1]).sort();
      for (let k = 0; k < row.length; k++) if (k === 0 || row[k] !== row[k - 1]) indices[out++] = row[k];
    }
    indptr[r * (U + 1) + U] = out;
  }
  const pairs = unionPairs(indptr, indices, R, U);
  return { numUsers: U, numItems: train.numItems, behaviors: [...chosen], pairs, indptr, indices: indices.slice(0, out) };
}

/** Merges the R sorted rows of each user into the union of pairs with a behaviour bitmask. */
function unionPairs(indptr: Int32Array, indices: Int32Array, R: number, U: number): BehaviorLog['pairs'] {
  const users: number[] = [];
  const items: number[] = [];
  const mask: number[] = [];
  const cursor = new Int32Array(R);
  const end = new Int32Array(R);
  for (let u = 0; u < U; u++) {
    for (let r = 0; r < R; r++) {
      cursor[r] = indptr[r * (U + 1) + u];
      end[r] = indptr[r * (U + 1) + u + 1];
    }
    for (;;) {
      let next = Infinity;
      for (let r = 0; r < R; r++) if (cursor[r] < end[r] && indices[cursor[r]] < next) next = indices[cursor[r]];
      if (next === Infinity) break;
      let bits = 0;
      for (let r = 0; r < R; r++) {
        if (cursor[r] < end[r] && indices[cursor[r]] === next) {
          bits |= 1 << r;
          cursor[r]++;
        }
      }
      users.push(u);
      items.push(next);
      mask.push(bits);
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items), mask: Uint8Array.from(mask) };
}

/** The user → items CSR of one behaviour of a log (a view into its arrays). */
export function behaviorRows(log: BehaviorLog, r: number): { indptr: Int32Array; indices: Int32Array } {
  const U = log.numUsers;
  const base = log.indptr.subarray(r * (U + 1), (r + 1) * (U + 1));
  const lo = base[0];
  const indptr = Int32Array.from(base, (v) => v - lo);
  return { indptr, indices: log.indices.subarray(lo, base[U]) };
}
