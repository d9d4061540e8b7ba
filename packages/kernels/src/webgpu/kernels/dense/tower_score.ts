/**
 * `tower_score` on `webgpu`: the glue for `kernels/wgsl/dense/tower_score.wgsl`
 * — one invocation per (user, item) pair runs the whole MLP tower in registers
 * and writes one score. The layers W₁, b₁, …, W_L, b_L and h are packed end to
 * end into one storage buffer by GPU copies (`concatStorage`: no readback), so
 * the kernel binds 4 storage buffers whatever L is; the widths go in the
 * uniform and the shader recovers the offsets. Users are split into several
 * dispatches of at most 65535 workgroup rows (B = 256 users × N = 12,000 items
 * is one). The kernel's rule (`checkTowerScoreInputs` in `@rec/core`) has
 * checked the inputs before this glue runs; the limits here are the shader's.
 */
import { type KernelImpl, type Tensor, towerScoreShape } from '@rec/core';
import { MAX_WORKGROUPS_PER_DIM, type Dispatch, type GpuHandle, type WebGPUBackend } from '../../backend.js';

const K = 'tower_score';
/** Invocations per workgroup along the items (the shader's WORKGROUP). */
const WORKGROUP = 64;
/** Widest layer the shader's function-scope activation arrays hold (its MAX_WIDTH). */
export const TOWER_SCORE_MAX_WIDTH = 256;
/** Most layers W_l the uniform's widths H₀ … H_L (4 vec4) describe. */
export const TOWER_SCORE_MAX_LAYERS = 15;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `tower_score`. */
export const towerScore: KernelImpl = ({ inputs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const { users, items, widths } = towerScoreShape(inputs);
  const layers = widths.length - 1;
  if (layers > TOWER_SCORE_MAX_LAYERS) throw new Error(`${K}: the webgpu version takes at most ${TOWER_SCORE_MAX_LAYERS} layers, got ${layers}`);
  const wide = widths.findIndex((w) => w > TOWER_SCORE_MAX_WIDTH);
  if (wide >= 0) throw new Error(`${K}: the webgpu version takes widths of at most ${TOWER_SCORE_MAX_WIDTH}, got H${wide} = ${widths[wide]} (widths ${widths.join('→')})`);
  const itemGroups = Math.ceil(items / WORKGROUP);
  if (itemGroups > MAX_WORKGROUPS_PER_DIM) {
    throw new Error(`${K}: ${items} items need more than ${MAX_WORKGROUPS_PER_DIM} workgroups of ${WORKGROUP} (the webgpu version takes at most ${MAX_WORKGROUPS_PER_DIM * WORKGROUP})`);
  }
  const s = gpu.alloc('f32', users * items);
  if (users * items > 0) {
    // W₁ ‖ b₁ ‖ … ‖ W_L ‖ b_L ‖ h, in input order.
    const packed = gpu.concatStorage(inputs.slice(2).map((t) => ({ buffer: buffer(t), bytes: 4 * t.size })));
    const dispatches: Dispatch[] = [];
    for (let user0 = 0; user0 < users; user0 += MAX_WORKGROUPS_PER_DIM) {
      const u = new Uint32Array(4 + 16);
      u.set([users, items, layers, user0]);
      u.set(widths, 4);
      dispatches.push({
        stem: 'dense/tower_score',
        entry: 'tower_score',
        uniforms: u.buffer,
        buffers: [buffer(inputs[0]), buffer(inputs[1]), packed, s.buffer],
        groups: [itemGroups, Math.min(MAX_WORKGROUPS_PER_DIM, users - user0), 1],
      });
    }
    gpu.run(dispatches);
    packed.destroy();
  }
  return { shape: [users, items], dtype: 'f32', handle: s };
};
