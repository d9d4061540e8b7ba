import { add, gather, matmul, Module, mul, Parameter, relu, sigmoid, square, sum, tanh, type Tensor, xavierUniform } from '@rec/core';

/** The non-linearity of RnR's tied FC layer. */
export type RnrActivation = 'tanh' | 'relu' | 'sigmoid';

const ACTIVATIONS = { tanh, relu, sigmoid } as const;

/**
 * RnR's two-phase transform (Hadash et al., RecSys 2018, §4): the item deviation matrix
 * I_d (zero at the start, §5.3) gives q_post = q_i + q^d_i, and one fully connected layer
 * FCθ(x) = act(x·W + b), tied between users and items, maps p_u and q_post into the rating
 * space: p̃_u = FCθ(p_u), q̃_i = FCθ(q_post). W `[d, d]` is Glorot-uniform (§5.3's Xavier),
 * b zero; the rating space keeps the embedding size, and act is tanh by default (§4 says
 * only "a non-linear activation"; tanh keeps the signs a dot product needs, where ReLU
 * zeroes half of each vector at the start).
 *
 * @example
 * ```ts
 * const transform = new RnrTransform(1682, 50, { seed: 1, stream: 2 });
 * const { p, q } = transform.view(items, pu, qi);
 * ```
 */
export class RnrTransform extends Module {
  /** I_d `[numItems, d]`. */
  readonly deviation: Parameter;
  /** θ's W `[d, d]`. */
  readonly fcWeight: Parameter;
  /** θ's b `[d]`. */
  readonly fcBias: Parameter;

  constructor(numItems: number, dim: number, init: { seed: number; stream: number }, readonly activation: RnrActivation = 'tanh') {
    super();
    this.deviation = new Parameter(new Float32Array(numItems * dim), [numItems, dim]);
    this.fcWeight = new Parameter(xavierUniform([dim, dim], init), [dim, dim]);
    this.fcBias = new Parameter(new Float32Array(dim), [dim]);
  }

  /** FCθ(x), rows of x `[n, d]`. */
  fc(x: Tensor): Tensor {
    return ACTIVATIONS[this.activation](add(matmul(x, this.fcWeight), this.fcBias));
  }

  /** P's vectors (p̃_u, q̃_i) from the raw rows p_u, q_i `[n, d]` of aligned `items` `[n]`. */
  view(items: Tensor, p: Tensor, q: Tensor): { p: Tensor; q: Tensor } {
    return { p: this.fc(p), q: this.fc(add(q, gather(this.deviation, items))) };
  }

  /**
   * λ's terms of eq. 1 that are the transform's, per batch: λ/n · Σ‖q^d_i‖² over the batch's
   * `items` rows (per case), and λ‖θ‖² times `share`, the batch's part of an epoch (so an
   * epoch adds eq. 1's λ‖θ‖² once).
   */
  prior(items: Tensor, lambda: number, rows: number, share: number): Tensor {
    const deviation = mul(sum(square(gather(this.deviation, items))), lambda / rows);
    return add(deviation, mul(add(sum(square(this.fcWeight)), sum(square(this.fcBias))), lambda * share));
  }
}
