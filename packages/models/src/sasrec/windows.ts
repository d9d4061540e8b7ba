/**
 * The training examples every next-id objective reads (SASRec's `NextItemObjective`,
 * CLRec's, the sampled softmax): windows of each sequence, the scored positions and the id
 * after each, in a seeded order per epoch (SASRec §III-E, FMLP-Rec §3.3) — so the losses
 * differ only in what a position is scored against, and see the same examples in the same
 * order for the same seed.
 */
import { EpochOrder } from '../training/objectives.js';
import type { EventSequences, SequenceEncoder } from './sequences.js';

/**
 * Which positions of a window are scored:
 * - `all`: every real position t predicts the id at t + 1 (SASRec §III-E; needs a causal
 *   encoder, whose F_t cannot see the id it predicts): one window per sequence, its last
 *   T + 1 ids;
 * - `last`: only the last position, one window per prefix of every sequence (FMLP-Rec's
 *   training: its filters mix every position, so only the last one may be scored).
 * @example
 * ```ts
 * const positions: ScoredPositions = encoder instanceof SASRec ? 'all' : 'last';
 * ```
 */
export type ScoredPositions = 'all' | 'last';

/**
 * One batch of next-id examples: the windows, and per scored position its row in the
 * flattened hidden states and the id that follows it.
 * @example
 * ```ts
 * const batch: NextIdBatch = windows.batch(0, 0);
 * batch.targets[0]; // the id after the first scored position
 * ```
 */
export interface NextIdBatch {
  /** i32 `[B·T]`: the windows, left-padded with the pad id. */
  readonly windows: Int32Array;
  /** B: windows in the batch (the last batch of an epoch may hold fewer). */
  readonly batch: number;
  /** i32 `[N]`: the scored positions, as rows of the flattened `[B·T, d]` hidden states. */
  readonly rows: Int32Array;
  /** i32 `[N]`: the id that follows each scored position (its positive). */
  readonly targets: Int32Array;
  /** i32 `[N]`: the sequence (user) of each scored position. */
  readonly sequences: Int32Array;
}

/**
 * The windows of `sequences` for an encoder of `maxLength` positions, in batches:
 * - `all`: one window per sequence of n ≥ 2 ids, its last T + 1 ids (the first T the inputs,
 *   left-padded when fewer, each followed by its target; older ids are cut, as SASRec keeps
 *   the most recent n), every real position scored;
 * - `last`: n − 1 windows per sequence, one per prefix ending at ids 1 … n − 1 (that id the
 *   target, up to T ids before it the inputs), only the last position scored.
 *
 * The order of batch b of epoch e is `EpochOrder`'s (Philox stream 2³¹ + e), a pure
 * function of (seed, e), so any batch can be rebuilt without the ones before it. Cost of a
 * batch: O(B·T).
 *
 * @example
 * ```ts
 * const windows = new NextIdWindows(sasrec, sequences, 'all', 128, 1, 'CLRecObjective');
 * const { windows: ids, rows, targets } = windows.batch(0, 0);
 * ```
 */
export class NextIdWindows {
  /** Per window: its sequence and the end (exclusive) of its ids in that sequence. */
  readonly #windowUser: Int32Array;
  readonly #windowStop: Int32Array;
  readonly #order: EpochOrder;

