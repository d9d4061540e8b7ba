/**
 * `reduce` on `webgpu`: the glue for `kernels/wgsl/reduce/reduce.wgsl`. As the
 * C++ version, size-1 axes are dropped and neighbouring axes of the same kind
 * merged; the kept and reduced groups (at most {@link REDUCE_MAX_GROUPS} of
 * each) go in the uniform. The function and the dtype (f32, i32, u32) are
 * pipeline variants; the entry point is `reduce` (one invocation per output,
 * the reference's order) for short reductions and `reduce_workgroup` (one
 * workgroup per output, a fixed tree) from {@link REDUCE_WORKGROUP_FROM}
 * reduced elements on.
 */
import { type DType, type KernelImpl, sizeOf } from '@rec/core';
import { linearGrid, MAX_WORKGROUPS_PER_DIM, type GpuHandle, type WebGPUBackend } from '../../backend.js';

/** `@rec/core`'s reduce attributes (not exported by core). */
interface ReduceAttrs {
  fn: string;
  /** Sorted, distinct, in range (the spec's check holds it). */
  axes: readonly number[];
}

/** The functions in the order of the WGSL `FN` codes. */
export const REDUCE_FNS = ['sum', 'max', 'min'] as const;

/** The dtypes in the order of the WGSL `DTYPE` codes. */
const REDUCE_DTYPES: readonly DType[] = ['f32', 'i32', 'u32'];

/** Most kept groups, and most reduced groups, the uniform holds. */
export const REDUCE_MAX_GROUPS = 8;

/**
 * Reduced elements per output from which one workgroup of 128 serves each
 * output: below it one invocation per output already has work enough, and
 * walks the reference's order.
 */
export const REDUCE_WORKGROUP_FROM = 512;

const WORKGROUP = 64;

interface Group {
  size: number;
  /** Input stride of the group's fastest axis. */
  stride: number;
  reduced: boolean;
}

/** x's axes with size-1 axes dropped and neighbours of the same kind merged, outermost first. */
function axisGroups(shape: readonly number[], axes: readonly number[]): Group[] {
  const groups: Group[] = [];
  let stride = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    const size = shape[a];
    if (size !== 1) {
      const reduced = axes.includes(a);
      const last = groups[groups.length - 1];
      if (last && last.reduced === reduced) last.size *= size;
      else groups.push({ size, stride, reduced });
    }
    stride *= size;
  }
  return groups.reverse();
}

/** The `webgpu` implementation of `reduce`. */
export const reduce: KernelImpl<ReduceAttrs> = ({ inputs: [x], attrs: { fn, axes }, backend }) => {
  const gpu = backend as WebGPUBackend;
  // fn and axes (sorted, distinct, in range) passed the spec's check (@rec/core checkReduceInputs).
  const code = REDUCE_FNS.indexOf(fn as (typeof REDUCE_FNS)[number]);
  const dtype = REDUCE_DTYPES.indexOf(x.dtype);
  if (dtype < 0) throw new Error(`reduce: the webgpu kernel takes f32, i32 or u32, got ${x.dtype}`);
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const nOut = sizeOf(outShape);
  const out = gpu.alloc(x.dtype, nOut);
  if (nOut === 0) return { shape: outShape, dtype: x.dtype, handle: out };

  // An empty input leaves every output at its start value: no reduced group, mid = 0.
  const groups = x.size === 0 ? [] : axisGroups(x.shape, axes);
  const kept = groups.filter((g) => !g.reduced);
  const reduced = groups.filter((g) => g.reduced);
  if (kept.length > REDUCE_MAX_GROUPS || reduced.length > REDUCE_MAX_GROUPS) {
    throw new Error(`reduce: the webgpu kernel takes up to ${REDUCE_MAX_GROUPS} runs of kept and of reduced axes, got ${kept.length} and ${reduced.length}`);
  }
  const mid = x.size === 0 ? 0 : sizeOf(reduced.map((g) => g.size));
  // Sizes, then 1.0 as a run-time value (the WGSL's `unit`, see common/float_pair.wgsl), then the groups.
  const u = new Uint32Array(8 + 4 * REDUCE_MAX_GROUPS);
  u.set([nOut, mid, kept.length, reduced.length]);
  new Float32Array(u.buffer, 16, 1)[0] = 1;
  u.set(kept.map((g) => g.size), 8);
  u.set(kept.map((g) => g.stride), 8 + REDUCE_MAX_GROUPS);
  u.set(reduced.map((g) => g.size), 8 + 2 * REDUCE_MAX_GROUPS);
  u.set(reduced.map((g) => g.stride), 8 + 3 * REDUCE_MAX_GROUPS);
  const wide = mid >= REDUCE_WORKGROUP_FROM;
  const gx = Math.min(nOut, MAX_WORKGROUPS_PER_DIM);
  gpu.run([{
    stem: 'reduce/reduce',
    entry: wide ? 'reduce_workgroup' : 'reduce',
    constants: { FN: code, DTYPE: dtype },
    uniforms: u.buffer,
    buffers: [(x.handle as GpuHandle).buffer, out.buffer],
    groups: wide ? [gx, Math.ceil(nOut / gx), 1] : linearGrid(nOut, WORKGROUP),
  }]);
  return { shape: outShape, dtype: x.dtype, handle: out };
};
