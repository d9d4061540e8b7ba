/**
 * `sample_weighted_candidates`: CCRec §5.1's probability-weighted negative
 * sampler — draw from each row's candidate list (the MLE's non-interacted
 * categories) with the given probabilities, by inverse CDF on one uniform per
 * draw:
 *
 *   W_r = Σ_l w_rl (f64, in order l = 0..L-1);  u = (word k >>> 8)·2⁻²⁴,  k = counter + r·S + s
 *   pick the first l with Σ_{m ≤ l} w_rm > u·W_r;  sample_rs = candidates[r, l],  weight_rs = f32(w_rl / W_r)
 *
 * Weights need not be normalised; an entry of weight 0 is never picked (its
 * prefix sum equals its predecessor's). The prefix sums are recomputed per
 * draw, O(L) each — the lists are short (tens of categories), so a per-row
 * table would not pay. All backends sum in f64 in the same order, so the picks
 * agree bit for bit (EXACT parity). The returned normalised weights are what
 * CCRec §5.3 reuses in its precision-centric loss.
 *
 * Inputs: candidates i32 [n, L]; weights f32 [n, L] (finite, ≥ 0, each row
 * with a positive sum). Attributes: numSamples S per row, seed, stream, counter.
 * Outputs: samples i32 [n, S]; sampleWeights f32 [n, S].
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { u32At } from '../../random/rng.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDrawAttrs } from './draw_attrs.js';

/** Attributes of `sample_weighted_candidates`. */
export interface SampleWeightedCandidatesAttrs {
  numSamples: number;
  seed: number;
  stream: number;
  counter: number;
}

const UNIFORM_STEP = 1 / 16_777_216;

export const sampleWeightedCandidatesSpec = declareKernel({
  id: 'sample_weighted_candidates',
  family: 'sampling',
  summary: 'per row, S draws of candidates[l] with probability w_l / Σw by inverse CDF',
  check: checkSampleWeightedCandidatesInputs,
});

const K = 'sample_weighted_candidates';

/**
 * The rule of `sample_weighted_candidates` (its spec's `check`, run by `runKernel` on every
 * backend): candidates i32 [n, L] and weights f32 [n, L], L ≥ 1 when there are rows (an empty
 * list has no positive weight); numSamples in [0, 2³¹) and the Philox attributes, the n·S
 * words from `counter` safe integers. It reads no tensor data: the weights' values are
 * {@link checkSampleWeightedCandidatesWeights}'. Returns [n, L].
 *
 * @example
 * ```ts
 * const [n, L] = checkSampleWeightedCandidatesInputs([candidates, weights], { numSamples: 4, seed: 1, stream: 0, counter: 0 });
 * ```
 */
export function checkSampleWeightedCandidatesInputs(inputs: readonly Tensor[], attrs: SampleWeightedCandidatesAttrs): [number, number] {
  if (inputs.length !== 2) throw new Error(`${K}: expected 2 inputs [candidates, weights], got ${inputs.length}`);
  const [candidates, weights] = inputs;
  if (candidates.dtype !== 'i32' || weights.dtype !== 'f32') throw new Error(`${K}: candidates must be i32 and weights f32, got ${candidates.dtype} and ${weights.dtype}`);
  const candidateShape = candidates.shape;
  const weightShape = weights.shape;
  if (candidateShape.length !== 2) throw new Error(`${K}: candidates must have shape [rows, listLength], got [${candidateShape.join(', ')}]`);
  if (weightShape.length !== 2 || weightShape[0] !== candidateShape[0] || weightShape[1] !== candidateShape[1]) throw new Error(`${K}: weights has shape [${weightShape.join(', ')}] but candidates has [${candidateShape.join(', ')}]`);
  const [n, L] = candidateShape;
  if (n > 0 && L === 0) throw new Error(`${K}: the weights of row 0 sum to zero`);
  const S = attrs.numSamples;
  if (!(Number.isInteger(S) && S >= 0 && S < 2 ** 31)) throw new Error(`${K}: numSamples must be an integer in [0, 2³¹), got ${S}`);
  checkDrawAttrs(K, attrs, n * S, `${n}·${S}`);
  return [n, L];
}

/**
 * The part of `sample_weighted_candidates`' checks that reads the weights: each finite and
 * non-negative, each row's sum positive; run by the reference and by native (whose C++
 * messages do not name the weight) after {@link checkSampleWeightedCandidatesInputs}.
 *
 * @example
 * ```ts
 * checkSampleWeightedCandidatesWeights(hostData(weights), n, L);
 * ```
 */
export function checkSampleWeightedCandidatesWeights(weights: ArrayLike<number>, n: number, L: number): void {
  for (let r = 0; r < n; r++) {
    let total = 0;
    for (let l = 0; l < L; l++) {
      const w = weights[r * L + l];
      if (!(Number.isFinite(w) && w >= 0)) throw new Error(`${K}: weight ${w} at row ${r}, column ${l} must be finite and non-negative`);
      total += w;
    }
    if (!(total > 0)) throw new Error(`${K}: the weights of row ${r} sum to zero`);
  }
}

registerKernel<SampleWeightedCandidatesAttrs>('sample_weighted_candidates', 'js', ({ inputs: [candidatesT, weightsT], attrs, backend }) => {
  const candidates = hostData(candidatesT);
  const weights = hostData(weightsT);
  const [n, L] = candidatesT.shape;
  checkSampleWeightedCandidatesWeights(weights, n, L);
  const { numSamples: S, seed, stream, counter } = attrs;
  const samples = allocArray('i32', n * S);
  const sampleWeights = allocArray('f32', n * S);
  for (let r = 0; r < n; r++) {
    const row = r * L;
    let total = 0;
    let last = 0;
    for (let l = 0; l < L; l++) {
      total += weights[row + l];
      if (weights[row + l] > 0) last = l;
    }
    for (let s = 0; s < S; s++) {
      const target = (u32At(seed, stream, counter + r * S + s) >>> 8) * UNIFORM_STEP * total;
      let cum = 0;
      let pick = last; // reached only if rounding left the target at the total
      for (let l = 0; l < L; l++) {
        cum += weights[row + l];
        if (cum > target) {
          pick = l;
          break;
        }
      }
      samples[r * S + s] = candidates[row + pick];
      sampleWeights[r * S + s] = weights[row + pick] / total;
    }
  }
  return [hostOutput(backend, [n, S], 'i32', samples), hostOutput(backend, [n, S], 'f32', sampleWeights)];
});
