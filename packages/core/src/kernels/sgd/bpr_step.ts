/**
 * `bpr_step`: one fused LearnBPR pass over a batch of (u, i, j) triples, in
 * place on the user table P and the item table Q — matrix factorisation
 * trained with the BPR criterion (Rendle et al. 2009, §4.3 Fig. 4, §5.1).
 *
 *   for each triple (u, i, j), in batch order:
 *     x = ⟨p_u, q_i − q_j⟩,   g = σ(−x) = 1 / (1 + eˣ)
 *     p_u ← p_u + lr·(g·(q_i − q_j) − λ·p_u)
 *     q_i ← q_i + lr·(g·p_u_old − λ·q_i)
 *     q_j ← q_j + lr·(−g·p_u_old − λ·q_j)
 *   loss = mean over the triples of −ln σ(x) = softplus(−x)   (x before its update)
 *
 * Each triple's update sees the rows as left by the triples before it (the
 * paper's stochastic ascent, one triple at a time); all three updates of a
 * triple use the values read before any of them (p_u_old). The regulariser λ
 * is the paper's λ_Θ applied to the three touched rows only. When i = j the
 * q_j update is the one kept (it is written last).
 *
 * Layouts and dtypes: inputs `[userFactors f32 [U, d], itemFactors f32 [I, d],
 * users i32 [b], positives i32 [b], negatives i32 [b]]`, optionally followed by
 * `[extra f32 [Rx, d], extraIndptr i32 [I + 1], extraIndices i32 [nnz]]`; the
 * tables are updated in place. Output: loss f32 [1].
 *
 * With the extra (category) table, an item's vector is MRLR's multi-level item
 * embedding (Sun et al., "MRLR: Multi-level Representation Learning for Personalized Ranking in Recommendation", IJCAI 2017,
 * §3.4 Eq. 7, used in the ranking term Eq. 6):
 *
 *   C_i = extraIndices[extraIndptr[i] … extraIndptr[i+1]),  m_i = β / |C_i|
 *   q̃_i = q_i + m_i·Σ_{l∈C_i} x_l       (q̃_i = q_i when C_i is empty; β = `extraWeight`)
 *   x = ⟨p_u, q̃_i − q̃_j⟩,  g = σ(−x)
 *   p_u ← p_u + lr·(g·(q̃_i − q̃_j) − λ·p_u),  q_i and q_j as above
 *   for l in C_i, in list order: x_l ← x_l + lr·(g·m_i·p_u_old − λ·x_l)
 *   then for l in C_j:            x_l ← x_l + lr·(−g·m_j·p_u_old − λ·x_l)
 *
 * (a category of both items gets both updates, the second reading the first's
 * result).
 *
 * Numerics, in f32 so that native runs as 8-wide vectors and still equals this
 * reference bit for bit: x = ⟨p_u, q̃_i − q̃_j⟩ in the fixed eight-lane order of
 * `exact_f32.ts`; Σ x_l per column from 0 in list order, then ·m (m = β/|C| rounded
 * to f32), then + q; g = σ(−x) from z = e^−|x| by Cephes' expf in f32 and s = lr·g
 * (both `exact_f32.ts`'s `logisticParts`); each row
 * update in the algebraically equal form θ ← (1 − lr·λ)·θ + s·∂x/∂θ
 * (∂ = q̃_i − q̃_j for p_u, ±p_u_old for q_i and q_j, ±m·p_u_old for x_l, with
 * s·m rounded first), every product and sum rounded to f32. The loss terms
 * max(−x, 0) + ln(1 + z) (`exact_f32.ts`'s polynomial) are summed in f64. (Until 2026-12-07 each triple ran
 * in f64 with x summed sequentially, Math.exp and Math.log1p, which ran at about
 * a third of the rate natively.)
 *
 * Threading: by default native runs a dependency-ordered schedule (a triple
 * waits for the last earlier triple that touched one of its rows), so every
 * row gets its updates in batch order and the result equals this reference
 * bit for bit at any thread count (the same seed, data and REC_THREADS give
 * the same model; whether native uses its pool or the calling thread alone for
 * a batch is a speed choice it times, never a different result). `hogwild: true`
 * lets native update rows without locks or order (Recht et al. 2011, as word2vec
 * does): faster on several threads, not reproducible. js and webgpu always run the triples in order; for them the
 * attribute changes nothing.
 *
 * Parts (attribute `parts`, with the category table): the hot category rows chain almost
 * every triple to the one before, so the order above leaves native's threads waiting on
 * each other. With `parts` = P ≥ 2 the triples are dealt to P parts in chunks of 64, each
 * part reads and writes its own copy of the category rows, and the copies are merged at the
 * end of the call (`category_parts.ts`); the user and item rows keep batch order. Every
 * backend computes the same function of P (native bit for bit, on any thread count), and
 * P = 1 (the default) is the serial semantics above. Callers pass their thread count.
 *
 * Lanes (attribute `lanes`, without the category table): the triples run in a fixed
 * permutation of the batch whose strata split into L lanes that touch disjoint rows
 * (`lane_strata.ts`), so native runs a stratum's lanes on its threads at once, with no waits.
 * Every backend computes the same function of L (native bit for bit, on any thread count);
 * L = 1 (the default) is batch order. Callers pass their thread count.
 *
 * @see Rendle, Freudenthaler, Gantner & Schmidt-Thieme 2009, "BPR: Bayesian
 *   Personalized Ranking from Implicit Feedback", UAI, §4.3 (LearnBPR) and §5.1.
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { CategoryParts, checkPartsAttr, effectiveParts } from './category_parts.js';
import { dotDiff8, extraUpdates, extraVector, logisticParts } from './exact_f32.js';
import { checkLanesAttr, effectiveLanes, laneOrder } from './lane_strata.js';
import { checkExtraRows, checkExtraShapes } from './skipgram_step.js';

const fround = Math.fround;

/**
 * Attributes of `bpr_step`.
 *
 * @example
 * ```ts
 * const attrs: BprStepAttrs = { lr: 0.05, reg: 0.0025 };
 * const [loss] = runKernel('bpr_step', [userFactors, itemFactors, users, positives, negatives], attrs);
 * ```
 */
