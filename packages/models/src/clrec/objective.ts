/**
 * CLRec's contrastive objective (Zhou, Ma, Zhang, Zhou & Yang, "Contrastive Learning for
 * Debiased Candidate Generation in Large-Scale Recommender Systems", KDD 2021, §3) over any
 * sequence encoder: each training example — a window up to position t and the id o_t after
 * it — scores its positive against a FIFO queue of the positives of recent batches
 * (§3.3–3.4, MoCo-style), with a softmax cross-entropy at temperature τ:
 *
 *   φ(x_t, y) = ⟨F_t, M_y⟩ / τ                                         (SASRec's dot product, tempered)
 *   ℓ_t       = −log [ e^{φ(x_t, o_t)} / (e^{φ(x_t, o_t)} + Σ_{k=1..Q} e^{φ(x_t, q_k)}) ]
 *   loss      = (1/P) Σ_{scored t} ℓ_t                                   (P scored positions)
 *
 * with q_1 … q_Q the queue: the ids of the last Q positives of the batches before this one.
 * No log-Q correction: the queue samples the data distribution on purpose (below).
 *
 * Why this reduces exposure (popularity) bias — CLRec §3.2, in our words. The logged
 * positives come from what an earlier system exposed: p_D(y | x) mixes the user's preference
 * with the exposure of y. Inverse propensity weighting divides the exposure out by weighting
 * each logged example by 1/q(y | x), q the propensity of y being shown:
 *
 *   L_IPW = −E_{(x,y)∼D} [ (1/q(y|x)) · log softmax_y φ(x, ·) ],     minimiser: e^{φ*(x,y)} ∝ p_D(y|x) / q(y|x).
 *
 * The contrastive loss above draws its negatives from the data distribution p_D(y) (the
 * queue holds other examples' positives, each id as often as it is a positive). For Q large,
 * Σ_k e^{φ(x, q_k)} ≈ Q · Σ_{y'} p_D(y') e^{φ(x, y')}, so
 *
 *   ℓ ≈ −log [ p_D(y) e^{φ(x,y)} / Σ_{y'} p_D(y') e^{φ(x,y')} ] + log p_D(y) + log Q,
 *
 * a full softmax over the logits φ + log p_D: the sampled softmax with its log-Q correction
 * left out. (A corrected sampled softmax would subtract log p_D(y') from every logit and
 * estimate the full softmax over φ — the biased MLE; see `SampledSoftmaxObjective` with the
 * `popularity` proposal.) Its minimiser puts p_D(y) e^{φ*(x,y)} ∝ p_D(y|x), i.e.
 *
 *   e^{φ*(x,y)} ∝ p_D(y|x) / p_D(y),
 *
 * the IPW minimiser with the propensity estimated by the id's share of the logged positives,
 * q(y|x) ≈ p_D(y). Ranking by φ then ranks by p_D(y|x)/p_D(y): a popular — much exposed —
 * id needs proportionally more evidence from the user's history, which flattens the
 * popularity of what is recommended (the Matthew effect the paper measures). The estimate
 * of q ignores x and is crude, but it needs no propensity model and never divides by a
 * small estimated propensity (the variance that makes explicit IPW fragile): the sampler
 * does the weighting.
 *
 * Choices the paper leaves open, with their reasons:
 * - **What the queue stores: ids, re-embedded with the current parameters.** The paper
 *   stores encoded item vectors from earlier batches and reuses them, because its item
 *   tower encodes rich features and re-encoding a thousand negatives per batch is what it
 *   wants to avoid (§3.3). Here the item tower is SASRec's id embedding M: a queued id's
 *   vector is one row lookup, so storing vectors would save nothing, would add staleness
 *   (vectors from batches ago), and would make the queue a state a checkpoint must carry.
 *   The gradient reaches the queued rows of M (row-sparse: Q rows per batch), as in any
 *   sampled softmax; the paper's stored vectors are constants.
 * - **Enqueue order within a batch: shuffled.** A batch's positives enter the queue in a
 *   seeded random order. SASRec scores every position, so a batch holds up to B·T positives
 *   grouped by sequence; enqueued in that order, a queue shorter than a batch would hold the
 *   positives of its last few users only — correlated, not a sample of p_D. Shuffled, the
 *   queue is a uniform subsample of the recent positives.
 * - **The positive's own copies in the queue are not masked** (default; `maskDuplicates`
 *   turns masking on). Draws from p_D include the positive's own id about Q · p_D(y)
 *   times, and the argument above counts them: masking them would drop the target's own
 *   share from its denominator — shrinking the correction exactly for the popular targets
 *   it is meant to correct. The cost: a target with c copies in the queue cannot have a
 *   loss below log(1 + c); that floor is a constant, not a push against the target (its
 *   copies share its score, so raising the score always lowers the loss).
 * - **Every position is scored** (`positions: 'all'`, default) with a causal encoder such
 *   as SASRec, whose F_t cannot see o_t: one window per sequence gives up to T examples, as
 *   SASRec §III-E trains; `last` scores one position per prefix (non-causal encoders).
 * - **The queue is full from the first batch.** The stream of batches is taken to run back
 *   before epoch 0 through epochs −1, −2, … (each its own shuffle of the same windows), and
 *   the queue of batch b of epoch e is the last Q positives of that stream before (e, b):
 *   what the queue would hold had training been running already. So it is a pure function
 *   of (seed, epoch, batch) — rebuilt from the batches before it (the previous epoch's last
 *   batches at an epoch's start) — and a resumed run sees the queue the uninterrupted one
 *   did. Dropout masks are the encoder's own; their counters are kept in the trainer's
 *   checkpoint, so they resume too (as with `NextItemObjective`).
 * - **Negatives: the queue only**, the positives of earlier batches (MoCo's order: score,
 *   then enqueue). Taking the queue after enqueuing the current batch (in-batch negatives
 *   included) made no measurable difference on ml-100k (sampled HR@10 0.510 against 0.514).
 * - **Temperature and queue size** are {@link CLRecObjectiveOptions}'s defaults (τ = 1 on
 *   SASRec's unnormalised dot products; Q = 1024), with the reasons and measurements there.
 *
 * What it costs in accuracy, measured on ml-100k under leave-last-out (the test file's
 * small SASRec: d = 16, T = 20, one block, Q = 128, 10 epochs): against 99 uniformly drawn
 * negatives CLRec's HR@10 is 0.512 (most-popular 0.409, SASRec-BCE with the same encoder
 * and settings 0.567); over all items it is 0.041 (most-popular 0.081, SASRec-BCE 0.121): the
 * held-out last items of ml-100k are mostly popular, and ranking by p_D(y|x)/p_D(y) puts
 * them below rarer items — the mean popularity rank of CLRec's top 10 is 637 of 1,682
 * against SASRec-BCE's 114, and only 2 % of its recommendations are among the 100 most
 * rated items, against 61 %. The debiasing is real, and on a log this small it overshoots.
 *
 * @see Zhou et al. 2021, §3.2 (contrastive loss as IPW), §3.3–3.4 (the queue).
 * @see He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation Learning" (the FIFO queue of negatives).
 */
