import type { Backend, DataHandle } from './backend.js';
import { type DType, type TypedArray } from './dtype.js';
import { formatShape, type Shape, sizeOf } from './shape.js';
import { trackTensor, untrackTensor } from './engine.js';
import type { Gradient, TapeNode } from '../autograd/tape.js';

let nextTensorId = 0;

/**
 * An n-dimensional array whose values live on a backend. Tensors are immutable
 * from the op API: every op returns a new tensor at once, and values come back
 * with `await t.read()` (asynchronous so that GPU backends fit the same API).
 * Only optimizer kernels update a {@link Parameter}'s storage in place.
 *
 * @example
 * ```ts
 * const x = tensor([1, 2, 3, 4], [2, 2]);
 * const y = mul(x, 2);
 * console.log(await y.read()); // Float32Array [2, 4, 6, 8]
 * ```
 */
export class Tensor {
  /** A process-unique id, for debugging and for keying gradients. */
  readonly id = nextTensorId++;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** When true, ops on this tensor are recorded on the autograd tape. */
  requiresGrad = false;
  /** The tape node that produced this tensor, when it was recorded. */
  gradNode: TapeNode | undefined = undefined;
  /**
   * The accumulated gradient of a leaf that requires one (a parameter), set by
   * `backward`: dense, or row-sparse for tables read through `gather`.
   */
  grad: Gradient | null = null;
  #handle: DataHandle | undefined;

  constructor(shape: Shape, dtype: DType, handle: DataHandle) {
    if (handle.size !== sizeOf(shape)) {
      throw new Error(`tensor of shape ${formatShape(shape)} needs ${sizeOf(shape)} elements, its storage holds ${handle.size}`);
    }
    if (handle.dtype !== dtype) throw new Error(`tensor of dtype ${dtype} given ${handle.dtype} storage`);
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = handle.size;
    this.#handle = handle;
    trackTensor(this);
  }

  /** The storage; throws once the tensor was disposed. */
  get handle(): DataHandle {
    if (!this.#handle) throw new Error(`tensor #${this.id} ${formatShape(this.shape)} was disposed and cannot be used`);
    return this.#handle;
  }

  /** The backend holding the values. */
  get backend(): Backend {
    return this.handle.backend;
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** True once {@link dispose} was called. */
  get isDisposed(): boolean {
    return this.#handle === undefined;
  }

  /** Copies the values to the host. */
  read(): Promise<TypedArray> {
    return this.handle.backend.read(this.handle);
  }

  /**
   * The values without waiting; only on backends that keep values on the host
   * (`js`, `native`). Prefer {@link read} in code that must run on every backend.
   */
  readSync(): TypedArray {
    const b = this.handle.backend;
    const values = b.readSync?.(this.handle);
    if (!values) throw new Error(`backend '${b.name}' cannot read synchronously: use await tensor.read()`);
    return values;
  }

  /** The single value of a one-element tensor, read synchronously. */
  item(): number {
    if (this.size !== 1) throw new Error(`item() needs a one-element tensor, got shape ${formatShape(this.shape)}`);
    return this.readSync()[0];
  }

  /** Releases the storage (once every view sharing it is disposed). Idempotent. */
  dispose(): void {
    const h = this.#handle;
    if (!h) return;
    this.#handle = undefined;
    this.gradNode = undefined;
    untrackTensor();
    h.refs -= 1;
    if (h.refs === 0) h.backend.free(h);
  }

  /** A readable description, without the values. */
  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}${this.isDisposed ? ', disposed' : `, ${this.handle.backend.name}`})`;
  }
}
