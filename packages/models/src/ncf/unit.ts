import {
  add, concat, Linear, matmul, MLP, Module, mul, ncfHead, reshape, runKernel, slice, zeros, type InitSource, type Tensor,
} from '@rec/core';

/** The three interaction functions of NCF (He et al. 2017) that NMTR (§III-B) uses as units. */
export type UnitKind = 'gmf' | 'mlp' | 'neumf';

/** The unit kinds, for configs and help texts. */
export const UNIT_KINDS: readonly UnitKind[] = ['gmf', 'mlp', 'neumf'];

/** Shape of an {@link InteractionUnit}. */
export interface UnitShape {
  readonly kind: UnitKind;
  /** Embedding size E of p_u and q_i. */
  readonly dim: number;
  /** Hidden layers L of the MLP tower (1–5, NMTR §IV-A3; default 3, Table II). Ignored by GMF. */
  readonly layers?: number;
}

/**
 * Sizes of the MLP tower over [p_u; q_i]: the input 2E, then each layer half of
 * the one below, as NCF's tower (He et al. 2017 §4.1, code `layers=[64,32,16,8]`
 * for E = 32), so z_L has 2E / 2^L units.
 *
 * Choice: NMTR eq. 8 writes h ∈ R^{2E} for NeuMF, which would need z_L ∈ R^E,
 * i.e. a tower widening to 2^L·E in its first layer; §IV-A3 says the towers
 * follow [2], so we keep NCF's halving tower and h ∈ R^{E + 2E/2^L}.
 *
 * @example
 * ```ts
 * towerSizes(64, 3); // [128, 64, 32, 16]
 * ```
 */
export function towerSizes(dim: number, layers: number): number[] {
  if (!Number.isInteger(layers) || layers < 1 || layers > 5) throw new Error(`MLP tower: layers must be an integer in 1..5, got ${layers}`);
  const sizes = [2 * dim];
  for (let l = 1; l <= layers; l++) sizes.push(Math.max(1, Math.floor((2 * dim) / 2 ** l)));
  return sizes;
}

/**
 * One NCF interaction function f_Θ(p_u, q_i) → a logit (NMTR eq. 5–8):
 * - GMF, eq. 6: hᵀ(p_u ⊙ q_i), h ∈ R^E;
 * - MLP, eq. 7: z_1 = ReLU(W_1[p_u; q_i] + b_1) … z_L = ReLU(W_L z_{L−1} + b_L), hᵀz_L;
 * - NeuMF, eq. 8: hᵀ[p_u ⊙ q_i; z_L], with GMF and MLP sharing the embeddings
 *   (NMTR §III-B: "we tweak the NeuMF unit by sharing the embedding layer").
 *
 * The unit holds no embeddings: models pass p_u and q_i in, so NMTR's units
 * share one embedding layer. h has no bias (the equations have none; NMTR's
 * item biases b_i^r are the model's). Weights are Glorot-uniform (NMTR §IV-A3
 * cites Glorot & Bengio [17] for initialisation).
 */
export class InteractionUnit extends Module {
  readonly kind: UnitKind;
  readonly dim: number;
  readonly tower: MLP | undefined;
  /** The output projection h, `[width, 1]`. */
  readonly h: Linear;

  constructor(shape: UnitShape, init: InitSource) {
    super();
    this.kind = shape.kind;
    this.dim = shape.dim;
    if (!UNIT_KINDS.includes(shape.kind)) throw new Error(`interaction unit: kind must be one of ${UNIT_KINDS.join(', ')}, got '${String(shape.kind)}'`);
    if (!Number.isInteger(shape.dim) || shape.dim < 1) throw new Error(`interaction unit: dim must be a positive integer, got ${shape.dim}`);
    const sizes = shape.kind === 'gmf' ? undefined : towerSizes(shape.dim, shape.layers ?? 3);
    this.tower = sizes ? new MLP(sizes, init, { activateLast: true }) : undefined;
    const top = sizes ? sizes[sizes.length - 1] : 0;
    const width = shape.kind === 'gmf' ? shape.dim : shape.kind === 'mlp' ? top : shape.dim + top;
    this.h = new Linear(width, 1, init, { bias: false });
  }

  /**
   * f_Θ(p, q) for aligned rows: p, q f32 `[n, E]` → logits f32 `[n]`. GMF's and NeuMF's
   * hᵀ[p ⊙ q; z] is one `ncfHead` op (no concatenated rows formed).
   */
  forward(p: Tensor, q: Tensor): Tensor {
    if (this.kind === 'gmf') return ncfHead(p, q, this.h.weight);
    const z = (this.tower as MLP).forward(concat([p, q], 1));
    if (this.kind === 'neumf') return ncfHead(p, q, this.h.weight, z);
    return reshape(this.h.forward(z), [p.shape[0]]);
  }

  /**
   * f_Θ(p_u, q_i) of every user in `p` (`[b, E]`) against every item in `q`
   * (`[I, E]`) → `[b, I]`, without forming the b·I concatenated inputs: W_1's
   * user and item halves are applied once per user and once per item, and the
   * `tower_score` kernel runs z_1 = ReLU(A_u + B_i) and the layers above it
   * for each pair inside one tile of items; GMF and NeuMF's GMF half are a
   * single matmul (p ⊙ h)·Qᵀ. Forward-only: call it under `noGrad`
   * (`scoreInBlocks` does); training differentiates {@link forward}.
   */
  scoreAll(p: Tensor, q: Tensor): Tensor {
    const E = this.dim;
    const hw = this.h.weight;
    let scores: Tensor | undefined;
    if (this.kind !== 'mlp') {
      const hg = reshape(this.kind === 'gmf' ? hw : slice(hw, [0, 0], [E, 1]), [E]);
      scores = matmul(mul(p, hg), q, { transposeB: true });
    }
    if (this.tower) {
      const [first, ...rest] = this.tower.layers;
      const w = first.weight;
      const h1 = w.shape[1];
      const userPart = matmul(p, slice(w, [0, 0], [E, h1]));
      let itemPart = matmul(q, slice(w, [E, 0], [E, h1]));
      if (first.bias) itemPart = add(itemPart, first.bias);
      const top = this.tower.sizes[this.tower.sizes.length - 1];
      const hm = reshape(this.kind === 'mlp' ? hw : slice(hw, [E, 0], [top, 1]), [top]);
      const layers = rest.flatMap((layer) => [layer.weight, layer.bias ?? zeros([layer.weight.shape[1]])]);
      const [mlpScores] = runKernel('tower_score', [userPart, itemPart, ...layers, hm], {});
      scores = scores ? add(scores, mlpScores) : mlpScores;
    }
    return scores as Tensor;
  }
}
