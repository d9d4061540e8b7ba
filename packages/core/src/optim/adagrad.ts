import { type Gradient, RowSparse } from '../autograd/tape.js';
import type { AdagradUpdateAttrs } from '../kernels/optim/adagrad_update.js';
import type { Parameter } from '../nn/parameter.js';
import { runKernel } from '../tensor/engine.js';
import { expectNonNegative, expectPositive, rejectUnknownOptions } from './options.js';
import { Optimizer, type OptimizerSlots, type ParameterSource } from './optimizer.js';

/**
 * Options of {@link Adagrad}; defaults are PyTorch's.
 *
 * @example
 * ```ts
 * const options: AdagradOptions = { lr: 0.05, initialAccumulatorValue: 0.1 };
 * ```
 */
export interface AdagradOptions {
  /** Learning rate, > 0 (default 0.01). */
  lr?: number;
  /** ε > 0 added to √G (default 1e-10). */
  eps?: number;
  /** λ ≥ 0 (default 0): L2 penalty added to the gradient. */
  weightDecay?: number;
  /** G's starting value, ≥ 0 (default 0; TensorFlow uses 0.1, which damps the first steps). */
  initialAccumulatorValue?: number;
}

/**
 * Adagrad (Duchi, Hazan & Singer 2011): per-element step sizes that shrink
 * with the accumulated squared gradient, G += g²; p −= lr·g/(√G + ε) — the
 * usual choice for embedding tables, where rare rows keep large steps. Dense
 * gradients run `adagrad_update`; row-sparse ones run `sparse_adagrad`, which
 * merges duplicate rows (adding (g₁ + g₂)² to G) and touches listed rows only.
 * State: `sum` (G) per parameter.
 *
 * @example
 * ```ts
 * const items = new Embedding(1000, 32, { seed: 1 });
 * const opt = new Adagrad(items, { lr: 0.05 });
 * backward(mean(square(items.forward(tensor(new Int32Array([3, 7, 3]))))));
 * opt.step(); // sparse_adagrad on rows 3 and 7
 * ```
 * @see Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization", JMLR 12, §1.1.
 */
export class Adagrad extends Optimizer {
  /** The validated options, lr excepted (see {@link Optimizer.lr}). */
  readonly options: Readonly<Required<Omit<AdagradOptions, 'lr'>>>;

  /**
   * @param params the parameters to step, or a module
   * @param options see {@link AdagradOptions}; each is validated, and a bad one throws naming it
   */
  constructor(params: ParameterSource, options: AdagradOptions = {}) {
    rejectUnknownOptions('Adagrad', options, ['lr', 'eps', 'weightDecay', 'initialAccumulatorValue']);
    super('Adagrad', params, options.lr ?? 1e-2);
    this.options = Object.freeze({
      eps: expectPositive('Adagrad', 'eps', options.eps ?? 1e-10),
      weightDecay: expectNonNegative('Adagrad', 'weightDecay', options.weightDecay ?? 0),
      initialAccumulatorValue: expectNonNegative('Adagrad', 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0),
    });
  }

  protected slots(): readonly string[] {
    return ['sum'];
  }

  protected override slotInitialValue(): number {
    return this.options.initialAccumulatorValue;
  }

  protected update(param: Parameter, grad: Gradient, state: OptimizerSlots): void {
    const attrs: AdagradUpdateAttrs = { lr: this.lr, eps: this.options.eps, weightDecay: this.options.weightDecay };
    if (grad instanceof RowSparse) runKernel('sparse_adagrad', [param, grad.indices, grad.values, state.sum], attrs);
    else runKernel('adagrad_update', [param, grad, state.sum], attrs);
  }
}
