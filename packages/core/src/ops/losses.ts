import { applyOp1, type OpDef } from '../autograd/op.js';
import { noGrad, recordOp, RowSparse } from '../autograd/tape.js';
import type { SampledSoftmaxAttrs } from '../kernels/softmax/sampled_softmax.js';
import { runKernel } from '../tensor/engine.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { zeros } from './create.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, equal, exp, logSigmoid, mul, neg, sigmoid, softplus, square, sub } from './elementwise.js';
import { gather, takeAlongAxis } from './indexing.js';
import { concat, expandDims, reshape } from './layout.js';
import { matmul } from './matmul.js';
import { mean, sum } from './reduce.js';
import { logSoftmax } from './softmax.js';
import { expectDType, expectRank } from './validate.js';

/** How a loss reduces its per-example values. */
export type Reduction = 'mean' | 'sum' | 'none';

function reduceLoss(x: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? x : reduction === 'sum' ? sum(x) : mean(x);
}

function expectSameShape(a: Tensor, b: Tensor, op: string, names: [string, string]): void {
  if (!shapesEqual(a.shape, b.shape)) {
    throw new Error(`${op}: ${names[0]} ${formatShape(a.shape)} and ${names[1]} ${formatShape(b.shape)} must have the same shape`);
  }
}

/**
 * Binary cross-entropy on logits: ℓ = softplus(x) − y·x
 * (= −y log σ(x) − (1−y) log(1−σ(x)), without overflow). The pointwise log
 * loss of NCF (He et al. 2017, eq. 7) and of NMTR's per-behaviour tasks.
 *
 * @example
 * ```ts
 * const loss = bceWithLogits(scores, labels); // labels in {0, 1}
 * ```
 */
export function bceWithLogits(logits: Tensor, targets: Tensor, reduction: Reduction = 'mean'): Tensor {
  expectDType(logits, ['f32'], 'bceWithLogits', 'logits');
  expectDType(targets, ['f32'], 'bceWithLogits', 'targets');
  expectSameShape(logits, targets, 'bceWithLogits', ['logits', 'targets']);
  // One autograd op with its own gradient: ∂ℓ/∂x = σ(x) − y and ∂ℓ/∂y = −x, each times the
  // output's gradient (÷ n for the mean). The composite's backward ran twelve kernels (the
  // mean's division, the sum's broadcast, softplus's and the product's gradients, their sum);
  // this runs four, which was a tenth of a NeuMF step at batch 256.
  const loss = noGrad(() => reduceLoss(sub(softplus(logits), mul(targets, logits)), reduction));
  const count = logits.size;
  recordOp('bceWithLogits', [logits, targets], [loss], { reduction }, ([dy]) => {
    const scale = reduction === 'mean' ? div(dy, Math.max(count, 1)) : dy;
    return [
      logits.requiresGrad ? mul(sub(sigmoid(logits), targets), scale) : null,
      targets.requiresGrad ? mul(neg(logits), scale) : null,
    ];
  });
  return loss;
}

/**
 * Bayesian personalised ranking loss: ℓ = −log σ(x⁺ − x⁻) per (positive,
 * negative) pair (Rendle et al. 2009, eq. 4 without the prior, which the
 * optimizer's L2 supplies).
 */
export function bprLoss(positive: Tensor, negative: Tensor, reduction: Reduction = 'mean'): Tensor {
  expectDType(positive, ['f32'], 'bprLoss', 'positive scores');
  expectDType(negative, ['f32'], 'bprLoss', 'negative scores');
  expectSameShape(positive, negative, 'bprLoss', ['positive scores', 'negative scores']);
  return reduceLoss(neg(logSigmoid(sub(positive, negative))), reduction);
}

/** Mean squared error ℓ = (x − y)²; RnR's rating loss. */
export function mseLoss(predictions: Tensor, targets: Tensor, reduction: Reduction = 'mean'): Tensor {
  expectSameShape(predictions, targets, 'mseLoss', ['predictions', 'targets']);
  return reduceLoss(square(sub(predictions, targets)), reduction);
}

