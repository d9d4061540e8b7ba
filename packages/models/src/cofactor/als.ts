/**
 * The numerics of CoFactor (Liang, Altosaar, Charlin & Blei, "Factorization Meets the
 * Item Embedding: Regularizing Matrix Factorization with Item Co-occurrence", RecSys
 * 2016): the item co-occurrence counts and their SPPMI matrix (§2.2), the objective
 * (§2.3) and its closed-form alternating least squares (§2.4), in plain loops over
 * Float64Array. d is small (MRLR §4.1: d = 10), so each d × d system is solved by a
 * hand-written Cholesky factorisation.
 */

/** A sparse matrix in CSR form: row r's columns are `indices[indptr[r] … indptr[r+1])`, ascending. */
export interface CsrMatrix {
  readonly numRows: number;
  readonly numCols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  /** The values, aligned with `indices` (absent: every stored entry is 1). */
  readonly values?: Float64Array;
}

/**
 * The transpose of `m` (columns become rows, ascending within a row), values carried along.
 * @example
 * ```ts
 * const itemUsers = transposeCsr({ numRows: 2, numCols: 3, indptr: Int32Array.of(0, 2, 3), indices: Int32Array.of(0, 2, 2) });
 * itemUsers.indptr; // [0, 1, 1, 3]
 * ```
 */
export function transposeCsr(m: CsrMatrix): CsrMatrix {
  const indptr = new Int32Array(m.numCols + 1);
  for (let k = 0; k < m.indices.length; k++) indptr[m.indices[k] + 1]++;
  for (let c = 0; c < m.numCols; c++) indptr[c + 1] += indptr[c];
  const fill = indptr.slice(0, m.numCols);
  const indices = new Int32Array(m.indices.length);
  const values = m.values ? new Float64Array(m.indices.length) : undefined;
  for (let r = 0; r < m.numRows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) {
      const at = fill[m.indices[k]]++;
      indices[at] = r;
      if (values) values[at] = m.values![k];
    }
  }
  return { numRows: m.numCols, numCols: m.numRows, indptr, indices, ...(values ? { values } : {}) };
}

/**
 * The item co-occurrence counts #(i, j) (CoFactor §2.2): the number of users whose
 * history holds both i and j, i ≠ j, counting every pair of a user's items (the whole
 * consumption history is the context, as their released code builds it from all ordered
 * pairs of each user's items). Symmetric, no diagonal. Cost O(Σ_u n_u²) time, O(nnz + items) memory.
 *
 * @param userItems - users × items, each row's items distinct.
 * @example
 * ```ts
 * const counts = itemCooccurrence({ numRows: 2, numCols: 3, indptr: Int32Array.of(0, 2, 4), indices: Int32Array.of(0, 1, 0, 1) });
 * counts.values; // #(0, 1) = #(1, 0) = 2
 * ```
 */
