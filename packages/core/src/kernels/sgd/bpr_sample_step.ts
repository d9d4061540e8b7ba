/**
 * `bpr_sample_step`: `bpr_step` with each triple's negative drawn inside the kernel —
 * LearnBPR's loop (Rendle et al. 2009, §4.3 Fig. 4: draw (u, i, j) with j uniform over the
 * items u has not interacted with, then step) with no negatives array between the sampler
 * and the step.
 *
 *   negatives = neg_sample_exclude([users, indptr, indices], { numItems: rows of Q, seed, stream, counter, maxTries })
 *   then bpr_step(userFactors, itemFactors, users, positives, negatives, { lr, reg, hogwild, lanes })
 *
 * Row r's negative takes Philox words counter + r·T + t (T = maxTries, t = 0, 1, … until one
 * is not in the user's sorted CSR row; after T rejections the last draw is kept), exactly as
 * `neg_sample_exclude`: the same call with the same counter draws the same negatives, so a
 * model that drew them with `sampleNegatives` and stepped with `bpr_step` trains the same
 * tables here. Each call uses n·T counters.
 *
 * Inputs: `[userFactors f32 [U, d], itemFactors f32 [I, d], users i32 [n], positives i32 [n],
 * indptr i32 [U + 1], indices i32 [nnz]]` (each user's positives, sorted ascending per row).
 * Output: loss f32 [1], the mean −ln σ(x) of the triples (as `bpr_step`).
 *
 * Bad input: shapes, dtypes and ids are checked before anything is updated; the CSR rows of
 * the users in the batch must be ranges of `indices` (rows no triple reaches are not read).
 * Numerics and threading are `bpr_step`'s: the draws are exact integers on every backend,
 * so the deterministic native mode equals this reference bit for bit.
 * Why a kernel: on a `rec train bpr` epoch the separate draw and its arrays cost about a
 * third of the time beside the step (apps/bench README, issue 18).
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDrawAttrs } from '../sampling/draw_attrs.js';
import { excludeDraws } from '../sampling/neg_sample_exclude.js';
import { type BprItemIds, type BprStepAttrs, bprStepReference, checkBprIds, checkBprShapes } from './bpr_step.js';
import { checkLanesAttr, effectiveLanes } from './lane_strata.js';

/**
 * Attributes of `bpr_sample_step`.
 *
 * @example
 * ```ts
 * const attrs: BprSampleStepAttrs = { lr: 0.05, reg: 1e-5, seed: 1, stream: 0, counter: 0, maxTries: 32 };
 * ```
 */
export interface BprSampleStepAttrs {
  /** Learning rate α > 0. */
  lr: number;
  /** λ ≥ 0 on the three touched rows. */
  reg: number;
  /** Native on several threads: Hogwild instead of batch order per row (as `bpr_step`). */
  hogwild?: boolean;
  /** The lanes of `bpr_step` (its fixed permutation of the batch into row-disjoint lanes; default 1, batch order; ignored with `hogwild`). */
  lanes?: number;
  /** Philox seed of the draws. */
  seed: number;
  /** Philox stream of the draws. */
  stream: number;
  /** The first Philox word of the call; the call uses n·maxTries words from it. */
  counter: number;
  /** Tries per negative T ≥ 1. */
  maxTries: number;
}

/**
 * The declaration of `bpr_sample_step` (family `sgd`).
 *
 * @example
 * ```ts
 * console.log(bprSampleStepSpec.summary);
 * ```
 */
export const bprSampleStepSpec = declareKernel({
  id: 'bpr_sample_step',
  family: 'sgd',
  summary: 'bpr_step with each negative drawn inside, uniform over the items the user has not interacted with (as neg_sample_exclude at the same counter)',
  check: checkBprSampleStepInputs,
});

const K = 'bpr_sample_step';

/**
 * The rule of `bpr_sample_step` (its spec's `check`, run by `runKernel` on every backend):
 * the input count, dtypes and shapes and the attributes. It reads no tensor data; the ids
 * and the users' CSR rows are {@link checkBprSampleStepIds}' part. Returns d.
 *
 * @example
 * ```ts
 * const d = checkBprSampleStepInputs([P, Q, users, positives, indptr, indices], attrs);
 * ```
 */
