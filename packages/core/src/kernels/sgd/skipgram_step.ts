/**
 * `skipgram_step`: one fused skip-gram-with-negative-sampling SGD pass
 * (Mikolov et al. 2013b) over a batch of (context, target) pairs, in place —
 * with MRLR's context, a weighted sum of two rows (Sun et al., "Multi-level
 * representation learning for ranking", §3.2 Eq. 5 and §3.5 Eq. 9), and
 * output vectors that may include a category term (§3.4 Eq. 7).
 *
 *   for each example e, in batch order:
 *     c = α1·a_{ctxA[e]} + α2·b_{ctxB[e]}                     (context, read once)
 *     for j in [target_e, neg_e1 … neg_eN], label y = 1 for the target, 0 otherwise:
 *       C_j = extraIndices[extraIndptr[j] … extraIndptr[j+1])   (the output row's categories; empty without an extra table)
 *       m_j = β / |C_j|
 *       t_j = w_j + m_j·Σ_{l∈C_j} x_l          (t_j = w_j when C_j is empty)
 *       s = c·t_j,  g = y − σ(s)
 *       ĉ += g·t_j                            (the context's gradient, applied after the loop)
 *       w_j ← w_j + lr·(g·c − λ·w_j)
 *       for l in C_j, in list order:  x_l ← x_l + lr·(g·m_j·c − λ·x_l)
 *       loss += −ln σ(s) if y = 1, −ln σ(−s) otherwise   (s before the row's update)
 *     a ← a + lr·(α1·ĉ − λ·a),  b ← b + lr·(α2·ĉ − λ·b)
 *     (with α2 = 0 and λ = 0, b is neither read nor written: its update would add 0, c = α1·a)
 *   returns the loss summed over the N + 1 terms, averaged over the examples
 *
 * This is ascent on log σ(c·t) + Σ log σ(−c·n) (the paper's Eq. 9), the
 * word2vec update order: output rows update one after the other (a negative
 * drawn twice sees its first update), the context rows once at the end. In
 * MRLR, a = user table (α1), b = item input table (α2 = 1 − α1), w = item
 * output table, x = category table with β = α3: t_j is Eq. 7's multi-level item
 * vector v_j + α3/|C_j|·Σ c_l over the item's categories, in CSR form. With
 * α2 = 0 it is plain word2vec/item2vec skip-gram.
 *
 * Layouts and dtypes: inputs `[contextA f32 [Ra, d], contextB f32 [Rb, d],
 * output f32 [Ro, d], ctxA i32 [b], ctxB i32 [b], targets i32 [b], negatives
 * i32 [b, N]]`, optionally followed by `[extra f32 [Rx, d], extraIndptr i32
 * [Ro + 1], extraIndices i32 [nnz]]`: output row j's extra rows are
 * extraIndices[extraIndptr[j] … extraIndptr[j + 1]) (indptr non-decreasing from
 * 0 to nnz; an empty range = no extra row). All three/four tables are updated
 * in place and must be distinct tensors. Output: loss f32 [1].
 *
 * Numerics, in f32 so that native runs as 8-wide vectors and still equals this
 * reference bit for bit (`exact_f32.ts`): c = α1·a + α2·b; t_j = w_j + m_j·Σ x_l
 * (Σ per column from 0 in list order, then ·m_j with m_j = β/|C_j| rounded to f32,
 * then + w_j); s = c·t_j in the fixed eight-lane order; σ and the loss term from
 * one z = e^−|s| (Cephes' expf, a ln(1 + z) polynomial); every row update in the
 * algebraically equal form θ ← (1 − lr·λ)·θ + (lr·g)·∂ (with lr·g·m_j for x_l and
 * lr·α for a and b, each factor rounded to f32 first); every product and sum
 * rounded to f32. The loss: each example's N + 1 terms summed in f64, then the
 * examples in batch order. (Until 2026-12-07 each example ran in f64 with the
 * sums sequential and Math.exp, a fraction of the rate natively.)
 *
 * Threading: by default native runs a dependency-ordered schedule (an example
 * waits for the last earlier example that touched one of its rows: a, b, its
 * output rows, their extra rows), so every row gets its updates in batch
 * order and the result equals this reference bit for bit at any thread count.
 * `hogwild: true` lets native update rows without locks or order (as word2vec
 * does): faster on several threads, not reproducible. js and webgpu always
 * run the examples in order; for them the attribute changes nothing.
 *
 * Parts (attribute `parts`, with the category table): as `bpr_step`'s — with P ≥ 2 the
 * examples are dealt to P parts in chunks of 64, each with its own copy of the category
 * rows, merged at the end (`category_parts.ts`); a, b and the output rows keep batch order.
 * P = 1 (the default) is the serial semantics above.
 *
 * @see Mikolov, Sutskever, Chen, Corrado & Dean 2013, "Distributed
 *   Representations of Words and Phrases and their Compositionality", §2.2.
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { CategoryParts, checkPartsAttr, effectiveParts } from './category_parts.js';
import { dot8, extraUpdates, extraVector, logisticParts } from './exact_f32.js';

const fround = Math.fround;

/**
 * Attributes of `skipgram_step`.
 *
 * @example
 * ```ts
 * const attrs: SkipgramStepAttrs = { alpha1: 0.5, alpha2: 0.5, extraWeight: 0.3, lr: 0.025, reg: 0 };
 * ```
 */
