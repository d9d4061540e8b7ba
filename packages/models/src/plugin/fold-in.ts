/**
 * Answers about users and items a model was not asked about in training: a new user
 * from a list of their recent items (fold-in), and an item's nearest items. The server
 * and the browser serve both through {@link StandaloneModel}.
 */
import { type Backend, tensor, type Tensor, tidy } from '@rec/core';
import { hostCopy } from '../training/read.js';
import { factorsOf, type Predictor, type TopK, topKOfVectors } from './inference.js';

/** A dot-product model's tables copied to the host (f32, row-major), and the backend they live on. */
export interface HostFactors {
  readonly numItems: number;
  readonly dim: number;
  readonly backend: Backend;
  /** `[numItems · dim]`. */
  readonly items: Float32Array;
  /** `[numUsers · dim]`, when asked for. */
  readonly users?: Float32Array;
  /** `[dim]`: GMF's output weights h. */
  readonly userWeights?: Float32Array;
  /** `[numItems]`. */
  readonly itemBias?: Float32Array;
}

/**
 * Host copies of `model`'s dot-product tables, or undefined when it scores otherwise: what
 * fold-in, similar items and an approximate index are built from. The user table, the
 * largest, only when `users` is asked for. The factors are derived inside one scope.
 * @example
 * ```ts
 * const f = await hostFactors(model, { users: true }); // { numItems, dim, items, users, … }
 * ```
 */
export async function hostFactors(model: Predictor, options: { users?: boolean } = {}): Promise<HostFactors | undefined> {
  const reads = tidy(() => {
    const f = factorsOf(model);
    if (!f) return undefined;
    const [numItems, dim] = f.items.shape as [number, number];
    const copy = (t: Tensor | undefined) => (t ? hostCopy(t) : undefined);
    return { numItems, dim, backend: f.items.backend, tables: [copy(f.items), copy(options.users ? f.users : undefined), copy(f.userWeights), copy(f.itemBias)] };
  });
  if (!reads) return undefined;
  const [items, users, userWeights, itemBias] = (await Promise.all(reads.tables)) as (Float32Array | undefined)[];
  return {
    numItems: reads.numItems, dim: reads.dim, backend: reads.backend, items: items!,
    ...(users ? { users } : {}), ...(userWeights ? { userWeights } : {}), ...(itemBias ? { itemBias } : {}),
  };
}

/** Options of {@link FactorFoldIn}. */
export interface FoldInOptions {
  /**
   * α: each given item's confidence over the implicit zeros of every other item
   * (c = 1 + α, Hu, Koren & Volinsky 2008, eq. 3). Default 1 (see {@link FactorFoldIn}).
   */
  alpha?: number;
  /** λ: the ridge, as a multiple of the item Gram matrix's mean diagonal. Default 0.1. */
  lambda?: number;
}

/**
 * Fold-in for a dot-product model (`dotProductFactors`: BPR, PMF, GMF, NMTR-GMF, …): the
 * item factors stay fixed and a new user's vector x is solved in closed form from the
 * items they gave, as implicit-feedback ALS solves one user's row (Hu et al. 2008, eq. 4):
 *
 *   x = (Q̃ᵀQ̃ + α Σ_{i∈S} q̃_i q̃_iᵀ + λ I)⁻¹ (1 + α) Σ_{i∈S} q̃_i,
 *
 * with q̃_i = h ⊙ q_i (GMF's output weights h, all ones otherwise), so that the model's own
 * score ⟨x ⊙ h, q_i⟩ + b_i ranks the catalogue for that user.
 *
 * Why this and not the model's own loss: BPR's or NCF's objective for one user with the items
 * fixed has no closed form, and a few SGD steps per request would make the answer depend on
 * a step size and a seed. The least-squares fit is deterministic, costs one d × d solve, and
 * needs only the factors every such model already has; the item biases b are left out of the
 * fit and added back when ranking.
 *
 * α and λ were chosen on validation, never on test: BPR (the registry's defaults, 20 epochs)
 * trained on ml-100k's training rows minus each user's last one, each user folded in from the
 * rest and ranked for that last row; grid α ∈ {1, 5, 20, 50} × λ ∈ {0.1, 0.3, 1, 3, 10}, best
 * NDCG@10 at α 1, λ 0.1 (0.080, against 0.067 from the users' own trained rows). Numbers and
 * the command in `docs/serving.md`.
 *
 * @example
 * ```ts
 * const foldIn = await FactorFoldIn.of(model);
 * const x = foldIn!.solve([Int32Array.of(12, 50, 181)]); // one user vector of d
 * ```
 */