import { gather, mean, mul, Philox, reshape, sampledSoftmaxRows, tensor, type Tensor } from '@rec/core';
import type { Objective } from '../training/objectives.js';
import type { EventSequences, SequenceEncoder } from '../sasrec/sequences.js';
import { type NextIdBatch, NextIdWindows, type ScoredPositions } from '../sasrec/windows.js';

/**
 * Options of {@link CLRecObjective}.
 * @example
 * ```ts
 * const options: CLRecObjectiveOptions = { queueSize: 1024, temperature: 1, batchSize: 128, seed: 1 };
 * ```
 */
export interface CLRecObjectiveOptions {
  /** Which positions are scored (default `all`, for a causal encoder such as SASRec). */
  readonly positions?: ScoredPositions;
  /**
   * Q: ids in the FIFO queue, the negatives of every position of a batch (default 1024:
   * the paper's "thousand negative items per batch"). A longer queue is closer to the
   * large-Q limit the bias argument takes; measured on ml-100k (SASRec d = 32, T = 20, one
   * block, 40 epochs) Q = 1024 against 256: sampled HR@10 0.549 against 0.514, Gini of the
   * top-10 exposure 0.867 against 0.894. Cost O(P·Q·d) per batch of P scored positions,
   * forward and backward — at Q = 1024 and d = 64 about what SASRec's two blocks cost per
   * position.
   */
  readonly queueSize?: number;
  /**
   * τ: the scores ⟨F_t, M_y⟩ are divided by it (default 1). MoCo's 0.07 assumes unit-norm
   * vectors (cosine scores in [−1, 1]); SASRec scores by unnormalised dot products, whose
   * scale the embeddings learn, so τ = 1 keeps SASRec's own scale and τ only changes how
   * fast that scale is reached and how sharply the softmax weights hard negatives. Measured
   * on ml-100k (as for `queueSize`, Q = 256): τ = 0.2 reached sampled HR@10 0.504 against
   * 0.514 at τ = 1; with d = 16, Q = 128, 15 epochs, τ = 0.5 / 1 / 2 gave 0.39 / 0.40 / 0.43
   * (single runs, no clear winner), so the neutral 1 stays.
   */
  readonly temperature?: number;
  /**
   * Mask the queue's copies of each position's positive (default false; see the file's
   * choices). Measured on ml-100k (SASRec d = 32, T = 20, one block, Q = 256, 40 epochs):
   * no difference worth a default (sampled HR@10 0.513 masked, 0.514 kept).
   */
  readonly maskDuplicates?: boolean;
  /** Windows per batch (default 128, SASRec §IV). */
  readonly batchSize?: number;
  /** Seed of the window order and of the enqueue order (default 0). */
  readonly seed?: number;
}