export interface SkipgramStepAttrs {
  /** α1: weight of the contextA row in the context vector (MRLR's user weight). */
  alpha1: number;
  /** α2: weight of the contextB row (MRLR's item weight; 0 for plain skip-gram). */
  alpha2: number;
  /** β: weight of the extra (category) row added to an output row (MRLR's α3); ignored without an extra table. */
  extraWeight: number;
  /** Learning rate > 0. */
  lr: number;
  /** λ ≥ 0: L2 on every touched row. */
  reg: number;
  /**
   * Native on several threads: `true` runs Hogwild (rows updated without
   * locks, the result depends on timing); `false` (default) keeps batch order
   * per row, bit-identical to this reference. js and webgpu are serial: ignored there.
   */
  hogwild?: boolean;
  /**
   * Native only: `true` runs the f32 variant — c, ĉ, t and s in f32, σ and softplus
   * from one e^−|s| (a ≤ 2-ulp polynomial); an example without categories whose N + 1
   * output rows are distinct computes its dot products before its updates (none can see
   * another's update then), any other keeps this reference's row order. About 2× faster
   * on one thread; within f32 rounding of this reference, not bit-equal; still
   * deterministic (same inputs, same order → same bits, at any thread count when
   * `hogwild` is off).
   * js computes this reference and webgpu its f32 version whatever the value.
   */
  fast?: boolean;
  /**
   * With the extra (category) table and `hogwild` off: the number of parts whose own copies
   * of the category rows the examples use, merged at the end (`category_parts.ts`); an
   * integer from 1 (default: one shared table, the serial semantics) to 64. The result
   * depends on it on every backend; native runs the parts on its threads, so a caller passes
   * its thread count. Ignored without the category table or with `hogwild`.
   */
  parts?: number;
}

/**
 * The declaration of `skipgram_step` (family `sgd`).
 *
 * @example
 * ```ts
 * console.log(skipgramStepSpec.summary);
 * ```
 */
export const skipgramStepSpec = declareKernel({
  id: 'skipgram_step',
  family: 'sgd',
  summary: 'per pair: c = α1·a + α2·b; SGNS ascent on ln σ(c·t) + Σ ln σ(−c·n) with t = w + β·x — in place; returns mean loss',
  check: checkSkipgramStepInputs,
});

/** Sizes of a `skipgram_step` call. */
export interface SkipgramStepSizes {
  /** Width d. */
  dim: number;
  /** Examples b. */
  batch: number;
  /** Negatives per example N. */
  negatives: number;
  /** Whether the extra (category) table is given. */
  hasExtra: boolean;
}

/**
 * Checks the boolean attributes of `skipgram_step` (`hogwild`, `fast`), and those of
 * `skipgram_sample_step` under its name.
 *
 * @example
 * ```ts
 * checkSkipgramStepFlags({ alpha1: 1, alpha2: 0, extraWeight: 0, lr: 0.025, reg: 0, fast: true });
 * ```
 */
export function checkSkipgramStepFlags(attrs: SkipgramStepAttrs, K = 'skipgram_step'): void {
  for (const flag of ['hogwild', 'fast'] as const) {
    const v = attrs[flag];
    if (v !== undefined && typeof v !== 'boolean') throw new Error(`${K}: attribute ${flag} must be true or false, got ${String(v)}`);
  }
  checkPartsAttr(K, attrs.parts);
}

/**
 * The rule of `skipgram_step` (its spec's `check`, run by `runKernel` on every backend): the
 * input count, the tables' and ids' dtypes and shapes, the category map's shapes and the
 * flags. It reads no tensor data; the ids and the touched rows' category lists are
 * {@link checkSkipgramStepIds}' part. Returns the call's sizes.
 *
 * @example
 * ```ts
 * const { dim, negatives } = checkSkipgramStepInputs([U, V, Vout, users, items, targets, negs], attrs);
 * ```
 */
