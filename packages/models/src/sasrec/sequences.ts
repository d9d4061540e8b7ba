/**
 * Sequences over a vocabulary, as the sequential recommenders (SASRec, FMLP-Rec) read
 * them: each user's events in time order, cut into fixed-length windows left-padded with
 * the pad id, and the encoder contract those models share — a window batch in, one hidden
 * state per position out, scored against the shared input/output embedding table.
 *
 * Nothing here knows whether the vocabulary is items or categories: a category task
 * ({@link learningSequences}) is one source of sequences among others.
 */
import { matmul, type Module, type Parameter, reshape, slice, type Tensor } from '@rec/core';
import { type Interactions, rowsByUser } from '@rec/data';
import type { CategoryTask } from '../plugin/category-task.js';

/**
 * A sequence model over a vocabulary of `vocabularySize` ids (0 … V − 1) with the pad id
 * V, reading windows of `maxLength` positions.
 * @example
 * ```ts
 * const encoder: SequenceEncoder = new SASRec({ vocabularySize: 19, maxLength: 10 });
 * const hidden = encoder.encode(windows, 2); // [2, 10, d]
 * ```
 */
export interface SequenceEncoder extends Module {
  /** V: ids are 0 … V − 1; V itself is the pad id. */
  readonly vocabularySize: number;
  /** T: positions of a window. */
  readonly maxLength: number;
  /** The pad id (= `vocabularySize`). */
  readonly pad: number;
  /** d: width of the hidden states and of the embeddings. */
  readonly dim: number;
  /**
   * The shared input/output embedding table M `[V + 1, d]` (row V, the pad's, is never
   * read unmasked): an id's input vector and the vector its score is a dot product with.
   */
  readonly embeddings: Parameter;
  /**
   * The hidden states F `[B, T, d]` of `batch` windows (i32 `[B·T]`, row-major, each
   * left-padded with `pad`): F_t summarises the window up to position t, and ⟨F_t, M_c⟩
   * scores id c as the next one.
   */
  encode(windows: Int32Array, batch: number): Tensor;
}

/**
 * Every user's events in time order as a CSR: user u's ids are
 * `items[indptr[u] … indptr[u + 1])`, oldest first.
 * @example
 * ```ts
 * const seq: EventSequences = { indptr: Int32Array.of(0, 2, 2), items: Int32Array.of(5, 1) }; // user 0: 5 then 1; user 1: none
 * ```
 */
export interface EventSequences {
  /** i32 `[numUsers + 1]`. */
  readonly indptr: Int32Array;
  /** i32 `[events]`: ids in 0 … V − 1. */
  readonly items: Int32Array;
}

/**
 * The events of `log` as per-user sequences, each user's rows by timestamp (rows in
 * their given order when the log has no timestamps).
 * @example
 * ```ts
 * eventSequences(task.past).items; // every user's past categories, user by user, oldest first
 * ```
 */
export function eventSequences(log: Interactions): EventSequences {
  const { indptr, indices } = rowsByUser(log, { byTime: log.timestamps !== undefined });
  return { indptr: Int32Array.from(indptr), items: Int32Array.from(indices, (r) => log.items[r]!) };
}

/**
 * The sequences a category model learns from: for each user with future events in
 * `task.future`, the past events (`task.past`) then the future ones, each part in time
 * order (every past event precedes the cutoff, every future one follows it); users without
 * a future have an empty sequence — their past is an input at inference only.
 * @throws Error when the past and the future disagree on the number of users or categories.
 * @example
 * ```ts
 * const sequences = learningSequences(fold.task); // past ++ future of each learning user
 * ```
 */
export function learningSequences(task: CategoryTask): EventSequences {
  const { past, future } = task;
  if (past.numUsers !== future.numUsers || past.numItems !== future.numItems) {
    throw new Error(`learningSequences: the past covers ${past.numUsers} users × ${past.numItems} categories, the future ${future.numUsers} × ${future.numItems}`);
  }
  const after = eventSequences(future);
  const learns = (u: number): boolean => after.indptr[u + 1]! > after.indptr[u]!;
  return concatSequences(eventSequences(past), after, learns);
}

/**
 * Every user's history an item-level sequence model scores from at inference: the user's
 * `train` rows by time, then their `valid` rows by time. The validation rows come after
 * the training rows (leave-last-out holds out each user's latest rows), so a user's window
 * at test time ends with the validation item, as S3-Rec's protocol has it (its test input
 * is the sequence up to the second-to-last item). Without `valid`, the train sequences.
 * @throws Error when `train` and `valid` disagree on the number of users or items.
 * @example
 * ```ts
 * const history = historySequences(data.train, data.valid); // train ++ valid per user
 * ```
 */
export function historySequences(train: Interactions, valid?: Interactions): EventSequences {
  if (!valid) return eventSequences(train);
  if (train.numUsers !== valid.numUsers || train.numItems !== valid.numItems) {
    throw new Error(`historySequences: train covers ${train.numUsers} users × ${train.numItems} items, valid ${valid.numUsers} × ${valid.numItems}`);
  }
  return concatSequences(eventSequences(train), eventSequences(valid));
}

/**
 * Per user, `first`'s events then `second`'s; users for whom `keep` is false get an empty
 * sequence (default: every user kept).
 */
