/**
 * Columnar interaction logs and the id maps that give users and items dense indexes.
 *
 * Every model, sampler and metric in @rec works on dense 0-based indexes held in typed
 * arrays, so a log is a set of parallel columns rather than an array of row objects:
 * that is what crosses into native and WebGPU kernels without copying, and what keeps
 * the user and item columns of a 25M-row log at 200 MB instead of gigabytes of objects.
 */

/**
 * A raw user or item id as it appears in a source file.
 * @example
 * ```ts
 * const ids: RawId[] = [196, 'B00005N5PF'];
 * ```
 */
export type RawId = string | number;

/**
 * A user–item interaction log in columnar form: row `r` says user `users[r]` interacted
 * with item `items[r]`, optionally with a rating, a time and a behaviour type.
 *
 * Invariants (checked by {@link createInteractions}): all columns have `length` rows;
 * `0 ≤ users[r] < numUsers`, `0 ≤ items[r] < numItems`; timestamps and ratings are
 * finite; `behaviors[r] < behaviorNames.length`.
 *
 * `numUsers` / `numItems` are the sizes of the index spaces, not the number of distinct
 * ids present: a train split keeps the full universe so that its indexes line up with
 * the test split and with the id maps.
 *
 * Rows may repeat a (user, item) pair (re-watching, repeated purchases); consumers
 * that need a set, like {@link UserItemCSR}, deduplicate.
 *
 * @example
 * ```ts
 * const log = createInteractions({
 *   users: Int32Array.of(0, 0, 1),
 *   items: Int32Array.of(2, 0, 1),
 *   timestamps: Float64Array.of(10, 20, 15),
 * });
 * log.length; // 3
 * log.numItems; // 3 (largest item index + 1)
 * ```
 */
export interface Interactions {
  /** Size of the user index space. */
  readonly numUsers: number;
  /** Size of the item index space. */
  readonly numItems: number;
  /** Number of rows. */
  readonly length: number;
  /** Dense user index per row. */
  readonly users: Int32Array;
  /** Dense item index per row. */
  readonly items: Int32Array;
  /** Explicit rating per row (e.g. 1..5 stars), when the source has one. */
  readonly ratings?: Float32Array;
  /** Unix time in seconds per row; float64 so sub-second times and dates past 2038 fit. */
  readonly timestamps?: Float64Array;
  /** Behaviour type per row, an index into {@link Interactions.behaviorNames}. */
  readonly behaviors?: Uint8Array;
  /** Names of the behaviour types, in funnel order where there is one (`view`, `cart`, `buy`). */
  readonly behaviorNames?: readonly string[];
}

/**
 * The columns {@link createInteractions} accepts. `numUsers` / `numItems` default to
 * the largest index present + 1 (0 for an empty log).
 * @example
 * ```ts
 * const columns: InteractionColumns = { users: Int32Array.of(0), items: Int32Array.of(3), numItems: 10 };
 * const log = createInteractions(columns);
 * ```
 */
export interface InteractionColumns {
  users: Int32Array;
  items: Int32Array;
  ratings?: Float32Array;
  timestamps?: Float64Array;
  behaviors?: Uint8Array;
  behaviorNames?: readonly string[];
  numUsers?: number;
  numItems?: number;
}

function maxPlusOne(values: Int32Array): number {
  let max = -1;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max + 1;
}

function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new Error(`createInteractions: ${what} must be an integer in [0, 2^31), got ${String(value)}`);
  }
}

function checkIndexColumn(column: Int32Array, size: number, what: string, sizeName: string): void {
  for (let r = 0; r < column.length; r++) {
    const v = column[r];
    if (v < 0 || v >= size) {
      throw new Error(`createInteractions: ${what}[${r}] = ${v} is outside [0, ${sizeName} = ${size})`);
    }
  }
}

function checkFinite(column: Float32Array | Float64Array, what: string): void {
  for (let r = 0; r < column.length; r++) {
    if (!Number.isFinite(column[r])) {
      throw new Error(`createInteractions: ${what}[${r}] = ${column[r]} is not a finite number`);
    }
  }
}

/**
 * Builds an {@link Interactions} from columns after checking every invariant, so that
 * later code can index without bounds checks. The arrays are adopted, not copied.
 * Cost: one O(length) pass per column.
 *
 * @throws Error naming the first offending column and row.
 * @example
 * ```ts
 * const log = createInteractions({
 *   users: Int32Array.of(0, 1),
 *   items: Int32Array.of(1, 1),
 *   ratings: Float32Array.of(4, 5),
 *   numItems: 10,
 * });
 * log.numItems; // 10
 * ```
 */