/** Negative log-likelihood of each row's label: ℓ = −logp[r, label[r]], for log-probabilities `[..., C]`. */
export function nllLoss(logProbs: Tensor, labels: Tensor, reduction: Reduction = 'mean'): Tensor {
  return reduceLoss(neg(takeAlongAxis(logProbs, labels)), reduction);
}

/**
 * Full softmax cross-entropy: ℓ = −log softmax(logits)[label] over the last
 * axis. For class counts up to a few thousand (categories); use
 * {@link sampledSoftmaxLoss} for item catalogues.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, reduction: Reduction = 'mean'): Tensor {
  expectDType(labels, ['i32'], 'softmaxCrossEntropy', 'labels');
  return nllLoss(logSoftmax(logits), labels, reduction);
}

/** Inputs of {@link sampledSoftmaxLoss}. */
export interface SampledSoftmaxInputs {
  /** f32 `[B, d]`: the query (user / context) vectors. */
  hidden: Tensor;
  /** f32 `[C, d]`: one output vector per class (e.g. item embeddings). */
  classWeights: Tensor;
  /** Optional f32 `[C]`: per-class bias. */
  classBias?: Tensor;
  /** i32 `[B]`: each row's true class. */
  labels: Tensor;
  /** i32 `[S]`: classes drawn from the proposal Q, shared by the batch. */
  sampled: Tensor;
  /** f32 `[B]`: log Q(label) of each true class under the proposal. */
  labelLogQ: Tensor;
  /** f32 `[S]`: log Q(s) of each sampled class. */
  sampledLogQ: Tensor;
  /** Whether to mask a sampled class equal to the row's label (default true). */
  removeAccidentalHits?: boolean;
}

/**
 * Sampled softmax with the log-Q correction (Bengio & Senécal 2008; Jean et
 * al. 2015): logits o_j = h·w_j + b_j − log Q(j) over {label} ∪ sampled, and
 * ℓ = −log softmax(o)[label]. Subtracting log Q makes the sampled softmax a
 * consistent estimate of the full one. A sampled class equal to the row's label
 * (an accidental hit) is masked with −1e9. Gradients reach `classWeights`
 * row-sparse, through gathers of the touched rows only.
 *
 * This is the reference; the fused kernel `sampled_softmax` ({@link sampledSoftmaxRows}) is tested against it.
 */
export function sampledSoftmaxLoss(inputs: SampledSoftmaxInputs, reduction: Reduction = 'mean'): Tensor {
  const { hidden, classWeights, classBias, labels, sampled, labelLogQ, sampledLogQ } = inputs;
  expectRank(hidden, 2, 'sampledSoftmaxLoss', 'hidden');
  expectRank(classWeights, 2, 'sampledSoftmaxLoss', 'classWeights');
  expectDType(labels, ['i32'], 'sampledSoftmaxLoss', 'labels');
  expectDType(sampled, ['i32'], 'sampledSoftmaxLoss', 'sampled');
  const b = hidden.shape[0];
  if (labels.size !== b || labelLogQ.size !== b) throw new Error(`sampledSoftmaxLoss: labels and labelLogQ need ${b} entries (one per row of hidden)`);
  if (sampledLogQ.size !== sampled.size) throw new Error(`sampledSoftmaxLoss: sampledLogQ has ${sampledLogQ.size} entries for ${sampled.size} sampled classes`);
  const wTrue = gather(classWeights, labels); // [B, d]
  const wSampled = gather(classWeights, sampled); // [S, d]
  let trueLogit = sum(mul(hidden, wTrue), 1, { keepDims: true }); // [B, 1]
  let sampledLogits = matmul(hidden, wSampled, { transposeB: true }); // [B, S]
  if (classBias) {
    trueLogit = add(trueLogit, expandDims(gather(classBias, labels), 1));
    sampledLogits = add(sampledLogits, expandDims(gather(classBias, sampled), 0));
  }
  trueLogit = sub(trueLogit, reshape(labelLogQ, [b, 1]));
  sampledLogits = sub(sampledLogits, reshape(sampledLogQ, [1, sampled.size]));
  if (inputs.removeAccidentalHits ?? true) sampledLogits = add(sampledLogits, accidentalHitMask(labels, sampled));
  const logits = concat([trueLogit, sampledLogits], 1); // the label is column 0
  const column0 = zeros([b], { dtype: 'i32', backend: labels.backend });
  return softmaxCrossEntropy(logits, column0, reduction);
}