/**
 * One prepared batch of {@link CLRecObjective}: its next-id examples, the queue it is scored
 * against, and its own positives in the order they will enter the queue.
 * @example
 * ```ts
 * const batch: CLRecBatch = objective.prepare(0, 1);
 * batch.queue.length; // Q
 * ```
 */
export interface CLRecBatch extends NextIdBatch {
  /** i32 `[Q]`: the queue before this batch, oldest first: the negatives of every scored position. */
  readonly queue: Int32Array;
  /** i32 `[positions]`: this batch's targets in the order they are enqueued after it (a seeded shuffle). */
  readonly enqueued: Int32Array;
}

/** Philox stream of the enqueue order of epoch e: 2²⁹ + e (the window order uses 2³¹ + e; epochs before 0 count down from there). */
const QUEUE_STREAM = 0x20000000;

/**
 * CLRec's queue-based contrastive loss (Zhou et al. 2021, §3) over any
 * {@link SequenceEncoder}: the equations, the bias-reduction argument and every choice are
 * in this file's header. The class keeps no state across batches: the queue of batch b of
 * epoch e is rebuilt from the targets of the batches before it (O(Q + B·T) host work plus a
 * sort of each walked batch's positives), so batches can be prepared in any order and a
 * resumed run matches an uninterrupted one.
 *
 * @example
 * ```ts
 * const objective = new CLRecObjective(sasrec, eventSequences(train), { queueSize: 1024, temperature: 1, seed: 1 });
 * await new Trainer(sasrec, objective, { optimizer: 'adam', learningRate: 0.001 }).fit();
 * ```
 * @see Zhou et al. 2021, §3.2–3.4.
 */
