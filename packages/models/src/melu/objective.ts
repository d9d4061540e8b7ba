/**
 * MeLU's meta-optimisation (Lee et al. 2019, §3.3, Algorithm 1) on implicit data, as an
 * {@link Objective} of the shared trainer.
 *
 * Algorithm 1, per batch B of users (tasks):
 *
 *   for u ∈ B:  θ₂ᵘ ← θ₂ − α ∇_{θ₂} L_{S_u}(θ₁, θ₂)          (local update, repeated `steps` times)
 *   θ ← θ − β ∇_θ Σ_{u ∈ B} L_{Q_u}(θ₁, θ₂ᵘ)                 (global update of θ₁ and θ₂)
 *
 * **Order.** With `order: 'second'` (the default) θ₂ᵘ is a differentiable function of θ
 * (the local gradient is written in closed form with differentiable ops, see
 * `network.ts`), so the trainer's `backward` of Σ_u L_{Q_u}(θ₁, θ₂ᵘ(θ)) is the MAML
 * meta-gradient through the local steps — what the authors' code computes with
 * `create_graph=True`. With `order: 'first'` the local deltas θ₂ᵘ − θ₂ are constants
 * (Finn et al. 2017, §5.2), and the support items' embeddings get no gradient from their
 * task. Either way "an objective returns a differentiable loss" and the trainer's
 * optimizer (Adam, as the authors' code) takes the global step. The two orders are
 * compared in `test/melu.test.ts`, the second-order gradient against finite differences
 * of the post-update query loss.
 *
 * **Implicit data** (the paper regresses 1–5 ratings with MSE): each user's task is
 * pointwise binary cross-entropy with sampled negatives. A user's observed items are
 * shuffled (seeded per epoch and user); the first `querySize` — 10, as the authors' data
 * preparation, at most half of a small user's items — are the query positives, the rest
 * (at most `maxSupport`) the support positives; each positive gets `negatives` items drawn
 * uniformly from those the user has not interacted with, label 0. BCE with sampled
 * negatives rather than MSE on ratings because the evaluation here is top-N ranking of
 * observed against unobserved items (HR/NDCG with sampled negatives), which a regression of
 * ratings among rated items never sees: a model trained only on rated items learns which
 * rated items are rated high, not which items get rated.
 *
 * **Given queries** (`category-melu`, CCRec §6.2): where a user's query is known apart from
 * the support — the future categories after the past ones — the task is the past as the
 * support and the future as the query instead of a random split (`queries`, see
 * {@link MetaObjectiveOptions}): the local update then learns from what the model has of
 * a user at inference, and the global one from what comes next.
 */
import { add, mul, Philox, type Tensor } from '@rec/core';
import type { Objective } from '../training/objectives.js';
import { drawNegatives, labelled, userRng } from './inputs.js';
import type { LabelledRows, LocalUpdate, MeLUNetwork, MetaOrder } from './network.js';

/**
 * One user's task (§3.3): the support rows of the local update and the query rows of the global one.
 * @example
 * ```ts
 * const task: MetaTask = { user: 3, support: labelled(Int32Array.of(4, 9), Int32Array.of(1, 2)), query: labelled(Int32Array.of(7), Int32Array.of(5)) };
 * ```
 */
export interface MetaTask {
  readonly user: number;
  readonly support: LabelledRows;
  readonly query: LabelledRows;
}

/**
 * Options of {@link MetaObjective}.
 * @example
 * ```ts
 * const options: MetaObjectiveOptions = { batchSize: 32, querySize: 10, local: { steps: 1, learningRate: 0.5 }, order: 'second', seed: 1 };
 * ```
 */
export interface MetaObjectiveOptions {
  /** Users (tasks) per meta-batch (default 32, the authors' `batch_size`). */
  readonly batchSize?: number;
  /** Query positives per task (default 10, the authors' data preparation), at most half of a user's items. */
  readonly querySize?: number;
  /** Support positives per task at most (default 90: the authors keep users with at most 100 items). */
  readonly maxSupport?: number;
  /** Sampled negatives per positive, support and query (default 1). */
  readonly negatives?: number;
  /** The local update (α and steps). */
  readonly local: LocalUpdate;
  /** Differentiate through the local update (`second`, default) or not (`first`). */
  readonly order?: MetaOrder;
  readonly seed?: number;
  /**
   * Each user's query ids (CSR over users, ascending), when a user's query is known apart
   * from its support, as CCRec's future categories are apart from the past ones
   * (`category-melu`): a user's task is then its `histories` row as the support positives
   * (a seeded sample of `maxSupport` when more) and its `queries` row as the query
   * positives (a seeded sample of `querySize` when more), each set's negatives drawn from
   * the ids outside that set, and every user with a query id is a task. Default: none, a
   * user's history is split at random.
   */
  readonly queries?: { readonly indptr: Int32Array; readonly indices: Int32Array };
  /** The model named in error messages (default `melu`). */
  readonly name?: string;
}

