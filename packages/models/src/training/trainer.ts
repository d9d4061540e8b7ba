import {
  Adagrad, Adam, AdamW, backward, clearHostPool, Dropout, type Module, type NamedArray, type Optimizer, SGD, tidy, type Tensor, type TypedArray,
} from '@rec/core';
import type { Objective } from './objectives.js';
import { hostCopy, hostValues } from './read.js';

/**
 * The optimizers a {@link Trainer} can create (NMTR §IV-A3 tries Adam and Adagrad; the
 * second-hand paper §4.2 trains with AdamW, whose `l2` is the decoupled weight decay).
 */
export type OptimizerName = 'adagrad' | 'adam' | 'adamw' | 'sgd';

/** What the trainer reports during an epoch. */
export interface BatchProgress {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean loss of the epoch so far. */
  readonly loss: number;
  /** Scored rows per second over the epoch so far. */
  readonly examplesPerSecond: number;
}

/** One finished epoch. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly examples: number;
  readonly seconds: number;
  /** The validation score after this epoch, when there is a validation. */
  readonly validation?: number;
}

/** Early stopping on a validation score (higher is better), e.g. HR@100 on one held-out purchase per user. */
export interface Validation {
  /** Name shown in logs, e.g. `HR@100`. */
  readonly name: string;
  /** Scores the current model; higher is better. */
  evaluate(): Promise<number> | number;
  /** Stop after this many epochs without improvement (default 3). */
  readonly patience?: number;
  /** Validate every this many epochs (default 1). */
  readonly every?: number;
}

/** Options of {@link Trainer}. */
export interface TrainerOptions {
  /** Maximum epochs (default 20). */
  epochs?: number;
  /** Default `adagrad` (NMTR Table II). Ignored by fused objectives. */
  optimizer?: OptimizerName;
  /** Default 0.01 (Table II). */
  learningRate?: number;
  /** L2 weight decay on the parameters a batch touches (lazy on embedding rows); default 0. */
  l2?: number;
  /** Adam's β₂ (default 0.999); only with `optimizer: 'adam'`. */
  adamBeta2?: number;
  validation?: Validation;
  /**
   * Where a checkpoint goes after every epoch (parameters, optimizer state,
   * history); a later `fit()` with the same store resumes after the last finished
   * epoch. On Node, `fileCheckpoint(dir)` of `@rec/models/node` keeps it in a folder.
   */
  checkpoint?: CheckpointStore;
  onBatch?: (progress: BatchProgress) => void;
  onEpoch?: (record: EpochRecord) => void;
  /** Report batch progress every this many batches (default 20). */
  reportEvery?: number;
  /**
   * Stops the run between two batches once aborted (a stop button, a time limit). The
   * unfinished epoch is dropped: the model ends at the best validated epoch, else the
   * last finished one, and the history says `stopped`. Aborted before any epoch
   * finished, {@link Trainer.fit} throws an `AbortError` saying that nothing was trained.
   *
   * Costs, only when a signal is given: without a validation, a copy of the parameters
   * after every epoch (read back from the device on `webgpu`) to go back to, and a
   * yield to the event loop at most every {@link STOP_POLL_MS} ms between batches, without
   * which a synchronous backend (`js`, `native`) would never let the abort run.
   */
  signal?: AbortSignal;
}

/**
 * How often, at most, a {@link Trainer} given a `signal` yields to the event loop between
 * batches (ms): the longest a stop waits after the current batch. A browser clamps a
 * nested `setTimeout(0)` to 4 ms, so this keeps the yields under 4 % of the run.
 */
export const STOP_POLL_MS = 100;

/**
 * Lets the tasks already queued (a worker's `stop` message, a click) run before the next
 * batch: a timer task, queued behind them. Not `scheduler.yield()`, whose continuation
 * runs ahead of queued tasks and would starve the very message that stops the run.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** What {@link Trainer.fit} returns. */
export interface TrainingHistory {
  readonly epochs: readonly EpochRecord[];
  /** Epoch (0-based) whose parameters the model holds at the end: the best validated one, else the last. */
  readonly bestEpoch: number;
  readonly bestValidation?: number;
  /** The validation metric's name (`HR@100`), when there was a validation. */
  readonly metric?: string;
  /** True when early stopping ended the run. */
  readonly stoppedEarly: boolean;
  /**
   * True when {@link TrainerOptions.signal} ended the run before its last epoch; the
   * unfinished epoch is not in `epochs` and the model holds `bestEpoch`'s parameters.
   */
  readonly stopped?: boolean;
  /** Epoch a resumed run started from (0 when fresh). */
  readonly resumedFrom: number;
}