export interface BprStepAttrs {
  /** Learning rate α > 0. */
  lr: number;
  /** λ ≥ 0, the L2 regulariser on the three touched rows. */
  reg: number;
  /**
   * Native on several threads: `true` runs Hogwild (rows updated without
   * locks, the result depends on timing); `false` (default) keeps batch order
   * per row, bit-identical to this reference, at a small scheduling cost (the
   * bench prints the ratio). js and webgpu are serial: ignored there.
   */
  hogwild?: boolean;
  /** β: weight of an item's mean extra (category) row in its vector (MRLR's α3); required with the extra inputs, ignored without. */
  extraWeight?: number;
  /**
   * With the extra (category) table and `hogwild` off: the number of parts whose own copies
   * of the category rows the triples use, merged at the end (`category_parts.ts`); an integer
   * from 1 (default: one shared table, the serial semantics) to 64. The result depends on it
   * on every backend; native runs the parts on its threads, so a caller passes its thread
   * count. Ignored without the category table or with `hogwild`.
   */
  parts?: number;
  /**
   * Without the category table and with `hogwild` off: the number of lanes of the batch's
   * fixed permutation into strata whose lanes touch disjoint rows (`lane_strata.ts`), an
   * integer from 1 (default: batch order, the serial semantics) to 16. The result depends on
   * it on every backend; native runs the lanes of a stratum on its threads at once, so a
   * caller passes its thread count. An error with the category table (use `parts` there);
   * ignored with `hogwild`.
   */
  lanes?: number;
}

/**
 * The declaration of `bpr_step` (family `sgd`).
 *
 * @example
 * ```ts
 * console.log(bprStepSpec.summary);
 * ```
 */
export const bprStepSpec = declareKernel({
  id: 'bpr_step',
  family: 'sgd',
  summary: 'per triple: x = ⟨p_u, q_i − q_j⟩; g = σ(−x); p_u, q_i, q_j += lr·(±g·… − λ·…) — in place; returns mean −ln σ(x)',
  check: checkBprStepInputs,
});

/**
 * The rule of `bpr_step` (its spec's `check`, run by `runKernel` on every backend): the
 * input count, the tables' and ids' dtypes and shapes, the category inputs' shapes and
 * `extraWeight`, and `hogwild`. It reads no tensor data; the ids and the touched items'
 * category lists are {@link checkBprStepIds}' part. Returns the embedding width d.
 *
 * @example
 * ```ts
 * const d = checkBprStepInputs([userFactors, itemFactors, users, positives, negatives], { lr: 0.05, reg: 0 });
 * ```
 */
