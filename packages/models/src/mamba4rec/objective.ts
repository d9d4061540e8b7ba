/**
 * Mamba4Rec's training objective (Liu et al. 2024, §3.4; the released config's
 * `loss_type: 'CE'`): cross-entropy of the next id under a softmax over the whole
 * vocabulary, at every real position of each window of a causal encoder.
 *
 *   ŷ_t  = softmax_c ⟨F_t, M_c⟩,  c ∈ 0 … V − 1
 *   loss = −(1/N) Σ_{(s,t) scored} log ŷ_t[o_t]            o_t: the id after position t
 */
import { matmul, reshape, gather, slice, softmaxCrossEntropy, tensor, type Tensor } from '@rec/core';
import { EpochOrder, type Objective } from '../training/objectives.js';
import type { EventSequences, SequenceEncoder } from '../sasrec/sequences.js';

/**
 * Which windows an epoch reads of a sequence of n ids (targets are ids 1 … n − 1):
 * - `tiled`: windows tile the sequence from its end, each holding the T inputs before its
 *   T targets, so every id after the first is a target once per epoch — what RecBole's
 *   prefix augmentation (every prefix, its next id the target), which Mamba4Rec trains
 *   with, covers; ⌈(n − 1)/T⌉ windows;
 * - `latest`: one window of the last T + 1 ids (SASRec's training, `NextItemObjective`'s
 *   `all`); older ids are never targets.
 * @example
 * ```ts
 * const windows: TrainingWindows = 'tiled';
 * ```
 */
export type TrainingWindows = 'tiled' | 'latest';

/**
 * Options of {@link NextItemSoftmaxObjective}.
 * @example
 * ```ts
 * const options: NextItemSoftmaxOptions = { windows: 'tiled', batchSize: 64, seed: 1 };
 * ```
 */
export interface NextItemSoftmaxOptions {
  /** Which windows of each sequence an epoch reads (default `tiled`). */
  readonly windows?: TrainingWindows;
  /** Windows per batch (default 64). */
  readonly batchSize?: number;
  /** Seed of the window order (default 0). */
  readonly seed?: number;
}

/**
 * One prepared batch: the windows, and their scored positions with the ids that follow.
 * @example
 * ```ts
 * const batch: NextItemSoftmaxBatch = objective.prepare(0, 0);
 * batch.targets[0]; // the id after the first scored position
 * ```
 */
export interface NextItemSoftmaxBatch {
  /** i32 `[B·T]`: the windows, left-padded. */
  readonly windows: Int32Array;
  readonly batch: number;
  /** i32 `[N]`: the scored positions, as rows of the flattened `[B·T, d]` hidden states. */
  readonly rows: Int32Array;
  /** i32 `[N]`: the id that follows each scored position. */
  readonly targets: Int32Array;
}

/**
 * Full-softmax cross-entropy of the next id at every real position of a causal encoder's
 * windows (Mamba4Rec §3.4: "cross-entropy loss", RecBole's `CrossEntropyLoss` over all
 * item logits). Every id of the vocabulary is a class: no negatives are sampled, so the
 * loss needs no randomness beyond the window order.
 *
 * Choices, with their reasons:
 * - Every real position of a window is scored, with a causal encoder's F_t, which cannot
 *   see the id it predicts; RecBole instead makes one training row per prefix and scores
 *   its last position. With `tiled` windows each id after a user's first is a target once
 *   per epoch, as in RecBole, but its context starts at its window's start (up to T ids,
 *   at least one) where RecBole gives each target its last T ids: a prefix per target
 *   would cost T times as many encoder passes.
 * - The loss is the mean over scored positions, so the learning rate does not depend on
 *   the batch size (RecBole's `CrossEntropyLoss` means over its rows too).
 * - Cost: a `[N, d] × [d, V]` product and a softmax over V per batch of N scored
 *   positions — about what the encoder costs per position at d = 64 and V of a few
 *   thousand; the logits take 4·N·V bytes (22 MB at N = 64 · 50 = 3200, V = 1682).
 *
 * Randomness: the window order is `EpochOrder`'s (Philox stream 2³¹ + epoch, a pure
 * function of the seed and the epoch); dropout masks come from the encoder's own counters.
 *
 * @example
 * ```ts
 * const objective = new NextItemSoftmaxObjective(mamba, eventSequences(train), { windows: 'tiled', batchSize: 64, seed: 1 });
 * await new Trainer(mamba, objective, { optimizer: 'adam', learningRate: 0.001 }).fit();
 * ```
 * @see Liu et al. 2024, §3.4 (prediction layer and loss); RecBole's `SequentialRecommender` CE loss.
 */
