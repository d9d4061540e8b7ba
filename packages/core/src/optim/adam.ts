import { type Gradient, RowSparse } from '../autograd/tape.js';
import type { AdamUpdateAttrs } from '../kernels/optim/adam_update.js';
import type { Parameter } from '../nn/parameter.js';
import { runKernel } from '../tensor/engine.js';
import { expectBetas, expectBoolean, expectNonNegative, expectPositive, rejectUnknownOptions } from './options.js';
import { Optimizer, type OptimizerSlots, type ParameterSource } from './optimizer.js';

/**
 * Options of {@link Adam}; defaults are the paper's (and PyTorch's).
 *
 * @example
 * ```ts
 * const options: AdamOptions = { lr: 1e-3, betas: [0.9, 0.98], weightDecay: 1e-5 };
 * ```
 */
export interface AdamOptions {
  /** Learning rate α, > 0 (default 1e-3). */
  lr?: number;
  /** [β₁, β₂], each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 added to √v̂ (default 1e-8). */
  eps?: number;
  /** λ ≥ 0 (default 0; 0.01 for {@link AdamW}). */
  weightDecay?: number;
  /**
   * false (default): L2, g += λ·p before the moments (Adam with weight decay,
   * as PyTorch's `Adam`). true: AdamW's p −= lr·λ·p, outside the adaptive scaling.
   */
  decoupledWeightDecay?: boolean;
}

/**
 * Adam (Kingma & Ba 2015): bias-corrected first and second moment estimates,
 * p −= lr·m̂/(√v̂ + ε), with coupled L2 weight decay, or AdamW's decoupled
 * decay when `decoupledWeightDecay` is true (or use {@link AdamW}). Dense
 * gradients run `adam_update`. Row-sparse gradients run `sparse_adam`, lazy
 * Adam: duplicate rows are merged, and only the listed rows' values and
 * moments change — untouched rows' m and v do not decay. Bias correction uses
 * the global {@link Optimizer.stepCount} t for every parameter, dense or
 * sparse, including one that skipped steps (TensorFlow's `LazyAdam` does the
 * same; PyTorch counts per parameter, which agrees whenever every parameter
 * gets a gradient each step). State: `exp_avg` (m) and `exp_avg_sq` (v).
 *
 * @example
 * ```ts
 * const model = new MLP([16, 32, 1], { seed: 1 });
 * const x = tensor(new Float32Array(4 * 16).fill(0.1), [4, 16]);
 * const y = tensor([1, 0, 1, 0], [4, 1]);
 * const opt = new Adam(model, { lr: 1e-3 });
 * opt.zeroGrad();
 * backward(mseLoss(model.forward(x), y));
 * opt.step();
 * ```
 * @see Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", ICLR, Alg. 1.
 */
export class Adam extends Optimizer {
  /** The validated options, lr excepted (see {@link Optimizer.lr}). */
  readonly options: Readonly<Required<Omit<AdamOptions, 'lr'>>>;

  /**
   * @param params the parameters to step, or a module
   * @param options see {@link AdamOptions}; each is validated, and a bad one throws naming it
   */
  constructor(params: ParameterSource, options: AdamOptions = {}) {
    const name = new.target === AdamW ? 'AdamW' : 'Adam';
    rejectUnknownOptions(name, options, ['lr', 'betas', 'eps', 'weightDecay', 'decoupledWeightDecay']);
    super(name, params, options.lr ?? 1e-3);
    this.options = Object.freeze({
      betas: Object.freeze(expectBetas(name, options.betas ?? [0.9, 0.999])) as readonly [number, number],
      eps: expectPositive(name, 'eps', options.eps ?? 1e-8),
      weightDecay: expectNonNegative(name, 'weightDecay', options.weightDecay ?? 0),
      decoupledWeightDecay: expectBoolean(name, 'decoupledWeightDecay', options.decoupledWeightDecay ?? false),
    });
  }

  protected slots(): readonly string[] {
    return ['exp_avg', 'exp_avg_sq'];
  }

  protected update(param: Parameter, grad: Gradient, state: OptimizerSlots, step: number): void {
    const { betas, eps, weightDecay, decoupledWeightDecay } = this.options;
    const attrs: AdamUpdateAttrs = { lr: this.lr, beta1: betas[0], beta2: betas[1], eps, weightDecay, decoupledWeightDecay, step };
    if (grad instanceof RowSparse) runKernel('sparse_adam', [param, grad.indices, grad.values, state.exp_avg, state.exp_avg_sq], attrs);
    else runKernel('adam_update', [param, grad, state.exp_avg, state.exp_avg_sq], attrs);
  }
}

/**
 * Options of {@link AdamW}: those of Adam, with decoupled weight decay always on.
 *
 * @example
 * ```ts
 * const options: AdamWOptions = { lr: 1e-3, weightDecay: 0.05 };
 * ```
 */
export type AdamWOptions = Omit<AdamOptions, 'decoupledWeightDecay'>;

/**
 * AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay,
 * p −= lr·λ·p applied directly to the weights instead of adding λ·p to the
 * gradient, so every weight decays at the same rate whatever its gradient
 * history. Default λ = 0.01 (PyTorch's). Like PyTorch, the decay is scaled by
 * lr; the paper scales it by the schedule multiplier only (paper λ = lr·λ at a
 * fixed lr). Row-sparse gradients get lazy AdamW: untouched rows do not decay.
 *
 * @example
 * ```ts
 * const table = new Embedding(100, 8, { seed: 3 });
 * const opt = new AdamW(table, { lr: 1e-3, weightDecay: 0.01 });
 * backward(mean(square(table.forward(tensor(new Int32Array([1, 5, 1]))))));
 * opt.step(); // lazy AdamW on rows 1 and 5
 * ```
 * @see Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", ICLR, Alg. 2.
 */
export class AdamW extends Adam {
  /**
   * @param params the parameters to step, or a module
   * @param options see {@link AdamWOptions}
   */
  constructor(params: ParameterSource, options: AdamWOptions = {}) {
    const given = options as AdamOptions;
    if (given !== null && typeof given === 'object' && 'decoupledWeightDecay' in given && given.decoupledWeightDecay !== true) {
      throw new Error(`AdamW: option 'decoupledWeightDecay' is always true for AdamW, got ${String(given.decoupledWeightDecay)}; use Adam for coupled L2 weight decay`);
    }
    super(params, { weightDecay: 1e-2, ...options, decoupledWeightDecay: true });
  }
}