export function checkSkipgramStepInputs(inputs: readonly Tensor[], attrs: SkipgramStepAttrs): SkipgramStepSizes {
  const K = 'skipgram_step';
  checkSkipgramStepFlags(attrs);
  if (inputs.length !== 7 && inputs.length !== 10) {
    throw new Error(`${K}: expected 7 inputs [contextA, contextB, output, ctxA, ctxB, targets, negatives] and optionally [extra, extraIndptr, extraIndices], got ${inputs.length}`);
  }
  const negs = inputs[6];
  const hasExtra = inputs.length === 10;
  const { dim, batch } = checkSkipgramShapes(K, inputs.slice(0, 6), hasExtra ? inputs[7] : undefined);
  if (negs.dtype !== 'i32' || negs.shape.length !== 2 || negs.shape[0] !== batch) throw new Error(`${K}: negatives must be i32 [${batch}, N], got ${negs.dtype} [${negs.shape.join(', ')}]`);
  if (hasExtra) checkExtraShapes(K, inputs[8], inputs[9], inputs[2].shape[0]);
  return { dim, batch, negatives: negs.shape[1], hasExtra };
}

/**
 * The sizes of a `skipgram_step` call whose inputs passed {@link checkSkipgramStepInputs}.
 *
 * @example
 * ```ts
 * const { dim, batch, negatives, hasExtra } = skipgramStepSizes(inputs);
 * ```
 */
export function skipgramStepSizes(inputs: readonly Tensor[]): SkipgramStepSizes {
  return { dim: inputs[0].shape[1], batch: inputs[3].shape[0], negatives: inputs[6].shape[1], hasExtra: inputs.length === 10 };
}

/**
 * The part of `skipgram_step`'s checks that reads the ids (on the host): every context,
 * target and negative id in its table, then the category lists of the output rows the batch
 * touches. Run after {@link checkSkipgramStepInputs}.
 *
 * @example
 * ```ts
 * checkSkipgramStepIds([U, V, Vout, users, items, targets, negs]);
 * ```
 */
export function checkSkipgramStepIds(inputs: readonly Tensor[]): void {
  const K = 'skipgram_step';
  checkSkipgramIds(K, inputs.slice(0, 6));
  const negs = hostData(inputs[6]);
  checkRange(K, 'negative', negs, inputs[2].shape[0]);
  if (inputs.length === 10) checkExtraRows(K, inputs[8], inputs[9], inputs[2].shape[0], inputs[7].shape[0], [hostData(inputs[5]), negs]);
}

/**
 * The tables' and ids' dtypes and shapes shared by `skipgram_step` and
 * `skipgram_sample_step`: `head` = [contextA, contextB, output, ctxA, ctxB, targets], `extra`
 * the category table or undefined. Reads no tensor data. Returns d and the batch size.
 *
 * @example
 * ```ts
 * const { dim, batch } = checkSkipgramShapes('skipgram_step', inputs.slice(0, 6), undefined);
 * ```
 */
