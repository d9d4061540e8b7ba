/**
 * A sequence model as an item recommender (SASRec §III-D): the encoder over the item
 * vocabulary, every user's last items kept as a left-padded window, and the scores of
 * every item as the next one after that window.
 */
import { slice, type Tensor } from '@rec/core';
import type { HistoryScorer, Recommender } from '../plugin/inference.js';
import type { MaybePromise } from '../training/read.js';
import { WindowScorer } from './category.js';
import { lastWindows, type SequenceEncoder } from './sequences.js';

/**
 * A {@link SequenceEncoder} over items that scores users by their history: user u's score
 * of item i is ⟨F_{T−1}, M_i⟩ after u's last `maxLength` items (the window the model keeps).
 * Items already in the history are scored like any other; evaluation masks them.
 *
 * Parameters: the encoder's, under `encoder.`.
 *
 * @example
 * ```ts
 * const model = new NextItemModel(new SASRec({ vocabularySize: log.numItems, maxLength: 50 }), lastWindows(eventSequences(log), 50, log.numItems), 'sasrec');
 * const scores = await model.scoreUsers(Int32Array.of(0, 3)); // 2 × numItems
 * ```
 * @see Kang & McAuley 2018, §III-D (r_{i,t} = F_t M_iᵀ).
 */
export class NextItemModel<E extends SequenceEncoder = SequenceEncoder> extends WindowScorer<E> implements Recommender, HistoryScorer {
  get numItems(): number {
    return this.encoder.vocabularySize;
  }

  /**
   * Scores of `users` against every item, row-major `users.length × numItems`.
   * @throws Error when a user is outside 0 … numUsers − 1.
   */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    return this.scoreNext(users, 'scoreUsers');
  }

  /**
   * Scores of new users from their items alone (oldest first): the encoder runs over the last
   * `maxLength` of each history, as over a known user's window; row-major `histories.length × numItems`.
   * @throws Error when a history is empty or holds an id outside 0 … numItems − 1.
   */
  scoreHistories(histories: readonly Int32Array[]): MaybePromise<Float32Array> {
    const { maxLength: T, vocabularySize: V } = this.encoder;
    const indptr = new Int32Array(histories.length + 1);
    histories.forEach((h, b) => {
      if (h.length === 0) throw new Error(`${this.name}.scoreHistories: history ${b} is empty; a new user needs at least one item`);
      for (const id of h) if (!(Number.isInteger(id) && id >= 0 && id < V)) throw new Error(`${this.name}.scoreHistories: history ${b} holds item ${id}, outside 0..${V - 1}`);
      indptr[b + 1] = indptr[b]! + h.length;
    });
    const items = new Int32Array(indptr[histories.length]!);
    histories.forEach((h, b) => items.set(h, indptr[b]));
    const windows = lastWindows({ indptr, items }, T, this.encoder.pad);
    return this.scoreWindows(windows, Int32Array.from(histories, (_, b) => b));
  }

  /** The shared item embeddings `[numItems, d]` (the pad's row left out): what "similar items" compares. */
  itemEmbeddings(): Tensor {
    return slice(this.encoder.embeddings, [0, 0], [this.encoder.vocabularySize, this.encoder.dim]);
  }
}
