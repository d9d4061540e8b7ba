import type { Backend, DataHandle } from './backend.js';
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/**
 * The declaration of a kernel, made once in `@rec/core`: its id (the same
 * snake_case id names the C++ export, the WGSL entry point, the test and the
 * benchmark), what it computes, its reference backend, and the rule its
 * inputs and attributes must follow.
 */
export interface KernelSpec {
  readonly id: string;
  /** One line: the equation or what the kernel computes. */
  readonly summary: string;
  /** The kernel family it belongs to (`elementwise`, `dense`, `optim`, `sampling`, …). */
  readonly family: string;
  /**
   * The kernel's rule on its inputs (how many, their dtypes and shapes) and its
   * attributes, declared once here and run by `runKernel` before the
   * implementation on every backend, so each backend fails a bad call with the
   * same one-line message, `<id>: …`, before it writes anything.
   *
   * It reads shapes, dtypes and attributes only, never tensor data: a GPU
   * tensor's data is not on the host. What needs the data (ids in range, a CSR
   * map's order) stays with each backend, and a backend's own limits (the
   * largest width a WGSL shader holds) stay in that backend.
   */
  readonly check: (inputs: readonly Tensor[], attrs: any) => void;
}

/** What a kernel returns for each output: a shape, a dtype and the storage it filled. */
export interface KernelOutput {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly handle: DataHandle;
}

/** The arguments a kernel implementation receives. */
export interface KernelContext<A = Record<string, unknown>> {
  readonly inputs: readonly Tensor[];
  readonly attrs: A;
  readonly backend: Backend;
}

/** A kernel implementation on one backend; in-place kernels return nothing. */
export type KernelImpl<A = any> = (ctx: KernelContext<A>) => KernelOutput | KernelOutput[] | void;

const specs = new Map<string, KernelSpec>();
/** Implementations by kernel id, then backend name (two lookups; no key string built per call). */
const impls = new Map<string, Map<string, KernelImpl>>();

/** Declares a kernel. Declaring the same id twice with a different summary is an error. */
export function declareKernel(spec: KernelSpec): KernelSpec {
  const existing = specs.get(spec.id);
  if (existing && existing.summary !== spec.summary) {
    throw new Error(`kernel '${spec.id}' is declared twice with different specs`);
  }
  specs.set(spec.id, spec);
  return spec;
}

/** Registers the implementation of a declared kernel on a backend, under `<id>:<backend>`. */
export function registerKernel<A>(id: string, backend: string, impl: KernelImpl<A>): void {
  if (!specs.has(id)) throw new Error(`cannot register '${id}:${backend}': kernel '${id}' is not declared`);
  let byBackend = impls.get(id);
  if (!byBackend) impls.set(id, (byBackend = new Map()));
  byBackend.set(backend, impl as KernelImpl);
}

/** The declaration of kernel `id`, if it is declared. */
export function kernelSpec(id: string): KernelSpec | undefined {
  return specs.get(id);
}

/** The implementation registered under `<id>:<backend>`, if any. */
export function findKernel(id: string, backend: string): KernelImpl | undefined {
  return impls.get(id)?.get(backend);
}

/** Every declared kernel, sorted by id. */
export function declaredKernels(): KernelSpec[] {
  return [...specs.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The backends a kernel is registered on. */
export function kernelBackends(id: string): string[] {
  return [...(impls.get(id)?.keys() ?? [])].sort();
}
