/**
 * A sequence model as an item recommender (SASRec §III-D): the encoder over the item
 * vocabulary, every user's last items kept as a left-padded window, and the scores of
 * every item as the next one after that window.
 */
import type { Recommender } from '../plugin/inference.js';
import type { MaybePromise } from '../training/read.js';
import { WindowScorer } from './category.js';
import type { SequenceEncoder } from './sequences.js';

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
export class NextItemModel<E extends SequenceEncoder = SequenceEncoder> extends WindowScorer<E> implements Recommender {
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
}