export function checkBprStepInputs(inputs: readonly Tensor[], attrs: BprStepAttrs): number {
  if (attrs.hogwild !== undefined && typeof attrs.hogwild !== 'boolean') {
    throw new Error(`bpr_step: attribute hogwild must be true or false, got ${String(attrs.hogwild)}`);
  }
  checkPartsAttr('bpr_step', attrs.parts);
  checkLanesAttr('bpr_step', attrs.lanes);
  if (inputs.length === 8 && effectiveLanes(attrs) > 1) throw new Error('bpr_step: attribute lanes applies without the category table; with it, use parts');
  if (inputs.length !== 5 && inputs.length !== 8) {
    throw new Error(`bpr_step: expected 5 inputs [userFactors, itemFactors, users, positives, negatives] and optionally [extra, extraIndptr, extraIndices], got ${inputs.length}`);
  }
  const [P, Q, users, pos, neg] = inputs;
  const d = checkBprShapes('bpr_step', P, Q, users, bprItemIds(pos, neg));
  if (inputs.length === 8) {
    const X = inputs[5];
    if (X.dtype !== 'f32' || X.shape.length !== 2 || X.shape[1] !== d) throw new Error(`bpr_step: extra must be f32 [rows, ${d}], got ${X.dtype} [${X.shape.join(', ')}]`);
    if (X === P || X === Q) throw new Error('bpr_step: extra must be a tensor distinct from userFactors and itemFactors');
    const beta = attrs.extraWeight;
    if (typeof beta !== 'number' || !Number.isFinite(beta)) throw new Error(`bpr_step: attribute extraWeight must be a finite number when the extra table is given, got ${String(beta)}`);
    checkExtraShapes('bpr_step', inputs[6], inputs[7], Q.shape[0]);
  }
  return d;
}

/**
 * The part of `bpr_step`'s checks that reads the ids (on the host): users and items in
 * their tables, then the category lists of the items the batch touches. Run after
 * {@link checkBprStepInputs}.
 *
 * @example
 * ```ts
 * checkBprStepIds([userFactors, itemFactors, users, positives, negatives]);
 * ```
 */
export function checkBprStepIds(inputs: readonly Tensor[]): void {
  const [P, Q, users, pos, neg] = inputs;
  checkBprIds('bpr_step', P, Q, users, bprItemIds(pos, neg));
  if (inputs.length === 8) checkExtraRows('bpr_step', inputs[6], inputs[7], Q.shape[0], inputs[5].shape[0], [hostData(pos), hostData(neg)]);
}

function bprItemIds(pos: Tensor, neg: Tensor): BprItemIds {
  return [['positives', pos, 'positive item'], ['negatives', neg, 'negative item']];
}

/** A triple's item-id inputs: [input name, tensor, the id's name in a range error]. */
export type BprItemIds = readonly (readonly [string, Tensor, string])[];

/**
 * The shapes and dtypes shared by `bpr_step` and `bpr_sample_step`: f32 [rows, d] factor
 * tables of one width, and i32 [n] users and item ids. Returns d.
 *
 * @example
 * ```ts
 * const d = checkBprShapes('bpr_step', P, Q, users, [['positives', pos, 'positive item']]);
 * ```
 */
export function checkBprShapes(K: string, P: Tensor, Q: Tensor, users: Tensor, items: BprItemIds): number {
  if (P.shape.length !== 2 || Q.shape.length !== 2 || P.dtype !== 'f32' || Q.dtype !== 'f32') {
    throw new Error(`${K}: userFactors and itemFactors must be f32 matrices [rows, d]`);
  }
  const d = P.shape[1];
  if (Q.shape[1] !== d) throw new Error(`${K}: userFactors have d = ${d} but itemFactors d = ${Q.shape[1]}`);
  for (const [name, t] of [['users', users], ...items] as const) {
    if (t.dtype !== 'i32' || t.shape.length !== 1 || t.shape[0] !== users.shape[0]) {
      throw new Error(`${K}: ${name} must be i32 [${users.shape[0]}], got ${t.dtype} [${t.shape.join(', ')}]`);
    }
  }
  return d;
}

/**
 * The id ranges shared by `bpr_step` and `bpr_sample_step` (read on the host): users in
 * [0, rows of P), item ids in [0, rows of Q).
 *
 * @example
 * ```ts
 * checkBprIds('bpr_step', P, Q, users, [['positives', pos, 'positive item']]);
 * ```
 */
export function checkBprIds(K: string, P: Tensor, Q: Tensor, users: Tensor, items: BprItemIds): void {
  checkRange(K, 'user', hostData(users), P.shape[0]);
  for (const [, t, what] of items) checkRange(K, what, hostData(t), Q.shape[0]);
}

function checkRange(K: string, what: string, ids: ArrayLike<number>, count: number): void {
  for (let r = 0; r < ids.length; r++) {
    const v = ids[r];
    if (v < 0 || v >= count) throw new Error(`${K}: ${what} ${v} at position ${r} is out of range for ${count} rows`);
  }
}

