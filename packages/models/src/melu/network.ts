/**
 * MeLU's user preference estimator (Lee et al., "MeLU: Meta-Learned User Preference
 * Estimator for Cold-Start Recommendation", KDD 2019, §3.1–3.2) and its local update
 * (§3.3, Algorithm 1, lines 6–8), over an id vocabulary with per-id feature lists, so the
 * ids can be items (registered: `melu`) or categories (`category-melu`).
 *
 * Input layer (§3.1): each categorical content of the user and of the id is embedded and
 * the embeddings are concatenated,
 *
 *   U_u = [e¹_u; …; e^F_u],      e^f_u = E^f c^f_u   (one row per user field f)
 *   I_i = [ē_i; (q_i)],          ē_i = (1/|A_i|) Σ_{a ∈ A_i} E^A_a
 *   x₀  = [U_u; I_i]
 *
 * where A_i is id i's feature list (ml-100k's genres, Amazon's attribute ids): a
 * multi-hot content is embedded as the **mean** of its members' embeddings (the authors'
 * code divides the multi-hot embedding by the number of ones for genre, director and
 * actor); an id without features gets a learned "no feature" row. q_i, the id's own
 * embedding, is an optional extra field (`idEmbedding`), see the model's fields for why.
 * A user field's missing value (code −1) gets a learned row of its own. Without user
 * fields (Amazon, which has no demographics) U_u is **absent**: a learned constant U
 * would only add W₁ᵀ[U; 0] to b₁, which is learned and locally updated already, so it
 * is the same model.
 *
 * Decision-making layers and output (§3.2):
 *
 *   z_{l+1} = W_lᵀ x_l + b_l,  x_{l+1} = ReLU(z_{l+1}),  l = 0 … N − 1   (authors' code: N = 2, 64 units each)
 *   ŷ_ui    = W_oᵀ x_N + b_o
 *
 * The paper regresses ratings with ŷ as the prediction; on implicit data ŷ is a logit,
 * p(u likes i) = σ(ŷ), trained with binary cross-entropy (see the objective).
 *
 * Local update (§3.3, Algorithm 1 lines 6–8): only the decision-making and output
 * layers θ₂ = {W_l, b_l, W_o, b_o} are personalised, by `steps` gradient steps of rate α
 * on user u's support set S_u, the embeddings θ₁ staying global:
 *
 *   θ₂ᵘ ← θ₂ᵘ − α ∇_{θ₂ᵘ} L_S(θ₁, θ₂ᵘ),   θ₂ᵘ starting at θ₂,
 *
 * L_S the mean binary cross-entropy of the support rows. `@rec/core`'s `backward` cannot
 * be differentiated (it runs without recording), so the gradient of the local step is
 * written out in closed form with differentiable ops — the backward pass of this MLP over
 * the n support rows (rows of x_l stacked), m_l = 1[z_l > 0]:
 *
 *   e    = (σ(ŷ) − y) / n                                  (∂L_S/∂ŷ)
 *   ∇W_o = x_Nᵀ e,         ∇b_o = Σ_rows e,               δ_N = (e W_oᵀ) ⊙ m_N
 *   ∇W_l = x_lᵀ δ_{l+1},   ∇b_l = Σ_rows δ_{l+1},         δ_l = (δ_{l+1} W_lᵀ) ⊙ m_l   (l = N − 1 … 0)
 *
 * Recorded on the tape, θ₂ᵘ is a differentiable function of θ₁ (through x₀ of the
 * support rows) and θ₂, so the query loss L_Q(θ₁, θ₂ᵘ) back-propagates through the local
 * steps: the **second-order** meta-gradient of MAML (Finn et al. 2017, §2.2), the authors'
 * `create_graph=True` (the ReLU masks have derivative 0, exact almost everywhere). Computed
 * without recording, θ₂ᵘ − θ₂ is a constant: the **first-order** approximation (§5.2).
 */
import {
  add, bceWithLogits, concat, Embedding, gather, isGradEnabled, Linear, linear, matmul, Module, mul, noGrad, type Parameter, Philox, relu, reshape,
  scatterAdd, sigmoid, step, sub, sum, type Tensor, tensor, zeros,
} from '@rec/core';

