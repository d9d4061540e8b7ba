/**
 * `selective_scan` and `selective_scan_grad` on `webgpu`: the glue for
 * `kernels/wgsl/scan/selective_scan.wgsl` (per (b, e, n) chain the terms h_t·C_t, then y summed
 * over n) and `kernels/wgsl/scan/selective_scan_grad.wgsl` (per chain the states and their
 * adjoints, then each gradient as a sum over them). Both keep per-chain values in scratch
 * buffers of [sequences, T, E, N]; the sequences run in slices small enough that a scratch
 * buffer stays within {@link SCRATCH_BYTES} (or {@link setSelectiveScanScratchBytes}'s value)
 * and the device's binding limit, all slices in one pass list. The kernels' rules
 * (`checkSelectiveScanInputs`, `checkSelectiveScanGradInputs` in @rec/core) have checked the
 * inputs before this glue runs; the binding limit here is the device's.
 */
import { type KernelImpl, selectiveScanSizes, type SelectiveScanSizes } from '@rec/core';
import { linearGrid, type GpuHandle, type WebGPUBackend } from '../../backend.js';

const WORKGROUP = 64;

/** The most bytes one scratch buffer takes by default (64 MiB): a Mamba4Rec batch of 64 × 50 × 128 × 32 is 52 MiB. */
export const SCRATCH_BYTES = 64 * 2 ** 20;

let scratchBytes = SCRATCH_BYTES;

/**
 * Sets the most bytes one scratch buffer of the selective scan takes (default
 * {@link SCRATCH_BYTES}; at least one sequence's worth is always used) and returns the previous
 * value. Smaller means more slices of sequences per call: less GPU memory, more dispatches.
 * The parity tests use it to run several slices on small inputs.
 * @throws Error for a value that is not a positive integer.
 * @example
 * ```ts
 * const before = setSelectiveScanScratchBytes(16 * 2 ** 20);
 * ```
 */
export function setSelectiveScanScratchBytes(bytes: number): number {
  if (!Number.isInteger(bytes) || bytes < 1) throw new Error(`setSelectiveScanScratchBytes: expected a positive whole number of bytes, got ${bytes}`);
  const before = scratchBytes;
  scratchBytes = bytes;
  return before;
}

const buffer = (t: { handle: unknown }): GPUBuffer => (t.handle as GpuHandle).buffer;

/** The uniform block of scan/selective_scan.wgsl: b0, nb, T, E, N, slice, then 1.0 (the WGSL's `unit`). */
function uniforms(b0: number, nb: number, sizes: SelectiveScanSizes, slice: number): ArrayBuffer {
  const u = new Uint32Array(8);
  u.set([b0, nb, sizes.T, sizes.E, sizes.N, slice]);
  new Float32Array(u.buffer, 24, 1)[0] = 1;
  return u.buffer;
}

/**
 * The sequences per slice: as many as keep a [slice, T, E, N] scratch within the scratch limit and
 * the device's storage binding limit (at least one).
 * @throws Error when one sequence's T·E·N values exceed the binding limit.
 */
function sequencesPerSlice(kernel: string, gpu: WebGPUBackend, sizes: SelectiveScanSizes): number {
  const perSequence = sizes.T * sizes.E * sizes.N * 4;
  const limit = gpu.device.limits.maxStorageBufferBindingSize;
  if (perSequence > limit) {
    throw new Error(`${kernel}: one sequence's states (T ${sizes.T} × E ${sizes.E} × N ${sizes.N} f32, ${perSequence} bytes) exceed this device's storage binding limit of ${limit} bytes; use the native or js backend`);
  }
  if (perSequence === 0) return sizes.batch;
  return Math.max(1, Math.min(sizes.batch, Math.floor(Math.min(scratchBytes, limit) / perSequence)));
}

/** The slices [b0, b0 + nb) of `batch` sequences, `per` at a time. */
function slices(batch: number, per: number): { b0: number; nb: number }[] {
  const out: { b0: number; nb: number }[] = [];
  for (let b0 = 0; b0 < batch; b0 += per) out.push({ b0, nb: Math.min(per, batch - b0) });
  return out;
}

