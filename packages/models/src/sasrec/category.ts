/**
 * A sequence model as a recommender: the encoder, every user's last ids kept as a
 * left-padded window, and the scores of every id as the next one after that window — over
 * categories (CCRec §6.2: "we directly use categories as items in the original model")
 * or items (`NextItemModel`).
 */
import { Module, type NamedArray } from '@rec/core';
import type { Interactions } from '@rec/data';
import type { CategoryScorer } from '../plugin/inference.js';
import { scoreInBlocks } from '../ncf/rows.js';
import type { MaybePromise } from '../training/read.js';
import { eventSequences, lastPositionScores, lastWindows, type SequenceEncoder, windowsOf } from './sequences.js';

/** Users per encoder pass when scoring. */
const SCORE_BLOCK = 256;

/** Where the users' past windows are kept among a saved model's tensors. */
const PAST_KEY = 'past.windows';

/**
 * A {@link SequenceEncoder} with every user's window kept, scoring each user's next id after
 * that window: ⟨F_{T−1}, M_c⟩ for every id c of the vocabulary (items or categories). The
 * base of {@link NextCategoryModel} and `NextItemModel`, which name the output.
 *
 * Parameters: the encoder's, under `encoder.`.
 */
export class WindowScorer<E extends SequenceEncoder = SequenceEncoder> extends Module {
  readonly numUsers: number;
  #windows: Int32Array;

  /**
   * @param encoder the sequence model
   * @param windows i32 `[numUsers · maxLength]`: every user's window, left-padded ({@link lastWindows})
   * @param name names the model in error messages (`sasrec`)
   * @throws Error when `windows` is not whole windows of ids in 0 … V.
   */
  constructor(readonly encoder: E, windows: Int32Array, readonly name: string) {
    super();
    this.#windows = this.#checked(windows);
    this.numUsers = windows.length / encoder.maxLength;
  }

  /** i32 `[numUsers · maxLength]`: every user's last ids, left-padded (a view; do not write). */
  get windows(): Int32Array {
    return this.#windows;
  }

  /**
   * Replaces the users' windows (same users): an item model trained without its validation
   * rows scores from a history that ends with them.
   * @throws Error when `windows` is not `numUsers` whole windows of ids in 0 … V.
   */
  setWindows(windows: Int32Array): void {
    if (windows.length !== this.#windows.length) throw new Error(`${this.name}: new windows hold ${windows.length} ids, the model's ${this.#windows.length}`);
    this.#windows = this.#checked(windows);
  }

  #checked(windows: Int32Array): Int32Array {
    const { maxLength: T, pad } = this.encoder;
    if (windows.length % T !== 0) throw new Error(`${this.name}: the windows hold ${windows.length} ids, not a multiple of maxLength ${T}`);
    for (const id of windows) if (!(id >= 0 && id <= pad)) throw new Error(`${this.name}: a window holds id ${id}, outside 0..${pad} (${pad} is the pad)`);
    return windows;
  }