export function itemCooccurrence(userItems: CsrMatrix): CsrMatrix {
  const numItems = userItems.numCols;
  const itemUsers = transposeCsr(userItems);
  const count = new Float64Array(numItems);
  const touched: number[] = [];
  const indptr = new Int32Array(numItems + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < numItems; i++) {
    for (let a = itemUsers.indptr[i]; a < itemUsers.indptr[i + 1]; a++) {
      const u = itemUsers.indices[a];
      for (let b = userItems.indptr[u]; b < userItems.indptr[u + 1]; b++) {
        const j = userItems.indices[b];
        if (j === i) continue;
        if (count[j] === 0) touched.push(j);
        count[j]++;
      }
    }
    touched.sort((x, y) => x - y);
    for (const j of touched) {
      indices.push(j);
      values.push(count[j]);
      count[j] = 0;
    }
    touched.length = 0;
    indptr[i + 1] = indices.length;
  }
  return { numRows: numItems, numCols: numItems, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

/**
 * The shifted positive PMI matrix (CoFactor §2.2, after Levy & Goldberg 2014):
 *
 *   PMI(i, j) = log( #(i, j) · D / (#(i) · #(j)) ),   SPPMI(i, j) = max(PMI(i, j) − log k, 0)
 *
 * with #(i) = Σ_j #(i, j) and D = Σ_ij #(i, j); entries that come out 0 are dropped, so the
 * result's stored entries are the m_ij ≠ 0 CoFactor's objective sums over.
 *
 * @param counts - {@link itemCooccurrence}'s counts.
 * @param k - the shift: SGNS's number of negatives (k = 1 is the unshifted PPMI, their
 *   released code's setting).
 * @throws Error when k is not ≥ 1.
 * @example
 * ```ts
 * const m = sppmi(itemCooccurrence(userItems), 1);
 * ```
 */
export function sppmi(counts: CsrMatrix, k: number): CsrMatrix {
  if (!(k >= 1)) throw new Error(`sppmi: the shift k must be ≥ 1 (log k ≥ 0), got ${k}`);
  const values = counts.values ?? new Float64Array(counts.indices.length).fill(1);
  const rowSum = new Float64Array(counts.numRows);
  let total = 0;
  for (let i = 0; i < counts.numRows; i++) {
    for (let a = counts.indptr[i]; a < counts.indptr[i + 1]; a++) rowSum[i] += values[a];
    total += rowSum[i];
  }
  const shift = Math.log(k);
  const indptr = new Int32Array(counts.numRows + 1);
  const indices: number[] = [];
  const kept: number[] = [];
  for (let i = 0; i < counts.numRows; i++) {
    for (let a = counts.indptr[i]; a < counts.indptr[i + 1]; a++) {
      const j = counts.indices[a];
      const value = Math.log((values[a] * total) / (rowSum[i] * rowSum[j])) - shift;
      if (value > 0) {
        indices.push(j);
        kept.push(value);
      }
    }
    indptr[i + 1] = indices.length;
  }
  return { numRows: counts.numRows, numCols: counts.numCols, indptr, indices: Int32Array.from(indices), values: Float64Array.from(kept) };
}

/**
 * Solves A x = b for a symmetric positive definite d × d `a` (row-major) by Cholesky
 * (A = L Lᵀ, then two triangular solves), writing x into `out` at `offset`. Only the lower
 * triangle of `a` is read (the upper may hold anything); `a` and `b` are overwritten (L
 * and the intermediate y). When A is not numerically positive
 * definite (a context item with fewer SPPMI entries than d and λ_γ = 0), the diagonal is
 * raised by 10⁻¹⁰·max(1, max Aᵢᵢ) and the factorisation retried, ten-fold more each time.
 *
 * @example
 * ```ts
 * const x = new Float64Array(2);
 * solveSymmetric(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 1), 2, x, 0); // x = [0.5, 0]
 * ```
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, d: number, out: Float64Array, offset: number): void {
  if (spare.length < d * d) spare = new Float64Array(d * d);
  const original = spare.subarray(0, d * d);
  original.set(a.subarray(0, d * d));
  let jitter = 0;
  let scale = 1;
  for (let i = 0; i < d; i++) scale = Math.max(scale, Math.abs(original[i * d + i]));
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      a.set(original);
      jitter = jitter === 0 ? 1e-10 * scale : jitter * 10;
      for (let i = 0; i < d; i++) a[i * d + i] += jitter;
    }
    if (choleskyInPlace(a, d)) break;
    if (attempt > 12) throw new Error('solveSymmetric: the system is not positive definite even with a diagonal jitter (NaN or infinite factors?)');
  }
  // L y = b, then Lᵀ x = y.
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= a[i * d + k] * b[k];
    b[i] = s / a[i * d + i];
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < d; k++) s -= a[k * d + i] * b[k];
    b[i] = s / a[i * d + i];
  }
  for (let i = 0; i < d; i++) out[offset + i] = b[i];
}

/** A copy of the system being factorised, kept for a retry with jitter (grown on demand). */
let spare = new Float64Array(0);

/** Overwrites the lower triangle of `a` with L (A = L Lᵀ); false when a pivot is not positive. */
function choleskyInPlace(a: Float64Array, d: number): boolean {
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let k = 0; k < j; k++) s -= a[j * d + k] * a[j * d + k];
    if (!(s > 0)) return false;
    const pivot = Math.sqrt(s);
    a[j * d + j] = pivot;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let k = 0; k < j; k++) t -= a[i * d + k] * a[j * d + k];
      a[i * d + j] = t / pivot;
    }
  }
  return true;
}

