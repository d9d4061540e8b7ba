/**
 * `tower_score`: every (user, item) score of an NCF MLP tower in one kernel,
 *
 *   z₀ = relu(U_b + V_n),   z_l = relu(z_{l-1}·W_l + b_l) (l = 1..L),   S[b, n] = z_L · h,
 *
 * for U f32 `[B, H₀]` (the users' part of the tower's first layer, p_u·W₁ᵘ),
 * V f32 `[N, H₀]` (the items' part with the first bias, q_i·W₁ⁱ + b₁), the
 * remaining layers W_l f32 `[H_{l-1}, H_l]` and b_l f32 `[H_l]` (L ≥ 0), and the
 * prediction vector h f32 `[H_L]`; output S f32 `[B, N]`. Inputs in that
 * order: `[U, V, W₁, b₁, …, W_L, b_L, h]`.
 *
 * Why one kernel: the first layer of NCF's MLP (He et al. 2017, §3.3) on
 * [p_u; q_i] splits into a user part and an item part, so the all-items
 * scores of a tower are a broadcast add, a ReLU and L small matmuls over B·N
 * rows. The composite materialises those B·N·H₀ activations in memory and
 * passes over them once per op; this kernel keeps a tile of items' activations
 * in cache from the add to the dot with h. It is forward-only (evaluation and
 * serving); training differentiates the composite.
 *
 * Numerics: the reference rounds each layer to f32 as the composite does
 * (accumulating each dot product in f64), so it equals the composite within
 * f32 rounding; the fast versions accumulate in f32 (within 1e-4 relative of
 * the score scale).
 *
 * Threading: the reference is sequential; native splits users × item tiles.
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allocArray } from '../../tensor/dtype.js';

/**
 * The declaration of `tower_score` (family `dense`).
 *
 * @example
 * ```ts
 * console.log(towerScoreSpec.summary);
 * ```
 */
export const towerScoreSpec = declareKernel({
  id: 'tower_score', family: 'dense', summary: 'S[b, n] = h · relu(…relu(relu(U_b + V_n)·W₁ + b₁)…), an MLP tower over all user × item pairs',
  check: checkTowerScoreInputs,
});

/** The sizes `tower_score`'s inputs chain through. */
export interface TowerScoreShape {
  /** Users (rows of U). */
  users: number;
  /** Items (rows of V). */
  items: number;
  /** Widths H₀, H₁, …, H_L: the first is U's and V's columns, the last h's length. */
  widths: number[];
}

/**
 * The rule of `tower_score` (its spec's `check`, run by `runKernel` on every backend): an odd
 * count ≥ 3 of f32 inputs, U `[B, H₀]` and V `[N, H₀]`, each W_l `[H_{l-1}, H_l]` with b_l
 * `[H_l]`, and h `[H_L]`. Reads no tensor data; a backend's own limits (the widest layer a
 * WGSL shader holds) stay in that backend.
 *
 * @example
 * ```ts
 * checkTowerScoreInputs([U, V, W1, b1, h]); // throws `tower_score: …` if the layers do not chain
 * ```
 */
export function checkTowerScoreInputs(inputs: readonly Tensor[]): void {
  const K = 'tower_score';
  if (inputs.length < 3 || inputs.length % 2 === 0) {
    throw new Error(`${K}: expected inputs [U, V, W₁, b₁, …, W_L, b_L, h] (an odd count ≥ 3), got ${inputs.length}`);
  }
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].dtype !== 'f32') throw new Error(`${K}: every input must be f32, input ${i} is ${inputs[i].dtype}`);
  }
  const [u, v] = inputs;
  const h = inputs[inputs.length - 1];
  if (u.shape.length !== 2 || v.shape.length !== 2 || u.shape[1] !== v.shape[1]) {
    throw new Error(`${K}: U [B, H₀] and V [N, H₀] must be 2-D with the same width, got [${u.shape.join(', ')}] and [${v.shape.join(', ')}]`);
  }
  let prev = u.shape[1];
  for (let i = 2; i < inputs.length - 1; i += 2) {
    const w = inputs[i];
    const b = inputs[i + 1];
    if (w.shape.length !== 2 || w.shape[0] !== prev || b.shape.length !== 1 || b.shape[0] !== w.shape[1]) {
      throw new Error(`${K}: layer ${i / 2} does not chain: W [${w.shape.join(', ')}] and b [${b.shape.join(', ')}] after width ${prev} (expected W [${prev}, H] and b [H])`);
    }
    prev = w.shape[1];
  }
  if (h.shape.length !== 1 || h.shape[0] !== prev) throw new Error(`${K}: h must be [${prev}] (the last width), got [${h.shape.join(', ')}]`);
}

/**
 * The sizes of a `tower_score` call whose inputs passed {@link checkTowerScoreInputs}: users,
 * items and the widths H₀ … H_L the layers chain through.
 *
 * @example
 * ```ts
 * const { users, items, widths } = towerScoreShape([U, V, W1, b1, h]); // widths [H₀, H₁]
 * ```
 */
export function towerScoreShape(inputs: readonly Tensor[]): TowerScoreShape {
  const widths = [inputs[0].shape[1]];
  for (let i = 2; i < inputs.length - 1; i += 2) widths.push(inputs[i].shape[1]);
  return { users: inputs[0].shape[0], items: inputs[1].shape[0], widths };
}

registerKernel('tower_score', 'js', ({ inputs, backend }) => {
  const { users, items, widths } = towerScoreShape(inputs);
  const u = hostF32(inputs[0]);
  const v = hostF32(inputs[1]);
  const weights = widths.slice(1).map((_, l) => ({ w: hostF32(inputs[2 + 2 * l]), b: hostF32(inputs[3 + 2 * l]) }));
  const h = hostF32(inputs[inputs.length - 1]);
  const widest = Math.max(...widths);
  let z = allocArray('f32', widest);
  let next = allocArray('f32', widest);
  const s = allocArray('f32', users * items);
  const h0 = widths[0];
  for (let ub = 0; ub < users; ub++) {
    for (let n = 0; n < items; n++) {
      for (let j = 0; j < h0; j++) z[j] = Math.max(u[ub * h0 + j] + v[n * h0 + j], 0);
      for (let l = 0; l < weights.length; l++) {
        const { w, b } = weights[l];
        const k = widths[l];
        const m = widths[l + 1];
        for (let j = 0; j < m; j++) {
          let acc = 0;
          for (let p = 0; p < k; p++) acc += z[p] * w[p * m + j];
          next[j] = Math.max(acc + b[j], 0);
        }
        [z, next] = [next, z];
      }
      let score = 0;
      for (let j = 0; j < widths[widths.length - 1]; j++) score += z[j] * h[j];
      s[ub * items + n] = score;
    }
  }
  return hostOutput(backend, [users, items], 'f32', s);
});