/**
 * One categorical user content (§3.1's c^f_u): a code per user into a vocabulary of
 * `size` values, −1 where the user has none.
 * @example
 * ```ts
 * const gender: UserField = { name: 'gender', codes: Int32Array.of(0, 1, -1), size: 2 };
 * ```
 */
export interface UserField {
  readonly name: string;
  /** i32 `[numUsers]`: each user's value in 0 … size − 1, or −1 when missing. */
  readonly codes: Int32Array;
  /** Values the field takes (its embedding table has one more row, for a missing value). */
  readonly size: number;
}

/**
 * Each id's feature list (A_i of the header), CSR: id i's features are
 * `indices[indptr[i] … indptr[i + 1])`, each in 0 … numFeatures − 1.
 * @example
 * ```ts
 * const genres: IdFeatures = { indptr: Int32Array.of(0, 2, 2), indices: Int32Array.of(3, 7), numFeatures: 19 }; // id 1 has none
 * ```
 */
export interface IdFeatures {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly numFeatures: number;
}

/**
 * Sizes and inputs of a {@link MeLUNetwork}.
 * @example
 * ```ts
 * const config: MeLUNetworkConfig = { numUsers: 943, numIds: 1682, userFields, idFeatures: genres, idEmbedding: true, dim: 32, hidden: [64, 64], seed: 1 };
 * ```
 */
export interface MeLUNetworkConfig {
  readonly numUsers: number;
  /** Ids scored: 0 … numIds − 1 (items, or categories). */
  readonly numIds: number;
  /** The user's categorical contents, in the order they are concatenated (none: U_u absent). */
  readonly userFields: readonly UserField[];
  /** Each id's feature list, embedded as the mean of its features' rows (absent: no such field). */
  readonly idFeatures?: IdFeatures;
  /** Give each id an embedding of its own, as one more id field (default false). */
  readonly idEmbedding?: boolean;
  /** Embedding size of each field (default 32, the authors' `embedding_dim`). */
  readonly dim?: number;
  /** Units of each decision-making layer (default [64, 64], §3.2's two hidden layers). */
  readonly hidden?: readonly number[];
  /**
   * Standard deviation of the N(0, σ²) embedding rows (default 0.1: the authors' code keeps
   * PyTorch's N(0, 1), not tried here; 0.1 keeps x₀ of the order of the Glorot-initialised
   * layers' inputs).
   */
  readonly embeddingStd?: number;
  readonly seed?: number;
}

/**
 * What the local update runs: `steps` SGD steps of rate `learningRate` (α of §3.3).
 * @example
 * ```ts
 * const local: LocalUpdate = { steps: 1, learningRate: 0.5 };
 * ```
 */
export interface LocalUpdate {
  readonly steps: number;
  readonly learningRate: number;
}

/**
 * How the meta-gradient treats the local update: `second` differentiates through it
 * (MAML, the authors' code), `first` holds θ₂ᵘ − θ₂ constant (first-order MAML).
 * @example
 * ```ts
 * const order: MetaOrder = 'second';
 * ```
 */
export type MetaOrder = 'first' | 'second';

/**
 * Labelled rows of one user: the ids and their targets (1 observed, 0 sampled negative).
 * @example
 * ```ts
 * const rows: LabelledRows = { ids: Int32Array.of(4, 9), labels: Float32Array.of(1, 0) };
 * ```
 */
export interface LabelledRows {
  readonly ids: Int32Array;
  readonly labels: Float32Array;
}

/**
 * MeLU's network: the input layer over user fields and id features (§3.1), the decision
 * layers and output unit (§3.2), and the local update of the decision layers (§3.3):
 * {@link MeLUNetwork.adapt} gives a user's θ₂ᵘ, differentiable (second order) or not
 * (first order), and `lossAt(x₀, θ₂ᵘ, labels)` is the query loss of the global update.
 *
 * Parameters: `userEmbeddings.<f>.weight` `[size_f + 1, d]`, `features.weight`
 * `[numFeatures + 1, d]`, `ids.weight` `[numIds, d]`, `decision.<l>.weight|bias`,
 * `output.weight|bias`.
 *
 * @example
 * ```ts
 * const net = new MeLUNetwork({ numUsers: 943, numIds: 1682, userFields, idFeatures: genres, seed: 1 });
 * const x0 = net.input(Int32Array.of(0, 0), Int32Array.of(5, 9)); // [2, D]
 * const weights = net.adapt(0, { ids: Int32Array.of(5, 9), labels: Float32Array.of(1, 0) }, { steps: 1, learningRate: 0.1 }, 'second');
 * const logits = net.logits(x0, weights); // [2], differentiable through the local step
 * ```
 * @see Lee et al. 2019, §3.1 (embeddings), §3.2 (decision-making layers), §3.3 (Algorithm 1); Finn et al. 2017, §2.2.
 */