/**
 * The Philox stream of epoch e's task splits and negatives: `TASK_STREAM + e` ('ME' in the high half).
 * @example
 * ```ts
 * const rng = userRng(seed, TASK_STREAM + epoch, user);
 * ```
 */
export const TASK_STREAM = 0x4d45_0000;

/**
 * The Philox stream of epoch e's order of users: `ORDER_STREAM + e` ('MO').
 * @example
 * ```ts
 * new Philox({ seed, stream: ORDER_STREAM + epoch }).shuffle(users);
 * ```
 */
export const ORDER_STREAM = 0x4d4f_0000;

/**
 * Algorithm 1 of MeLU on each user's observed items ({@link MetaTask}s drawn per epoch): a
 * batch's loss is the mean over its users of the query loss at the user's locally updated
 * θ₂ᵘ (differentiable through the update, or with it constant: `order`); the trainer's
 * optimizer takes the global step on it. Every user with at least two observed items is a task, once per
 * epoch, in a seeded order. The mean over users (Algorithm 1 sums) keeps the learning rate
 * independent of the batch size; `examples` counts the tasks, the unit the loss is a mean over.
 * @example
 * ```ts
 * const objective = new MetaObjective(network, userItemSets([train], 'all'), { local: { steps: 5, learningRate: 0.5 }, seed: 1 });
 * await new Trainer(model, objective, { optimizer: 'adam', learningRate: 1e-3 }).fit();
 * ```
 * @see Lee et al. 2019, §3.3 (Algorithm 1); Finn et al. 2017, §2.2 (MAML), §5.2 (first-order approximation).
 */
export class MetaObjective implements Objective<MetaTask[]> {
  readonly #users: Int32Array;
  readonly #batchSize: number;
  readonly #querySize: number;
  readonly #maxSupport: number;
  readonly #negatives: number;
  readonly #seed: number;
  readonly #queries: { readonly indptr: Int32Array; readonly indices: Int32Array } | undefined;
  readonly local: LocalUpdate;
  readonly order: MetaOrder;
  #order: { epoch: number; users: Int32Array } | undefined;

  /**
   * @param network the network to meta-train
   * @param histories each user's observed ids, ascending (CSR over users), e.g. {@link userItemSets}
   * @throws Error naming the option when one is out of range, when `queries` covers other
   *   users than `histories`, or when no user has a task (two observed ids; with `queries`, one query id).
   */
  constructor(readonly network: MeLUNetwork, readonly histories: { readonly indptr: Int32Array; readonly indices: Int32Array }, options: MetaObjectiveOptions) {
    const name = options.name ?? 'melu';
    this.#batchSize = positiveInt('batchSize', options.batchSize ?? 32, name);
    this.#querySize = positiveInt('querySize', options.querySize ?? 10, name);
    this.#maxSupport = positiveInt('maxSupport', options.maxSupport ?? 90, name);
    this.#negatives = positiveInt('negatives', options.negatives ?? 1, name);
    this.#seed = options.seed ?? 0;
    this.#queries = options.queries;
    this.local = options.local;
    this.order = options.order ?? 'second';
    const users: number[] = [];
    if (this.#queries) {
      const { indptr } = this.#queries;
      if (indptr.length !== histories.indptr.length) throw new Error(`${name}: the queries cover ${indptr.length - 1} users, the histories ${histories.indptr.length - 1}`);
      for (let u = 0; u + 1 < indptr.length; u++) if (indptr[u + 1]! > indptr[u]!) users.push(u);
      if (users.length === 0) throw new Error(`${name}: no user has a query id, so there is no task to learn from`);
    } else {
      for (let u = 0; u + 1 < histories.indptr.length; u++) if (histories.indptr[u + 1]! - histories.indptr[u]! >= 2) users.push(u);
      if (users.length === 0) throw new Error('melu: no user has two observed items, so there is no task to split into support and query');
    }
    this.#users = Int32Array.from(users);
  }