/**
 * Where a {@link Trainer} keeps its per-epoch checkpoint: named arrays and a JSON state.
 * Kept abstract so the trainer runs where there are no files (a browser).
 * @example
 * ```ts
 * let kept: Checkpoint | undefined;
 * const inMemory: CheckpointStore = { where: 'memory', load: async () => kept, save: async (c) => void (kept = c) };
 * ```
 */
export interface CheckpointStore {
  /** The last checkpoint saved, or undefined when there is none. */
  load(): Promise<Checkpoint | undefined>;
  /** Replaces the checkpoint, atomically. */
  save(checkpoint: Checkpoint): Promise<void>;
  /** Names it in messages (a folder path). */
  readonly where: string;
}

/** A checkpoint: the tensors (model, optimizer, best epoch's parameters) and the trainer's state. */
export interface Checkpoint {
  readonly tensors: Record<string, NamedArray>;
  readonly state: unknown;
}

/**
 * Trains a model on an {@link Objective}: epochs of batches, one optimizer step
 * per batch (autograd objectives) or the objective's own fused update, with
 * progress reports, validation after each epoch, early stopping with the best
 * parameters restored, and checkpoint/resume.
 *
 * Every randomness comes from the objective's seed and the (epoch, batch)
 * position, so a run is reproducible, and a resumed run continues as the
 * uninterrupted one would.
 *
 * Runs on every backend: values are read back synchronously where the backend
 * keeps them on the host (`js`, `native`: no copy, no waiting per batch) and
 * awaited where it does not (`webgpu`: the batch's negatives and its loss, one
 * batch after another, so the run stays as deterministic as its kernels).
 *
 * A run given {@link TrainerOptions.signal} can be stopped between batches: it ends at
 * the best validated epoch, else the last finished one (`history.stopped`), or throws
 * an `AbortError` when no epoch had finished.
 *
 * @example
 * ```ts
 * const model = new NCF({ numUsers, numItems, unit: 'gmf' });
 * const objective = new PointwiseObjective(model, behaviorLog(train, ['buy']));
 * const history = await new Trainer(model, objective, { epochs: 10, optimizer: 'adagrad', learningRate: 0.01 }).fit();
 * ```
 */
export class Trainer {
  readonly optimizer: Optimizer | undefined;
  readonly #epochs: number;