/** The hyper-parameters of CoFactor's objective (§2.3). */
export interface CoFactorWeights {
  /** Confidence c_ui of an unobserved click (y = 0). */
  readonly c0: number;
  /** Confidence of an observed click (y = 1); > c0. */
  readonly c1: number;
  readonly lambdaTheta: number;
  readonly lambdaBeta: number;
  readonly lambdaGamma: number;
}

/** CoFactor's parameters, row-major: θ `[users, d]`, β and γ `[items, d]`, the biases w and c `[items]`. */
export interface CoFactorFactors {
  readonly theta: Float64Array;
  readonly beta: Float64Array;
  readonly gamma: Float64Array;
  readonly w: Float64Array;
  readonly c: Float64Array;
}

/**
 * CoFactor's alternating least squares (§2.4): each step sets one block of parameters to
 * the exact minimiser of the objective given the others, so the objective never increases.
 *
 *   L = Σ_ui c_ui (y_ui − θ_uᵀβ_i)² + Σ_{m_ij ≠ 0} (m_ij − β_iᵀγ_j − w_i − c_j)²
 *       + λ_θ Σ_u ‖θ_u‖² + λ_β Σ_i ‖β_i‖² + λ_γ Σ_j ‖γ_j‖²
 *
 *   θ_u = (c0 BᵀB + (c1 − c0) Σ_{i∈u} β_iβ_iᵀ + λ_θ I)⁻¹ c1 Σ_{i∈u} β_i
 *   β_i = (c0 ΘᵀΘ + (c1 − c0) Σ_{u∋i} θ_uθ_uᵀ + Σ_{j: m_ij≠0} γ_jγ_jᵀ + λ_β I)⁻¹
 *         (c1 Σ_{u∋i} θ_u + Σ_{j: m_ij≠0} (m_ij − w_i − c_j) γ_j)
 *   γ_j = (Σ_{i: m_ij≠0} β_iβ_iᵀ + λ_γ I)⁻¹ Σ_{i: m_ij≠0} (m_ij − w_i − c_j) β_i
 *   w_i = mean_{j: m_ij≠0} (m_ij − β_iᵀγ_j − c_j),  c_j = mean_{i: m_ij≠0} (m_ij − β_iᵀγ_j − w_i)
 *
 * The weighted-MF part uses Hu, Koren & Volinsky's (ICDM 2008) identity
 * Bᵀ C_u B = c0 BᵀB + (c1 − c0) Σ_{i∈u} β_iβ_iᵀ, so a sweep costs O(nnz · d² + d³ · (users + items))
 * rather than touching every (u, i). The biases are unregularised, as in the paper's objective; the
 * released code's extra global bias α is not in the paper's objective and is left out.
 * A user, item or context with no entries gets the zero vector (the minimiser of its
 * prior alone).
 *
 * @example
 * ```ts
 * const als = new CoFactorALS(userItems, sppmi(itemCooccurrence(userItems), 1), factors, 10, weights);
 * als.updateUsers(); als.updateItems(); als.updateContexts(); als.updateBiases();
 * als.objective();
 * ```
 */
export class CoFactorALS {
  readonly itemUsers: CsrMatrix;
  readonly #a: Float64Array;
  readonly #b: Float64Array;
  readonly #gram: Float64Array;

  /**
   * @param userItems - the click matrix Y (users × items, y = 1 on the stored entries).
   * @param m - the SPPMI matrix (items × items, symmetric), only its non-zero entries stored.
   * @param factors - the parameters, updated in place.
   * @param dim - d.
   */
  constructor(readonly userItems: CsrMatrix, readonly m: CsrMatrix, readonly factors: CoFactorFactors, readonly dim: number, readonly weights: CoFactorWeights) {
    const { c0, c1 } = weights;
    if (!(c0 >= 0 && c1 > c0)) throw new Error(`CoFactorALS: the confidences must satisfy 0 ≤ c0 < c1, got c0 = ${c0}, c1 = ${c1}`);
    if (m.numRows !== userItems.numCols || m.numCols !== userItems.numCols) throw new Error(`CoFactorALS: the SPPMI matrix is ${m.numRows} × ${m.numCols}, expected items × items = ${userItems.numCols}²`);
    this.itemUsers = transposeCsr(userItems);
    this.#a = new Float64Array(dim * dim);
    this.#b = new Float64Array(dim);
    this.#gram = new Float64Array(dim * dim);
  }

