import type { Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * The gradient of an embedding table from a row gather: only the touched rows,
 * as (indices, values) — never a dense table-sized tensor. Duplicate indices
 * are allowed and mean "add these rows"; optimizers accumulate them.
 */
export class RowSparse {
  readonly kind = 'row-sparse';
  constructor(
    /** i32 `[n]`: which rows. */
    readonly indices: Tensor,
    /** f32 `[n, ...rowShape]`: the gradient of each listed row. */
    readonly values: Tensor,
    /** The dense shape `[rows, ...rowShape]` this gradient stands for. */
    readonly shape: Shape,
  ) {}

  dispose(): void {
    this.indices.dispose();
    this.values.dispose();
  }
}

/** A gradient: dense, or row-sparse for embedding tables. */
export type Gradient = Tensor | RowSparse;

/** What a gradient function sees of the op it differentiates. */
export interface GradContext<A> {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: A;
}

/**
 * Maps the gradients of an op's outputs to the gradients of its inputs (one
 * per input; null where an input is not differentiable).
 */
export type GradFn<A = any> = (dys: readonly Tensor[], ctx: GradContext<A>) => (Gradient | null)[];

/** One recorded op application. */
export interface TapeNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: unknown;
  readonly grad: GradFn;
}

let gradEnabled = true;

/** True unless inside {@link noGrad}. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording ops on the tape: for evaluation, inference and
 * optimizer updates, where no gradient is wanted and recording would cost memory.
 *
 * @example
 * ```ts
 * const scores = noGrad(() => matmul(users, items, { transposeB: true }));
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/**
 * `grad()` for a grad function's input that needs a gradient, null for one that does not
 * (a constant: a dropout mask, data, a scalar), whose gradient backward would drop: so
 * multiplying by a mask costs one product in the backward pass, not two.
 */
export function gradientIf(input: Tensor, grad: () => Tensor): Tensor | null {
  return input.requiresGrad ? grad() : null;
}

/** Records an op on the tape when grad mode is on and an input requires a gradient. */
export function recordOp(op: string, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: unknown, grad: GradFn): void {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return;
  const node: TapeNode = { op, inputs, outputs, attrs, grad };
  for (const o of outputs) {
    if (o.dtype !== 'f32') continue;
    o.requiresGrad = true;
    o.gradNode = node;
  }
}
