/**
 * The TS glue of the native kernels: one `registerKernel(<id>, 'native', …)`
 * per C++ kernel, with the same id as its reference in `@rec/core`
 * (`packages/core/src/kernels/<family>/<id>.ts`) and its C++ file
 * (`kernels/cpu/<family>/<id>.cc`). Each checks what the reference checks,
 * hands the host arrays and attributes to the addon and wraps outputs in the
 * backend's storage. Every other kernel falls back to `js`.
 */
import {
  type AdagradUpdateAttrs, type AdamUpdateAttrs, type BprStepAttrs, checkBprStepInputs, checkRankTopkInputs, hostData, hostF32,
  hostOutput, type NegSampleExcludeAttrs, Philox, type RankTopkAttrs, registerKernel, type SgdUpdateAttrs, sizeOf, type Tensor,
} from '@rec/core';
import type { NativeAddon } from './load.js';

/** Kernel ids with a C++ version, in the order they are registered. */
export const NATIVE_KERNEL_IDS = ['neg_sample_exclude', 'sparse_sgd', 'sparse_adagrad', 'sparse_adam', 'bpr_step', 'rank_topk'] as const;

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

  registerKernel<NegSampleExcludeAttrs>('neg_sample_exclude', 'native', ({ inputs: [users, indptr, indices], attrs, backend }) => {
    const K = 'neg_sample_exclude';
    const u = i32(users, K, 'users');
    const out = new Int32Array(u.length);
    const [keyLo, keyHi] = new Philox({ seed: attrs.seed, stream: attrs.stream }).key;
    const exhausted = addon.neg_sample_exclude(
      u, i32(indptr, K, 'indptr'), i32(indices, K, 'indices'), out,
      attrs.numItems, keyLo, keyHi, attrs.stream, attrs.counter, attrs.maxTries,
    );
    return [hostOutput(backend, [u.length], 'i32', out), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
  });

  registerKernel<SgdUpdateAttrs>('sparse_sgd', 'native', ({ inputs, attrs }) => {
    const K = 'sparse_sgd';
    const expected = attrs.momentum > 0 ? 4 : 3;
    if (inputs.length !== expected) {
      throw new Error(`${K}: momentum ${attrs.momentum} needs ${expected} inputs${attrs.momentum > 0 ? ' (the last one the velocity)' : ' (no velocity)'}, got ${inputs.length}`);
    }
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
    if (!(Number.isInteger(attrs.step) && attrs.step >= 1)) throw new Error(`adam: step must be an integer ≥ 1, got ${attrs.step}`);
    addon.sparse_adam(
      f32(param, K, 'param'), sizeOf(param.shape.slice(1)), i32(indices, K, 'indices'), f32(values, K, 'values'),
      f32(m, K, 'm'), f32(v, K, 'v'),
      attrs.lr, attrs.beta1, attrs.beta2, attrs.eps, attrs.weightDecay, attrs.decoupledWeightDecay ? 1 : 0, attrs.step,
    );
  });

  registerKernel<BprStepAttrs>('bpr_step', 'native', ({ inputs, attrs, backend }) => {
    const d = checkBprStepInputs(inputs);
    const [P, Q, users, pos, neg] = inputs;
    const loss = addon.bpr_step(hostF32(P), hostF32(Q), d, i32(users, 'bpr_step', 'users'), i32(pos, 'bpr_step', 'positives'), i32(neg, 'bpr_step', 'negatives'), attrs.lr, attrs.reg);
    return hostOutput(backend, [1], 'f32', Float32Array.of(loss));
  });

  registerKernel<RankTopkAttrs>('rank_topk', 'native', ({ inputs, attrs, backend }) => {
    const { k } = attrs;
    const { users: B, dim: d } = checkRankTopkInputs(inputs, k);
    const [U, V, indptr, indices] = inputs;
    const topIndices = new Int32Array(B * k);
    const topScores = new Float32Array(B * k);
    addon.rank_topk(hostF32(U), hostF32(V), d, i32(indptr, 'rank_topk', 'maskIndptr'), i32(indices, 'rank_topk', 'maskIndices'), k, topIndices, topScores);
    return [hostOutput(backend, [B, k], 'i32', topIndices), hostOutput(backend, [B, k], 'f32', topScores)];
  });
}
