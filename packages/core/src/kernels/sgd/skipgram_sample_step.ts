/**
 * `skipgram_sample_step`: `skipgram_step` with its negatives drawn inside the kernel from a
 * unigram^0.75 alias table — word2vec's inner loop (Mikolov et al. 2013b, §2.2: "k negative
 * samples for each data sample" from U(w)^{3/4}/Z) with no negatives array between the
 * sampler and the step.
 *
 *   negatives = neg_sample_alias([prob, alias], { count: b·N, seed, stream, counter, maxTries: 1 })
 *   then skipgram_step(contextA, contextB, output, ctxA, ctxB, targets, negatives as [b, N], …)
 *
 * Row r of the negatives (example ⌊r/N⌋, slot r mod N) takes Philox words counter + 2r and
 * counter + 2r + 1 of (seed, stream), exactly as `neg_sample_alias`'s 2-input form: the same
 * call with the same counter gives the same negatives, so a model that drew them with
 * `sampleAliasNegatives` and stepped with `skipgram_step` trains the same tables here. Each
 * call uses 2·b·N counters.
 *
 * Inputs: `[contextA, contextB, output, ctxA, ctxB, targets, prob f32 [V], alias i32 [V]]`,
 * optionally followed by `[extra, extraIndptr, extraIndices]` (as `skipgram_step`). Every
 * alias-table id must be an output row: V ≤ output rows. Attributes: those of
 * `skipgram_step` plus `negatives` (N), `seed`, `stream`, `counter`. Output: loss f32 [1].
 *
 * Bad input: as `neg_sample_alias`, this reference checks every alias entry, native and
 * webgpu the entries their draws reach; either way before any row is updated.
 *
 * Numerics and threading are `skipgram_step`'s (the draws are exact integers on every
 * backend, so the deterministic native mode still equals this reference bit for bit).
 * Why a kernel: on a skip-gram epoch the separate draw cost a quarter of the time, mostly
 * in allocating, filling and handing over the negatives buffer (apps/bench skipgram.ts).
 *
 * @see Mikolov, Sutskever, Chen, Corrado & Dean 2013, "Distributed Representations of Words
 *   and Phrases and their Compositionality", §2.2.
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDrawAttrs } from '../sampling/draw_attrs.js';
import { aliasDraws, checkAliasEntries } from '../sampling/neg_sample_alias.js';
import { checkExtraRows, checkExtraShapes, checkSkipgramIds, checkSkipgramShapes, checkSkipgramStepFlags, skipgramStepReference, type SkipgramStepAttrs } from './skipgram_step.js';

/**
 * Attributes of `skipgram_sample_step`.
 *
 * @example
 * ```ts
 * const attrs: SkipgramSampleStepAttrs = { alpha1: 1, alpha2: 0, extraWeight: 0, lr: 0.025, reg: 0, negatives: 5, seed: 1, stream: 0, counter: 0 };
 * ```
 */
export interface SkipgramSampleStepAttrs extends SkipgramStepAttrs {
  /** N, negatives per example (≥ 0). */
  negatives: number;
  /** Philox seed of the draws. */
  seed: number;
  /** Philox stream of the draws. */
  stream: number;
  /** The first Philox word of the call; the call uses 2·b·N words from it. */
  counter: number;
}

/**
 * The declaration of `skipgram_sample_step` (family `sgd`).
 *
 * @example
 * ```ts
 * console.log(skipgramSampleStepSpec.summary);
 * ```
 */
export const skipgramSampleStepSpec = declareKernel({
  id: 'skipgram_sample_step',
  family: 'sgd',
  summary: 'skipgram_step with its N negatives per pair drawn inside from an alias table (unigram^0.75), as neg_sample_alias at the same counter',
  check: checkSkipgramSampleStepInputs,
});

/** Sizes of a `skipgram_sample_step` call. */
export interface SkipgramSampleStepSizes {
  dim: number;
  batch: number;
  /** The alias table's size V. */
  vocabulary: number;
  hasExtra: boolean;
}

/**
 * The rule of `skipgram_sample_step` (its spec's `check`, run by `runKernel` on every
 * backend): the input count, the flags, N, the Philox attributes, the alias table's, the
 * tables' and ids' dtypes and shapes and the category map's shapes. It reads no tensor data:
 * the ids, the alias entries and the category lists of the touched rows (the drawn
 * negatives' exist only after the draw) are checked where the data lives. Returns the sizes.
 *
 * @example
 * ```ts
 * const { dim, batch } = checkSkipgramSampleStepInputs([U, V, Vout, ctxA, ctxB, targets, prob, alias], attrs);
 * ```
 */
