/**
 * The `webgpu` backend: tensor storage in GPUBuffers, kernels as WGSL compute
 * pipelines (see `kernels/wgsl/`). Kernels enqueue work and return at once;
 * `read()` is the only place that waits for the GPU.
 *
 * Errors a shader finds (an index out of range) cannot be thrown where the
 * kernel is called, because the GPU has not run yet: the kernel writes a status
 * word, and the next `read()` raises the kernel's message. WebGPU validation
 * errors are raised the same way.
 */
import type {} from 'webgpu'; // the WebGPU types (@webgpu/types), through dawn-node's typings
import type { Backend, DataHandle, DType, TypedArray } from '@rec/core';
import { composeShader, type ShaderSources } from './shaders.js';

// GPUBufferUsage / GPUMapMode flags (WebGPU spec values), so nothing depends on the globals being installed.
const MAP_READ = 0x0001;
const COPY_SRC = 0x0004;
const COPY_DST = 0x0008;
const UNIFORM = 0x0040;
const STORAGE = 0x0080;
const MAP_MODE_READ = 0x0001;

/** Most workgroups per dispatch dimension that every WebGPU device accepts. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/** Storage of the `webgpu` backend: one GPUBuffer of `max(size, 1)` 4-byte elements. */
export interface GpuHandle extends DataHandle {
  buffer: GPUBuffer;
}

/** A compile-time variant of a pipeline: override constants (e.g. `TRANSPOSE_A`). */
export type PipelineConstants = Readonly<Record<string, number | boolean>>;

/** One compute dispatch: which pipeline, its uniform block, its storage buffers and its grid. */
export interface Dispatch {
  /** Stem of the WGSL file under `kernels/wgsl/`, e.g. `dense/matmul`. */
  stem: string;
  /** Entry point; by convention the kernel id. */
  entry: string;
  constants?: PipelineConstants;
  /** Bytes of the uniform block bound at binding 0 (a multiple of 16). */
  uniforms: ArrayBuffer;
  /** Buffers bound at bindings 1, 2, … in order (or at {@link Dispatch.bindings}). */
  buffers: readonly GPUBuffer[];
  /**
   * The binding number of each buffer, when the entry point does not use
   * bindings 1..n in order — several entry points of one module, each using
   * its own subset (a pipeline with layout 'auto' holds only the bindings its
   * entry point uses, and a bind group must name exactly those).
   */
  bindings?: readonly number[];
  /** Workgroups in x, y, z. */
  groups: readonly [number, number, number];
}

function arrayFor(dtype: DType, buffer: ArrayBuffer): TypedArray {
  switch (dtype) {
    case 'f32':
      return new Float32Array(buffer);
    case 'i32':
      return new Int32Array(buffer);
    case 'u32':
      return new Uint32Array(buffer);
    default:
      throw new Error(`webgpu: unknown dtype '${String(dtype)}': expected f32, i32 or u32`);
  }
}

/**
 * The workgroup grid for `count` invocations in workgroups of `size` along x:
 * at most 65535 workgroups in x, the rest in y. Shaders recover the linear id
 * as `gid.x + gid.y · num_workgroups.x · size`.
 *
 * @example
 * ```ts
 * linearGrid(1_000_000, 64); // [15625, 1, 1]
 * ```
 */
export function linearGrid(count: number, size: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(count / size));
  const x = Math.min(groups, MAX_WORKGROUPS_PER_DIM);
  return [x, Math.ceil(groups / x), 1];
}

/**
 * The `webgpu` {@link Backend}: one GPUDevice, its pipeline cache and its storage.
 * Made by `loadWebGPU()`, not directly.
 */