/** The tables and triples of one `bpr_step` batch, on the host. */
export interface BprStepBatch {
  readonly P: Float32Array;
  readonly Q: Float32Array;
  readonly users: ArrayLike<number>;
  readonly positives: ArrayLike<number>;
  readonly negatives: ArrayLike<number>;
  /** The category table and its CSR map, or undefined. */
  readonly extra?: { readonly X: Float32Array; readonly indptr: ArrayLike<number>; readonly indices: ArrayLike<number> };
}

/**
 * The reference computation of `bpr_step` (see the file's header) on host arrays, in place;
 * returns the mean loss. Shared with `bpr_sample_step`.
 *
 * @example
 * ```ts
 * const loss = bprStepReference({ P, Q, users, positives, negatives }, d, { lr: 0.05, reg: 0 });
 * ```
 */
export function bprStepReference(batch: BprStepBatch, d: number, attrs: BprStepAttrs): number {
  const { P, Q, users, positives: pos, negatives: neg } = batch;
  const { lr, reg } = attrs;
  const extra = batch.extra;
  const split = extra ? new CategoryParts(extra, effectiveParts(attrs), d) : undefined;
  const beta = attrs.extraWeight ?? 0;
  const lrf = fround(lr);
  const decay = fround(1 - lr * reg);
  const ti = new Float32Array(d);
  const tj = new Float32Array(d);
  const pOld = new Float32Array(d);
  const lanes = extra ? 1 : effectiveLanes(attrs);
  const order = lanes > 1 ? laneOrder(users, pos, neg, lanes) : undefined;
  // With lanes the terms are summed in batch order, as native does, not in the order they ran.
  const terms = order ? new Float64Array(users.length) : undefined;
  let loss = 0;
  for (let k = 0; k < users.length; k++) {
    const t = order ? order[k] : k;
    const pu = users[t] * d;
    const qi = pos[t] * d;
    const qj = neg[t] * d;
    if (!extra) {
      const x = dotDiff8(P, pu, Q, qi, Q, qj, d);
      const { sigmaNeg, softplusNeg } = logisticParts(x);
      const s = fround(lrf * sigmaNeg);
      if (terms) terms[t] = softplusNeg;
      else loss += softplusNeg;
      // Float32Array stores round the last add.
      for (let c = 0; c < d; c++) {
        const p = P[pu + c];
        const a = Q[qi + c];
        const b = Q[qj + c];
        const sp = fround(s * p);
        P[pu + c] = fround(decay * p) + fround(s * fround(a - b));
        Q[qi + c] = fround(decay * a) + sp;
        Q[qj + c] = fround(decay * b) - sp;
      }
      continue;
    }
    const cat = split!.of(t);
    const mi = extraVector(ti, Q, qi, cat, pos[t], beta, d);
    const mj = extraVector(tj, Q, qj, cat, neg[t], beta, d);
    for (let c = 0; c < d; c++) pOld[c] = P[pu + c];
    const x = dotDiff8(pOld, 0, ti, 0, tj, 0, d);
    const { sigmaNeg, softplusNeg } = logisticParts(x);
    const s = fround(lrf * sigmaNeg);
    loss += softplusNeg;
    for (let c = 0; c < d; c++) {
      const p = pOld[c];
      const a = Q[qi + c];
      const b = Q[qj + c];
      const sp = fround(s * p);
      P[pu + c] = fround(decay * p) + fround(s * fround(ti[c] - tj[c]));
      Q[qi + c] = fround(decay * a) + sp;
      Q[qj + c] = fround(decay * b) - sp;
    }
    extraUpdates(cat, pos[t], pOld, fround(s * mi), decay, d);
    extraUpdates(cat, neg[t], pOld, -fround(s * mj), decay, d);
    split!.wrote(t, pos[t]);
    split!.wrote(t, neg[t]);
  }
  split?.merge();
  if (terms) for (let t = 0; t < terms.length; t++) loss += terms[t];
  return users.length > 0 ? loss / users.length : 0;
}

registerKernel<BprStepAttrs>('bpr_step', 'js', ({ inputs, attrs, backend }) => {
  checkBprStepIds(inputs);
  const d = inputs[0].shape[1];
  const mean = bprStepReference({
    P: hostF32(inputs[0]), Q: hostF32(inputs[1]), users: hostData(inputs[2]), positives: hostData(inputs[3]), negatives: hostData(inputs[4]),
    extra: inputs.length === 8 ? { X: hostF32(inputs[5]), indptr: hostData(inputs[6]), indices: hostData(inputs[7]) } : undefined,
  }, d, attrs);
  return hostOutput(backend, [1], 'f32', Float32Array.of(mean));
});