export class MeLUNetwork extends Module {
  readonly numUsers: number;
  readonly numIds: number;
  readonly dim: number;
  readonly hidden: readonly number[];
  /** Width of x₀. */
  readonly inputDim: number;
  readonly userEmbeddings: Embedding[];
  readonly features: Embedding | undefined;
  readonly ids: Embedding | undefined;
  readonly decision: Linear[];
  readonly output: Linear;
  readonly #fields: readonly UserField[];
  readonly #idFeatures: IdFeatures | undefined;

  /**
   * @throws Error naming the field when a size is not a positive integer, a user field's
   *   codes do not cover the users or fall outside its vocabulary, the id features do not
   *   cover the ids, or there is nothing to embed.
   */
  constructor(config: MeLUNetworkConfig) {
    super();
    const dim = config.dim ?? 32;
    const hidden = config.hidden ?? [64, 64];
    for (const [field, value] of [['numUsers', config.numUsers], ['numIds', config.numIds], ['dim', dim], ...hidden.map((h, l) => [`hidden[${l}]`, h] as const)] as const) {
      if (!(Number.isInteger(value) && value >= 1)) throw new Error(`MeLUNetwork: ${field} must be a positive integer, got ${value}`);
    }
    for (const f of config.userFields) checkUserField(f, config.numUsers);
    if (config.idFeatures) checkIdFeatures(config.idFeatures, config.numIds);
    const idParts = (config.idFeatures ? 1 : 0) + (config.idEmbedding ? 1 : 0);
    if (idParts === 0) throw new Error('MeLUNetwork: the ids have neither features nor embeddings of their own; give idFeatures or set idEmbedding');
    this.numUsers = config.numUsers;
    this.numIds = config.numIds;
    this.dim = dim;
    this.hidden = [...hidden];
    this.#fields = config.userFields;
    this.#idFeatures = config.idFeatures;
    const rng = new Philox({ seed: config.seed ?? 0 });
    const std = config.embeddingStd ?? 0.1;
    this.userEmbeddings = config.userFields.map((f) => new Embedding(f.size + 1, dim, { seed: rng.nextU32(), std }));
    this.features = config.idFeatures ? new Embedding(config.idFeatures.numFeatures + 1, dim, { seed: rng.nextU32(), std }) : undefined;
    this.ids = config.idEmbedding ? new Embedding(config.numIds, dim, { seed: rng.nextU32(), std }) : undefined;
    this.inputDim = dim * (config.userFields.length + idParts);
    const sizes = [this.inputDim, ...hidden];
    this.decision = hidden.map((h, l) => new Linear(sizes[l]!, h, rng));
    this.output = new Linear(hidden[hidden.length - 1]!, 1, rng);
  }

  /** The user fields, in the order their embeddings are concatenated. */
  get userFields(): readonly UserField[] {
    return this.#fields;
  }

  /** The ids' feature lists, when the ids have features. */
  get idFeatures(): IdFeatures | undefined {
    return this.#idFeatures;
  }

  /** θ₂ of §3.3, the parameters the local update personalises: each decision layer's W and b, then W_o and b_o. */
  localParameters(): Parameter[] {
    return [...this.decision.flatMap((l) => [l.weight, l.bias!]), this.output.weight, this.output.bias!];
  }

