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
 * users i32 [b], positives i32 [b], negatives i32 [b]]`; P and Q are updated in
 * place. Output: loss f32 [1].
 *
 * Numerics: each triple in f64 (x summed sequentially), rows rounded to f32 on
 * store; softplus in its stable form, loss summed in f64.
 *
 * Threading: by default native runs a dependency-ordered schedule (a triple
 * waits for the last earlier triple that touched one of its rows), so every
 * row gets its updates in batch order and the result equals this reference
 * bit for bit at any thread count (the same seed, data and REC_THREADS give
 * the same model). `hogwild: true` lets native update rows without locks or
 * order (Recht et al. 2011, as word2vec does): faster on several threads, not
 * reproducible. js and webgpu always run the triples in order; for them the
 * attribute changes nothing.
 *
 * @see Rendle, Freudenthaler, Gantner & Schmidt-Thieme 2009, "BPR: Bayesian
 *   Personalized Ranking from Implicit Feedback", UAI, §4.3 (LearnBPR) and §5.1.
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';

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
});

/**
 * Checks the inputs of `bpr_step` and returns the embedding width d; shared by
 * every backend so they fail with the same message.
 *
 * @example
 * ```ts
 * const d = checkBprStepInputs([userFactors, itemFactors, users, positives, negatives]);
 * ```
 */
export function checkBprStepInputs(inputs: readonly Tensor[], attrs?: BprStepAttrs): number {
  if (attrs && attrs.hogwild !== undefined && typeof attrs.hogwild !== 'boolean') {
    throw new Error(`bpr_step: attribute hogwild must be true or false, got ${String(attrs.hogwild)}`);
  }
  if (inputs.length !== 5) throw new Error(`bpr_step: expected 5 inputs [userFactors, itemFactors, users, positives, negatives], got ${inputs.length}`);
  const [P, Q, users, pos, neg] = inputs;
  if (P.shape.length !== 2 || Q.shape.length !== 2 || P.dtype !== 'f32' || Q.dtype !== 'f32') {
    throw new Error('bpr_step: userFactors and itemFactors must be f32 matrices [rows, d]');
  }
  const d = P.shape[1];
  if (Q.shape[1] !== d) throw new Error(`bpr_step: userFactors have d = ${d} but itemFactors d = ${Q.shape[1]}`);
  for (const [name, t] of [['users', users], ['positives', pos], ['negatives', neg]] as const) {
    if (t.dtype !== 'i32' || t.shape.length !== 1 || t.shape[0] !== users.shape[0]) {
      throw new Error(`bpr_step: ${name} must be i32 [${users.shape[0]}], got ${t.dtype} [${t.shape.join(', ')}]`);
    }
  }
  checkRange('user', hostData(users), P.shape[0]);
  checkRange('positive item', hostData(pos), Q.shape[0]);
  checkRange('negative item', hostData(neg), Q.shape[0]);
  return d;
}

function checkRange(what: string, ids: ArrayLike<number>, count: number): void {
  for (let r = 0; r < ids.length; r++) {
    const v = ids[r];
    if (v < 0 || v >= count) throw new Error(`bpr_step: ${what} ${v} at position ${r} is out of range for ${count} rows`);
  }
}

/**
 * softplus(z) = ln(1 + eᶻ) = −ln σ(−z); the BPR loss of a triple is softplus(−x).
 * Written so it neither overflows nor loses digits for large |z|.
 */
function softplusOf(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

registerKernel<BprStepAttrs>('bpr_step', 'js', ({ inputs, attrs, backend }) => {
  const d = checkBprStepInputs(inputs, attrs);
  const P = hostF32(inputs[0]);
  const Q = hostF32(inputs[1]);
  const users = hostData(inputs[2]);
  const pos = hostData(inputs[3]);
  const neg = hostData(inputs[4]);
  const { lr, reg } = attrs;
  let loss = 0;
  for (let t = 0; t < users.length; t++) {
    const pu = users[t] * d;
    const qi = pos[t] * d;
    const qj = neg[t] * d;
    let x = 0;
    for (let c = 0; c < d; c++) x += P[pu + c] * (Q[qi + c] - Q[qj + c]);
    const g = 1 / (1 + Math.exp(x));
    loss += softplusOf(-x);
    for (let c = 0; c < d; c++) {
      const p = P[pu + c];
      const a = Q[qi + c];
      const b = Q[qj + c];
      P[pu + c] = p + lr * (g * (a - b) - reg * p);
      Q[qi + c] = a + lr * (g * p - reg * a);
      Q[qj + c] = b + lr * (-g * p - reg * b);
    }
  }
  const mean = users.length > 0 ? loss / users.length : 0;
  return hostOutput(backend, [1], 'f32', Float32Array.of(mean));
});
