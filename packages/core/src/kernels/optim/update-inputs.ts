/**
 * The pieces of the optimizer kernels' spec rules (`sgd_update`, `adagrad_update`,
 * `adam_update` and their row-sparse forms): the tensors of an in-place update and the
 * hyper-parameter attributes. They read shapes, dtypes and attributes only, so `runKernel`
 * runs them on every backend before anything is written; what needs the data (row
 * indices in range) stays with each backend.
 *
 * The attribute rules are the optimizers' option rules (`optim/options.ts`), so a kernel
 * called directly fails where `SGD`, `Adagrad` or `Adam` would have refused the option, but
 * for ε, which a kernel takes at 0 (the exact steps of the parity tests).
 */
import { shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

function describe(t: Tensor): string {
  return `${t.dtype} [${t.shape.join(', ')}]`;
}

/**
 * Throws unless `inputs` (`[param, grad, ...state]`, named by `names`) are all f32 of the
 * parameter's shape.
 *
 * @example
 * ```ts
 * checkDenseUpdateTensors('adagrad_update', [param, grad, sum], ['param', 'grad', 'sum']);
 * ```
 */
export function checkDenseUpdateTensors(K: string, inputs: readonly Tensor[], names: readonly string[]): void {
  const param = inputs[0];
  if (param.dtype !== 'f32') throw new Error(`${K}: param must be f32, got ${describe(param)}`);
  for (let i = 1; i < inputs.length; i++) {
    const t = inputs[i];
    if (t.dtype !== 'f32' || !shapesEqual(t.shape, param.shape)) {
      throw new Error(`${K}: ${names[i]} must be f32 [${param.shape.join(', ')}] (the parameter's shape), got ${describe(t)}`);
    }
  }
}

/**
 * Throws unless `[param, indices, values, ...state]` (the state named by `stateNames`) are a
 * row-sparse update's tensors: param f32 [rows, ...rowShape], indices i32 [n], values f32 of
 * n rows of the parameter's width, each state f32 of the parameter's shape.
 *
 * @example
 * ```ts
 * checkRowSparseTensors('sparse_adam', [param, indices, values, m, v], ['m', 'v']);
 * ```
 */
export function checkRowSparseTensors(K: string, inputs: readonly Tensor[], stateNames: readonly string[]): void {
  const [param, indices, values] = inputs;
  if (param.dtype !== 'f32' || param.shape.length === 0) throw new Error(`${K}: param must be f32 [rows, ...rowShape], got ${describe(param)}`);
  if (indices.dtype !== 'i32' || indices.shape.length !== 1) throw new Error(`${K}: indices must be i32 [n], got ${describe(indices)}`);
  const n = indices.size;
  let width = 1;
  for (let a = 1; a < param.shape.length; a++) width *= param.shape[a];
  if (values.dtype !== 'f32') throw new Error(`${K}: values must be f32 [n, ...rowShape], got ${describe(values)}`);
  if (values.size !== n * width) throw new Error(`${K}: ${values.size} gradient values for ${n} rows of width ${width}; expected ${n * width}`);
  for (let s = 0; s < stateNames.length; s++) {
    const t = inputs[3 + s];
    if (t.dtype !== 'f32' || !shapesEqual(t.shape, param.shape)) {
      throw new Error(`${K}: ${stateNames[s]} must be f32 [${param.shape.join(', ')}] (the parameter's shape), got ${describe(t)}`);
    }
  }
}

/**
 * Throws unless the attribute `name` is a finite number > 0 (learning rates).
 *
 * @example
 * ```ts
 * checkPositiveAttr('sgd_update', 'lr', 0.1);
 * ```
 */
export function checkPositiveAttr(K: string, name: string, value: number): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw new Error(`${K}: ${name} must be a finite number > 0, got ${value}`);
}

/**
 * Throws unless the attribute `name` is a finite number ≥ 0 (weight decay, ε).
 *
 * @example
 * ```ts
 * checkNonNegativeAttr('adam_update', 'weightDecay', 0.01);
 * ```
 */
export function checkNonNegativeAttr(K: string, name: string, value: number): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) throw new Error(`${K}: ${name} must be a finite number ≥ 0, got ${value}`);
}

/**
 * Throws unless the attribute `name` is a number in [0, 1) (momentum, β₁, β₂).
 *
 * @example
 * ```ts
 * checkUnitIntervalAttr('adam_update', 'beta1', 0.9);
 * ```
 */
export function checkUnitIntervalAttr(K: string, name: string, value: number): void {
  if (!(typeof value === 'number' && value >= 0 && value < 1)) throw new Error(`${K}: ${name} must be a number in [0, 1), got ${value}`);
}

/**
 * Throws unless the attribute `name` is true or false.
 *
 * @example
 * ```ts
 * checkFlagAttr('sgd_update', 'nesterov', false);
 * ```
 */
export function checkFlagAttr(K: string, name: string, value: boolean): void {
  if (typeof value !== 'boolean') throw new Error(`${K}: ${name} must be true or false, got ${String(value)}`);
}