  /**
   * U_u of each row's user: one `[N, d]` embedding per user field (none without fields).
   * @throws Error when a user is outside 0 … numUsers − 1.
   */
  userPart(users: Int32Array): Tensor[] {
    for (const u of users) if (!(u >= 0 && u < this.numUsers)) throw new Error(`MeLUNetwork: user ${u} is outside 0..${this.numUsers - 1}`);
    return this.#fields.map((f, k) => {
      const rows = Int32Array.from(users, (u) => (f.codes[u]! < 0 ? f.size : f.codes[u]!));
      return gather(this.userEmbeddings[k]!.weight, tensor(rows));
    });
  }

  /**
   * I_i of each row's id: the mean of its features' embeddings, then its own embedding,
   * `[N, d]` each.
   * @throws Error when an id is outside 0 … numIds − 1.
   */
  idPart(ids: Int32Array): Tensor[] {
    for (const i of ids) if (!(i >= 0 && i < this.numIds)) throw new Error(`MeLUNetwork: id ${i} is outside 0..${this.numIds - 1}`);
    const parts: Tensor[] = [];
    const features = this.#idFeatures;
    if (features && this.features) {
      let total = 0;
      for (const i of ids) total += Math.max(1, features.indptr[i + 1]! - features.indptr[i]!);
      const flat = new Int32Array(total);
      const rows = new Int32Array(total);
      const weights = new Float32Array(total);
      let at = 0;
      ids.forEach((i, r) => {
        const start = features.indptr[i]!;
        const count = features.indptr[i + 1]! - start;
        if (count === 0) {
          flat[at] = features.numFeatures;
          rows[at] = r;
          weights[at++] = 1;
          return;
        }
        for (let k = 0; k < count; k++, at++) {
          flat[at] = features.indices[start + k]!;
          rows[at] = r;
          weights[at] = 1 / count;
        }
      });
      const members = mul(gather(this.features.weight, tensor(flat)), tensor(weights, [total, 1]));
      parts.push(scatterAdd(zeros([ids.length, this.dim]), tensor(rows), members));
    }
    if (this.ids) parts.push(gather(this.ids.weight, tensor(ids)));
    return parts;
  }

  /** x₀ = [U_u; I_i] of each (users[r], ids[r]) row, `[N, inputDim]`. */
  input(users: Int32Array, ids: Int32Array): Tensor {
    if (users.length !== ids.length) throw new Error(`MeLUNetwork.input: ${users.length} users for ${ids.length} ids`);
    return join([...this.userPart(users), ...this.idPart(ids)]);
  }

  /**
   * ŷ of each row of x₀ `[N, inputDim]` through the decision layers and output unit with
   * θ₂ = `weights` (default the parameters; {@link adapt} for a user's θ₂ᵘ): `[N]`.
   */
  logits(x0: Tensor, weights: readonly Tensor[] = this.localParameters()): Tensor {
    const L = this.hidden.length;
    if (weights.length !== 2 * L + 2) throw new Error(`MeLUNetwork.logits: expected ${2 * L + 2} decision weights, got ${weights.length}`);
    let h = x0;
    for (let l = 0; l < L; l++) h = relu(linear(h, weights[2 * l]!, weights[2 * l + 1]));
    const y = linear(h, weights[2 * L]!, weights[2 * L + 1]);
    return reshape(y, [x0.shape[0]!]);
  }

  /** Mean binary cross-entropy of `labels` against the logits of x₀ under θ₂ = `weights`: a scalar. */
  lossAt(x0: Tensor, weights: readonly Tensor[], labels: Float32Array): Tensor {
    return bceWithLogits(this.logits(x0, weights), tensor(labels));
  }

  /**
   * ∇_{θ₂} L_S of the mean binary cross-entropy of `labels` at x₀ under θ₂ = `weights`,
   * in closed form (the header's equations), with differentiable ops: recorded on the tape
   * when grad mode is on, so the result can itself be differentiated. In
   * {@link localParameters}' order.
   */
  localGradient(x0: Tensor, weights: readonly Tensor[], labels: Float32Array): Tensor[] {
    const L = this.hidden.length;
    const N = x0.shape[0]!;
    const inputs: Tensor[] = [x0];
    const masks: Tensor[] = [];
    let h = x0;
    for (let l = 0; l < L; l++) {
      const z = linear(h, weights[2 * l]!, weights[2 * l + 1]);
      masks.push(step(z));
      h = relu(z);
      inputs.push(h);
    }
    const y = linear(h, weights[2 * L]!, weights[2 * L + 1]);
    let d = mul(sub(sigmoid(y), tensor(labels, [N, 1])), 1 / N);
    const grads: Tensor[] = new Array<Tensor>(2 * L + 2);
    for (let l = L; l >= 0; l--) {
      grads[2 * l] = matmul(inputs[l]!, d, { transposeA: true });
      grads[2 * l + 1] = sum(d, 0);
      if (l > 0) d = mul(matmul(d, weights[2 * l]!, { transposeB: true }), masks[l - 1]!);
    }
    return grads;
  }

  /**
   * A user's θ₂ᵘ after the local update of §3.3 on its support rows: `steps` steps of
   * θ₂ᵘ ← θ₂ᵘ − α ∇ L_S(θ₂ᵘ) from θ₂. With `order` `second` (and grad mode on) the result is
   * differentiable in θ₁ and θ₂ through the steps; with `first` it is θ₂ plus constant
   * deltas (the gradient of θ₂ᵘ in θ₂ is the identity, in θ₁ zero). θ₂ itself without rows
   * or steps. Cost: `steps` forward and closed-form backward passes over the support rows.
   * @example
   * ```ts
   * const weights = net.adapt(7, support, { steps: 5, learningRate: 0.1 }, 'first');
   * ```
   */
  adapt(user: number, support: LabelledRows, update: LocalUpdate, order: MetaOrder): Tensor[] {
    const { steps, learningRate } = update;
    if (!(Number.isInteger(steps) && steps >= 0)) throw new Error(`MeLUNetwork.adapt: steps must be a non-negative integer, got ${steps}`);
    if (!(learningRate >= 0)) throw new Error(`MeLUNetwork.adapt: learningRate must be ≥ 0, got ${learningRate}`);
    if (support.ids.length !== support.labels.length) throw new Error(`MeLUNetwork.adapt: ${support.ids.length} support ids for ${support.labels.length} labels`);
    const params = this.localParameters();
    if (steps === 0 || support.ids.length === 0) return params;
    const users = new Int32Array(support.ids.length).fill(user);
    const run = (): Tensor[] => {
      const x0 = this.input(users, support.ids);
      let weights: Tensor[] = params;
      for (let t = 0; t < steps; t++) {
        const grads = this.localGradient(x0, weights, support.labels);
        weights = weights.map((w, k) => sub(w, mul(grads[k]!, learningRate)));
      }
      return weights;
    };
    if (order === 'second' || !isGradEnabled()) return run();
    const adapted = noGrad(run);
    // θ₂ + (θ₂ᵘ − θ₂): the value of θ₂ᵘ, the identity Jacobian in θ₂.
    const deltas = noGrad(() => adapted.map((w, k) => sub(w, params[k]!)));
    return params.map((p, k) => add(p, deltas[k]!));
  }
}

