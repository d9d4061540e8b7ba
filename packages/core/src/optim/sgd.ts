import { type Gradient, RowSparse } from '../autograd/tape.js';
import type { SgdUpdateAttrs } from '../kernels/optim/sgd_update.js';
import type { Parameter } from '../nn/parameter.js';
import { runKernel } from '../tensor/engine.js';
import { expectBoolean, expectNonNegative, expectUnitInterval, rejectUnknownOptions } from './options.js';
import { Optimizer, type OptimizerSlots, type ParameterSource } from './optimizer.js';

/**
 * Options of {@link SGD}.
 *
 * @example
 * ```ts
 * const options: SGDOptions = { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 };
 * ```
 */
export interface SGDOptions {
  /** Learning rate, > 0. Required: no default suits every problem. */
  lr: number;
  /** μ in [0, 1); 0 (default) keeps no velocity and costs no memory. */
  momentum?: number;
  /** Nesterov momentum (default false); needs momentum > 0. */
  nesterov?: boolean;
  /** λ ≥ 0 (default 0): L2 penalty (λ/2)·‖p‖², added to the gradient before momentum. */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with optional momentum (PyTorch convention:
 * v = μ·v + g, p −= lr·v), Nesterov momentum and L2 weight decay. Dense
 * gradients run `sgd_update`; row-sparse ones run `sparse_sgd`, which merges
 * duplicate rows and is lazy: a row's velocity only advances on steps whose
 * gradient lists it. State: `momentum_buffer` per parameter when momentum > 0.
 *
 * @example
 * ```ts
 * const x = tensor([1, 0, 0, 1, 1, 1], [3, 2]);
 * const y = tensor([2, -1, 1], [3, 1]);                 // y = x·[2, −1]ᵀ
 * const w = new Parameter(new Float32Array([0, 0]), [2, 1]);
 * const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
 * for (let i = 0; i < 200; i++) {
 *   opt.zeroGrad();
 *   backward(mean(square(sub(matmul(x, w), y))));
 *   opt.step();
 * }
 * // w ≈ [2, −1]
 * ```
 * @see Sutskever et al. 2013, ICML, §2 (momentum and Nesterov's form used here).
 */
export class SGD extends Optimizer {
  /** The validated options, lr excepted (see {@link Optimizer.lr}). */
  readonly options: Readonly<Required<Omit<SGDOptions, 'lr'>>>;

  /**
   * @param params the parameters to step, or a module
   * @param options see {@link SGDOptions}; each is validated, and a bad one throws naming it
   */
  constructor(params: ParameterSource, options: SGDOptions) {
    rejectUnknownOptions('SGD', options, ['lr', 'momentum', 'nesterov', 'weightDecay']);
    super('SGD', params, options.lr);
    const momentum = expectUnitInterval('SGD', 'momentum', options.momentum ?? 0);
    const nesterov = expectBoolean('SGD', 'nesterov', options.nesterov ?? false);
    if (nesterov && momentum === 0) throw new Error(`SGD: option 'nesterov' is true but 'momentum' is 0; Nesterov momentum needs momentum > 0`);
    this.options = Object.freeze({ momentum, nesterov, weightDecay: expectNonNegative('SGD', 'weightDecay', options.weightDecay ?? 0) });
  }

  protected slots(): readonly string[] {
    return this.options.momentum > 0 ? ['momentum_buffer'] : [];
  }

  protected update(param: Parameter, grad: Gradient, state: OptimizerSlots): void {
    const attrs: SgdUpdateAttrs = { lr: this.lr, ...this.options };
    const velocity = state.momentum_buffer ? [state.momentum_buffer] : [];
    if (grad instanceof RowSparse) runKernel('sparse_sgd', [param, grad.indices, grad.values, ...velocity], attrs);
    else runKernel('sgd_update', [param, grad, ...velocity], attrs);
  }
}