  constructor(readonly model: Module, readonly objective: Objective, readonly options: TrainerOptions = {}) {
    this.#epochs = options.epochs ?? 20;
    if (!Number.isInteger(this.#epochs) || this.#epochs < 1) throw new Error(`Trainer: epochs must be a positive integer, got ${options.epochs}`);
    const lr = options.learningRate ?? 0.01;
    const l2 = options.l2 ?? 0;
    if (!(lr > 0)) throw new Error(`Trainer: learningRate must be > 0, got ${lr}`);
    if (!(l2 >= 0)) throw new Error(`Trainer: l2 must be ≥ 0, got ${l2}`);
    const name = options.optimizer ?? 'adagrad';
    if (options.adamBeta2 !== undefined && name !== 'adam' && name !== 'adamw') throw new Error(`Trainer: adamBeta2 is Adam's, but the optimizer is '${name}'`);
    if (options.adamBeta2 !== undefined && objective.fused) throw new Error('Trainer: adamBeta2 is set, but this objective updates its parameters itself (no optimizer)');
    if (objective.fused) this.optimizer = undefined;
    else if (name === 'adagrad') this.optimizer = new Adagrad(model, { lr, weightDecay: l2 });
    else if (name === 'adam' || name === 'adamw') {
      const adam = { lr, weightDecay: l2, ...(options.adamBeta2 === undefined ? {} : { betas: [0.9, options.adamBeta2] as const }) };
      this.optimizer = name === 'adam' ? new Adam(model, adam) : new AdamW(model, adam);
    }
    else if (name === 'sgd') this.optimizer = new SGD(model, { lr, weightDecay: l2 });
    else throw new Error(`Trainer: optimizer must be one of adagrad, adam, adamw, sgd, got '${String(name)}'`);
  }

  async fit(): Promise<TrainingHistory> {
    try {
      return await this.#fit();
    } finally {
      // The host pool holds what a step had alive; after training that memory is the caller's again.
      clearHostPool();
    }
  }

  async #fit(): Promise<TrainingHistory> {
    const { options, model, objective } = this;
    const epochs: EpochRecord[] = [];
    let best: { epoch: number; value: number; params: TypedArray[] } | undefined;
    let start = 0;
    const saved = await options.checkpoint?.load();
    if (saved) {
      const state = this.#restore(saved, options.checkpoint!.where);
      start = state.nextEpoch;
      epochs.push(...state.epochs);
      best = state.best;
    }
    const resumedFrom = start;
    const patience = options.validation?.patience ?? 3;
    const every = options.validation?.every ?? 1;
    const reportEvery = options.reportEvery ?? 20;
    const signal = options.signal;
    let stoppedEarly = false;
    let stopped = false;
    // A stop drops the unfinished epoch: without a best validated epoch to go back to, keep the last finished one's parameters.
    let lastFinished: TypedArray[] | undefined = signal && start > 0 && !best ? await this.#snapshot() : undefined;
    let lastYield = performance.now();
    for (let epoch = start; epoch < this.#epochs; epoch++) {
      model.train();
      const batches = objective.batches(epoch);
      const t0 = performance.now();
      let total = 0;
      let examples = 0;
      for (let b = 0; b < batches; b++) {
        if (signal) {
          if (performance.now() - lastYield >= STOP_POLL_MS) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
          if (signal.aborted) {
            stopped = true;
            if (!best && !lastFinished) {
              model.eval();
              const error = new Error(`Trainer: stopped at epoch ${epoch + 1}, batch ${b + 1} of ${batches}, before any epoch finished: nothing was trained`, { cause: signal.reason });
              error.name = 'AbortError';
              throw error;
            }
            break;
          }
        }
        const pending = objective.prepare?.(epoch, b);
        const prepared = pending instanceof Promise ? await pending : pending;
        const out = tidy(() => {
          const { loss, examples } = objective.batch(epoch, b, prepared);
          if (typeof loss !== 'number' && !objective.fused) this.#step(loss);
          return { loss, n: examples };
        });
        const n = out.n;
        let loss: number;
        if (typeof out.loss === 'number') loss = out.loss;
        else {
          const values = hostValues(out.loss);
          loss = (values instanceof Promise ? await values : values)[0];
          out.loss.dispose();
        }
        if (!Number.isFinite(loss)) throw new Error(`Trainer: the loss became ${loss} at epoch ${epoch + 1}, batch ${b + 1}; lower the learning rate`);
        total += loss * n;
        examples += n;
        if (options.onBatch && ((b + 1) % reportEvery === 0 || b === batches - 1)) {
          const seconds = (performance.now() - t0) / 1000;
          options.onBatch({ epoch, batch: b + 1, batches, loss: total / examples, examplesPerSecond: examples / Math.max(seconds, 1e-9) });
        }
      }
      if (stopped) break;
      const seconds = (performance.now() - t0) / 1000;
      model.eval();
      let validation: number | undefined;
      if (options.validation && ((epoch + 1) % every === 0 || epoch === this.#epochs - 1)) {
        validation = await options.validation.evaluate();
        if (!best || validation > best.value) best = { epoch, value: validation, params: await this.#snapshot() };
      }
      const record: EpochRecord = { epoch, loss: total / examples, examples, seconds, ...(validation === undefined ? {} : { validation }) };
      epochs.push(record);
      options.onEpoch?.(record);
      if (options.checkpoint) await this.#checkpoint(options.checkpoint, epoch + 1, epochs, best);
      if (signal && !best) lastFinished = await this.#snapshot();
      if (best && validation !== undefined && epoch - best.epoch >= patience * every) {
        stoppedEarly = true;
        break;
      }
    }
    model.eval();
    if (best) this.#restoreSnapshot(best.params);
    else if (stopped && lastFinished) this.#restoreSnapshot(lastFinished);
    return {
      epochs,
      bestEpoch: best ? best.epoch : epochs.length - 1,
      ...(best ? { bestValidation: best.value } : {}),
      ...(options.validation ? { metric: options.validation.name } : {}),
      stoppedEarly,
      ...(signal ? { stopped } : {}),
      resumedFrom,
    };
  }

  /** Backpropagates `loss` and steps the optimizer; the caller reads the loss. */
  #step(loss: Tensor): void {
    backward(loss);
    const optimizer = this.optimizer as Optimizer;
    optimizer.step();
    optimizer.zeroGrad();
  }

  /** Copies of every parameter's values (read back from the device on `webgpu`). */
  async #snapshot(): Promise<TypedArray[]> {
    return Promise.all(this.model.parameters().map((p) => hostCopy(p)));
  }

  #restoreSnapshot(values: TypedArray[]): void {
    this.model.parameters().forEach((p, k) => p.assign(values[k]));
  }