  batches(): number {
    return Math.ceil(this.#users.length / this.#batchSize);
  }

  prepare(epoch: number, index: number): MetaTask[] {
    if (this.#order?.epoch !== epoch) this.#order = { epoch, users: new Philox({ seed: this.#seed, stream: ORDER_STREAM + epoch }).shuffle(this.#users.slice()) };
    const users = this.#order.users.subarray(index * this.#batchSize, (index + 1) * this.#batchSize);
    return Array.from(users, (u) => this.task(epoch, u));
  }

  /**
   * User `user`'s task in `epoch`: its observed ids shuffled by Philox (seed, stream
   * {@link TASK_STREAM} + epoch, the user's words), the first min(querySize, ⌊n/2⌋) the
   * query positives, the next (at most maxSupport) the support positives, then the
   * negatives of the support and of the query. With `queries`: the user's history as the support
   * and query row as the query (below).
   */
  task(epoch: number, user: number): MetaTask {
    if (this.#queries) return this.#givenTask(epoch, user, this.#queries);
    const { indptr, indices } = this.histories;
    const observed = indices.subarray(indptr[user], indptr[user + 1]);
    const rng = userRng(this.#seed, TASK_STREAM + epoch, user);
    const shuffled = rng.shuffle(observed.slice());
    const q = Math.min(this.#querySize, Math.floor(observed.length / 2));
    const queryPositives = shuffled.subarray(0, q);
    const supportPositives = shuffled.subarray(q, q + Math.min(observed.length - q, this.#maxSupport));
    const numIds = this.network.numIds;
    const support = labelled(supportPositives, drawNegatives(rng, observed, numIds, supportPositives.length * this.#negatives));
    const query = labelled(queryPositives, drawNegatives(rng, observed, numIds, queryPositives.length * this.#negatives));
    return { user, support, query };
  }

  /**
   * User `user`'s task in `epoch` when its query is given apart: its history (at most
   * maxSupport, a sample shuffled by the task's Philox when more) as the support positives
   * with the negatives drawn outside the history — as the local update at inference draws
   * them — then its query row (at most querySize, sampled alike) as the query positives
   * with the negatives drawn outside the query row: an id of the history that is not in the
   * query is a fair query negative, as it is a miss when ranked.
   */
  #givenTask(epoch: number, user: number, queries: { readonly indptr: Int32Array; readonly indices: Int32Array }): MetaTask {
    const history = this.histories.indices.subarray(this.histories.indptr[user], this.histories.indptr[user + 1]);
    const asked = queries.indices.subarray(queries.indptr[user], queries.indptr[user + 1]);
    const rng = userRng(this.#seed, TASK_STREAM + epoch, user);
    const supportPositives = history.length > this.#maxSupport ? rng.shuffle(history.slice()).subarray(0, this.#maxSupport) : history;
    const queryPositives = asked.length > this.#querySize ? rng.shuffle(asked.slice()).subarray(0, this.#querySize) : asked;
    const numIds = this.network.numIds;
    const support = labelled(supportPositives, drawNegatives(rng, history, numIds, supportPositives.length * this.#negatives));
    const query = labelled(queryPositives, drawNegatives(rng, asked, numIds, queryPositives.length * this.#negatives));
    return { user, support, query };
  }

  batch(_epoch: number, _index: number, tasks: MetaTask[]): { loss: Tensor; examples: number } {
    let total: Tensor | undefined;
    for (const task of tasks) {
      const loss = queryLoss(this.network, task, this.local, this.order);
      total = total ? add(total, loss) : loss;
    }
    return { loss: mul(total!, 1 / tasks.length), examples: tasks.length };
  }
}

/**
 * L_Q(θ₁, θ₂ᵘ) of one task: the mean binary cross-entropy of the query rows under the
 * locally updated decision layers, differentiable in θ — through the local update with
 * `order` `second`, with the local deltas constant with `first`.
 * @example
 * ```ts
 * backward(queryLoss(network, task, { steps: 1, learningRate: 0.5 }, 'second')); // MAML's meta-gradient of one task
 * ```
 */
export function queryLoss(network: MeLUNetwork, task: MetaTask, local: LocalUpdate, order: MetaOrder): Tensor {
  const weights = network.adapt(task.user, task.support, local, order);
  const x0 = network.input(new Int32Array(task.query.ids.length).fill(task.user), task.query.ids);
  return network.lossAt(x0, weights, task.query.labels);
}

function positiveInt(name: string, value: number, model: string): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new Error(`${model}: ${name} must be a positive integer, got ${value}`);
  return value;
}