  /**
   * @param owner - the objective, for messages.
   * @throws Error when no sequence has two ids, an id is outside 0 … V − 1, or an option is out of range.
   */
  constructor(
    readonly encoder: Pick<SequenceEncoder, 'maxLength' | 'pad' | 'vocabularySize'>,
    readonly sequences: EventSequences,
    readonly positions: ScoredPositions,
    readonly batchSize: number,
    seed: number,
    owner: string,
  ) {
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`${owner}: batchSize must be a positive integer, got ${batchSize}`);
    if (positions !== 'all' && positions !== 'last') throw new Error(`${owner}: positions must be 'all' or 'last', got '${String(positions)}'`);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`${owner}: seed must be a non-negative integer, got ${seed}`);
    const { indptr, items } = sequences;
    const V = encoder.vocabularySize;
    for (let j = 0; j < items.length; j++) {
      if (!(items[j]! >= 0 && items[j]! < V)) throw new Error(`${owner}: event ${j} of the sequences holds id ${items[j]}, outside 0..${V - 1}`);
    }
    const users: number[] = [];
    const stops: number[] = [];
    for (let u = 0; u + 1 < indptr.length; u++) {
      const n = indptr[u + 1]! - indptr[u]!;
      if (n < 2) continue;
      for (let stop = positions === 'all' ? n : 2; stop <= n; stop++) {
        users.push(u);
        stops.push(stop);
      }
    }
    if (users.length === 0) throw new Error(`${owner}: no sequence has two ids, so there is no next id to learn`);
    this.#windowUser = Int32Array.from(users);
    this.#windowStop = Int32Array.from(stops);
    this.#order = new EpochOrder(Int32Array.from(users, (_, w) => w), seed, batchSize);
  }

  /** Batches per epoch. */
  batches(): number {
    return this.#order.batches();
  }

  /** Windows per epoch: sequences (`all`) or prefixes (`last`). */
  get numWindows(): number {
    return this.#windowUser.length;
  }

  /** The most positions one batch scores: B·T (`all`) or B (`last`). */
  get maxScored(): number {
    return this.positions === 'all' ? this.batchSize * this.encoder.maxLength : this.batchSize;
  }

  /** The windows, scored rows and targets of batch `index` of `epoch` (any integer epoch, negative included). */
  batch(epoch: number, index: number): NextIdBatch {
    const ids = this.#order.batch(epoch, index);
    const { maxLength: T, pad } = this.encoder;
    const { indptr, items } = this.sequences;
    const B = ids.length;
    const windows = new Int32Array(B * T).fill(pad);
    const rows: number[] = [];
    const targets: number[] = [];
    const sequences: number[] = [];
    ids.forEach((w, b) => {
      const u = this.#windowUser[w]!;
      const base = indptr[u]!;
      const stop = this.#windowStop[w]!;
      // Inputs: ids first … stop − 2 of the sequence, right-aligned; the target of the last is id stop − 1.
      const first = Math.max(0, stop - 1 - T);
      const count = stop - 1 - first;
      windows.set(items.subarray(base + first, base + stop - 1), b * T + T - count);
      for (let j = this.positions === 'all' ? 0 : count - 1; j < count; j++) {
        rows.push(b * T + T - count + j);
        targets.push(items[base + first + j + 1]!);
        sequences.push(u);
      }
    });
    return { windows, batch: B, rows: Int32Array.from(rows), targets: Int32Array.from(targets), sequences: Int32Array.from(sequences) };
  }

  /** How many positions batch `index` of `epoch` scores (the length of its `rows`), without building it. */
  scoredIn(epoch: number, index: number): number {
    if (this.positions === 'last') return this.#order.batch(epoch, index).length;
    let scored = 0;
    for (const w of this.#order.batch(epoch, index)) scored += Math.min(this.#windowStop[w]! - 1, this.encoder.maxLength);
    return scored;
  }

  /** Only the targets of batch `index` of `epoch`, in the order {@link batch} gives them. */
  targets(epoch: number, index: number): Int32Array {
    const { maxLength: T } = this.encoder;
    const { indptr, items } = this.sequences;
    const out: number[] = [];
    for (const w of this.#order.batch(epoch, index)) {
      const base = indptr[this.#windowUser[w]!]!;
      const stop = this.#windowStop[w]!;
      const first = Math.max(0, stop - 1 - T);
      for (let j = this.positions === 'all' ? first + 1 : stop - 1; j < stop; j++) out.push(items[base + j]!);
    }
    return Int32Array.from(out);
  }
}
