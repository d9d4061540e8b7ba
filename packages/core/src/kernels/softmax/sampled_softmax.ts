/**
 * `sampled_softmax` and `sampled_softmax_grad`: sampled softmax with the log-Q
 * correction (Bengio & Senécal 2008; Jean et al. 2015, §3), fused — the kernel
 * form of {@link sampledSoftmaxLoss} in `ops/losses.ts`, which is its composite
 * reference (its autograd gradients are checked against this one in core).
 *
 *   for each row b, over the columns j ∈ {label_b} ∪ sampled (column 0 = label):
 *     o_0  = h_b·w_{label_b} + bias_{label_b} − logQ_label[b]
 *     o_s  = h_b·w_{sampled_s} + bias_{sampled_s} − logQ_sampled[s]      (s = 1..S)
 *     o_s  = −∞ when removeAccidentalHits and sampled_s = label_b   (an accidental hit)
 *     loss_b = −log softmax(o)_0 = logsumexp(o) − o_0
 *
 *   backward, with upstream gradient γ_b = ∂L/∂loss_b and p = softmax(o):
 *     δ_bj = γ_b·(p_j − [j = 0])
 *     dHidden[b]        = Σ_j δ_bj·w_{c_j}
 *     dRows[b]          = δ_b0·h_b                  (the row of label_b)
 *     dRows[B + s]      = Σ_b δ_bs·h_b              (the row of sampled_s, shared by the batch)
 *     dBias[b] = δ_b0,  dBias[B + s] = Σ_b δ_bs
 *
 * dRows and dBias are row-sparse gradients for the ids `labels ++ sampled`
 * (duplicates allowed: a sparse optimizer accumulates them). The logQ inputs
 * are constants (no gradient). The composite masks hits with −1e9, which gives
 * the same result: exp(−1e9 − max) is 0 in f32 and f64.
 *
 * Layouts and dtypes: inputs `[hidden f32 [B, d], classWeights f32 [C, d],
 * labels i32 [B], sampled i32 [S], labelLogQ f32 [B], sampledLogQ f32 [S],
 * classBias? f32 [C]]`; `sampled_softmax` returns loss f32 [B] (per row;
 * reductions are the caller's). `sampled_softmax_grad` takes the same inputs
 * with `dLoss f32 [B]` inserted before the optional bias, and returns
 * `[dHidden f32 [B, d], dRows f32 [B + S, d], dBias f32 [B + S]]`.
 *
 * Numerics: logits, softmax and sums in f64 (max-subtracted logsumexp), stored
 * as f32. The native version computes the logits and both gradient products
 * with its f32 tiled matmul (agreement within 1e-5).
 *
 * Threading: the reference is sequential; native runs rows over threads and
 * the shared-class gradient as one matmul (no atomics).
 *
 * @see Jean, Cho, Memisevic & Bengio 2015, "On Using Very Large Target
 *   Vocabulary for Neural Machine Translation", ACL, §3 (the log-Q correction).
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allocArray, type DType } from '../../tensor/dtype.js';

/**
 * Attributes of `sampled_softmax` and `sampled_softmax_grad`.
 *
 * @example
 * ```ts
 * const [loss] = runKernel('sampled_softmax', [h, W, labels, sampled, labelLogQ, sampledLogQ], { removeAccidentalHits: true });
 * ```
 */
export interface SampledSoftmaxAttrs {
  /** Mask a sampled class equal to the row's label (the usual choice; `sampledSoftmaxLoss` defaults to it). */
  removeAccidentalHits: boolean;
}

/**
 * The declaration of `sampled_softmax` (family `softmax`).
 *
 * @example
 * ```ts
 * console.log(sampledSoftmaxSpec.summary);
 * ```
 */
export const sampledSoftmaxSpec = declareKernel({
  id: 'sampled_softmax',
  family: 'softmax',
  summary: 'per row: o = h·W[{label} ∪ sampled]ᵀ + b − log Q, hits masked; loss = −log softmax(o)[label]',
  check: checkSampledSoftmaxInputs,
});

/**
 * The declaration of `sampled_softmax_grad` (family `softmax`).
 *
 * @example
 * ```ts
 * console.log(sampledSoftmaxGradSpec.summary);
 * ```
 */
export const sampledSoftmaxGradSpec = declareKernel({
  id: 'sampled_softmax_grad',
  family: 'softmax',
  summary: 'backward of sampled_softmax: dHidden [B, d], row-sparse dRows [B + S, d] and dBias [B + S] for ids labels ++ sampled',
  check: checkSampledSoftmaxGradInputs,
});

/** Sizes of a sampled-softmax call, as read by {@link sampledSoftmaxSizes}. */
export interface SampledSoftmaxSizes {
  /** Rows B. */
  batch: number;
  /** Width d. */
  dim: number;
  /** Classes C. */
  classes: number;
  /** Sampled classes S. */
  samples: number;
  /** Whether a class bias is given. */
  hasBias: boolean;
}