export function checkBprSampleStepInputs(inputs: readonly Tensor[], attrs: BprSampleStepAttrs): number {
  if (attrs.hogwild !== undefined && typeof attrs.hogwild !== 'boolean') throw new Error(`${K}: attribute hogwild must be true or false, got ${String(attrs.hogwild)}`);
  checkLanesAttr(K, attrs.lanes);
  if (inputs.length !== 6) throw new Error(`${K}: expected 6 inputs [userFactors, itemFactors, users, positives, indptr, indices], got ${inputs.length}`);
  const [P, Q, users, pos, indptr, indices] = inputs;
  const items: BprItemIds = [['positives', pos, 'positive item']];
  const d = checkBprShapes(K, P, Q, users, items);
  if (P === Q) throw new Error(`${K}: userFactors and itemFactors must be distinct tensors`);
  const n = users.shape[0] ?? 0;
  const U = P.shape[0];
  if (indptr.dtype !== 'i32' || indptr.shape.length !== 1 || indptr.shape[0] !== U + 1) {
    throw new Error(`${K}: indptr must be i32 [${U + 1}] (one more than the user rows), got ${indptr.dtype} [${indptr.shape.join(', ')}]`);
  }
  if (indices.dtype !== 'i32' || indices.shape.length !== 1) throw new Error(`${K}: indices must be i32 [nnz], got ${indices.dtype} [${indices.shape.join(', ')}]`);
  const { lr, reg, maxTries } = attrs;
  if (!(lr > 0)) throw new Error(`${K}: lr must be > 0, got ${lr}`);
  if (!(reg >= 0)) throw new Error(`${K}: reg must be ≥ 0, got ${reg}`);
  if (!(Number.isInteger(maxTries) && maxTries >= 1 && maxTries <= 2 ** 20)) throw new Error(`${K}: maxTries must be an integer in [1, 2²⁰], got ${maxTries}`);
  checkDrawAttrs(K, attrs, n * maxTries, `${n}·${maxTries}`);
  return d;
}

/**
 * The part of `bpr_sample_step`'s checks that reads the ids (on the host): users and
 * positives in their tables, and each user's CSR row a range of `indices`. Run after
 * {@link checkBprSampleStepInputs}.
 *
 * @example
 * ```ts
 * checkBprSampleStepIds([P, Q, users, positives, indptr, indices]);
 * ```
 */
export function checkBprSampleStepIds(inputs: readonly Tensor[]): void {
  const [P, Q, users, pos, indptr, indices] = inputs;
  checkBprIds(K, P, Q, users, [['positives', pos, 'positive item']]);
  const n = users.shape[0];
  const u = hostData(users);
  const ptr = hostData(indptr);
  const nnz = indices.size;
  for (let r = 0; r < n; r++) {
    const lo = ptr[u[r]];
    const hi = ptr[u[r] + 1];
    if (!(lo >= 0 && lo <= hi && hi <= nnz)) throw new Error(`${K}: indptr[${u[r]}] … indptr[${u[r] + 1}] = ${lo} … ${hi} is not a range of indices (length ${nnz})`);
  }
}

registerKernel<BprSampleStepAttrs>('bpr_sample_step', 'js', ({ inputs, attrs, backend }) => {
  checkBprSampleStepIds(inputs);
  const d = inputs[0].shape[1];
  const users = hostData(inputs[2]);
  const { seed, stream, counter, maxTries } = attrs;
  const { out: negatives } = excludeDraws(users, hostData(inputs[4]), hostData(inputs[5]), { numItems: inputs[1].shape[0], seed, stream, counter, maxTries }, K);
  const step: BprStepAttrs = { lr: attrs.lr, reg: attrs.reg, lanes: effectiveLanes(attrs) };
  const mean = bprStepReference({ P: hostF32(inputs[0]), Q: hostF32(inputs[1]), users, positives: hostData(inputs[3]), negatives }, d, step);
  return hostOutput(backend, [1], 'f32', Float32Array.of(mean));
});
