/**
 * What the draw-inside kernels (`skipgram_sample_step`, `bpr_sample_step`) share on webgpu:
 * a sampling kernel's [ids, exhausted] outputs used as a GPU-side input of the step, then freed.
 */
import type { KernelOutput, Tensor } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';

/**
 * Runs `use` with the drawn ids of `drawn` (a sampler's [ids, exhausted] outputs) viewed as
 * an i32 tensor of `shape` — the step's glue reads only dtype, shape, size and the buffer —
 * and frees both buffers after (`exhausted` at once: the step does not report it).
 *
 * @example
 * ```ts
 * return withDrawnIds(gpu, negSampleAlias({ inputs, attrs, backend }) as KernelOutput[], [b, N], (negatives) => skipgramStep({ … }));
 * ```
 */
export function withDrawnIds<T>(gpu: WebGPUBackend, drawn: KernelOutput[], shape: number[], use: (ids: Tensor) => T): T {
  const [ids, exhausted] = drawn;
  gpu.free(exhausted.handle);
  const view = { dtype: 'i32', shape, size: shape.reduce((n, s) => n * s, 1), handle: ids.handle } as unknown as Tensor;
  try {
    return use(view);
  } finally {
    gpu.free(ids.handle);
  }
}