  /** θ_u for every user, given β. */
  updateUsers(): void {
    const { c0, c1, lambdaTheta } = this.weights;
    const { theta, beta } = this.factors;
    this.#weightedGram(beta, this.userItems.numCols, c0, lambdaTheta);
    this.#solveRows(this.userItems, theta, beta, c1 - c0, c1, () => undefined);
  }

  /** β_i for every item, given θ, γ and the biases. */
  updateItems(): void {
    const { c0, c1, lambdaBeta } = this.weights;
    const { theta, beta, gamma, w, c } = this.factors;
    const d = this.dim;
    const m = this.m;
    this.#weightedGram(theta, this.userItems.numRows, c0, lambdaBeta);
    this.#solveRows(this.itemUsers, beta, theta, c1 - c0, c1, (i, a, b) => {
      for (let k = m.indptr[i]; k < m.indptr[i + 1]; k++) {
        const j = m.indices[k];
        const residual = m.values![k] - w[i] - c[j];
        addOuterLower(a, gamma, j * d, d, 1);
        for (let f = 0; f < d; f++) b[f] += residual * gamma[j * d + f];
      }
    });
  }

  /** γ_j for every context item, given β and the biases (M is symmetric: column j = row j). */
  updateContexts(): void {
    const { lambdaGamma } = this.weights;
    const { beta, gamma, w, c } = this.factors;
    const d = this.dim;
    const m = this.m;
    const a = this.#a;
    const b = this.#b;
    for (let j = 0; j < m.numRows; j++) {
      if (m.indptr[j] === m.indptr[j + 1]) {
        gamma.fill(0, j * d, (j + 1) * d);
        continue;
      }
      a.fill(0);
      b.fill(0);
      for (let f = 0; f < d; f++) a[f * d + f] = lambdaGamma;
      for (let k = m.indptr[j]; k < m.indptr[j + 1]; k++) {
        const i = m.indices[k];
        const residual = m.values![k] - w[i] - c[j];
        addOuterLower(a, beta, i * d, d, 1);
        for (let f = 0; f < d; f++) b[f] += residual * beta[i * d + f];
      }
      solveSymmetric(a, b, d, gamma, j * d);
    }
  }

  /** w_i, then c_j, each the mean residual of its SPPMI entries (0 when it has none). */
  updateBiases(): void {
    const { beta, gamma, w, c } = this.factors;
    const d = this.dim;
    const m = this.m;
    for (let i = 0; i < m.numRows; i++) {
      const lo = m.indptr[i];
      const hi = m.indptr[i + 1];
      let s = 0;
      for (let k = lo; k < hi; k++) s += m.values![k] - dot(beta, i * d, gamma, m.indices[k] * d, d) - c[m.indices[k]];
      w[i] = hi > lo ? s / (hi - lo) : 0;
    }
    for (let j = 0; j < m.numRows; j++) {
      const lo = m.indptr[j];
      const hi = m.indptr[j + 1];
      let s = 0;
      for (let k = lo; k < hi; k++) s += m.values![k] - dot(beta, m.indices[k] * d, gamma, j * d, d) - w[m.indices[k]];
      c[j] = hi > lo ? s / (hi - lo) : 0;
    }
  }

  /** One sweep: users, items, contexts, biases (the order of their code). */
  step(): void {
    this.updateUsers();
    this.updateItems();
    this.updateContexts();
    this.updateBiases();
  }

  /**
   * L (§2.3). The sum over all (u, i) is c0 · tr(ΘᵀΘ · BᵀB) plus, on the observed
   * clicks, c1 (1 − s)² − c0 s² (s = θ_uᵀβ_i): O(nnz · d + (users + items) · d²).
   */
  objective(): number {
    const { c0, c1, lambdaTheta, lambdaBeta, lambdaGamma } = this.weights;
    const { theta, beta, gamma, w, c } = this.factors;
    const d = this.dim;
    const U = this.userItems.numRows;
    const I = this.userItems.numCols;
    const tt = gramOf(theta, U, d);
    const bb = gramOf(beta, I, d);
    let loss = 0;
    for (let k = 0; k < d * d; k++) loss += c0 * tt[k] * bb[k];
    const y = this.userItems;
    for (let u = 0; u < U; u++) {
      for (let k = y.indptr[u]; k < y.indptr[u + 1]; k++) {
        const s = dot(theta, u * d, beta, y.indices[k] * d, d);
        loss += c1 * (1 - s) * (1 - s) - c0 * s * s;
      }
    }
    const m = this.m;
    for (let i = 0; i < m.numRows; i++) {
      for (let k = m.indptr[i]; k < m.indptr[i + 1]; k++) {
        const j = m.indices[k];
        const r = m.values![k] - dot(beta, i * d, gamma, j * d, d) - w[i] - c[j];
        loss += r * r;
      }
    }
    return loss + lambdaTheta * squaredNorm(theta) + lambdaBeta * squaredNorm(beta) + lambdaGamma * squaredNorm(gamma);
  }

  /** #gram = scale · XᵀX + λ I over the `rows` rows of `x`. */
  #weightedGram(x: Float64Array, rows: number, scale: number, lambda: number): void {
    const d = this.dim;
    const g = gramOf(x, rows, d);
    for (let k = 0; k < d * d; k++) this.#gram[k] = scale * g[k];
    for (let f = 0; f < d; f++) this.#gram[f * d + f] += lambda;
  }

  /**
   * For each row r of `rows` (r's observed columns): solves
   * (#gram + extraScale Σ x_k x_kᵀ + more) out_r = targetScale Σ x_k + more, where
   * `more` adds the SPPMI part of the item update.
   */
  #solveRows(rows: CsrMatrix, out: Float64Array, x: Float64Array, extraScale: number, targetScale: number, more: (r: number, a: Float64Array, b: Float64Array) => void): void {
    const d = this.dim;
    const a = this.#a;
    const b = this.#b;
    for (let r = 0; r < rows.numRows; r++) {
      a.set(this.#gram);
      b.fill(0);
      for (let k = rows.indptr[r]; k < rows.indptr[r + 1]; k++) {
        const at = rows.indices[k] * d;
        addOuterLower(a, x, at, d, extraScale);
        for (let f = 0; f < d; f++) b[f] += targetScale * x[at + f];
      }
      more(r, a, b);
      let any = false;
      for (let f = 0; f < d; f++) any ||= b[f] !== 0;
      if (!any) out.fill(0, r * d, (r + 1) * d); // the right-hand side is 0: so is the solution.
      else solveSymmetric(a, b, d, out, r * d);
    }
  }
}