export function checkSkipgramShapes(K: string, head: readonly Tensor[], extra: Tensor | undefined): { dim: number; batch: number } {
  const [A, Bt, W, ca, cb, targets] = head;
  const tables: [string, Tensor][] = [['contextA', A], ['contextB', Bt], ['output', W]];
  if (extra) tables.push(['extra', extra]);
  const dim = A.shape[1];
  for (const [name, t] of tables) {
    if (t.dtype !== 'f32' || t.shape.length !== 2 || t.shape[1] !== dim) throw new Error(`${K}: ${name} must be f32 [rows, ${dim}], got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  for (let i = 0; i < tables.length; i++) {
    for (let j = i + 1; j < tables.length; j++) if (tables[i][1] === tables[j][1]) throw new Error(`${K}: ${tables[i][0]} and ${tables[j][0]} must be distinct tensors`);
  }
  const batch = ca.shape[0] ?? 0;
  for (const [name, t] of [['ctxA', ca], ['ctxB', cb], ['targets', targets]] as const) {
    if (t.dtype !== 'i32' || t.shape.length !== 1 || t.shape[0] !== batch) throw new Error(`${K}: ${name} must be i32 [${batch}], got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  return { dim, batch };
}

/**
 * The id ranges shared by `skipgram_step` and `skipgram_sample_step` (read on the host):
 * ctxA, ctxB and targets in their tables' rows; `head` as {@link checkSkipgramShapes}'.
 *
 * @example
 * ```ts
 * checkSkipgramIds('skipgram_step', inputs.slice(0, 6));
 * ```
 */
export function checkSkipgramIds(K: string, head: readonly Tensor[]): void {
  const [A, Bt, W, ca, cb, targets] = head;
  checkRange(K, 'contextA row', hostData(ca), A.shape[0]);
  checkRange(K, 'contextB row', hostData(cb), Bt.shape[0]);
  checkRange(K, 'target', hostData(targets), W.shape[0]);
}

function checkRange(K: string, what: string, ids: ArrayLike<number>, count: number): void {
  for (let r = 0; r < ids.length; r++) {
    const v = ids[r];
    if (v < 0 || v >= count) throw new Error(`${K}: ${what} ${v} at position ${r} is out of range for ${count} rows`);
  }
}

/**
 * The dtypes and shapes of an output table's category map in CSR form (`indptr` i32
 * [outputRows + 1], `indices` i32 [nnz]); part of the rules of `skipgram_step`, `bpr_step`
 * and `skipgram_sample_step`. Reads no tensor data.
 *
 * @example
 * ```ts
 * checkExtraShapes('bpr_step', indptr, indices, Q.shape[0]);
 * ```
 */
export function checkExtraShapes(K: string, indptr: Tensor, indices: Tensor, outputRows: number): void {
  if (indptr.dtype !== 'i32' || indptr.shape.length !== 1 || indptr.shape[0] !== outputRows + 1) {
    throw new Error(`${K}: extraIndptr must be i32 [${outputRows + 1}] (one more than the output rows), got ${indptr.dtype} [${indptr.shape.join(', ')}]`);
  }
  if (indices.dtype !== 'i32' || indices.shape.length !== 1) throw new Error(`${K}: extraIndices must be i32 [nnz], got ${indices.dtype} [${indices.shape.join(', ')}]`);
}

/**
 * Checks the values of an output table's category map (shapes already checked by
 * {@link checkExtraShapes}) for the rows a batch touches: the map's ends, each touched row's
 * range and its extra rows; shared by `skipgram_step`, `skipgram_sample_step` and
 * `bpr_step`. Only the touched rows are checked: scanning the whole map would cost O(output
 * rows) per call, more than the step itself on a 1,000,000-row table.
 *
 * @example
 * ```ts
 * checkExtraRows('bpr_step', indptr, indices, items, categories, [hostData(pos), hostData(neg)]);
 * ```
 */
export function checkExtraRows(K: string, indptr: Tensor, indices: Tensor, outputRows: number, extraRows: number, touchedLists: ArrayLike<number>[]): void {
  const nnz = indices.shape[0];
  const p = hostData(indptr);
  if (p[0] !== 0 || p[outputRows] !== nnz) throw new Error(`${K}: extraIndptr must run from 0 to ${nnz} (the length of extraIndices), got ${p[0]} … ${p[outputRows]}`);
  const x = hostData(indices);
  for (const touched of touchedLists) {
    for (let i = 0; i < touched.length; i++) {
      const r = touched[i];
      const lo = p[r];
      const hi = p[r + 1];
      if (!(lo <= hi && lo >= 0 && hi <= nnz)) throw new Error(`${K}: extraIndptr[${r}] … extraIndptr[${r + 1}] = ${lo} … ${hi} is not a range of extraIndices (length ${nnz})`);
      for (let k = lo; k < hi; k++) {
        if (x[k] < 0 || x[k] >= extraRows) throw new Error(`${K}: extra row ${x[k]} of output row ${r} (extraIndices[${k}]) is out of range for ${extraRows} rows`);
      }
    }
  }
}

/** The tables, ids and negatives of one `skipgram_step` batch, on the host. */
export interface SkipgramStepBatch {
  readonly A: Float32Array;
  readonly B: Float32Array;
  readonly W: Float32Array;
  readonly ctxA: ArrayLike<number>;
  readonly ctxB: ArrayLike<number>;
  readonly targets: ArrayLike<number>;
  /** Row-major [batch, N]. */
  readonly negatives: ArrayLike<number>;
  /** The category table and its CSR map, or undefined. */
  readonly extra?: { readonly X: Float32Array; readonly indptr: ArrayLike<number>; readonly indices: ArrayLike<number> };
}

/**
 * Whether a batch reads and writes the contextB rows: not when α2 = 0 and λ = 0, where
 * b's update would add 0 and c = α1·a (plain skip-gram then leaves b alone).
 *
 * @example
 * ```ts
 * usesContextB({ alpha1: 1, alpha2: 0, extraWeight: 0, lr: 0.025, reg: 0 }); // false
 * ```
 */
export function usesContextB(attrs: SkipgramStepAttrs): boolean {
  return attrs.alpha2 !== 0 || attrs.reg !== 0;
}

/**
 * The reference computation of `skipgram_step` (see the file's header) on host arrays, in
 * place; returns the mean loss. Shared with `skipgram_sample_step`.
 *
 * @example
 * ```ts
 * const loss = skipgramStepReference({ A, B, W, ctxA, ctxB, targets, negatives }, batch, dim, N, attrs);
 * ```
 */
export function skipgramStepReference(x: SkipgramStepBatch, batch: number, d: number, N: number, attrs: SkipgramStepAttrs): number {
  const { A, B: Bt, W, ctxA: ca, ctxB: cb, targets, negatives: negs, extra } = x;
  const { alpha1, alpha2, extraWeight: beta, lr, reg } = attrs;
  const withB = usesContextB(attrs);
  // The factors in f32, rounded once from f64 (native's Factors).
  const a1 = fround(alpha1);
  const a2 = fround(alpha2);
  const lrf = fround(lr);
  const decay = fround(1 - lr * reg);
  const la1 = fround(lrf * a1);
  const la2 = fround(lrf * a2);
  const split = extra ? new CategoryParts(extra, effectiveParts(attrs), d) : undefined;
  const c = new Float32Array(d);
  const grad = new Float32Array(d);
  const t = new Float32Array(d);
  let loss = 0;
  for (let e = 0; e < batch; e++) {
    const ao = ca[e] * d;
    const bo = cb[e] * d;
    // Float32Array stores round the last operation.
    if (withB) for (let k = 0; k < d; k++) c[k] = fround(a1 * A[ao + k]) + fround(a2 * Bt[bo + k]);
    else for (let k = 0; k < d; k++) c[k] = a1 * A[ao + k];
    grad.fill(0);
    const cat = split?.of(e);
    let exampleLoss = 0;
    for (let j = 0; j <= N; j++) {
      const row = j === 0 ? targets[e] : negs[e * N + j - 1];
      const wo = row * d;
      // t = w (read in place) without categories; with them, MRLR's multi-level vector.
      const m = cat ? extraVector(t, W, wo, cat, row, beta, d) : 0;
      const tv = cat ? t : W;
      const to = cat ? 0 : wo;
      const s = dot8(c, 0, tv, to, d);
      // g = y − σ(s): σ(−s) for the target, −σ(s) for a negative; loss softplus(∓s).
      const parts = logisticParts(j === 0 ? s : -s);
      const g = j === 0 ? parts.sigmaNeg : -parts.sigmaNeg;
      exampleLoss += parts.softplusNeg;
      const sg = fround(lrf * g);
      for (let k = 0; k < d; k++) {
        grad[k] += fround(g * tv[to + k]);
        W[wo + k] = fround(decay * W[wo + k]) + fround(sg * c[k]);
      }
      if (cat) {
        extraUpdates(cat, row, c, fround(sg * m), decay, d);
        split!.wrote(e, row);
      }
    }
    loss += exampleLoss;
    for (let k = 0; k < d; k++) A[ao + k] = fround(decay * A[ao + k]) + fround(la1 * grad[k]);
    if (withB) for (let k = 0; k < d; k++) Bt[bo + k] = fround(decay * Bt[bo + k]) + fround(la2 * grad[k]);
  }
  split?.merge();
  return batch > 0 ? loss / batch : 0;
}

registerKernel<SkipgramStepAttrs>('skipgram_step', 'js', ({ inputs, attrs, backend }) => {
  checkSkipgramStepIds(inputs);
  const { dim, batch, negatives: N, hasExtra } = skipgramStepSizes(inputs);
  const loss = skipgramStepReference({
    A: hostF32(inputs[0]), B: hostF32(inputs[1]), W: hostF32(inputs[2]),
    ctxA: hostData(inputs[3]), ctxB: hostData(inputs[4]), targets: hostData(inputs[5]), negatives: hostData(inputs[6]),
    extra: hasExtra ? { X: hostF32(inputs[7]), indptr: hostData(inputs[8]), indices: hostData(inputs[9]) } : undefined,
  }, batch, dim, N, attrs);
  return hostOutput(backend, [1], 'f32', Float32Array.of(loss));
});