export class FactorFoldIn {
  /** d: the width of a user vector. */
  readonly dim: number;
  readonly numItems: number;
  readonly alpha: number;
  /** The absolute ridge (λ times the Gram matrix's mean diagonal). */
  readonly ridge: number;
  /** q̃ rows, f64 `[numItems · d]`. */
  readonly #rows: Float64Array;
  /** Q̃ᵀQ̃, f64 `[d · d]`. */
  readonly #gram: Float64Array;

  private constructor(rows: Float64Array, numItems: number, dim: number, options: FoldInOptions) {
    const alpha = options.alpha ?? 1;
    const lambda = options.lambda ?? 0.1;
    if (!(Number.isFinite(alpha) && alpha >= 0)) throw new Error(`fold-in: alpha must be a finite number ≥ 0, got ${alpha}`);
    if (!(Number.isFinite(lambda) && lambda > 0)) throw new Error(`fold-in: lambda must be a finite number > 0, got ${lambda}`);
    this.dim = dim;
    this.numItems = numItems;
    this.alpha = alpha;
    this.#rows = rows;
    const gram = new Float64Array(dim * dim);
    for (let i = 0; i < numItems; i++) addOuter(gram, rows, i * dim, dim, 1);
    this.#gram = gram;
    let trace = 0;
    for (let a = 0; a < dim; a++) trace += gram[a * dim + a]!;
    this.ridge = lambda * Math.max(trace / dim, Number.MIN_VALUE);
  }

  /**
   * The fold-in of `model`, or undefined when it scores otherwise (no dot-product factors).
   * Cost: one host copy of the item table and a Gram matrix (numItems · d² multiply-adds).
   */
  static async of(model: Predictor, options: FoldInOptions = {}): Promise<FactorFoldIn | undefined> {
    const f = await hostFactors(model);
    if (!f) return undefined;
    return new FactorFoldIn(weightedRows(f.items, f.userWeights, f.numItems, f.dim), f.numItems, f.dim, options);
  }

  /**
   * One user vector per history (item indexes; order does not matter), f32 `[histories.length · d]`:
   * what `topKOfVectors` ranks with the model's factors.
   * @throws Error when a history is empty or holds an index outside 0 … numItems − 1.
   */
  solve(histories: readonly Int32Array[]): Float32Array {
    const d = this.dim;
    const out = new Float32Array(histories.length * d);
    histories.forEach((history, b) => {
      if (history.length === 0) throw new Error('fold-in: a new user needs at least one item');
      const a = this.#gram.slice();
      const rhs = new Float64Array(d);
      for (const i of history) {
        if (!(Number.isInteger(i) && i >= 0 && i < this.numItems)) throw new Error(`fold-in: item index ${i} is outside 0..${this.numItems - 1}`);
        addOuter(a, this.#rows, i * d, d, this.alpha);
        for (let c = 0; c < d; c++) rhs[c]! += (1 + this.alpha) * this.#rows[i * d + c]!;
      }
      for (let c = 0; c < d; c++) a[c * d + c]! += this.ridge;
      out.set(choleskySolve(a, rhs, d), b * d);
    });
    return out;
  }
}

/** q̃ = h ⊙ q per row, in f64. */
function weightedRows(items: Float32Array, weights: Float32Array | undefined, numItems: number, dim: number): Float64Array {
  const rows = new Float64Array(numItems * dim);
  for (let i = 0; i < numItems; i++) {
    for (let c = 0; c < dim; c++) rows[i * dim + c] = items[i * dim + c]! * (weights ? weights[c]! : 1);
  }
  return rows;
}

/** a += w · r rᵀ for the row r = rows[at … at + d). */
function addOuter(a: Float64Array, rows: Float64Array, at: number, d: number, w: number): void {
  for (let p = 0; p < d; p++) {
    const rp = w * rows[at + p]!;
    if (rp === 0) continue;
    for (let q = 0; q < d; q++) a[p * d + q]! += rp * rows[at + q]!;
  }
}

/** x with A x = b for a symmetric positive definite A (row-major d × d), by Cholesky. */
function choleskySolve(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error('fold-in: the system is not positive definite (non-finite item factors?)');
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / l[j * d + j]!;
      }
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * d + k]! * y[k]!;
    y[i] = sum / l[i * d + i]!;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < d; k++) sum -= l[k * d + i]! * x[k]!;
    x[i] = sum / l[i * d + i]!;
  }
  return x;
}