/** a += scale · x_r x_rᵀ for the row of `x` at `at`. */
function addOuter(a: Float64Array, x: Float64Array, at: number, d: number, scale: number): void {
  for (let f = 0; f < d; f++) {
    const xf = scale * x[at + f];
    for (let g = 0; g < d; g++) a[f * d + g] += xf * x[at + g];
  }
}

/** The lower triangle (g ≤ f) of a += scale · x_r x_rᵀ: all {@link solveSymmetric} reads, half the work. */
function addOuterLower(a: Float64Array, x: Float64Array, at: number, d: number, scale: number): void {
  for (let f = 0; f < d; f++) {
    const xf = scale * x[at + f];
    for (let g = 0; g <= f; g++) a[f * d + g] += xf * x[at + g];
  }
}

function dot(x: Float64Array, xAt: number, y: Float64Array, yAt: number, d: number): number {
  let s = 0;
  for (let f = 0; f < d; f++) s += x[xAt + f] * y[yAt + f];
  return s;
}

function gramOf(x: Float64Array, rows: number, d: number): Float64Array {
  const g = new Float64Array(d * d);
  for (let r = 0; r < rows; r++) addOuter(g, x, r * d, d, 1);
  return g;
}

function squaredNorm(x: Float64Array): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k] * x[k];
  return s;
}