/**
 * Inputs of {@link sampledSoftmaxRows}: {@link SampledSoftmaxInputs} without the class bias.
 * @example
 * ```ts
 * const inputs: SampledSoftmaxRowsInputs = { hidden, classWeights: embeddings, labels, sampled, labelLogQ, sampledLogQ };
 * ```
 */
export type SampledSoftmaxRowsInputs = Readonly<Omit<SampledSoftmaxInputs, 'classBias'>>;

const sampledSoftmaxDef: OpDef<SampledSoftmaxAttrs> = {
  name: 'sampledSoftmax',
  kernel: 'sampled_softmax',
  // The kernel gives dHidden dense and dRows for the ids labels ++ sampled, which is the row-sparse gradient of the class table.
  grad: ([dLoss], { inputs, attrs }) => {
    const [hidden, classWeights, labels, sampled, labelLogQ, sampledLogQ] = inputs;
    const [dHidden, dRows] = runKernel('sampled_softmax_grad', [hidden!, classWeights!, labels!, sampled!, labelLogQ!, sampledLogQ!, dLoss!], attrs);
    return [dHidden!, new RowSparse(concat([labels!, sampled!]), dRows!, classWeights!.shape), null, null, null, null];
  },
};

/**
 * Per-row sampled-softmax losses `[B]` through the fused `sampled_softmax` kernel, with
 * autograd: the backward runs `sampled_softmax_grad`, whose gradient reaches `classWeights`
 * row-sparse (B + S rows: the labels' and the shared samples'), so an embedding table of
 * any size costs only the touched rows. The same loss as {@link sampledSoftmaxLoss}`(…,
 * 'none')` without a class bias (hits masked with −∞ here, −1e9 there: the same in f32),
 * at one pass over `[B, S]` logits instead of a materialised `[B, S + 1]` matrix and its
 * log-softmax. Cost: O(B·S·d) forward, twice that backward.
 * @throws Error (from the kernel) naming the input whose shape or dtype is wrong, or a class id out of range.
 * @example
 * ```ts
 * const loss = mean(sampledSoftmaxRows({ hidden, classWeights: M, labels, sampled, labelLogQ, sampledLogQ }));
 * ```
 * @see Jean, Cho, Memisevic & Bengio 2015, §3 (the log-Q correction).
 */
export function sampledSoftmaxRows(inputs: SampledSoftmaxRowsInputs): Tensor {
  const { hidden, classWeights, labels, sampled, labelLogQ, sampledLogQ } = inputs;
  return applyOp1(sampledSoftmaxDef, [hidden, classWeights, labels, sampled, labelLogQ, sampledLogQ], { removeAccidentalHits: inputs.removeAccidentalHits ?? true });
}

function accidentalHitMask(labels: Tensor, sampled: Tensor): Tensor {
  const hit = equal(reshape(labels, [labels.size, 1]), reshape(sampled, [1, sampled.size])); // [B, S] of 0/1
  return mul(hit, -1e9);
}

/**
 * KL(N(μ, σ²) ‖ N(0, 1)) = ½ Σ (σ² + μ² − 1 − log σ²) over the last axis, with
 * `logVar` = log σ²: the VAE regulariser (Kingma & Welling 2014, appendix B),
 * used by CCRec's category encoder.
 */
export function gaussianKL(mu: Tensor, logVar: Tensor, reduction: Reduction = 'mean'): Tensor {
  expectSameShape(mu, logVar, 'gaussianKL', ['mu', 'logVar']);
  const perDim = sub(add(exp(logVar), square(mu)), add(logVar, 1));
  return reduceLoss(mul(sum(perDim, -1), 0.5), reduction);
}
