/**
 * MeLU's meta-gradient of one task, first and second order, and the reference both are
 * checked against: central finite differences of the post-update query loss
 * (Lee et al. 2019, §3.3; Finn et al. 2017, §2.2 and §5.2)
 *
 *   F(θ) = L_Q(θ₁, θ₂ᵘ(θ)),   θ₂ᵘ(θ) = θ₂ − α Σ_t ∇_{θ₂} L_S(θ₁, θ₂^(t)).
 *
 * The second-order gradient is ∇F exactly (autograd through the closed-form local
 * gradient of `network.ts`); the first-order one holds θ₂ᵘ − θ₂ constant. For one local
 * step the two differ by the curvature of the support loss:
 *
 *   ∂F/∂θ₂ = (I − α ∇²_{θ₂θ₂} L_S) ∇_{θ₂ᵘ} L_Q,   ∂F/∂θ₁ = ∇_{θ₁} L_Q − α ∇²_{θ₁θ₂} L_S ∇_{θ₂ᵘ} L_Q,
 *
 * so by O(α ‖∇² L_S‖): nothing at the paper's α = 5e-6, and visibly at the α that
 * personalises on implicit data. The finite differences run in float32 on the network's
 * backend (rounding error about 1e-7·|F|/ε, truncation about ε²): use a small network.
 */
import { backward, noGrad, RowSparse, type Tensor, tidy } from '@rec/core';
import type { LocalUpdate, MeLUNetwork, MetaOrder } from './network.js';
import { type MetaTask, queryLoss } from './objective.js';

/**
 * F(θ) of the header at the network's current parameters: the query loss after the local
 * update on the support set (a number).
 * @example
 * ```ts
 * postUpdateQueryLoss(network, task, { steps: 1, learningRate: 0.5 }); // e.g. 0.69
 * ```
 */
export function postUpdateQueryLoss(network: MeLUNetwork, task: MetaTask, local: LocalUpdate): number {
  return tidy(() => noGrad(() => queryLoss(network, task, local, 'first')).readSync()[0]!);
}

/**
 * Every parameter's accumulated gradient, flattened in `parameters()` order (row-sparse
 * table gradients scattered into their rows; zeros where none), in float64.
 * @example
 * ```ts
 * backward(loss);
 * const g = flatGradient(network);
 * ```
 */
export function flatGradient(network: MeLUNetwork): Float64Array {
  const params = network.parameters();
  const out = new Float64Array(params.reduce((n, p) => n + p.size, 0));
  let at = 0;
  for (const p of params) {
    const g = p.grad;
    if (g instanceof RowSparse) {
      const rows = g.indices.readSync();
      const values = g.values.readSync();
      const width = p.size / p.shape[0]!;
      rows.forEach((r, k) => {
        for (let j = 0; j < width; j++) out[at + r * width + j] += values[k * width + j]!;
      });
    } else if (g) (g as Tensor).readSync().forEach((v, j) => (out[at + j] = v));
    at += p.size;
  }
  return out;
}

/**
 * The meta-gradient of one task as the trainer computes it — `backward` of
 * {@link queryLoss} of that `order` — flattened as {@link flatGradient}. Leaves no
 * gradient behind.
 * @example
 * ```ts
 * const second = metaGradient(network, task, { steps: 1, learningRate: 0.5 }, 'second');
 * ```
 */
export function metaGradient(network: MeLUNetwork, task: MetaTask, local: LocalUpdate, order: MetaOrder): Float64Array {
  network.zeroGrad();
  const g = tidy(() => {
    backward(queryLoss(network, task, local, order));
    return flatGradient(network);
  });
  network.zeroGrad();
  return g;
}

/**
 * ∇_θ F(θ) of one task by central finite differences, (F(θ + ε e_j) − F(θ − ε e_j)) / 2ε
 * for every parameter entry j (the step actually taken in float32), flattened as
 * {@link flatGradient}; the parameters are restored. Cost: 2 × (number of parameters)
 * local updates and query passes — for small networks.
 * @example
 * ```ts
 * const reference = finiteDifferenceMetaGradient(network, task, { steps: 1, learningRate: 0.5 }, 1e-3);
 * gradientAgreement(metaGradient(network, task, local, 'second'), reference).cosine; // ≈ 1
 * ```
 */
export function finiteDifferenceMetaGradient(network: MeLUNetwork, task: MetaTask, local: LocalUpdate, epsilon = 1e-3): Float64Array {
  const params = network.parameters();
  const out = new Float64Array(params.reduce((n, p) => n + p.size, 0));
  let at = 0;
  for (const p of params) {
    const values = Float32Array.from(p.readSync() as Float32Array);
    const probe = values.slice();
    for (let j = 0; j < values.length; j++) {
      probe[j] = values[j]! + epsilon;
      const up = probe[j]!;
      p.assign(probe);
      const plus = postUpdateQueryLoss(network, task, local);
      probe[j] = values[j]! - epsilon;
      const down = probe[j]!;
      p.assign(probe);
      const minus = postUpdateQueryLoss(network, task, local);
      probe[j] = values[j]!;
      out[at + j] = (plus - minus) / (up - down);
    }
    p.assign(values);
    at += p.size;
  }
  return out;
}

/**
 * How gradient `a` agrees with reference `b`: their cosine, ‖a − b‖ / ‖b‖, and their norms.
 * @example
 * ```ts
 * const { cosine, relativeDifference } = gradientAgreement(first, second);
 * ```
 */
export interface GradientAgreement {
  readonly cosine: number;
  readonly relativeDifference: number;
  readonly normA: number;
  readonly normB: number;
}

/**
 * The agreement of gradient `a` with reference `b`.
 * @example
 * ```ts
 * gradientAgreement(Float64Array.of(1, 0), Float64Array.of(1, 1)); // cosine 0.707…, relativeDifference 0.707…
 * ```
 */
export function gradientAgreement(a: Float64Array, b: Float64Array): GradientAgreement {
  if (a.length !== b.length) throw new Error(`gradientAgreement: ${a.length} entries against ${b.length}`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  let dd = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    aa += a[j]! * a[j]!;
    bb += b[j]! * b[j]!;
    dd += (a[j]! - b[j]!) ** 2;
  }
  const normA = Math.sqrt(aa);
  const normB = Math.sqrt(bb);
  return { cosine: dot / (normA * normB), relativeDifference: Math.sqrt(dd) / normB, normA, normB };
}