export class NextItemSoftmaxObjective implements Objective<NextItemSoftmaxBatch> {
  readonly windows: TrainingWindows;
  /** Per window: its sequence (user) and the end (exclusive) of its ids in that sequence. */
  readonly #windowUser: Int32Array;
  readonly #windowStop: Int32Array;
  readonly #order: EpochOrder;

  /**
   * @throws Error when no sequence has two ids, an id is outside 0 … V − 1, or an option is out of range.
   */
  constructor(readonly encoder: SequenceEncoder, readonly sequences: EventSequences, options: NextItemSoftmaxOptions = {}) {
    const batchSize = options.batchSize ?? 64;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`NextItemSoftmaxObjective: batchSize must be a positive integer, got ${batchSize}`);
    const windows = options.windows ?? 'tiled';
    if (windows !== 'tiled' && windows !== 'latest') throw new Error(`NextItemSoftmaxObjective: windows must be 'tiled' or 'latest', got '${String(windows)}'`);
    this.windows = windows;
    const { indptr, items } = sequences;
    const V = encoder.vocabularySize;
    for (const id of items) if (!(id >= 0 && id < V)) throw new Error(`NextItemSoftmaxObjective: id ${id} is outside 0..${V - 1}`);
    const T = encoder.maxLength;
    const users: number[] = [];
    const stops: number[] = [];
    for (let u = 0; u + 1 < indptr.length; u++) {
      const n = indptr[u + 1]! - indptr[u]!;
      for (let stop = n; stop >= 2; stop -= T) {
        users.push(u);
        stops.push(stop);
        if (windows === 'latest') break;
      }
    }
    if (users.length === 0) throw new Error('NextItemSoftmaxObjective: no sequence has two ids, so there is no next id to learn');
    this.#windowUser = Int32Array.from(users);
    this.#windowStop = Int32Array.from(stops);
    this.#order = new EpochOrder(Int32Array.from(users, (_, w) => w), options.seed ?? 0, batchSize);
  }

  batches(): number {
    return this.#order.batches();
  }

  /** Windows per epoch. */
  get numWindows(): number {
    return this.#windowUser.length;
  }

  prepare(epoch: number, index: number): NextItemSoftmaxBatch {
    const ids = this.#order.batch(epoch, index);
    const { maxLength: T, pad } = this.encoder;
    const { indptr, items } = this.sequences;
    const windows = new Int32Array(ids.length * T).fill(pad);
    const rows: number[] = [];
    const targets: number[] = [];
    ids.forEach((w, b) => {
      const stop = this.#windowStop[w]!;
      const base = indptr[this.#windowUser[w]!]!;
      // Inputs: ids first … stop − 2, right-aligned; input j's target is id first + j + 1.
      const first = Math.max(0, stop - 1 - T);
      const count = stop - 1 - first;
      windows.set(items.subarray(base + first, base + stop - 1), b * T + T - count);
      for (let j = 0; j < count; j++) {
        rows.push(b * T + T - count + j);
        targets.push(items[base + first + j + 1]!);
      }
    });
    return { windows, batch: ids.length, rows: Int32Array.from(rows), targets: Int32Array.from(targets) };
  }

  batch(_epoch: number, _index: number, prepared: NextItemSoftmaxBatch): { loss: Tensor; examples: number } {
    const { windows, batch: B, rows, targets } = prepared;
    const { dim: d, maxLength: T, vocabularySize: V, embeddings } = this.encoder;
    const hidden = gather(reshape(this.encoder.encode(windows, B), [B * T, d]), tensor(rows));
    const logits = matmul(hidden, slice(embeddings, [0, 0], [V, d]), { transposeB: true });
    return { loss: softmaxCrossEntropy(logits, tensor(targets), 'mean'), examples: rows.length };
  }
}