export function createInteractions(columns: InteractionColumns): Interactions {
  const { users, items, ratings, timestamps, behaviors, behaviorNames } = columns;
  if (!(users instanceof Int32Array)) throw new Error('createInteractions: users must be an Int32Array');
  if (!(items instanceof Int32Array)) throw new Error('createInteractions: items must be an Int32Array');
  const length = users.length;
  const checkLength = (column: ArrayLike<unknown> | undefined, what: string): void => {
    if (column !== undefined && column.length !== length) {
      throw new Error(`createInteractions: ${what} has ${column.length} rows, users has ${length}`);
    }
  };
  checkLength(items, 'items');
  checkLength(ratings, 'ratings');
  checkLength(timestamps, 'timestamps');
  checkLength(behaviors, 'behaviors');

  const numUsers = columns.numUsers ?? maxPlusOne(users);
  const numItems = columns.numItems ?? maxPlusOne(items);
  checkCount(numUsers, 'numUsers');
  checkCount(numItems, 'numItems');
  checkIndexColumn(users, numUsers, 'users', 'numUsers');
  checkIndexColumn(items, numItems, 'items', 'numItems');
  if (ratings !== undefined) checkFinite(ratings, 'ratings');
  if (timestamps !== undefined) checkFinite(timestamps, 'timestamps');
  if ((behaviors === undefined) !== (behaviorNames === undefined)) {
    throw new Error('createInteractions: behaviors and behaviorNames must be given together');
  }
  if (behaviors !== undefined && behaviorNames !== undefined) {
    if (behaviorNames.length > 256) {
      throw new Error(`createInteractions: at most 256 behaviour types fit a Uint8Array, got ${behaviorNames.length}`);
    }
    for (let r = 0; r < length; r++) {
      if (behaviors[r] >= behaviorNames.length) {
        throw new Error(
          `createInteractions: behaviors[${r}] = ${behaviors[r]} but only ${behaviorNames.length} behaviorNames are given`,
        );
      }
    }
  }

  const log: {
    -readonly [K in keyof Interactions]: Interactions[K];
  } = { numUsers, numItems, length, users, items };
  // Absent columns are left out rather than set to undefined, so `'ratings' in log`
  // and object spreads say what the log really has.
  if (ratings !== undefined) log.ratings = ratings;
  if (timestamps !== undefined) log.timestamps = timestamps;
  if (behaviors !== undefined) log.behaviors = behaviors;
  if (behaviorNames !== undefined) log.behaviorNames = behaviorNames;
  return log;
}

/**
 * The rows `rows` of `interactions`, in that order, with every column carried along
 * and the index spaces (`numUsers`, `numItems`) unchanged. Splitters and filters are
 * built on this. Cost: O(rows.length) per column.
 *
 * @example
 * ```ts
 * const firstTwo = selectInteractions(log, Int32Array.of(0, 1));
 * ```
 */
export function selectInteractions(interactions: Interactions, rows: Int32Array): Interactions {
  const n = interactions.length;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r < 0 || r >= n) {
      throw new Error(`selectInteractions: rows[${i}] = ${r} is outside [0, ${n})`);
    }
  }
  const gather = <T extends Int32Array | Float32Array | Float64Array | Uint8Array>(
    column: T,
    out: T,
  ): T => {
    for (let i = 0; i < rows.length; i++) out[i] = column[rows[i]];
    return out;
  };
  const m = rows.length;
  const log: {
    -readonly [K in keyof Interactions]: Interactions[K];
  } = {
    numUsers: interactions.numUsers,
    numItems: interactions.numItems,
    length: m,
    users: gather(interactions.users, new Int32Array(m)),
    items: gather(interactions.items, new Int32Array(m)),
  };
  if (interactions.ratings) log.ratings = gather(interactions.ratings, new Float32Array(m));
  if (interactions.timestamps) log.timestamps = gather(interactions.timestamps, new Float64Array(m));
  if (interactions.behaviors) log.behaviors = gather(interactions.behaviors, new Uint8Array(m));
  if (interactions.behaviorNames) log.behaviorNames = interactions.behaviorNames;
  return log;
}

/**
 * A bijection between raw ids (as read from a file) and dense indexes `0..size-1`.
 *
 * Raw ids keep their type: the number `1` and the string `"1"` are different ids, so
 * a reader decides once whether a column is numeric. Build one with
 * {@link IdMap.encode} from a raw column, or with the constructor from ids already in
 * index order (e.g. loaded from a saved model).
 *
 * @example
 * ```ts
 * const { ids, indexes } = IdMap.encode(Int32Array.of(42, 7, 42));
 * ids.toArray();   // [7, 42]  (sorted raw id order)
 * indexes;         // Int32Array [1, 0, 1]
 * ids.indexOf(42); // 1
 * ids.idOf(0);     // 7
 * ```
 */