export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  /** The adapter this device runs on, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)` (lavapipe). */
  readonly adapterName: string;
  readonly device: GPUDevice;
  readonly #sources: ShaderSources;
  readonly #modules = new Map<string, GPUShaderModule>();
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  /** Status words of kernels that ran since the last read, with the message each bit stands for. */
  #pendingStatus: { buffer: GPUBuffer; messages: readonly string[] }[] = [];
  #errors: string[] = [];
  /** Validation error scopes of the dispatches since the last read, one per {@link run}. */
  #scopes: Promise<GPUError | null>[] = [];
  #destroyed = false;

  constructor(device: GPUDevice, adapterName: string, sources: ShaderSources) {
    this.device = device;
    this.adapterName = adapterName;
    this.#sources = sources;
    device.addEventListener('uncapturederror', (event) => {
      this.#errors.push((event as GPUUncapturedErrorEvent).error.message);
    });
  }

  alloc(dtype: DType, size: number): GpuHandle {
    // New GPUBuffers are zero-filled by the WebGPU spec.
    return { backend: this, dtype, size, refs: 1, buffer: this.createStorage(size * 4) };
  }

  upload(dtype: DType, values: TypedArray): GpuHandle {
    const buffer = this.device.createBuffer({ size: Math.max(4, values.byteLength), usage: STORAGE | COPY_SRC | COPY_DST, mappedAtCreation: true });
    const view = arrayFor(dtype, buffer.getMappedRange());
    view.set(values);
    buffer.unmap();
    return { backend: this, dtype, size: values.length, refs: 1, buffer };
  }

  write(handle: DataHandle, values: TypedArray): void {
    if (values.length !== handle.size) throw new Error(`webgpu write: ${values.length} values for storage of ${handle.size}`);
    if (values.length) this.device.queue.writeBuffer((handle as GpuHandle).buffer, 0, values.buffer, values.byteOffset, values.byteLength);
  }

  async read(handle: DataHandle): Promise<TypedArray> {
    const h = handle as GpuHandle;
    const bytes = h.size * 4;
    const scopes = this.#scopes;
    this.#scopes = [];
    const checks = this.#pendingStatus;
    this.#pendingStatus = [];
    const staging = this.device.createBuffer({ size: Math.max(4, bytes) + checks.length * 4, usage: MAP_READ | COPY_DST });
    const encoder = this.device.createCommandEncoder();
    if (bytes) encoder.copyBufferToBuffer(h.buffer, 0, staging, 0, bytes);
    checks.forEach((c, i) => encoder.copyBufferToBuffer(c.buffer, 0, staging, Math.max(4, bytes) + i * 4, 4));
    this.device.queue.submit([encoder.finish()]);
    for (const c of checks) c.buffer.destroy();
    try {
      await staging.mapAsync(MAP_MODE_READ);
      const mapped = staging.getMappedRange();
      const status = new Uint32Array(mapped, Math.max(4, bytes), checks.length);
      // Bit b of a word stands for messages[b]; a single message stands for any non-zero word.
      const failed = checks.flatMap((c, i) => (c.messages.length === 1 ? (status[i] !== 0 ? c.messages : []) : c.messages.filter((_, b) => (status[i] >>> b) & 1)));
      const out = arrayFor(h.dtype, mapped.slice(0, bytes));
      staging.unmap();
      for (const e of await Promise.all(scopes)) if (e) this.#errors.push(e.message);
      this.#throwPending(failed);
      return out;
    } finally {
      staging.destroy();
    }
  }

  free(handle: DataHandle): void {
    // Work already submitted that uses the buffer still completes (WebGPU defers the release).
    (handle as GpuHandle).buffer.destroy();
  }

  /** A zero-filled storage buffer of at least 4 bytes (WebGPU cannot bind an empty one). */
  createStorage(bytes: number): GPUBuffer {
    return this.device.createBuffer({ size: Math.max(4, bytes), usage: STORAGE | COPY_SRC | COPY_DST });
  }

  /**
   * A new storage buffer holding `parts` end to end, copied on the GPU (queue
   * order puts the copy before any later {@link run}). For kernels with more
   * inputs than a shader stage may bind (WebGPU guarantees 8 storage buffers;
   * this backend asks for up to 10): small inputs share one binding, with
   * their offsets in the uniform. The caller destroys it after its run.
   *
   * @param parts each part's buffer and the bytes of it to copy (a multiple of 4)
   */
  concatStorage(parts: readonly { buffer: GPUBuffer; bytes: number }[]): GPUBuffer {
    if (this.#destroyed) throw new Error('webgpu: the device was destroyed (destroyWebGPU()); load the backend again');
    const total = parts.reduce((sum, p) => sum + p.bytes, 0);
    const out = this.createStorage(total);
    this.device.pushErrorScope('validation');
    const encoder = this.device.createCommandEncoder();
    let offset = 0;
    for (const p of parts) {
      if (p.bytes > 0) encoder.copyBufferToBuffer(p.buffer, 0, out, offset, p.bytes);
      offset += p.bytes;
    }
    this.device.queue.submit([encoder.finish()]);
    this.#scopes.push(this.device.popErrorScope());
    return out;
  }

  /**
   * A zero status word for one kernel call: a shader sets it non-zero on bad
   * input, and the next {@link read} throws `message`. With several messages,
   * the shader sets bit b (`atomicOr(&status, 1u << b)`) for `message[b]`, and
   * the read throws those whose bits are set — one binding for several checks.
   */
  statusWord(message: string | readonly string[]): GPUBuffer {
    const messages = typeof message === 'string' ? [message] : message;
    if (messages.length === 0 || messages.length > 32) throw new Error(`webgpu statusWord: 1 to 32 messages, got ${messages.length}`);
    const buffer = this.createStorage(4);
    this.#pendingStatus.push({ buffer, messages });
    return buffer;
  }

  /**
   * The pipeline for (stem, entry, constants), compiled on first use. The key
   * holds compile-time facts only; sizes and strides go in uniforms.
   */
  pipeline(stem: string, entry: string, constants: PipelineConstants = {}): GPUComputePipeline {
    const constantKey = Object.keys(constants).sort().map((k) => `${k}=${Number(constants[k])}`).join(',');
    const key = `${stem}#${entry}|${constantKey}`;
    let p = this.#pipelines.get(key);
    if (!p) {
      let module = this.#modules.get(stem);
      if (!module) {
        module = this.device.createShaderModule({ label: stem, code: composeShader(this.#sources, stem) });
        this.#modules.set(stem, module);
      }
      const numeric: Record<string, number> = {};
      for (const [k, v] of Object.entries(constants)) numeric[k] = Number(v);
      p = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint: entry, constants: numeric } });
      this.#pipelines.set(key, p);
    }
    return p;
  }

  /** Number of compiled pipelines (for tests of the cache). */
  get pipelineCount(): number {
    return this.#pipelines.size;
  }

  /** Encodes and submits dispatches in one compute pass, in order (each sees the previous one's writes). */
  run(dispatches: readonly Dispatch[]): void {
    if (this.#destroyed) throw new Error('webgpu: the device was destroyed (destroyWebGPU()); load the backend again');
    for (const d of dispatches) {
      if (d.groups.some((g) => g > MAX_WORKGROUPS_PER_DIM)) {
        throw new Error(`webgpu ${d.entry}: grid ${d.groups.join('×')} exceeds ${MAX_WORKGROUPS_PER_DIM} workgroups per dimension`);
      }
    }
    // Validation errors (a WGSL compile error, a bad binding) belong to this backend's next read,
    // not to whichever code on the same device reads first.
    this.device.pushErrorScope('validation');
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const uniforms: GPUBuffer[] = [];
    for (const d of dispatches) {
      const pipeline = this.pipeline(d.stem, d.entry, d.constants);
      const ubuf = this.device.createBuffer({ size: Math.max(16, d.uniforms.byteLength), usage: UNIFORM, mappedAtCreation: true });
      new Uint8Array(ubuf.getMappedRange()).set(new Uint8Array(d.uniforms));
      ubuf.unmap();
      uniforms.push(ubuf);
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: ubuf } }];
      d.buffers.forEach((buffer, i) => entries.push({ binding: d.bindings?.[i] ?? i + 1, resource: { buffer } }));
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
      pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    this.#scopes.push(this.device.popErrorScope());
    if (this.#scopes.length > 64) {
      // A loop that never reads must not hold a promise per step: keep the first error of the lot.
      const all = this.#scopes;
      this.#scopes = [Promise.all(all).then((errors) => errors.find((e) => e) ?? null)];
    }
    for (const u of uniforms) u.destroy();
  }

  /** Waits until the GPU has finished everything submitted so far (for benchmarks). */
  async sync(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    const scopes = this.#scopes;
    this.#scopes = [];
    for (const e of await Promise.all(scopes)) if (e) this.#errors.push(e.message);
    this.#throwPending([]);
  }

  /** Destroys the device: every buffer becomes invalid and later kernels throw. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#pipelines.clear();
    this.#modules.clear();
    this.device.destroy();
  }

  #throwPending(failed: string[]): void {
    const all = [...failed, ...this.#errors.map((e) => `WebGPU validation error: ${e}`)];
    this.#errors = [];
    if (all.length) throw new Error(all.join('\n'));
  }
}