/**
 * The rule of `sampled_softmax` (its spec's `check`, run by `runKernel` on every backend):
 * inputs [hidden f32 `[B, d]`, classWeights f32 `[C, d]`, labels i32 `[B]`, sampled i32 `[S]`,
 * labelLogQ f32 `[B]`, sampledLogQ f32 `[S]`] and optionally classBias f32 `[C]`, and a boolean
 * `removeAccidentalHits`. Reads no tensor data: the class ids are
 * {@link checkSampledSoftmaxClassIds}' part, run where the ids are read.
 *
 * @example
 * ```ts
 * checkSampledSoftmaxInputs([h, W, labels, sampled, lq, sq], { removeAccidentalHits: true });
 * ```
 */
export function checkSampledSoftmaxInputs(inputs: readonly Tensor[], attrs: SampledSoftmaxAttrs): void {
  checkSampledSoftmax(inputs, attrs, false);
}

/**
 * The rule of `sampled_softmax_grad` (its spec's `check`, run by `runKernel` on every
 * backend): `sampled_softmax`'s, with dLoss f32 `[B]` before the optional classBias. Reads no
 * tensor data.
 *
 * @example
 * ```ts
 * checkSampledSoftmaxGradInputs([h, W, labels, sampled, lq, sq, dLoss], { removeAccidentalHits: true });
 * ```
 */
export function checkSampledSoftmaxGradInputs(inputs: readonly Tensor[], attrs: SampledSoftmaxAttrs): void {
  checkSampledSoftmax(inputs, attrs, true);
}

/** The rule of `sampled_softmax` (`withGrad` false) or `sampled_softmax_grad` (`withGrad` true), with its kernel's messages. */
function checkSampledSoftmax(inputs: readonly Tensor[], attrs: SampledSoftmaxAttrs, withGrad: boolean): void {
  const id = withGrad ? 'sampled_softmax_grad' : 'sampled_softmax';
  const base = withGrad ? 7 : 6;
  if (inputs.length !== base && inputs.length !== base + 1) {
    throw new Error(`${id}: expected ${base} inputs [hidden, classWeights, labels, sampled, labelLogQ, sampledLogQ${withGrad ? ', dLoss' : ''}] and an optional classBias, got ${inputs.length}`);
  }
  if (typeof attrs.removeAccidentalHits !== 'boolean') throw new Error(`${id}: removeAccidentalHits must be true or false, got ${String(attrs.removeAccidentalHits)}`);
  const [h, w, labels, sampled, lq, sq] = inputs;
  if (h.dtype !== 'f32' || w.dtype !== 'f32' || h.shape.length !== 2 || w.shape.length !== 2) throw new Error(`${id}: hidden and classWeights must be f32 matrices`);
  const [batch, dim] = h.shape;
  if (w.shape[1] !== dim) throw new Error(`${id}: hidden has d = ${dim} but classWeights d = ${w.shape[1]}`);
  checkVector(id, labels, 'labels', 'i32', batch);
  const samples = sampled.shape[0];
  checkVector(id, sampled, 'sampled', 'i32', samples);
  checkVector(id, lq, 'labelLogQ', 'f32', batch);
  checkVector(id, sq, 'sampledLogQ', 'f32', samples);
  if (withGrad) checkVector(id, inputs[6], 'dLoss', 'f32', batch);
  if (inputs.length === base + 1) checkVector(id, inputs[base], 'classBias', 'f32', w.shape[0]);
}

/** Throws unless `t` is a `dtype` vector of `n` entries (`id` and `name` name the kernel and the input). */
function checkVector(id: string, t: Tensor, name: string, dtype: DType, n: number): void {
  if (t.dtype !== dtype || t.shape.length !== 1 || t.shape[0] !== n) throw new Error(`${id}: ${name} must be ${dtype} [${n}], got ${t.dtype} [${t.shape.join(', ')}]`);
}

/**
 * The sizes of a `sampled_softmax` call (`withGrad` false) or a `sampled_softmax_grad` call
 * (`withGrad` true) whose inputs passed its rule.
 *
 * @example
 * ```ts
 * const { batch, dim, classes, samples, hasBias } = sampledSoftmaxSizes([h, W, labels, sampled, lq, sq], false);
 * ```
 */
export function sampledSoftmaxSizes(inputs: readonly Tensor[], withGrad: boolean): SampledSoftmaxSizes {
  const [batch, dim] = inputs[0].shape;
  return { batch, dim, classes: inputs[1].shape[0], samples: inputs[3].shape[0], hasBias: inputs.length === (withGrad ? 8 : 7) };
}

