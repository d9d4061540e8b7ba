/**
 * `skipgram_step` on `webgpu`: the glue for `kernels/wgsl/sgd/skipgram_step.wgsl`
 * — one workgroup walks the examples and their output rows in batch order (the
 * reference's single-thread semantics in f32; see the WGSL header for why and
 * what it costs). Shapes and dtypes are checked here with the reference's
 * messages; ids on the GPU (raised at the next read, nothing updated), since
 * the shared check reads ids on the host and these live on the GPU.
 */
import type { KernelImpl, SkipgramStepAttrs, Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';

const K = 'skipgram_step';
/** Largest width d the shader's per-invocation column registers hold (64 invocations × 16). */
export const SKIPGRAM_MAX_DIM = 1024;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `skipgram_step` (in place on the tables; returns the mean loss). */
export const skipgramStep: KernelImpl<SkipgramStepAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  if (inputs.length !== 7 && inputs.length !== 9) {
    throw new Error(`${K}: expected 7 inputs [contextA, contextB, output, ctxA, ctxB, targets, negatives] and optionally [extra, extraOfOutput], got ${inputs.length}`);
  }
  const [A, Bt, W, ca, cb, targets, negs] = inputs;
  const hasExtra = inputs.length === 9;
  const tables: [string, Tensor][] = [['contextA', A], ['contextB', Bt], ['output', W]];
  if (hasExtra) tables.push(['extra', inputs[7]]);
  const d = A.shape[1];
  for (const [name, t] of tables) {
    if (t.dtype !== 'f32' || t.shape.length !== 2 || t.shape[1] !== d) throw new Error(`${K}: ${name} must be f32 [rows, ${d}], got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  for (let i = 0; i < tables.length; i++) {
    for (let j = i + 1; j < tables.length; j++) if (tables[i][1] === tables[j][1]) throw new Error(`${K}: ${tables[i][0]} and ${tables[j][0]} must be distinct tensors`);
  }
  const batch = ca.shape[0] ?? 0;
  for (const [name, t] of [['ctxA', ca], ['ctxB', cb], ['targets', targets]] as const) {
    if (t.dtype !== 'i32' || t.shape.length !== 1 || t.shape[0] !== batch) throw new Error(`${K}: ${name} must be i32 [${batch}], got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  if (negs.dtype !== 'i32' || negs.shape.length !== 2 || negs.shape[0] !== batch) throw new Error(`${K}: negatives must be i32 [${batch}, N], got ${negs.dtype} [${negs.shape.join(', ')}]`);
  const extraOf = hasExtra ? inputs[8] : undefined;
  if (extraOf && (extraOf.dtype !== 'i32' || extraOf.shape.length !== 1 || extraOf.shape[0] !== W.shape[0])) {
    throw new Error(`${K}: extraOfOutput must be i32 [${W.shape[0]}] (one entry per output row)`);
  }
  if (d > SKIPGRAM_MAX_DIM) throw new Error(`${K}: the webgpu kernel holds at most d = ${SKIPGRAM_MAX_DIM} columns, got ${d}`);
  const N = negs.shape[1];
  const loss = gpu.alloc('f32', 1);
  if (batch > 0) {
    const u = new ArrayBuffer(64);
    new Uint32Array(u, 0, 8).set([batch, d, N, A.shape[0], Bt.shape[0], W.shape[0], hasExtra ? inputs[7].shape[0] : 0, 0]);
    new Float32Array(u, 32, 5).set([attrs.alpha1, attrs.alpha2, attrs.extraWeight, attrs.lr, attrs.reg]);
    const status = gpu.statusWord(
      `${K}: a context, target or negative id is out of range for its table (${A.shape[0]} contextA, ${Bt.shape[0]} contextB, ${W.shape[0]} output rows)` +
        `${hasExtra ? `, or an extra row of a touched output row is out of range for ${inputs[7].shape[0]} rows (−1 = none)` : ''}; nothing was updated`,
    );
    const examples = gpu.concatStorage([ca, cb, targets, negs].map((t) => ({ buffer: buffer(t), bytes: 4 * t.size })));
    const placeholders = hasExtra ? [] : [gpu.createStorage(4), gpu.createStorage(4)];
    const [X, extra] = hasExtra ? [buffer(inputs[7]), buffer(inputs[8])] : placeholders;
    gpu.run([{
      stem: 'sgd/skipgram_step',
      entry: 'skipgram_step',
      constants: { HAS_EXTRA: hasExtra },
      uniforms: u,
      buffers: [buffer(A), buffer(Bt), buffer(W), X, examples, extra, loss.buffer, status],
      groups: [1, 1, 1],
    }]);
    examples.destroy();
    for (const p of placeholders) p.destroy();
  }
  return { shape: [1], dtype: 'f32', handle: loss };
};