export function checkSkipgramSampleStepInputs(inputs: readonly Tensor[], attrs: SkipgramSampleStepAttrs): SkipgramSampleStepSizes {
  const { hasExtra, vocabulary } = checkSkipgramSampling(inputs, attrs);
  const { dim, batch } = checkSkipgramShapes('skipgram_sample_step', inputs.slice(0, 6), hasExtra ? inputs[8] : undefined);
  if (hasExtra) checkExtraShapes('skipgram_sample_step', inputs[9], inputs[10], inputs[2].shape[0]);
  return { dim, batch, vocabulary, hasExtra };
}

/**
 * The part of {@link checkSkipgramSampleStepInputs} that does not look at the tables: the
 * input count, the flags, N, the Philox attributes and the alias table's shapes. Returns
 * whether the category inputs are given and V.
 *
 * @example
 * ```ts
 * const { hasExtra } = checkSkipgramSampling(inputs, attrs);
 * ```
 */
export function checkSkipgramSampling(inputs: readonly Tensor[], attrs: SkipgramSampleStepAttrs): { hasExtra: boolean; vocabulary: number } {
  const K = 'skipgram_sample_step';
  checkSkipgramStepFlags(attrs, K);
  if (inputs.length !== 8 && inputs.length !== 11) {
    throw new Error(`${K}: expected 8 inputs [contextA, contextB, output, ctxA, ctxB, targets, prob, alias] and optionally [extra, extraIndptr, extraIndices], got ${inputs.length}`);
  }
  const batch = inputs[3].shape[0] ?? 0;
  const { negatives } = attrs;
  if (!(Number.isInteger(negatives) && negatives >= 0)) throw new Error(`${K}: negatives must be a non-negative integer, got ${negatives}`);
  checkDrawAttrs(K, attrs, 2 * batch * negatives, `2·${batch}·${negatives}`);
  const [prob, alias] = [inputs[6], inputs[7]];
  if (prob.dtype !== 'f32' || prob.shape.length !== 1) throw new Error(`${K}: prob must be f32 [V], got ${prob.dtype} [${prob.shape.join(', ')}]`);
  if (alias.dtype !== 'i32' || alias.shape.length !== 1) throw new Error(`${K}: alias must be i32 [V], got ${alias.dtype} [${alias.shape.join(', ')}]`);
  const V = prob.size;
  if (V === 0) throw new Error(`${K}: the alias table is empty`);
  if (alias.size !== V) throw new Error(`${K}: prob has ${V} entries but alias has ${alias.size}`);
  const rows = inputs[2].shape[0];
  if (V > rows) throw new Error(`${K}: the alias table has ${V} entries but output has ${rows} rows (every drawn id must be an output row)`);
  return { hasExtra: inputs.length === 11, vocabulary: V };
}

registerKernel<SkipgramSampleStepAttrs>('skipgram_sample_step', 'js', ({ inputs, attrs, backend }) => {
  const dim = inputs[0].shape[1];
  const batch = inputs[3].shape[0];
  const hasExtra = inputs.length === 11;
  checkSkipgramIds('skipgram_sample_step', inputs.slice(0, 6));
  const alias = hostData(inputs[7]);
  checkAliasEntries(alias, 'skipgram_sample_step');
  const N = attrs.negatives;
  const negatives = aliasDraws(hostData(inputs[6]), alias, attrs.seed, attrs.stream, attrs.counter, batch * N);
  if (hasExtra) checkExtraRows('skipgram_sample_step', inputs[9], inputs[10], inputs[2].shape[0], inputs[8].shape[0], [hostData(inputs[5]), negatives]);
  const loss = skipgramStepReference({
    A: hostF32(inputs[0]), B: hostF32(inputs[1]), W: hostF32(inputs[2]),
    ctxA: hostData(inputs[3]), ctxB: hostData(inputs[4]), targets: hostData(inputs[5]), negatives,
    extra: hasExtra ? { X: hostF32(inputs[8]), indptr: hostData(inputs[9]), indices: hostData(inputs[10]) } : undefined,
  }, batch, dim, N, attrs);
  return hostOutput(backend, [1], 'f32', Float32Array.of(loss));
});
