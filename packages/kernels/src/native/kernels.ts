/**
 * The TS glue of the native kernels: one `registerKernel(<id>, 'native', …)`
 * per C++ kernel, with the same id as its reference in `@rec/core`
 * (`packages/core/src/kernels/<family>/<id>.ts`) and its C++ file
 * (`kernels/cpu/<family>/<id>.cc`). The engine has checked the inputs and
 * attributes against the kernel's declared rule (`KernelSpec.check`) before
 * any of these runs; each checks the data where the C++ does not (or not with
 * the reference's messages), hands the host arrays and attributes to the
 * addon and wraps outputs in the backend's storage. Every other kernel falls
 * back to `js`, and so do the inputs a C++ kernel does not take (see
 * {@link reference}).
 */
import {
  type AdagradUpdateAttrs, type AdamUpdateAttrs, allocArray, allocOutputArray, type BprSampleStepAttrs, type BprStepAttrs, broadcastPlan,
  broadcastShapes, checkBprStepIds, checkNegSampleCategoryIds, checkSampledSoftmaxClassIds,
  checkSampleWeightedCandidatesWeights, checkSkipgramStepIds, concatPlan, type DenseBiasActAttrs, findKernel, type GatherMatvecAttrs,
  gatherMatvecShape, hostData, hostF32, hostOutput, type KernelContext, type KernelImpl, type KernelOutput, type LayerNormAttrs, layerNormSizes,
  layerNormStatsShape, type LayoutPlan, type MatmulAttrs, ncfHeadSizes, type NegSampleAliasAttrs, type NegSampleCascadeAttrs,
  type NegSampleCategoryAttrs, type NegSampleExcludeAttrs, type NegSampleMultichannelAttrs, padSlicePlan, Philox, type RankTopkAttrs, registerKernel,
  type SampledSoftmaxAttrs, sampledSoftmaxSizes, type SampleWeightedCandidatesAttrs, type ScatterOuterAddAttrs, selectiveScanSizes,
  type SgdUpdateAttrs, type Shape, sizeOf, type SkipgramSampleStepAttrs, type SkipgramStepAttrs, skipgramStepSizes, slicePlan, type Tensor,
  towerScoreShape, transposePlan,
} from '@rec/core';
import type { NativeAddon } from './load.js';

/** The addon's activation codes of `dense_bias_act` and its gradient. */
const ACTIVATION_CODES = { none: 0, relu: 1, sigmoid: 2 } as const;


let registered = false;

function i32(t: Tensor, kernel: string, name: string): Int32Array {
  const data = hostData(t);
  if (!(data instanceof Int32Array)) throw new Error(`${kernel}: ${name} must be i32, got ${t.dtype}`);
  return data;
}

function f32(t: Tensor, kernel: string, name: string): Float32Array {
  if (t.dtype !== 'f32') throw new Error(`${kernel}: ${name} must be f32, got ${t.dtype}`);
  return hostF32(t);
}

/** core's UnaryFn / BinaryFn in the order of the `fn` codes of unary.cc / binary.cc. */
const UNARY_FNS = ['neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'square', 'reciprocal', 'relu', 'step', 'sigmoid', 'tanh', 'softplus', 'log_sigmoid'];
const BINARY_FNS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'greater', 'greater_equal'];
const REDUCE_FNS = ['sum', 'max', 'min'];

/** `put_along_axis`'s attribute (core's PutAlongAxisAttrs). */
interface PutAlongAxisAttrs {
  classes: number;
}

/** `dropout_mask`'s attributes (core's DropoutMaskAttrs). */
interface DropoutMaskAttrs {
  shape: readonly number[];
  p: number;
  seed: number;
  stream: number;
  counter: number;
}

/**
 * Runs the `js` reference of `id` on the same host arrays (the native
 * backend's storage is the js backend's): the path for inputs a C++ kernel
 * does not take (an i32 x where the C++ takes f32, for one), so nothing the reference
 * accepts fails on `native`.
 */
function reference(id: string, ctx: KernelContext<any>): KernelOutput | KernelOutput[] | void {
  const impl: KernelImpl | undefined = findKernel(id, 'js');
  if (!impl) throw new Error(`${id}: no js reference is registered`);
  return impl(ctx);
}

/**
 * Registers every native kernel under `<id>:native` (once; later calls do
 * nothing).
 *
 * @example
 * ```ts
 * const native = loadNative();
 * if (native.ok) registerNativeKernels(native.addon);
 * ```
 */