  async #checkpoint(store: CheckpointStore, nextEpoch: number, epochs: EpochRecord[], best: { epoch: number; value: number; params: TypedArray[] } | undefined): Promise<void> {
    const tensors: Record<string, NamedArray> = {};
    const params = this.model.namedParameters();
    const values = await this.#snapshot();
    // Untrained integer tensors (a model's structure, kept with its parameters) keep their dtype.
    params.forEach(([name, p], k) => (tensors[`model.${name}`] = { dtype: p.dtype, shape: [...p.shape], data: values[k] } as NamedArray));
    if (this.optimizer) for (const [name, a] of Object.entries(await this.optimizer.stateDict())) tensors[`optimizer.${name}`] = a;
    if (best) {
      this.model.namedParameters().forEach(([name, p], k) => (tensors[`best.${name}`] = { dtype: p.dtype, shape: [...p.shape], data: best.params[k] } as NamedArray));
    }
    // Dropout counters, in module order: a resumed run draws the masks the uninterrupted one would.
    const dropout = this.#dropouts().map((d) => d.counter);
    await store.save({ tensors, state: { nextEpoch, epochs, best: best ? { epoch: best.epoch, value: best.value } : null, ...(dropout.length ? { dropout } : {}) } });
  }

  /** The model's dropout layers, in {@link Module.modules} order. */
  #dropouts(): Dropout[] {
    return this.model.modules().filter((m): m is Dropout => m instanceof Dropout);
  }

  #restore(checkpoint: Checkpoint, where: string): { nextEpoch: number; epochs: EpochRecord[]; best: { epoch: number; value: number; params: TypedArray[] } | undefined } {
    const { tensors } = checkpoint;
    const state = checkpoint.state as { nextEpoch?: unknown; epochs?: unknown; best?: { epoch?: unknown; value?: unknown } | null; dropout?: unknown } | null;
    // The state is a file a person can edit: check it before any parameter is touched.
    const bad = (what: string): Error => new Error(`Trainer: the checkpoint in ${where} is not valid (${what}); use a fresh checkpoint folder`);
    if (typeof state !== 'object' || state === null) throw bad('its config.json holds no training state');
    const { nextEpoch, epochs } = state;
    if (!Number.isInteger(nextEpoch) || (nextEpoch as number) < 1) throw bad(`nextEpoch ${JSON.stringify(nextEpoch)} is not a positive integer`);
    if ((nextEpoch as number) > this.#epochs) {
      throw new Error(`Trainer: the checkpoint in ${where} has ${nextEpoch} epochs done, more than the ${this.#epochs} asked for; ask for at least ${nextEpoch} epochs or start fresh`);
    }
    if (!Array.isArray(epochs) || epochs.length !== nextEpoch) throw bad(`it records ${Array.isArray(epochs) ? epochs.length : 'no'} epochs but nextEpoch is ${nextEpoch}`);
    const bestEpoch = state.best?.epoch;
    if (state.best && (!Number.isInteger(bestEpoch) || (bestEpoch as number) < 0 || (bestEpoch as number) >= (nextEpoch as number) || typeof state.best.value !== 'number')) {
      throw bad(`best epoch ${JSON.stringify(bestEpoch)} is not one of the ${nextEpoch} epochs done`);
    }
    // A checkpoint written before the counters were kept has none: its masks restart at 0.
    const dropouts = this.#dropouts();
    const counters = state.dropout;
    if (counters !== undefined) {
      if (!Array.isArray(counters) || counters.length !== dropouts.length || !counters.every((c) => Number.isSafeInteger(c) && (c as number) >= 0)) {
        throw bad(`its dropout counters ${JSON.stringify(counters)} are not ${dropouts.length} non-negative integers, one per dropout layer`);
      }
    }
    const named = this.model.namedParameters();
    for (const [name, p] of named) {
      const saved = tensors[`model.${name}`];
      if (!saved || saved.data.length !== p.size) throw new Error(`Trainer: the checkpoint in ${where} does not match this model (parameter '${name}' ${saved ? `has ${saved.data.length} values, expected ${p.size}` : 'is missing'}); use a fresh checkpoint folder`);
      p.assign(saved.data);
    }
    if (this.optimizer) {
      const optim: Record<string, NamedArray> = {};
      for (const [key, value] of Object.entries(tensors)) if (key.startsWith('optimizer.')) optim[key.slice('optimizer.'.length)] = value;
      this.optimizer.loadStateDict(optim);
    }
    const best = state.best
      ? {
        epoch: bestEpoch as number,
        value: state.best.value as number,
        params: named.map(([name, p]) => {
          const saved = tensors[`best.${name}`];
          if (!saved || saved.data.length !== p.size) throw bad(`the best epoch's parameter '${name}' is missing or mis-sized`);
          return saved.data;
        }),
      }
      : undefined;
    if (Array.isArray(counters)) dropouts.forEach((d, k) => d.seek(counters[k] as number));
    return { nextEpoch: nextEpoch as number, epochs: epochs as EpochRecord[], best };
  }
}