  /**
   * Scores of `users` against every id, row-major `users.length × V`, with dropout off
   * (the mode is restored afterwards); a promise on `webgpu`.
   * @throws Error when a user is outside 0 … numUsers − 1.
   */
  protected scoreNext(users: Int32Array, caller: string): MaybePromise<Float32Array> {
    for (const u of users) {
      if (!(Number.isInteger(u) && u >= 0 && u < this.numUsers)) throw new Error(`${this.name}.${caller}: user ${u} is outside 0..${this.numUsers - 1}`);
    }
    return this.scoreWindows(this.#windows, users);
  }

  /**
   * Scores after the windows `rows` of `windows` (whole left-padded windows of the encoder's
   * length) against every id, row-major `rows.length × V`, dropout off (the mode is restored).
   */
  protected scoreWindows(windows: Int32Array, rows: Int32Array): MaybePromise<Float32Array> {
    const training = this.training;
    if (training) this.eval();
    const restore = (): void => void (training && this.train());
    let scores: MaybePromise<Float32Array>;
    try {
      const T = this.encoder.maxLength;
      scores = scoreInBlocks(rows, this.encoder.vocabularySize, SCORE_BLOCK, (block) => lastPositionScores(this.encoder, windowsOf(windows, T, block), block.length));
    } catch (err) {
      restore();
      throw err;
    }
    if (scores instanceof Promise) return scores.finally(restore);
    restore();
    return scores;
  }
}

/**
 * A sequence model as a category recommender (CCRec §6.2): user u's score of category c
 * is ⟨F_{T−1}, M_c⟩ after u's last `maxLength` past category events (the window the model
 * keeps, {@link pastWindowsOf}). Past categories are not masked: returning to a category
 * counts in the category protocol. A user without past events scores from an all-pad
 * window, the same for every such user.
 *
 * @example
 * ```ts
 * const model = new NextCategoryModel(new SASRec({ vocabularySize: task.numCategories, maxLength: 10 }), pastWindowsOf(task.past, 10, task.numCategories), 'sasrec');
 * const scores = await model.scoreCategories(Int32Array.of(0, 3)); // 2 × numCategories
 * ```
 * @see CCRec §6.2 (sequential baselines with categories as items).
 */
export class NextCategoryModel<E extends SequenceEncoder = SequenceEncoder> extends WindowScorer<E> implements CategoryScorer {
  get numCategories(): number {
    return this.encoder.vocabularySize;
  }

  /** i32 `[numUsers · maxLength]`: every user's last past categories, left-padded (a view; do not write). */
  get pastWindows(): Int32Array {
    return this.windows;
  }

  /**
   * Scores of `users` against every category, row-major `users.length × numCategories`.
   * @throws Error when a user is outside 0 … numUsers − 1.
   */
  scoreCategories(users: Int32Array): MaybePromise<Float32Array> {
    return this.scoreNext(users, 'scoreCategories');
  }
}

/**
 * Every user's last `maxLength` past categories as left-padded windows, i32
 * `[numUsers · maxLength]`, pad = `numCategories` (the task's `past`, rows by time).
 * @example
 * ```ts
 * const past = pastWindowsOf(task.past, 10, task.numCategories);
 * ```
 */
export function pastWindowsOf(past: Interactions, maxLength: number, numCategories: number): Int32Array {
  return lastWindows(eventSequences(past), maxLength, numCategories);
}

/**
 * A {@link WindowScorer}'s saved tensors: its parameters and the users' windows (i32
 * `[numUsers, maxLength]` under `past.windows`), which it scores from at inference.
 * @example
 * ```ts
 * save: (model) => saveWithPast(model),
 * ```
 */
export async function saveWithPast(model: WindowScorer): Promise<{ tensors: Record<string, NamedArray> }> {
  return {
    tensors: {
      ...(await model.stateDict()),
      [PAST_KEY]: { dtype: 'i32', shape: [model.numUsers, model.encoder.maxLength], data: model.windows },
    },
  };
}

/**
 * Splits saved tensors ({@link saveWithPast}) into the past windows and the parameters.
 * @throws Error naming the model when the windows are missing, not i32, or not `[users, maxLength]`.
 * @example
 * ```ts
 * const { past, parameters } = splitPast(state.tensors, 'sasrec', config.maxLength);
 * ```
 */
export function splitPast(tensors: Readonly<Record<string, NamedArray>>, name: string, maxLength: number): { past: Int32Array; parameters: Record<string, NamedArray> } {
  const { [PAST_KEY]: past, ...parameters } = tensors;
  if (past?.dtype !== 'i32' || past.shape.length !== 2 || past.shape[1] !== maxLength) {
    throw new Error(`the ${name} model's '${PAST_KEY}' (the users' windows) is missing or not i32 [users, ${maxLength}]`);
  }
  return { past: past.data as Int32Array, parameters };
}
