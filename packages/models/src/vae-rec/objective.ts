/**
 * Mult-VAE's objective (Liang et al. 2018, §2.2): batches of users, each reconstructing
 * its own category profile through the β-ELBO, with the input dropout and the ε of the
 * reparameterisation drawn counter-based per (seed, epoch, user).
 */
import { Philox, type Tensor } from '@rec/core';
import { EpochOrder, type Objective } from '../training/objectives.js';
import { type MultVAE, type MultVAEInput, multVAEInput } from './mult-vae.js';
import type { CategoryProfiles } from './profiles.js';

/**
 * Options of {@link MultVAEObjective}.
 * @example
 * ```ts
 * const options: MultVAEObjectiveOptions = { batchSize: 500, dropout: 0.5, annealCap: 0.2, totalAnnealSteps: 200_000, seed: 1 };
 * ```
 */
export interface MultVAEObjectiveOptions {
  /** Users per batch (default 500, the release's `batch_size`). */
  readonly batchSize?: number;
  /** Input dropout probability p (default 0.5, the release's keep_prob 0.5). */
  readonly dropout?: number;
  /** The largest β (default 0.2, the release's `anneal_cap`). */
  readonly annealCap?: number;
  /** Gradient updates over which β rises linearly from 0 to 1 before the cap (default 200,000, the release's `total_anneal_steps`). */
  readonly totalAnnealSteps?: number;
  /** Seed of the order, the dropout and the ε (default 0). */
  readonly seed?: number;
}

/**
 * One prepared batch: the users' inputs, their targets x_u and their noise ε_u.
 * @example
 * ```ts
 * const batch: MultVAEBatch = objective.prepare(epoch, 0);
 * batch.beta; // min(0.2, epoch · batches / 200,000)
 * ```
 */
export interface MultVAEBatch {
  readonly input: MultVAEInput;
  /** f32 `[B, C]`: x_u, the reconstruction targets. */
  readonly targets: Float32Array;
  /** f32 `[B, K]`: ε_u. */
  readonly noise: Float32Array;
  /** β of this update. */
  readonly beta: number;
}

/** Philox stream bases (the user order is EpochOrder's, 2³¹ + epoch). */
const DROPOUT_STREAM = 0x40000000;
const NOISE_STREAM = 0x50000000;

/**
 * Mult-VAE's training (Liang et al. 2018, §2.2, §4.3) over batches of users: each
 * training user's profile x_u is both the input (normalised and dropped out) and the
 * target of the multinomial likelihood, and the loss is the negative β-ELBO averaged over
 * the batch (`MultVAE.negativeElbo`), β = min(cap, t / totalAnnealSteps) at the t-th
 * update (t = epoch · batches + batch, from 0), as the release anneals.
 *
 * Randomness is a pure function of (seed, epoch, user): the dropout of user u's category c
 * is the Philox uniform at counter u·C + c of stream 2³⁰ + epoch, and ε_u the normals at
 * counters from u·2⌈K/2⌉ of stream 0x50000000 + epoch, so a resumed run continues as
 * the uninterrupted one.
 *
 * @example
 * ```ts
 * const objective = new MultVAEObjective(vae, fullProfiles, learners, { batchSize: 500, seed: 1 });
 * await new Trainer(vae, objective, { optimizer: 'adam', learningRate: 1e-3 }).fit();
 * ```
 * @see Liang et al. 2018, §2.2.2 (annealing β), §4.3 (dropout 0.5, Adam, batches of 500 users).
 */
export class MultVAEObjective implements Objective<MultVAEBatch> {
  readonly #order: EpochOrder;
  readonly #dropout: number;
  readonly #cap: number;
  readonly #steps: number;
  readonly #seed: number;

  /**
   * @param targets - each user's profile x_u (for CCRec: the past and future categories).
   * @param users - the users trained on (each must have a non-empty profile).
   */
  constructor(readonly model: MultVAE, readonly targets: CategoryProfiles, users: Int32Array, options: MultVAEObjectiveOptions = {}) {
    const batchSize = options.batchSize ?? 500;
    const dropout = options.dropout ?? 0.5;
    const steps = options.totalAnnealSteps ?? 200_000;
    const cap = options.annealCap ?? 0.2;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`MultVAEObjective: batchSize must be a positive integer, got ${batchSize}`);
    if (!(dropout >= 0 && dropout < 1)) throw new Error(`MultVAEObjective: dropout must be in [0, 1), got ${dropout}`);
    if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`MultVAEObjective: totalAnnealSteps must be a positive integer, got ${steps}`);
    if (!(cap >= 0)) throw new Error(`MultVAEObjective: annealCap must be ≥ 0, got ${cap}`);
    if (targets.indptr.length !== model.numUsers + 1) throw new Error(`MultVAEObjective: the targets cover ${targets.indptr.length - 1} users, the model ${model.numUsers}`);
    if (users.length === 0) throw new Error('MultVAEObjective: no user to train on');
    for (const u of users) {
      if (!(u >= 0 && u < model.numUsers) || targets.indptr[u + 1] === targets.indptr[u]) {
        throw new Error(`MultVAEObjective: training user ${u} is out of range or has an empty profile`);
      }
    }
    this.#order = new EpochOrder(users.slice(), options.seed ?? 0, batchSize);
    this.#dropout = dropout;
    this.#cap = cap;
    this.#steps = steps;
    this.#seed = options.seed ?? 0;
  }

  batches(): number {
    return this.#order.batches();
  }

  /** β of update `step` (0-based): min(cap, step / totalAnnealSteps). */
  beta(step: number): number {
    return Math.min(this.#cap, step / this.#steps);
  }

  prepare(epoch: number, index: number): MultVAEBatch {
    const users = this.#order.batch(epoch, index);
    const { numCategories: C, latent: K, conditionDim } = this.model;
    const seed = this.#seed;
    const stream = DROPOUT_STREAM + epoch;
    const input = multVAEInput(this.targets, users, C, this.model.conditions, conditionDim, {
      p: this.#dropout,
      uniform: (u, c) => Philox.uniformAt(seed, stream, u * C + c),
    });
    const targets = new Float32Array(users.length * C);
    users.forEach((u, b) => {
      for (let p = this.targets.indptr[u]!; p < this.targets.indptr[u + 1]!; p++) targets[b * C + this.targets.indices[p]!] = this.targets.values[p]!;
    });
    const noise = new Float32Array(users.length * K);
    const rng = new Philox({ seed, stream: NOISE_STREAM + epoch });
    const perUser = 2 * Math.ceil(K / 2);
    users.forEach((u, b) => {
      rng.skipTo(u * perUser);
      rng.fillNormal(noise.subarray(b * K, (b + 1) * K));
    });
    return { input, targets, noise, beta: this.beta(epoch * this.batches() + index) };
  }

  batch(_epoch: number, _index: number, batch: MultVAEBatch): { loss: Tensor; examples: number } {
    const { loss } = this.model.negativeElbo(batch.input, batch.targets, batch.noise, batch.beta);
    return { loss, examples: batch.input.rows };
  }
}