/**
 * Each item's nearest items by cosine between item vectors: a dot-product model's
 * q̃ = h ⊙ q rows, else the model's `itemEmbeddings` (a sequence model's shared table).
 * The unit rows live on the model's backend and rank through `rank_topk`.
 * @example
 * ```ts
 * const neighbours = await ItemNeighbours.of(model);
 * const [top] = await neighbours!.similar(Int32Array.of(50), 10); // item 50 itself left out
 * ```
 */
export class ItemNeighbours {
  /** The unit rows on the host. */
  readonly #host: Float32Array;

  private constructor(
    /** Unit rows `[numItems, d]` on the model's backend (a zero vector stays zero). */
    readonly unitRows: Tensor,
    host: Float32Array,
  ) {
    this.#host = host;
  }

  get numItems(): number {
    return this.unitRows.shape[0]!;
  }

  /** The neighbours of `model`'s items, or undefined when it has no item vectors. */
  static async of(model: Predictor): Promise<ItemNeighbours | undefined> {
    const f = await hostFactors(model);
    const read = f ?? (await hostEmbeddings(model));
    if (!read) return undefined;
    const { numItems, dim } = read;
    const rows = weightedRows(read.items, f?.userWeights, numItems, dim);
    const unit = new Float32Array(numItems * dim);
    for (let i = 0; i < numItems; i++) {
      let norm = 0;
      for (let c = 0; c < dim; c++) norm += rows[i * dim + c]! ** 2;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let c = 0; c < dim; c++) unit[i * dim + c] = rows[i * dim + c]! * scale;
    }
    return new ItemNeighbours(tensor(unit, [numItems, dim], { backend: read.backend }), unit);
  }

  /**
   * The `k` items most similar to each of `items` (cosine, best first), each item itself left
   * out; ties go to the lower index.
   * @throws Error when an index is outside 0 … numItems − 1 or `k` is not a positive integer.
   */
  async similar(items: Int32Array, k: number): Promise<TopK[]> {
    const d = this.unitRows.shape[1]!;
    const queries = new Float32Array(items.length * d);
    items.forEach((i, b) => {
      if (!(Number.isInteger(i) && i >= 0 && i < this.numItems)) throw new Error(`similar items: item index ${i} is outside 0..${this.numItems - 1}`);
      queries.set(this.#host.subarray(i * d, (i + 1) * d), b * d);
    });
    return topKOfVectors(queries, () => ({ items: this.unitRows }), k, Array.from(items, (i) => Int32Array.of(i)));
  }

  /** Frees the unit rows on the backend. */
  dispose(): void {
    this.unitRows.dispose();
  }
}

/** A host copy of `model`'s `itemEmbeddings`, or undefined when it has none. */
async function hostEmbeddings(model: Predictor): Promise<Pick<HostFactors, 'numItems' | 'dim' | 'backend' | 'items'> | undefined> {
  if (typeof model.itemEmbeddings !== 'function') return undefined;
  const read = tidy(() => {
    const table = model.itemEmbeddings!();
    const [numItems, dim] = table.shape as [number, number];
    return { numItems, dim, backend: table.backend, items: hostCopy(table) };
  });
  return { ...read, items: (await read.items) as Float32Array };
}
