import { dtypeOf, type TypedArray } from '../tensor/dtype.js';
import { currentBackend, getBackend, keep } from '../tensor/engine.js';
import type { Backend } from '../tensor/backend.js';
import { formatShape, type Shape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A trainable tensor: it requires a gradient, is never disposed by a memory
 * scope, and its storage is updated in place by optimizer kernels.
 *
 * @example
 * ```ts
 * const w = new Parameter(new Float32Array(8), [2, 4]);
 * backward(sum(mul(x, w)));
 * console.log(w.grad);
 * ```
 */
export class Parameter extends Tensor {
  constructor(values: TypedArray, shape: Shape, options: { backend?: string | Backend } = {}) {
    if (sizeOf(shape) !== values.length) {
      throw new Error(`Parameter: ${values.length} values do not fill shape ${formatShape(shape)}`);
    }
    const b = options.backend === undefined ? currentBackend() : typeof options.backend === 'string' ? getBackend(options.backend) : options.backend;
    const dtype = dtypeOf(values);
    super(shape, dtype, b.upload(dtype, values, true));
    this.requiresGrad = dtype === 'f32';
    keep(this);
  }

  /** Overwrites the values in place (same length and dtype). */
  assign(values: TypedArray): void {
    if (values.length !== this.size || dtypeOf(values) !== this.dtype) {
      throw new Error(`Parameter.assign: got ${values.length} ${dtypeOf(values)} values for a ${this.dtype} parameter of shape ${formatShape(this.shape)}`);
    }
    this.backend.write(this.handle, values);
  }

  /** Drops the accumulated gradient. */
  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = null;
  }
}