/** Concatenation along the feature axis (one part is returned as is). */
function join(parts: readonly Tensor[]): Tensor {
  return parts.length === 1 ? parts[0]! : concat(parts, 1);
}

function checkUserField(f: UserField, numUsers: number): void {
  if (!(Number.isInteger(f.size) && f.size >= 1)) throw new Error(`MeLUNetwork: user field '${f.name}' has size ${f.size}; expected a positive integer`);
  if (f.codes.length !== numUsers) throw new Error(`MeLUNetwork: user field '${f.name}' has ${f.codes.length} codes for ${numUsers} users`);
  for (let u = 0; u < numUsers; u++) {
    const c = f.codes[u]!;
    if (!(c >= -1 && c < f.size)) throw new Error(`MeLUNetwork: user field '${f.name}' gives user ${u} code ${c}, outside −1..${f.size - 1}`);
  }
}

function checkIdFeatures(features: IdFeatures, numIds: number): void {
  const { indptr, indices, numFeatures } = features;
  if (!(Number.isInteger(numFeatures) && numFeatures >= 1)) throw new Error(`MeLUNetwork: idFeatures.numFeatures must be a positive integer, got ${numFeatures}`);
  if (indptr.length !== numIds + 1 || indptr[0] !== 0 || indptr[numIds] !== indices.length) {
    throw new Error(`MeLUNetwork: idFeatures.indptr must have numIds + 1 = ${numIds + 1} entries from 0 to ${indices.length}`);
  }
  for (let k = 0; k < indices.length; k++) {
    const a = indices[k]!;
    if (!(a >= 0 && a < numFeatures)) throw new Error(`MeLUNetwork: idFeatures holds feature ${a} at ${k}, outside 0..${numFeatures - 1}`);
  }
}