/** The `webgpu` implementation of `selective_scan` ([y]). */
export const selectiveScan: KernelImpl<Record<string, never>> = ({ inputs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const sizes = selectiveScanSizes(inputs, 0);
  const { batch, T, E, N } = sizes;
  const y = gpu.alloc('f32', batch * T * E);
  if (batch * T * E > 0) {
    const per = sequencesPerSlice('selective_scan', gpu, sizes);
    const scratch = gpu.createStorage(per * T * E * N * 4);
    const [u, delta, A, B, C, D] = inputs.map(buffer);
    gpu.run(slices(batch, per).flatMap(({ b0, nb }) => [
      {
        stem: 'scan/selective_scan', entry: 'selective_scan_terms', uniforms: uniforms(b0, nb, sizes, 0),
        buffers: [u!, delta!, A!, B!, C!, scratch], bindings: [1, 2, 3, 4, 5, 8], groups: linearGrid(nb * E * N, WORKGROUP),
      },
      {
        stem: 'scan/selective_scan', entry: 'selective_scan', uniforms: uniforms(b0, nb, sizes, 0),
        buffers: [u!, D!, scratch, y.buffer], bindings: [1, 6, 8, 10], groups: linearGrid(nb * T * E, WORKGROUP),
      },
    ]));
    scratch.destroy();
  }
  return { shape: [batch, T, E], dtype: 'f32', handle: y };
};

/** The `webgpu` implementation of `selective_scan_grad` ([du, ddelta, dA, dB, dC, dD]). */
export const selectiveScanGrad: KernelImpl<Record<string, never>> = ({ inputs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const sizes = selectiveScanSizes(inputs, 1);
  const { batch, T, E, N } = sizes;
  const du = gpu.alloc('f32', batch * T * E);
  const ddelta = gpu.alloc('f32', batch * T * E);
  const dA = gpu.alloc('f32', E * N);
  const dB = gpu.alloc('f32', batch * T * N);
  const dC = gpu.alloc('f32', batch * T * N);
  const dD = gpu.alloc('f32', E);
  // With no positions or no sequences every gradient is zero, as the new buffers are.
  if (batch * T > 0 && E > 0) {
    const per = sequencesPerSlice('selective_scan_grad', gpu, sizes);
    const parts = slices(batch, per);
    const states = gpu.createStorage(per * T * E * N * 4);
    const adjoints = gpu.createStorage(per * T * E * N * 4);
    const width = E * N + E;
    const partials = gpu.createStorage(parts.length * width * 8);
    const [dy, u, delta, A, B, C, D] = inputs.map(buffer);
    const stem = 'scan/selective_scan_grad';
    gpu.run([
      ...parts.flatMap(({ b0, nb }, k) => {
        const common = { stem, uniforms: uniforms(b0, nb, sizes, k) };
        return [
          {
            ...common, entry: 'selective_scan_grad_chain', groups: linearGrid(nb * E * N, WORKGROUP),
            buffers: [u!, delta!, A!, B!, C!, dy!, states, adjoints], bindings: [1, 2, 3, 4, 5, 11, 8, 9],
          },
          {
            ...common, entry: 'selective_scan_grad_bc', groups: linearGrid(nb * T * N, WORKGROUP),
            buffers: [u!, delta!, dy!, states, adjoints, dB.buffer, dC.buffer], bindings: [1, 2, 11, 8, 9, 15, 16],
          },
          {
            ...common, entry: 'selective_scan_grad_u', groups: linearGrid(nb * T * E, WORKGROUP),
            buffers: [delta!, B!, D!, dy!, adjoints, du.buffer], bindings: [2, 4, 6, 11, 9, 12],
          },
          {
            ...common, entry: 'selective_scan_grad_delta', groups: linearGrid(nb * T * E, WORKGROUP),
            buffers: [u!, delta!, A!, B!, states, adjoints, ddelta.buffer], bindings: [1, 2, 3, 4, 8, 9, 13],
          },
          {
            ...common, entry: 'selective_scan_grad_partials', groups: linearGrid(width, WORKGROUP),
            buffers: [u!, delta!, A!, dy!, states, adjoints, partials], bindings: [1, 2, 3, 11, 8, 9, 18],
          },
        ];
      }),
      {
        stem, entry: 'selective_scan_grad_totals', uniforms: uniforms(0, 0, sizes, parts.length), groups: linearGrid(width, WORKGROUP),
        buffers: [partials, dA.buffer, dD.buffer], bindings: [18, 14, 17],
      },
    ]);
    states.destroy();
    adjoints.destroy();
    partials.destroy();
  }
  return [
    { shape: [batch, T, E], dtype: 'f32', handle: du },
    { shape: [batch, T, E], dtype: 'f32', handle: ddelta },
    { shape: [E, N], dtype: 'f32', handle: dA },
    { shape: [batch, T, N], dtype: 'f32', handle: dB },
    { shape: [batch, T, N], dtype: 'f32', handle: dC },
    { shape: [E], dtype: 'f32', handle: dD },
  ];
};
