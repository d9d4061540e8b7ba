/**
 * `gather_matvec` on `webgpu`: the glue for `kernels/wgsl/dense/gather_matvec.wgsl`
 * — one invocation per output element (r, o) sums row r's vector against one row
 * (or, transposed, one column) of the matrix its index names, in f32. `transpose`
 * is the pipeline-override constant `TRANSPOSE` (two pipelines: a call site's
 * mode is fixed, and the shader's inner stride folds); sizes go in the uniform.
 * The kernel's rule (`checkGatherMatvecInputs` in `@rec/core`) has checked the
 * shapes before this glue runs; indices are checked on the GPU (they live
 * there), and one out of range is raised at the next read, with the table's
 * size but not the index, which only the GPU saw.
 */
import { type GatherMatvecAttrs, gatherMatvecShape, type KernelImpl, type Tensor } from '@rec/core';
import { linearGrid, type GpuHandle, type WebGPUBackend } from '../../backend.js';

const K = 'gather_matvec';
/** Invocations per workgroup (the shader's WORKGROUP). */
const WORKGROUP = 256;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `gather_matvec`. */
export const gatherMatvec: KernelImpl<GatherMatvecAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const { matrices, rows, cols, n } = gatherMatvecShape(inputs);
  const transpose = attrs.transpose;
  const width = transpose ? cols : rows;
  const inner = transpose ? rows : cols;
  const total = n * width;
  if (total >= 2 ** 32 || matrices * rows * cols >= 2 ** 32) {
    throw new Error(`${K}: the webgpu version addresses fewer than 2³² elements, got ${n} × ${width} outputs from ${matrices} × ${rows} × ${cols} matrices`);
  }
  const y = gpu.alloc('f32', total);
  // An output width of 0 computes nothing and leaves the indices unchecked (the reference still checks them).
  if (total > 0) {
    const status = gpu.statusWord(`${K}: an index is out of range for ${matrices} matrices (its output row is 0)`);
    gpu.run([{
      stem: 'dense/gather_matvec',
      entry: 'gather_matvec',
      constants: { TRANSPOSE: transpose },
      uniforms: new Uint32Array([total, width, inner, matrices, cols, 0, 0, 0]).buffer,
      buffers: [buffer(inputs[0]), buffer(inputs[1]), buffer(inputs[2]), y.buffer, status],
      groups: linearGrid(total, WORKGROUP),
    }]);
  }
  return { shape: [n, width], dtype: 'f32', handle: y };
};