function concatSequences(first: EventSequences, second: EventSequences, keep: (user: number) => boolean = () => true): EventSequences {
  const numUsers = first.indptr.length - 1;
  const lengthOf = (s: EventSequences, u: number): number => s.indptr[u + 1]! - s.indptr[u]!;
  const indptr = new Int32Array(numUsers + 1);
  for (let u = 0; u < numUsers; u++) indptr[u + 1] = indptr[u]! + (keep(u) ? lengthOf(first, u) + lengthOf(second, u) : 0);
  const items = new Int32Array(indptr[numUsers]!);
  for (let u = 0; u < numUsers; u++) {
    if (indptr[u + 1] === indptr[u]) continue;
    items.set(first.items.subarray(first.indptr[u], first.indptr[u + 1]), indptr[u]);
    items.set(second.items.subarray(second.indptr[u], second.indptr[u + 1]), indptr[u]! + lengthOf(first, u));
  }
  return { indptr, items };
}

/**
 * Each user's last `length` events as one left-padded window per user, i32
 * `[numUsers · length]`: user u's most recent event is at `u·length + length − 1`, the pad
 * id before their first kept event. Left padding keeps the latest event at the last
 * position, where {@link lastPositionScores} reads, whatever the user's history length.
 * @example
 * ```ts
 * lastWindows({ indptr: Int32Array.of(0, 3, 4), items: Int32Array.of(7, 8, 9, 4) }, 2, 10);
 * // [8, 9, 10, 4]
 * ```
 */
export function lastWindows(sequences: EventSequences, length: number, pad: number): Int32Array {
  if (!(Number.isInteger(length) && length >= 1)) throw new Error(`lastWindows: length must be a positive integer, got ${length}`);
  const numUsers = sequences.indptr.length - 1;
  const windows = new Int32Array(numUsers * length).fill(pad);
  for (let u = 0; u < numUsers; u++) {
    const end = sequences.indptr[u + 1]!;
    const start = Math.max(sequences.indptr[u]!, end - length);
    windows.set(sequences.items.subarray(start, end), u * length + length - (end - start));
  }
  return windows;
}

/**
 * The windows of `users` taken from per-user windows `windows` (i32 `[numUsers · length]`),
 * in the order of `users`.
 * @example
 * ```ts
 * windowsOf(allWindows, 10, Int32Array.of(4, 2)); // user 4's window, then user 2's
 * ```
 */
export function windowsOf(windows: Int32Array, length: number, users: Int32Array): Int32Array {
  const out = new Int32Array(users.length * length);
  users.forEach((u, b) => out.set(windows.subarray(u * length, (u + 1) * length), b * length));
  return out;
}

/**
 * Scores of every id as the next one after each window: ⟨F_{T−1}, M_c⟩ for c in 0 … V − 1,
 * f32 `[batch, V]` (the pad's row of M is not scored). Cost: one encoder pass over
 * `batch` windows and a `[batch, d] × [d, V]` product.
 * @example
 * ```ts
 * const scores = lastPositionScores(sasrec, windows, 2); // [2, V]
 * ```
 * @see Kang & McAuley 2018, §III-D (shared item embedding, r_{i,t} = F_t M_iᵀ).
 */
export function lastPositionScores(encoder: SequenceEncoder, windows: Int32Array, batch: number): Tensor {
  const { maxLength: T, dim: d, vocabularySize: V } = encoder;
  const hidden = encoder.encode(windows, batch);
  const last = reshape(slice(hidden, [0, T - 1, 0], [batch, 1, d]), [batch, d]);
  return matmul(last, slice(encoder.embeddings, [0, 0], [V, d]), { transposeB: true });
}

/**
 * Checks a window batch: `batch · maxLength` ids, each in 0 … V (V the pad).
 * @throws Error naming the caller, the position and the allowed range.
 * @example
 * ```ts
 * checkWindows(Int32Array.of(1, 7), 1, { maxLength: 2, pad: 6 }, 'SASRec.encode'); // Error: … holds id 7, outside 0..6
 * ```
 */
export function checkWindows(windows: Int32Array, batch: number, encoder: Pick<SequenceEncoder, 'maxLength' | 'pad'>, caller: string): void {
  if (!(Number.isInteger(batch) && batch >= 1) || windows.length !== batch * encoder.maxLength) {
    throw new Error(`${caller}: expected ${batch} windows of ${encoder.maxLength} ids (${batch * encoder.maxLength}), got ${windows.length}`);
  }
  for (let j = 0; j < windows.length; j++) {
    const id = windows[j]!;
    if (!(id >= 0 && id <= encoder.pad)) {
      throw new Error(`${caller}: window ${Math.floor(j / encoder.maxLength)} position ${j % encoder.maxLength} holds id ${id}, outside 0..${encoder.pad} (${encoder.pad} is the pad)`);
    }
  }
}

/**
 * 1 where a window position holds an id, 0 where it holds the pad: f32 `[windows.length]`.
 * @example
 * ```ts
 * validPositions(Int32Array.of(6, 2, 4), 6); // [0, 1, 1]
 * ```
 */
export function validPositions(windows: Int32Array, pad: number): Float32Array {
  return Float32Array.from(windows, (id) => (id === pad ? 0 : 1));
}

/**
 * Checks a sequence encoder's sizes: each named one a positive integer, dropout in [0, 1).
 * @param owner - the class, for the message (`SASRec`, `FMLPRec`).
 * @throws Error naming the field and its value.
 * @example
 * ```ts
 * checkEncoderSizes('SASRec', { vocabularySize: 19, maxLength: 10, dim: 64, blocks: 2 }, 0.2);
 * ```
 */
export function checkEncoderSizes(owner: string, sizes: Readonly<Record<string, number>>, dropout: number): void {
  for (const [field, value] of Object.entries(sizes)) {
    if (!(Number.isInteger(value) && value >= 1)) throw new Error(`${owner}: ${field} must be a positive integer, got ${value}`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`${owner}: dropout must be in [0, 1), got ${dropout}`);
}