export class CLRecObjective implements Objective<CLRecBatch> {
  readonly positions: ScoredPositions;
  readonly queueSize: number;
  readonly temperature: number;
  readonly maskDuplicates: boolean;
  readonly #windows: NextIdWindows;
  readonly #seed: number;

  /**
   * @throws Error when no sequence has two ids, an id is outside 0 … V − 1, or an option is out of range.
   */
  constructor(readonly encoder: SequenceEncoder, readonly sequences: EventSequences, options: CLRecObjectiveOptions = {}) {
    const owner = 'CLRecObjective';
    this.positions = options.positions ?? 'all';
    this.queueSize = options.queueSize ?? 1024;
    this.temperature = options.temperature ?? 1;
    this.maskDuplicates = options.maskDuplicates ?? false;
    this.#seed = options.seed ?? 0;
    if (!(Number.isInteger(this.queueSize) && this.queueSize >= 1)) throw new Error(`${owner}: queueSize must be a positive integer, got ${this.queueSize}`);
    if (!(this.temperature > 0 && Number.isFinite(this.temperature))) throw new Error(`${owner}: temperature must be a positive number, got ${this.temperature}`);
    this.#windows = new NextIdWindows(encoder, sequences, this.positions, options.batchSize ?? 128, this.#seed, owner);
  }

  batches(): number {
    return this.#windows.batches();
  }

  /**
   * The targets of batch `index` of `epoch` in the order they enter the queue: sorted by
   * a Philox key per position (stream 2²⁹ + epoch, counter index · {@link NextIdWindows.maxScored} + k, ties by k).
   */
  #enqueued(epoch: number, index: number, targets: Int32Array = this.#windows.targets(epoch, index)): Int32Array {
    const rng = new Philox({ seed: this.#seed, stream: QUEUE_STREAM + epoch });
    rng.skipTo(index * this.#windows.maxScored);
    const keys = Float64Array.from(targets, () => rng.nextU32());
    const order = Array.from(targets, (_, k) => k).sort((a, b) => keys[a]! - keys[b]! || a - b);
    return Int32Array.from(order, (k) => targets[k]!);
  }

  /** The last Q positives before batch `index` of `epoch`, oldest first, walking back through earlier batches and epochs. */
  #queue(epoch: number, index: number): Int32Array {
    const Q = this.queueSize;
    const chunks: Int32Array[] = [];
    let held = 0;
    let [e, b] = [epoch, index];
    while (held < Q) {
      if (--b < 0) [e, b] = [e - 1, this.batches() - 1];
      const chunk = this.#enqueued(e, b);
      chunks.push(chunk);
      held += chunk.length;
    }
    const queue = new Int32Array(Q);
    let end = Q;
    for (const chunk of chunks) {
      const take = Math.min(chunk.length, end);
      queue.set(chunk.subarray(chunk.length - take), end - take);
      end -= take;
      if (end === 0) break;
    }
    return queue;
  }

  prepare(epoch: number, index: number): CLRecBatch {
    const examples = this.#windows.batch(epoch, index);
    return { ...examples, queue: this.#queue(epoch, index), enqueued: this.#enqueued(epoch, index, examples.targets) };
  }

  batch(_epoch: number, _index: number, prepared: CLRecBatch): { loss: Tensor; examples: number } {
    const { windows, batch: B, rows, targets, queue } = prepared;
    const { dim: d, maxLength: T } = this.encoder;
    const hidden = gather(reshape(this.encoder.encode(windows, B), [B * T, d]), tensor(rows));
    const losses = sampledSoftmaxRows({
      hidden: mul(hidden, 1 / this.temperature),
      classWeights: this.encoder.embeddings,
      labels: tensor(targets),
      sampled: tensor(queue),
      labelLogQ: tensor(new Float32Array(targets.length)),
      sampledLogQ: tensor(new Float32Array(queue.length)),
      removeAccidentalHits: this.maskDuplicates,
    });
    return { loss: mean(losses), examples: rows.length };
  }
}
