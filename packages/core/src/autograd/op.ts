import { runKernel } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { type GradFn, recordOp } from './tape.js';

/** An op: a name (for the tape and errors), the kernel it runs and its gradient. */
export interface OpDef<A> {
  readonly name: string;
  readonly kernel: string;
  /** Absent for ops that are never differentiated (integer or comparison results). */
  readonly grad?: GradFn<A>;
}

/** Runs an op's kernel on validated inputs and records it for autograd. */
export function applyOp<A extends object>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
  const outputs = runKernel(def.kernel, inputs, attrs);
  if (def.grad) recordOp(def.name, inputs, outputs, attrs, def.grad);
  return outputs;
}

/** Single-output form of {@link applyOp}. */
export function applyOp1<A extends object>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  return applyOp(def, inputs, attrs)[0];
}