export function registerNativeKernels(addon: NativeAddon): void {
  if (registered) return;
  registered = true;

  // The layout kernels (transpose included): each a plan of strided copies (@rec/core
  // kernels/layout/plans.ts, shared with webgpu), one `strided_copy` call per copy, into a new
  // host array (zeros for pad_slice; the other plans' copies write every element, so their
  // array is not zero-filled first).
  const runPlan = (inputs: readonly Tensor[], plan: LayoutPlan, backend: KernelContext['backend']): KernelOutput => {
    const dtype = inputs[0].dtype;
    const out = plan.zeroed ? allocArray(dtype, sizeOf(plan.shape)) : allocOutputArray(dtype, sizeOf(plan.shape));
    for (const c of plan.copies) {
      addon.strided_copy(hostData(inputs[c.input]) as Float32Array, c.srcBase, Int32Array.from(c.srcStride), out as Float32Array, c.dstBase, Int32Array.from(c.dstStride), Int32Array.from(c.shape));
    }
    return hostOutput(backend, plan.shape, dtype, out);
  };
  registerKernel<{ shape: Shape }>('broadcast_to', 'native', ({ inputs, attrs, backend }) => runPlan(inputs, broadcastPlan(inputs[0].shape, attrs.shape), backend));
  registerKernel<{ begin: readonly number[]; size: readonly number[] }>('slice', 'native', ({ inputs, attrs, backend }) => runPlan(inputs, slicePlan(inputs[0].shape, attrs.begin, attrs.size), backend));
  registerKernel<{ shape: Shape; begin: readonly number[] }>('pad_slice', 'native', ({ inputs, attrs, backend }) => runPlan(inputs, padSlicePlan(inputs[0].shape, attrs.shape, attrs.begin), backend));
  registerKernel<{ axis: number }>('concat', 'native', ({ inputs, attrs, backend }) => runPlan(inputs, concatPlan(inputs.map((t) => t.shape), attrs.axis), backend));
  registerKernel<{ perm: readonly number[] }>('transpose', 'native', ({ inputs, attrs, backend }) => runPlan(inputs, transposePlan(inputs[0].shape, attrs.perm), backend));

  registerKernel<LayerNormAttrs>('layer_norm', 'native', ({ inputs, attrs, backend }) => {
    const { rows, dim } = layerNormSizes(inputs, false);
    const [x, gamma, beta] = inputs;
    // Every row's y, μ and r are written.
    const y = allocOutputArray('f32', rows * dim);
    const mean = allocOutputArray('f32', rows);
    const rstd = allocOutputArray('f32', rows);
    addon.layer_norm(hostF32(x), hostF32(gamma), hostF32(beta), y, mean, rstd, rows, dim, attrs.epsilon);
    const stats = layerNormStatsShape(x.shape);
    return [hostOutput(backend, x.shape, 'f32', y), hostOutput(backend, stats, 'f32', mean), hostOutput(backend, stats, 'f32', rstd)];
  });
  registerKernel<LayerNormAttrs>('layer_norm_grad', 'native', ({ inputs, backend }) => {
    const { rows, dim } = layerNormSizes(inputs, true);
    const [dy, x, gamma, mean, rstd] = inputs;
    const dx = allocArray('f32', rows * dim);
    const dGamma = allocArray('f32', dim);
    const dBeta = allocArray('f32', dim);
    addon.layer_norm_grad(hostF32(dy), hostF32(x), hostF32(gamma), hostF32(mean), hostF32(rstd), dx, dGamma, dBeta, rows, dim);
    return [hostOutput(backend, x.shape, 'f32', dx), hostOutput(backend, gamma.shape, 'f32', dGamma), hostOutput(backend, gamma.shape, 'f32', dBeta)];
  });

  registerKernel('selective_scan', 'native', ({ inputs, backend }) => {
    const { batch, T, E, N } = selectiveScanSizes(inputs, 0);
    const y = allocOutputArray('f32', batch * T * E); // every (b, t, e) is written
    addon.selective_scan(...(inputs.map(hostF32) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array]), y, batch, T, E, N);
    return hostOutput(backend, [batch, T, E], 'f32', y);
  });
  registerKernel('selective_scan_grad', 'native', ({ inputs, backend }) => {
    const { batch, T, E, N } = selectiveScanSizes(inputs, 1);
    // One gradient per forward input, of its shape; the C++ writes every element.
    const forward = inputs.slice(1);
    const grads = forward.map((t) => allocOutputArray('f32', t.size));
    type Six = [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    addon.selective_scan_grad(hostF32(inputs[0]!), ...(forward.map(hostF32) as Six), ...(grads as Six), batch, T, E, N);
    return grads.map((g, k) => hostOutput(backend, forward[k]!.shape, 'f32', g));
  });

  registerKernel<NegSampleExcludeAttrs>('neg_sample_exclude', 'native', ({ inputs: [users, indptr, indices], attrs, backend }) => {
    const K = 'neg_sample_exclude';
    const u = i32(users, K, 'users');
    const out = allocArray('i32', u.length);
    const [keyLo, keyHi] = new Philox({ seed: attrs.seed, stream: attrs.stream }).key;
    const exhausted = addon.neg_sample_exclude(
      u, i32(indptr, K, 'indptr'), i32(indices, K, 'indices'), out,
      attrs.numItems, keyLo, keyHi, attrs.stream, attrs.counter, attrs.maxTries,
    );
    return [hostOutput(backend, [u.length], 'i32', out), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
  });

  registerKernel<NegSampleAliasAttrs>('neg_sample_alias', 'native', ({ inputs, attrs, backend }) => {
    const K = 'neg_sample_alias';
    const exclude = inputs.length === 5;
    const prob = f32(inputs[0], K, 'prob');
    const alias = i32(inputs[1], K, 'alias');
    const empty = new Int32Array(0);
    const users = exclude ? i32(inputs[2], K, 'users') : empty;
    const indptr = exclude ? i32(inputs[3], K, 'indptr') : empty;
    // The addon checks the CSR, the users and the alias entries its draws reach (the reference's messages).
    const n = exclude ? users.length : attrs.count;
    const out = allocArray('i32', n);
    const [keyLo, keyHi] = new Philox({ seed: attrs.seed, stream: attrs.stream }).key;
    const exhausted = addon.neg_sample_alias(
      prob, alias, exclude ? 1 : 0, users, indptr, exclude ? i32(inputs[4], K, 'indices') : empty, n, out,
      keyLo, keyHi, attrs.stream, attrs.counter, attrs.maxTries,
    );
    return [hostOutput(backend, [n], 'i32', out), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
  });

  registerKernel<NegSampleCategoryAttrs>('neg_sample_category', 'native', ({ inputs, attrs, backend }) => {
    const K = 'neg_sample_category';
    const names = ['users', 'positives', 'itemCategory', 'catIndptr', 'catItems', 'sibIndptr', 'sibCats', 'userIndptr', 'userItems'];
    const [users, positives, itemCategory, catIndptr, catItems, sibIndptr, sibCats, userIndptr, userItems] = inputs.map((t, i) => i32(t, K, names[i]));
    // The C++ checks these too, in terser words; the reference's name what and where.
    checkNegSampleCategoryIds(users, positives, itemCategory, catIndptr, catItems, sibIndptr, sibCats, userIndptr);
    const out = allocArray('i32', users.length);
    const [keyLo, keyHi] = new Philox({ seed: attrs.seed, stream: attrs.stream }).key;
    const exhausted = addon.neg_sample_category(
      users, positives, itemCategory, catIndptr, catItems, sibIndptr, sibCats, userIndptr, userItems, out,
      attrs.siblingRate, keyLo, keyHi, attrs.stream, attrs.counter, attrs.maxTries,
    );
    return [hostOutput(backend, [users.length], 'i32', out), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
  });

  registerKernel<NegSampleMultichannelAttrs>('neg_sample_multichannel', 'native', ({ inputs, attrs, backend }) => {
    const K = 'neg_sample_multichannel';
    const names = ['users', 'viewedIndptr', 'viewedItems', 'seenIndptr', 'seenItems'];
    // The addon checks the CSRs, the viewed items and the users (the reference's messages).
    const [users, viewedIndptr, viewedItems, seenIndptr, seenItems] = inputs.map((t, i) => i32(t, K, names[i]));
    const out = allocArray('i32', users.length);
    const channel = allocArray('i32', users.length);
    const [keyLo, keyHi] = new Philox({ seed: attrs.seed, stream: attrs.stream }).key;
    const exhausted = addon.neg_sample_multichannel(
      users, viewedIndptr, viewedItems, seenIndptr, seenItems, out, channel,
      attrs.viewedRate, attrs.numItems, keyLo, keyHi, attrs.stream, attrs.counter, attrs.maxTries,
    );
    return [
      hostOutput(backend, [users.length], 'i32', out), hostOutput(backend, [users.length], 'i32', channel),
      hostOutput(backend, [1], 'i32', Int32Array.of(exhausted)),
    ];
  });

  registerKernel<NegSampleCascadeAttrs>('neg_sample_cascade', 'native', ({ inputs: [usersT, positivesT, indptrT, indicesT], attrs, backend }) => {
    const K = 'neg_sample_cascade';
    const users = i32(usersT, K, 'users');
    const positives = i32(positivesT, K, 'positives');
    const indptr = i32(indptrT, K, 'indptr');
    const indices = i32(indicesT, K, 'indices');
    // The addon checks the CSR, the users and the positives (the reference's messages).
    const B = indptrT.shape[0];
    const out = allocArray('i32', users.length * B);
    const [keyLo, keyHi] = new Philox({ seed: attrs.seed, stream: attrs.stream }).key;
    const exhausted = addon.neg_sample_cascade(users, positives, indptr, indices, B, out, attrs.numItems, keyLo, keyHi, attrs.stream, attrs.counter, attrs.maxTries);
    return [hostOutput(backend, [users.length, B], 'i32', out), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
  });

  registerKernel<SampleWeightedCandidatesAttrs>('sample_weighted_candidates', 'native', ({ inputs: [candidatesT, weightsT], attrs, backend }) => {
    const K = 'sample_weighted_candidates';
    const candidates = i32(candidatesT, K, 'candidates');
    const weights = f32(weightsT, K, 'weights');
    const [n, L] = candidatesT.shape;
    // The C++ checks the weights too, without naming the bad one; the reference's message does.
    checkSampleWeightedCandidatesWeights(weights, n, L);
    const S = attrs.numSamples;
    const samples = allocArray('i32', n * S);
    const sampleWeights = allocArray('f32', n * S);
    const [keyLo, keyHi] = new Philox({ seed: attrs.seed, stream: attrs.stream }).key;
    addon.sample_weighted_candidates(candidates, weights, n, L, S, samples, sampleWeights, keyLo, keyHi, attrs.stream, attrs.counter);
    return [hostOutput(backend, [n, S], 'i32', samples), hostOutput(backend, [n, S], 'f32', sampleWeights)];
  });

  registerKernel<SgdUpdateAttrs>('sparse_sgd', 'native', ({ inputs, attrs }) => {
    const K = 'sparse_sgd';
    const [param, indices, values, velocity] = inputs;
    addon.sparse_sgd(
      f32(param, K, 'param'), sizeOf(param.shape.slice(1)), i32(indices, K, 'indices'), f32(values, K, 'values'),
      velocity ? f32(velocity, K, 'velocity') : new Float32Array(0),
      attrs.lr, attrs.momentum, attrs.nesterov ? 1 : 0, attrs.weightDecay,
    );
  });

  registerKernel<AdagradUpdateAttrs>('sparse_adagrad', 'native', ({ inputs: [param, indices, values, sum], attrs }) => {
    const K = 'sparse_adagrad';
    addon.sparse_adagrad(
      f32(param, K, 'param'), sizeOf(param.shape.slice(1)), i32(indices, K, 'indices'), f32(values, K, 'values'), f32(sum, K, 'sum'),
      attrs.lr, attrs.eps, attrs.weightDecay,
    );
  });

  registerKernel<AdamUpdateAttrs>('sparse_adam', 'native', ({ inputs: [param, indices, values, m, v], attrs }) => {
    const K = 'sparse_adam';
    addon.sparse_adam(
      f32(param, K, 'param'), sizeOf(param.shape.slice(1)), i32(indices, K, 'indices'), f32(values, K, 'values'),
      f32(m, K, 'm'), f32(v, K, 'v'),
      attrs.lr, attrs.beta1, attrs.beta2, attrs.eps, attrs.weightDecay, attrs.decoupledWeightDecay ? 1 : 0, attrs.step,
    );
  });

  registerKernel<BprStepAttrs>('bpr_step', 'native', ({ inputs, attrs, backend }) => {
    const K = 'bpr_step';
    // The engine has checked the shapes and attributes (checkBprStepInputs). The addon checks
    // the id ranges (check_ids, the same messages); the category checks index by item id, so
    // the 8-input form checks the ids and the touched items' lists here first.
    if (inputs.length === 8) checkBprStepIds(inputs);
    const d = inputs[0].shape[1];
    const [P, Q, users, pos, neg] = inputs;
    const args = [hostF32(P), hostF32(Q), d, i32(users, K, 'users'), i32(pos, K, 'positives'), i32(neg, K, 'negatives'), attrs.lr, attrs.reg, attrs.hogwild ?? false] as const;
    // The category inputs (extraWeight included) follow hogwild, then parts (the category
    // path's), then lanes (the 5-input path's).
    const loss = inputs.length === 8
      ? addon.bpr_step(...args, f32(inputs[5], K, 'extra'), i32(inputs[6], K, 'extraIndptr'), i32(inputs[7], K, 'extraIndices'), attrs.extraWeight as number, attrs.parts ?? 1)
      : addon.bpr_step(...args, undefined, undefined, undefined, undefined, undefined, attrs.lanes ?? 1);
    return hostOutput(backend, [1], 'f32', Float32Array.of(loss));
  });

  registerKernel<BprSampleStepAttrs>('bpr_sample_step', 'native', ({ inputs, attrs, backend }) => {
    const K = 'bpr_sample_step';
    // The engine has checked shapes and attributes; the addon checks the ids and the batch
    // users' CSR rows with the reference's messages (a host pass here cost 4 % of `rec train bpr`).
    const d = inputs[0].shape[1];
    const [P, Q, users, pos, indptr, indices] = inputs;
    const [keyLo, keyHi] = new Philox({ seed: attrs.seed, stream: attrs.stream }).key;
    const loss = addon.bpr_sample_step(
      hostF32(P), hostF32(Q), d, i32(users, K, 'users'), i32(pos, K, 'positives'), i32(indptr, K, 'indptr'), i32(indices, K, 'indices'),
      attrs.lr, attrs.reg, attrs.hogwild ?? false, keyLo, keyHi, attrs.stream, attrs.counter, attrs.maxTries, attrs.lanes ?? 1,
    );
    return hostOutput(backend, [1], 'f32', Float32Array.of(loss));
  });

  registerKernel<RankTopkAttrs>('rank_topk', 'native', ({ inputs, attrs, backend }) => {
    const { k } = attrs;
    const [U, V, indptr, indices] = inputs;
    // The addon checks the mask CSR (the reference's messages).
    const [B, d] = U.shape;
    const topIndices = allocArray('i32', B * k);
    const topScores = allocArray('f32', B * k);
    addon.rank_topk(
      hostF32(U), hostF32(V), d, i32(indptr, 'rank_topk', 'maskIndptr'), i32(indices, 'rank_topk', 'maskIndices'), k, topIndices, topScores,
      inputs[4] ? hostF32(inputs[4]) : new Float32Array(0),
    );
    return [hostOutput(backend, [B, k], 'i32', topIndices), hostOutput(backend, [B, k], 'f32', topScores)];
  });

  registerKernel<MatmulAttrs>('matmul', 'native', ({ inputs: [ta, tb], attrs, backend }) => {
    const K = 'matmul';
    const ra = ta.shape.length;
    const rb = tb.shape.length;
    const m = attrs.transposeA ? ta.shape[ra - 1] : ta.shape[ra - 2];
    const k = attrs.transposeA ? ta.shape[ra - 2] : ta.shape[ra - 1];
    const n = attrs.transposeB ? tb.shape[rb - 2] : tb.shape[rb - 1];
    const batchShape = ra >= rb ? ta.shape.slice(0, -2) : tb.shape.slice(0, -2);
    const batch = sizeOf(batchShape);
    const out = allocOutputArray('f32', batch * m * n); // the C++ writes every element (zeros when k = 0)
    if (out.length > 0) {
      addon.matmul(
        f32(ta, K, 'a'), f32(tb, K, 'b'), out, batch, m, n, k,
        attrs.transposeA ? 1 : 0, attrs.transposeB ? 1 : 0, ra > 2 ? m * k : 0, rb > 2 ? k * n : 0,
      );
    }
    return hostOutput(backend, [...batchShape, m, n], 'f32', out);
  });

  registerKernel<SampledSoftmaxAttrs>('sampled_softmax', 'native', ({ inputs, attrs, backend }) => {
    const K = 'sampled_softmax';
    // The addon checks the class ids too, but its message says "rows" where the reference's says
    // "classes": the reference's check runs first, so js and native fail alike.
    checkSampledSoftmaxClassIds(inputs, false);
    const { batch, dim, hasBias } = sampledSoftmaxSizes(inputs, false);
    const [h, w, labels, sampled, lq, sq] = inputs;
    const loss = allocArray('f32', batch);
    addon.sampled_softmax(
      f32(h, K, 'hidden'), f32(w, K, 'classWeights'), i32(labels, K, 'labels'), i32(sampled, K, 'sampled'), f32(lq, K, 'labelLogQ'),
      f32(sq, K, 'sampledLogQ'), hasBias ? f32(inputs[6], K, 'classBias') : new Float32Array(0), dim, attrs.removeAccidentalHits ? 1 : 0, loss,
    );
    return hostOutput(backend, [batch], 'f32', loss);
  });

  registerKernel<SampledSoftmaxAttrs>('sampled_softmax_grad', 'native', ({ inputs, attrs, backend }) => {
    const K = 'sampled_softmax_grad';
    checkSampledSoftmaxClassIds(inputs, true); // as in sampled_softmax
    const { batch: B, dim: d, samples: S, hasBias } = sampledSoftmaxSizes(inputs, true);
    const [h, w, labels, sampled, lq, sq, dLoss] = inputs;
    const dHidden = allocArray('f32', B * d);
    const dRows = allocArray('f32', (B + S) * d);
    const dBias = allocArray('f32', B + S);
    addon.sampled_softmax_grad(
      f32(h, K, 'hidden'), f32(w, K, 'classWeights'), i32(labels, K, 'labels'), i32(sampled, K, 'sampled'), f32(lq, K, 'labelLogQ'),
      f32(sq, K, 'sampledLogQ'), hasBias ? f32(inputs[7], K, 'classBias') : new Float32Array(0), d, attrs.removeAccidentalHits ? 1 : 0,
      f32(dLoss, K, 'dLoss'), dHidden, dRows, dBias,
    );
    return [hostOutput(backend, [B, d], 'f32', dHidden), hostOutput(backend, [B + S, d], 'f32', dRows), hostOutput(backend, [B + S], 'f32', dBias)];
  });

  registerKernel<SkipgramStepAttrs>('skipgram_step', 'native', ({ inputs, attrs, backend }) => {
    const K = 'skipgram_step';
    // The addon checks the id ranges (check_ids, the same messages); the category checks
    // index by output row, so the 10-input form checks the ids and the touched rows' lists here.
    const { dim, negatives, hasExtra } = skipgramStepSizes(inputs);
    if (hasExtra) checkSkipgramStepIds(inputs);
    const [A, B, W, ca, cb, targets, negs] = inputs;
    const loss = addon.skipgram_step(
      f32(A, K, 'contextA'), f32(B, K, 'contextB'), f32(W, K, 'output'),
      hasExtra ? f32(inputs[7], K, 'extra') : new Float32Array(0), hasExtra ? i32(inputs[8], K, 'extraIndptr') : new Int32Array(0),
      hasExtra ? i32(inputs[9], K, 'extraIndices') : new Int32Array(0), dim,
      i32(ca, K, 'ctxA'), i32(cb, K, 'ctxB'), i32(targets, K, 'targets'), i32(negs, K, 'negatives'), negatives,
      attrs.alpha1, attrs.alpha2, attrs.extraWeight, attrs.lr, attrs.reg, attrs.hogwild ?? false, attrs.fast ?? false, attrs.parts ?? 1,
    );
    return hostOutput(backend, [1], 'f32', Float32Array.of(loss));
  });

  registerKernel<SkipgramSampleStepAttrs>('skipgram_sample_step', 'native', ({ inputs, attrs, backend }) => {
    const K = 'skipgram_sample_step';
    // The addon checks the ids, the alias entries and the drawn rows' category lists.
    const dim = inputs[0].shape[1];
    const hasExtra = inputs.length === 11;
    const [A, B, W, ca, cb, targets, prob, alias] = inputs;
    const [keyLo, keyHi] = new Philox({ seed: attrs.seed, stream: attrs.stream }).key;
    const loss = addon.skipgram_sample_step(
      f32(A, K, 'contextA'), f32(B, K, 'contextB'), f32(W, K, 'output'),
      hasExtra ? f32(inputs[8], K, 'extra') : new Float32Array(0), hasExtra ? i32(inputs[9], K, 'extraIndptr') : new Int32Array(0),
      hasExtra ? i32(inputs[10], K, 'extraIndices') : new Int32Array(0), dim,
      i32(ca, K, 'ctxA'), i32(cb, K, 'ctxB'), i32(targets, K, 'targets'), f32(prob, K, 'prob'), i32(alias, K, 'alias'), attrs.negatives,
      keyLo, keyHi, attrs.stream, attrs.counter,
      attrs.alpha1, attrs.alpha2, attrs.extraWeight, attrs.lr, attrs.reg, attrs.hogwild ?? false, attrs.fast ?? false, attrs.parts ?? 1,
    );
    return hostOutput(backend, [1], 'f32', Float32Array.of(loss));
  });

  registerKernel<DenseBiasActAttrs>('dense_bias_act', 'native', ({ inputs, attrs, backend }) => {
    const K = 'dense_bias_act';
    const [m, k] = inputs[0].shape;
    const n = inputs[1].shape[1];
    const y = allocArray('f32', m * n);
    addon.dense_bias_act(f32(inputs[0], K, 'x'), f32(inputs[1], K, 'W'), f32(inputs[2], K, 'b'), y, m, k, n, ACTIVATION_CODES[attrs.activation]);
    return hostOutput(backend, [m, n], 'f32', y);
  });
  registerKernel('ncf_head', 'native', ({ inputs, backend }) => {
    const K = 'ncf_head';
    const { n, e, z, hasZ } = ncfHeadSizes(inputs, false);
    const logits = allocOutputArray('f32', n); // every row is written
    addon.ncf_head(f32(inputs[0], K, 'p'), f32(inputs[1], K, 'q'), f32(inputs[2], K, 'h'), hasZ ? f32(inputs[3], K, 'z') : new Float32Array(0), logits, n, e, z);
    return hostOutput(backend, [n], 'f32', logits);
  });
  registerKernel('ncf_head_grad', 'native', ({ inputs, backend }) => {
    const K = 'ncf_head_grad';
    const { n, e, z, hasZ } = ncfHeadSizes(inputs, true);
    // Every element of every output is written.
    const dp = allocOutputArray('f32', n * e);
    const dq = allocOutputArray('f32', n * e);
    const dh = allocOutputArray('f32', e + z);
    const dz = allocOutputArray('f32', n * z);
    addon.ncf_head_grad(
      f32(inputs[0], K, 'dlogit'), f32(inputs[1], K, 'p'), f32(inputs[2], K, 'q'), f32(inputs[3], K, 'h'), hasZ ? f32(inputs[4], K, 'z') : new Float32Array(0),
      dp, dq, dh, dz, n, e, z,
    );
    const outs = [hostOutput(backend, [n, e], 'f32', dp), hostOutput(backend, [n, e], 'f32', dq), hostOutput(backend, inputs[3].shape, 'f32', dh)];
    if (hasZ) outs.push(hostOutput(backend, [n, z], 'f32', dz));
    return outs;
  });
  registerKernel<DenseBiasActAttrs>('dense_bias_act_grad', 'native', ({ inputs, attrs, backend }) => {
    const K = 'dense_bias_act_grad';
    const [m, k] = inputs[1].shape;
    const n = inputs[2].shape[1];
    // Every element of the three outputs is written.
    const dx = allocOutputArray('f32', m * k);
    const dW = allocOutputArray('f32', k * n);
    const db = allocOutputArray('f32', n);
    addon.dense_bias_act_grad(
      f32(inputs[0], K, 'dy'), f32(inputs[1], K, 'x'), f32(inputs[2], K, 'W'), f32(inputs[3], K, 'y'), dx, dW, db, m, k, n, ACTIVATION_CODES[attrs.activation],
    );
    return [hostOutput(backend, [m, k], 'f32', dx), hostOutput(backend, [k, n], 'f32', dW), hostOutput(backend, [n], 'f32', db)];
  });
  registerKernel('tower_score', 'native', ({ inputs, backend }) => {
    const { users, items, widths } = towerScoreShape(inputs);
    // W₁, b₁, …, W_L, b_L, h back to back: a few KB, so one copy buys one argument.
    const parts = inputs.slice(2).map((t) => hostF32(t));
    const params = allocArray('f32', parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      params.set(p, offset);
      offset += p.length;
    }
    const s = allocArray('f32', users * items);
    addon.tower_score(hostF32(inputs[0]), hostF32(inputs[1]), params, Int32Array.from(widths), s, users, items);
    return hostOutput(backend, [users, items], 'f32', s);
  });
  registerKernel<GatherMatvecAttrs>('gather_matvec', 'native', ({ inputs, attrs, backend }) => {
    const K = 'gather_matvec';
    const { matrices, rows, cols, n } = gatherMatvecShape(inputs);
    const width = attrs.transpose ? cols : rows;
    const y = allocArray('f32', n * width);
    addon.gather_matvec(f32(inputs[0], K, 'W'), i32(inputs[1], K, 'index'), f32(inputs[2], K, 'x'), y, matrices, rows, cols, attrs.transpose ? 1 : 0);
    return hostOutput(backend, [n, width], 'f32', y);
  });
  registerKernel<ScatterOuterAddAttrs>('scatter_outer_add', 'native', ({ inputs, attrs, backend }) => {
    const K = 'scatter_outer_add';
    const rows = inputs[0].shape[1];
    const cols = inputs[1].shape[1];
    // Zero-filled: the C++ writes only the matrices some row names.
    const out = allocArray('f32', attrs.matrices * rows * cols);
    addon.scatter_outer_add(f32(inputs[0], K, 'a'), f32(inputs[1], K, 'b'), i32(inputs[2], K, 'index'), out, attrs.matrices, rows, cols);
    return hostOutput(backend, [attrs.matrices, rows, cols], 'f32', out);
  });
  for (const [id, log] of [['softmax', false], ['log_softmax', true]] as const) {
    registerKernel<{ axis: number }>(id, 'native', ({ inputs: [x], attrs: { axis }, backend }) => {
      const y = allocOutputArray('f32', x.size);
      const args = [hostF32(x), y, sizeOf(x.shape.slice(0, axis)), x.shape[axis], sizeOf(x.shape.slice(axis + 1))] as const;
      if (log) addon.log_softmax(...args);
      else addon.softmax(...args);
      return hostOutput(backend, x.shape, 'f32', y);
    });
  }

  // fn and axes (sorted, distinct, in range: what the C++ kernel takes) passed the spec's check.
  registerKernel<{ fn: string; axes: readonly number[] }>('reduce', 'native', ({ inputs: [x], attrs: { fn, axes }, backend }) => {
    const code = REDUCE_FNS.indexOf(fn);
    const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const y = allocOutputArray(x.dtype, sizeOf(outShape)); // every output starts from the function's identity
    addon.reduce(hostData(x), y, Int32Array.from(x.shape), Int32Array.from(x.shape, (_, i) => (axes.includes(i) ? 1 : 0)), code);
    return hostOutput(backend, outShape, x.dtype, y);
  });

  registerKernel<{ fn: string }>('unary', 'native', (ctx) => {
    const { inputs: [x], attrs: { fn }, backend } = ctx;
    const code = UNARY_FNS.indexOf(fn);
    if (x.dtype !== 'f32') return reference('unary', ctx);
    const y = allocOutputArray('f32', x.size);
    addon.unary(hostF32(x), y, code);
    return hostOutput(backend, x.shape, 'f32', y);
  });

  registerKernel<{ fn: string }>('binary', 'native', ({ inputs: [ta, tb], attrs: { fn }, backend }) => {
    const code = BINARY_FNS.indexOf(fn);
    const shape = broadcastShapes(ta.shape, tb.shape, fn);
    const dtype = code >= 7 ? 'f32' : ta.dtype;
    const z = allocOutputArray(dtype, sizeOf(shape));
    addon.binary(hostData(ta), hostData(tb), z, Int32Array.from(ta.shape), Int32Array.from(tb.shape), Int32Array.from(shape), code);
    return hostOutput(backend, shape, dtype, z);
  });

  registerKernel('gather_rows', 'native', ({ inputs: [table, indices], backend }) => {
    const idx = i32(indices, 'gather_rows', 'indices');
    const width = sizeOf(table.shape.slice(1));
    const y = allocArray(table.dtype, idx.length * width);
    addon.gather_rows(hostData(table), idx, y, table.shape[0], width);
    return hostOutput(backend, [...indices.shape, ...table.shape.slice(1)], table.dtype, y);
  });

  registerKernel('scatter_add_rows', 'native', ({ inputs: [target, indices, src], backend }) => {
    const idx = i32(indices, 'scatter_add_rows', 'indices');
    const width = sizeOf(target.shape.slice(1));
    const y = allocArray(target.dtype, target.size);
    addon.scatter_add_rows(hostData(target), idx, hostData(src), y, target.shape[0], width);
    return hostOutput(backend, target.shape, target.dtype, y);
  });

  registerKernel('take_along_axis', 'native', (ctx) => {
    const { inputs: [x, indices], backend } = ctx;
    // The C++ kernel takes f32 x; the reference reads an i32 or u32 x as numbers.
    if (x.dtype !== 'f32') return reference('take_along_axis', ctx);
    const idx = i32(indices, 'take_along_axis', 'indices');
    const classes = x.shape[x.shape.length - 1];
    const y = allocArray('f32', idx.length);
    addon.take_along_axis(hostF32(x), idx, y, classes);
    return hostOutput(backend, indices.shape, 'f32', y);
  });

  registerKernel<PutAlongAxisAttrs>('put_along_axis', 'native', (ctx) => {
    const { inputs: [x, indices], attrs: { classes }, backend } = ctx;
    // The C++ kernel takes f32 x; the reference reads an i32 or u32 x as numbers.
    if (x.dtype !== 'f32') return reference('put_along_axis', ctx);
    const idx = i32(indices, 'put_along_axis', 'indices');
    const y = allocArray('f32', idx.length * classes);
    addon.put_along_axis(hostF32(x), idx, y, classes);
    return hostOutput(backend, [...indices.shape, classes], 'f32', y);
  });

  registerKernel<DropoutMaskAttrs>('dropout_mask', 'native', ({ attrs: { shape, p, seed, stream, counter }, backend }) => {
    const n = sizeOf(shape);
    const out = allocOutputArray('f32', n);
    const [keyLo, keyHi] = new Philox({ seed, stream }).key;
    addon.dropout_mask(out, p, keyLo, keyHi, stream, counter);
    return hostOutput(backend, shape, 'f32', out);
  });

  registerKernel<SgdUpdateAttrs>('sgd_update', 'native', ({ inputs: [param, grad, velocity], attrs }) => {
    addon.sgd_update(
      hostF32(param), hostF32(grad), velocity ? hostF32(velocity) : new Float32Array(0),
      attrs.lr, attrs.momentum, attrs.nesterov ? 1 : 0, attrs.weightDecay,
    );
  });

  registerKernel<AdagradUpdateAttrs>('adagrad_update', 'native', ({ inputs: [param, grad, sum], attrs }) => {
    addon.adagrad_update(hostF32(param), hostF32(grad), hostF32(sum), attrs.lr, attrs.eps, attrs.weightDecay);
  });

  registerKernel<AdamUpdateAttrs>('adam_update', 'native', (ctx) => {
    const { inputs, attrs } = ctx;
    const [param, grad, m, v] = inputs;
    // The addon takes steps up to 2⁵²; later ones (1 − βᵗ is 1 in f64 long before) go to the reference.
    if (attrs.step > 2 ** 52) return reference('adam_update', ctx);
    addon.adam_update(
      hostF32(param), hostF32(grad), hostF32(m), hostF32(v),
      attrs.lr, attrs.beta1, attrs.beta2, attrs.eps, attrs.weightDecay, attrs.decoupledWeightDecay ? 1 : 0, attrs.step,
    );
  });
}