export class IdMap<Id extends RawId = RawId> {
  private readonly ids: readonly Id[];
  private readonly lookup: Map<Id, number>;

  /**
   * @param ids the raw id of index 0, 1, 2, … in order; must be distinct.
   * @throws Error naming the first repeated id.
   */
  constructor(ids: Iterable<Id>) {
    this.ids = Array.from(ids);
    this.lookup = new Map();
    for (let i = 0; i < this.ids.length; i++) this.lookup.set(this.ids[i], i);
    // One hash operation per id; only when the sizes differ is there a repeat to find and name.
    if (this.lookup.size !== this.ids.length) {
      const first = new Map<Id, number>();
      for (let i = 0; i < this.ids.length; i++) {
        const id = this.ids[i];
        const seen = first.get(id);
        if (seen !== undefined) throw new Error(`IdMap: id ${JSON.stringify(id)} appears at index ${seen} and again at ${i}`);
        first.set(id, i);
      }
    }
  }

  /**
   * Assigns dense indexes to the distinct values of `raw` in sorted raw-id order
   * (numbers ascending; strings by UTF-16 code units, locale-independent), so that
   * the same file always gives the same indexes regardless of row order.
   * Cost: O(n log n) for the sort, O(n) hash lookups.
   *
   * @returns the map and, per row of `raw`, its dense index.
   * @throws Error if `raw` mixes numbers and strings or holds NaN.
   * @example
   * ```ts
   * const { ids, indexes } = IdMap.encode(['b', 'a', 'b']);
   * // ids: a → 0, b → 1; indexes: [1, 0, 1]
   * ```
   */
  static encode<Id extends RawId>(raw: ArrayLike<Id>): { ids: IdMap<Id>; indexes: Int32Array } {
    const n = raw.length;
    let distinct: Id[];
    if (raw instanceof Int32Array || raw instanceof Float64Array) {
      // Typed columns sort numerically in native code, far faster than a Set + sort.
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(raw[i])) throw new Error(`IdMap.encode: raw id at row ${i} is NaN`);
      }
      const sorted = raw.slice().sort();
      const unique: number[] = [];
      for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) unique.push(sorted[i]);
      distinct = unique as Id[];
    } else {
      const set = new Set<Id>();
      let sawNumber = false;
      let sawString = false;
      for (let i = 0; i < n; i++) {
        const id = raw[i];
        if (typeof id === 'number') {
          if (Number.isNaN(id)) throw new Error(`IdMap.encode: raw id at row ${i} is NaN`);
          sawNumber = true;
        } else if (typeof id === 'string') {
          sawString = true;
        } else {
          throw new Error(`IdMap.encode: raw id at row ${i} is ${typeof id}; ids must be strings or numbers`);
        }
        set.add(id);
      }
      if (sawNumber && sawString) {
        throw new Error('IdMap.encode: raw ids mix numbers and strings; convert the column to one type first');
      }
      distinct = Array.from(set);
      if (sawNumber) (distinct as number[]).sort((a, b) => a - b);
      else distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    const ids = new IdMap<Id>(distinct);
    const indexes = new Int32Array(n);
    for (let i = 0; i < n; i++) indexes[i] = ids.lookup.get(raw[i])!;
    return { ids, indexes };
  }

  /** Number of ids. */
  get size(): number {
    return this.ids.length;
  }

  /** Dense index of `id`, or -1 when the id is unknown. O(1). */
  indexOf(id: Id): number {
    return this.lookup.get(id) ?? -1;
  }

  /** True when `id` has an index. */
  has(id: Id): boolean {
    return this.lookup.has(id);
  }

  /**
   * Raw id of dense index `index`.
   * @throws RangeError when `index` is not in `[0, size)`.
   */
  idOf(index: number): Id {
    if (!Number.isInteger(index) || index < 0 || index >= this.ids.length) {
      throw new RangeError(`IdMap.idOf: index ${index} is outside [0, ${this.ids.length})`);
    }
    return this.ids[index];
  }

  /** The raw ids in index order (a copy). */
  toArray(): Id[] {
    return this.ids.slice();
  }
}

/**
 * What a dataset reader returns: the log in dense indexes and the maps back to raw ids.
 * Readers for richer datasets extend it with side information (item categories,
 * user features) under further fields.
 *
 * @example
 * ```ts
 * const { interactions, userIds, itemIds } = await readMovieLens100K(dir);
 * itemIds.idOf(interactions.items[0]); // the raw movie id of the first row
 * ```
 */
export interface InteractionDataset<UserId extends RawId = RawId, ItemId extends RawId = RawId> {
  readonly interactions: Interactions;
  readonly userIds: IdMap<UserId>;
  readonly itemIds: IdMap<ItemId>;
}
