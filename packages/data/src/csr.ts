/**
 * Per-user item sets in compressed sparse row form: the index behind "has user u seen
 * item i?" for negative samplers, train-item masking in evaluation, and serving filters.
 */
import { sortedHas } from '@rec/core';
import type { Interactions } from './interactions.js';

/**
 * The arrays of a {@link UserItemCSR}, as accepted by its constructor.
 * @example
 * ```ts
 * const csr = new UserItemCSR({
 *   numUsers: 2, numItems: 4,
 *   indptr: Int32Array.of(0, 2, 3), indices: Int32Array.of(1, 3, 0),
 * });
 * ```
 */
export interface UserItemCSRArrays {
  numUsers: number;
  numItems: number;
  indptr: Int32Array;
  indices: Int32Array;
}

/**
 * The set of items of each user: row `u` is `indices[indptr[u] .. indptr[u+1])`, sorted
 * ascending without duplicates. `indptr` has `numUsers + 1` entries.
 *
 * The `{ indptr, indices }` shape is what `@rec/eval` and the kernels accept
 * structurally, and it crosses into native/WebGPU code as two typed arrays.
 * Int32 offsets cap it at 2^31 − 1 stored pairs.
 *
 * @example
 * ```ts
 * const seen = UserItemCSR.fromInteractions(train);
 * seen.has(0, 42);  // true if user 0 interacted with item 42
 * seen.rowOf(0);    // Int32Array view of user 0's items, ascending
 * ```
 */
export class UserItemCSR implements UserItemCSRArrays {
  readonly numUsers: number;
  readonly numItems: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;

  /**
   * Adopts prepared arrays after checking them: O(numUsers + nnz).
   * @throws Error naming the first broken invariant (length, monotonicity, range,
   * row order).
   */
  constructor(arrays: UserItemCSRArrays) {
    const { numUsers, numItems, indptr, indices } = arrays;
    if (!Number.isInteger(numUsers) || numUsers < 0) throw new Error(`UserItemCSR: numUsers ${numUsers} is not a count`);
    if (!Number.isInteger(numItems) || numItems < 0) throw new Error(`UserItemCSR: numItems ${numItems} is not a count`);
    if (indptr.length !== numUsers + 1) {
      throw new Error(`UserItemCSR: indptr has ${indptr.length} entries, expected numUsers + 1 = ${numUsers + 1}`);
    }
    if (indptr[0] !== 0 || indptr[numUsers] !== indices.length) {
      throw new Error(
        `UserItemCSR: indptr must start at 0 and end at indices.length = ${indices.length}, ` +
          `got ${indptr[0]} … ${indptr[numUsers]}`,
      );
    }
    for (let u = 0; u < numUsers; u++) {
      const start = indptr[u];
      const end = indptr[u + 1];
      if (end < start) throw new Error(`UserItemCSR: indptr decreases at user ${u} (${start} → ${end})`);
      for (let p = start; p < end; p++) {
        const item = indices[p];
        if (item < 0 || item >= numItems) {
          throw new Error(`UserItemCSR: user ${u} has item ${item}, outside [0, numItems = ${numItems})`);
        }
        if (p > start && item <= indices[p - 1]) {
          throw new Error(`UserItemCSR: row of user ${u} is not strictly ascending at item ${item}`);
        }
      }
    }
    this.numUsers = numUsers;
    this.numItems = numItems;
    this.indptr = indptr;
    this.indices = indices;
  }

  /**
   * Builds the per-user item sets of a log; repeated (user, item) rows count once.
   * O(length + Σ row·log row) time, one pass of counting sort plus a sort per row.
   *
   * @example
   * ```ts
   * const csr = UserItemCSR.fromInteractions(log);
   * ```
   */
  static fromInteractions(interactions: Interactions): UserItemCSR {
    const { numUsers, numItems, users, items, length } = interactions;
    const counts = new Int32Array(numUsers + 1);
    for (let r = 0; r < length; r++) counts[users[r] + 1]++;
    for (let u = 0; u < numUsers; u++) counts[u + 1] += counts[u];
    const raw = new Int32Array(length);
    const cursor = counts.slice(0, numUsers);
    for (let r = 0; r < length; r++) raw[cursor[users[r]]++] = items[r];

    // Sort each row, then drop duplicates while compacting into the final array.
    const indptr = new Int32Array(numUsers + 1);
    let write = 0;
    for (let u = 0; u < numUsers; u++) {
      const row = raw.subarray(counts[u], counts[u + 1]).sort();
      for (let p = 0; p < row.length; p++) {
        if (p === 0 || row[p] !== row[p - 1]) raw[write++] = row[p];
      }
      indptr[u + 1] = write;
    }
    // `write` never overtakes the row being read, so compacting in place is safe.
    return new UserItemCSR({ numUsers, numItems, indptr, indices: raw.slice(0, write) });
  }

  /** Number of stored (user, item) pairs. */
  get nnz(): number {
    return this.indices.length;
  }

  /**
   * User `user`'s items, ascending: a view into `indices`, not a copy.
   * @throws RangeError when `user` is not in `[0, numUsers)`.
   */
  rowOf(user: number): Int32Array {
    this.checkUser(user);
    return this.indices.subarray(this.indptr[user], this.indptr[user + 1]);
  }

  /** Number of items of `user`. */
  rowLength(user: number): number {
    this.checkUser(user);
    return this.indptr[user + 1] - this.indptr[user];
  }

  /** True when `user` has `item`: binary search, O(log rowLength). */
  has(user: number, item: number): boolean {
    this.checkUser(user);
    return sortedHas(this.indices, item, this.indptr[user], this.indptr[user + 1]);
  }

  private checkUser(user: number): void {
    if (!(user >= 0 && user < this.numUsers && Number.isInteger(user))) {
      throw new RangeError(`UserItemCSR: user ${user} is outside [0, numUsers = ${this.numUsers})`);
    }
  }
}

/**
 * Number of rows per item (repeated interactions count each time): the score of the
 * most-popular baseline and the base of popularity-based negative sampling.
 *
 * @returns Int32Array of length `numItems`.
 * @example
 * ```ts
 * const popularity = itemPopularity(train);
 * popularity[42]; // how many train rows have item 42
 * ```
 */
export function itemPopularity(interactions: Interactions): Int32Array {
  const counts = new Int32Array(interactions.numItems);
  const items = interactions.items;
  for (let r = 0; r < interactions.length; r++) counts[items[r]]++;
  return counts;
}