/**
 * The part of the sampled-softmax checks that reads the class ids (on the host): every label
 * and sampled class in [0, C). The js backend runs it, and native before its addon (whose own
 * check words the message differently); webgpu checks the ids on the GPU. `withGrad` picks the
 * kernel named in the message.
 *
 * @example
 * ```ts
 * checkSampledSoftmaxClassIds([h, W, labels, sampled, lq, sq], false); // throws `sampled_softmax: label 7 at position 0 is out of range for 5 classes`
 * ```
 */
export function checkSampledSoftmaxClassIds(inputs: readonly Tensor[], withGrad: boolean): void {
  const id = withGrad ? 'sampled_softmax_grad' : 'sampled_softmax';
  const classes = inputs[1].shape[0];
  for (const [name, t] of [['label', inputs[2]], ['sampled class', inputs[3]]] as const) {
    const v = hostData(t);
    for (let r = 0; r < v.length; r++) if (v[r] < 0 || v[r] >= classes) throw new Error(`${id}: ${name} ${v[r]} at position ${r} is out of range for ${classes} classes`);
  }
}

/**
 * Runs the forward pass; calls `onRow(b, logits, logSumExp)` with each row's
 * logits (f64, −∞ at hits) so the backward can reuse it.
 */
function forwardRows(inputs: readonly Tensor[], sizes: SampledSoftmaxSizes, removeHits: boolean, onRow: (b: number, o: Float64Array, lse: number) => void): void {
  const { batch: B, dim: d, samples: S, hasBias } = sizes;
  const h = hostF32(inputs[0]);
  const w = hostF32(inputs[1]);
  const labels = hostData(inputs[2]);
  const sampled = hostData(inputs[3]);
  const lq = hostF32(inputs[4]);
  const sq = hostF32(inputs[5]);
  const bias = hasBias ? hostF32(inputs[inputs.length - 1]) : undefined;
  const o = new Float64Array(S + 1);
  const logit = (b: number, c: number): number => {
    let x = 0;
    for (let k = 0; k < d; k++) x += h[b * d + k] * w[c * d + k];
    return bias ? x + bias[c] : x;
  };
  for (let b = 0; b < B; b++) {
    o[0] = logit(b, labels[b]) - lq[b];
    for (let s = 0; s < S; s++) o[s + 1] = removeHits && sampled[s] === labels[b] ? -Infinity : logit(b, sampled[s]) - sq[s];
    let max = -Infinity;
    for (let j = 0; j <= S; j++) max = Math.max(max, o[j]);
    let sum = 0;
    for (let j = 0; j <= S; j++) sum += Math.exp(o[j] - max);
    onRow(b, o, max + Math.log(sum));
  }
}

registerKernel<SampledSoftmaxAttrs>('sampled_softmax', 'js', ({ inputs, attrs, backend }) => {
  checkSampledSoftmaxClassIds(inputs, false);
  const sizes = sampledSoftmaxSizes(inputs, false);
  const loss = allocArray('f32', sizes.batch);
  forwardRows(inputs, sizes, attrs.removeAccidentalHits, (b, o, lse) => {
    loss[b] = lse - o[0];
  });
  return hostOutput(backend, [sizes.batch], 'f32', loss);
});

registerKernel<SampledSoftmaxAttrs>('sampled_softmax_grad', 'js', ({ inputs, attrs, backend }) => {
  checkSampledSoftmaxClassIds(inputs, true);
  const sizes = sampledSoftmaxSizes(inputs, true);
  const { batch: B, dim: d, samples: S } = sizes;
  const h = hostF32(inputs[0]);
  const w = hostF32(inputs[1]);
  const labels = hostData(inputs[2]);
  const sampled = hostData(inputs[3]);
  const dLoss = hostF32(inputs[6]);
  const dHidden = new Float64Array(B * d);
  const dRows = new Float64Array((B + S) * d);
  const dBias = new Float64Array(B + S);
  forwardRows(inputs, sizes, attrs.removeAccidentalHits, (b, o, lse) => {
    const gamma = dLoss[b];
    for (let j = 0; j <= S; j++) {
      const delta = gamma * (Math.exp(o[j] - lse) - (j === 0 ? 1 : 0));
      if (delta === 0) continue;
      const c = j === 0 ? labels[b] : sampled[j - 1];
      const r = j === 0 ? b : B + j - 1;
      dBias[r] += delta;
      for (let k = 0; k < d; k++) {
        dHidden[b * d + k] += delta * w[c * d + k];
        dRows[r * d + k] += delta * h[b * d + k];
      }
    }
  });
  return [
    hostOutput(backend, [B, d], 'f32', Float32Array.from(dHidden)),
    hostOutput(backend, [B + S, d], 'f32', Float32Array.from(dRows)),
    hostOutput(backend, [B + S], 'f32', Float32Array.from(dBias)),
  ];
});
