import type { Backend } from './backend.js';
import { findKernel, kernelSpec, type KernelImpl, type KernelOutput } from './registry.js';
import { Tensor } from './tensor.js';

const backends = new Map<string, Backend>();
let current: Backend | undefined;
const scopes: Set<Tensor>[] = [];
// Tensors created and not yet disposed. A count, not a FinalizationRegistry: registering every
// tensor with one cost a quarter of a NeuMF step at batch 256 (weak cells for the collector).
let liveTensors = 0;

/** Adds a backend under its name (replacing one of the same name). */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** The backend registered under `name`, or an error listing those that are. */
export function getBackend(name: string): Backend {
  const b = backends.get(name);
  if (!b) throw new Error(`backend '${name}' is not registered; registered: ${[...backends.keys()].join(', ') || 'none'}`);
  return b;
}

/** Names of the registered backends. */
export function registeredBackends(): string[] {
  return [...backends.keys()];
}

/** Makes `name` the backend new tensors are created on. */
export function setBackend(name: string): Backend {
  current = getBackend(name);
  return current;
}

/** The backend new tensors are created on (`js` unless changed). */
export function currentBackend(): Backend {
  if (!current) current = getBackend('js');
  return current;
}

/** Called by the Tensor constructor: counts the tensor and adds it to the innermost scope. */
export function trackTensor(t: Tensor): void {
  liveTensors += 1;
  scopes[scopes.length - 1]?.add(t);
}

/** Called by `Tensor.dispose` (once per tensor): the tensor no longer counts as live. */
export function untrackTensor(): void {
  liveTensors -= 1;
}

/**
 * Runs `fn` in a memory scope: every tensor created inside it is disposed when
 * it returns, except the tensors it returns (in an array or object, one level
 * deep or nested) and tensors passed to {@link keep}. Parameters are never
 * tracked. Typed arrays and ArrayBuffers are returned as they are, in constant
 * time (their elements are numbers, so they are not searched for tensors). Synchronous only: an `await` inside would let other code's tensors
 * into the scope.
 *
 * @example
 * ```ts
 * // One training step: the graph lives until backward has run inside the scope;
 * // parameter gradients and the returned number survive, every intermediate is freed.
 * const loss = tidy(() => {
 *   const l = softmaxCrossEntropy(matmul(x, w), labels);
 *   backward(l);
 *   optimizer.step();
 *   return l.item();
 * });
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new Error('tidy() takes a synchronous function; await outside the scope');
  }
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors, 0);
  const outer = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) outer?.add(t);
    else t.dispose();
  }
  return result;
}

function collectTensors(value: unknown, out: Set<Tensor>, depth: number): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if (value instanceof Tensor) {
    out.add(value);
    return;
  }
  // Host data holds numbers, not tensors: walking a score block with Object.values would box
  // every element (a 4,527 × 3,706 block took seconds, most of it garbage collection).
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  const items = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
  for (const v of items) collectTensors(v, out, depth + 1);
}

/** Removes a tensor from every open scope, so no enclosing {@link tidy} disposes it. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/**
 * Live tensors: created and not yet disposed (a tensor dropped without `dispose` outside any
 * {@link tidy} stays counted, which is what makes the count a leak check).
 *
 * @example
 * ```ts
 * const before = memory().tensors;
 * tidy(() => add(a, b));
 * console.log(memory().tensors - before); // 0
 * ```
 */
export function memory(): { tensors: number; scopes: number } {
  return { tensors: liveTensors, scopes: scopes.length };
}

/**
 * The implementation `runKernel` would run for `id` on `backend`: its own, else its
 * fallback's; undefined when neither has one.
 */
export function kernelFor(id: string, backend: Backend): KernelImpl | undefined {
  return findKernel(id, backend.name) ?? (backend.fallback === undefined ? undefined : findKernel(id, backend.fallback));
}

/**
 * Validates that all inputs share a backend and that attrs is an object, checks them and the attributes
 * against the kernel's declared rule (`KernelSpec.check`), finds
 * `<id>:<backend>` (or the backend's fallback) and runs it, wrapping each
 * output in a tensor.
 */
export function runKernel<A extends object>(id: string, inputs: readonly Tensor[], attrs: A, backend?: Backend): Tensor[] {
  const b = backend ?? inputs[0]?.backend ?? currentBackend();
  for (const t of inputs) {
    if (t.backend !== b) {
      throw new Error(`kernel '${id}': inputs live on different backends ('${b.name}' and '${t.backend.name}'); move them with toBackend()`);
    }
  }
  const impl = kernelFor(id, b);
  if (!impl) throw new Error(`kernel '${id}' has no implementation on backend '${b.name}'${b.fallback ? ` or its fallback '${b.fallback}'` : ''}`);
  if (typeof attrs !== 'object' || attrs === null) throw new Error(`${id}: expected an attributes object, got ${String(attrs)}`);
  kernelSpec(id)?.check(inputs, attrs);
  const out = impl({ inputs, attrs: attrs as Record<string, unknown>, backend: b });
  if (!out) return [];
  const list: KernelOutput[] = Array.isArray(out) ? out : [out];
  return list.map((o) => new Tensor(o.shape, o.dtype, o.handle));
}
