/**
 * The two sequence-mixing parts of a Mamba block (Gu & Dao 2023, "Mamba: Linear-Time
 * Sequence Modeling with Selective State Spaces"), from `@rec/core`'s autograd ops so they
 * train on every backend (the scan as one fused kernel where the backend has it):
 *
 *   causal depthwise conv (§3.4, Fig. 3), per channel e, kernel K, weight w `[K, E]`:
 *     c_{t,e} = b_e + Σ_{k=0}^{K−1} w_{k,e} · x_{t−K+1+k, e}          x_{<0} = 0
 *
 *   selective SSM (§3.2, Algorithm 2), per channel e and state n, for t = 0 … T − 1:
 *     Ā_{t,e,n}   = exp(Δ_{t,e} · A_{e,n})                              ZOH for A (eq. 4)
 *     B̄u_{t,e,n}  = Δ_{t,e} · B_{t,n} · u_{t,e}                         Euler for B (Mamba's simplification)
 *     h_{t,e,n}   = Ā_{t,e,n} · h_{t−1,e,n} + B̄u_{t,e,n}                h_{−1} = 0   (eq. 2a)
 *     y_{t,e}     = Σ_n C_{t,n} · h_{t,e,n} + D_e · u_{t,e}                            (eq. 2b, D skip)
 *
 * Δ `[B, T, E]`, B and C `[B, T, N]` are functions of the input (the selection
 * mechanism, §3.2); A `[E, N]` and D `[E]` are parameters.
 *
 * The scan runs as core's fused `selectiveScan` (one `selective_scan` kernel forward, one
 * `selective_scan_grad` backward; js, native and webgpu) wherever the backend has the kernel,
 * and composed as below elsewhere (a backend without it). Composed, the scan's ~10 ops per position were
 * about 30 % of a Mamba4Rec training step on ml-100k (a CPU profile, 2026-12-06).
 *
 * Composed layout and cost: u, Δ, B and C are transposed to time-major `[T, B, ·]` and read one
 * position at a time (a row gather, whose gradient is row-sparse, so reading T positions
 * costs O(T) copies, not the O(T²) a slice's zero-padded gradient would); each step then
 * builds Ā_t and B̄u_t as `[B, E, N]` f32 tensors, updates h and reads y_t out with a
 * batched `[E, N] × [N, 1]` product: about 10 ops per step, O(B·E·N) work each. The
 * recorded graph keeps a few tensors of B·T·E·N floats for the backward pass (13 M each at
 * B = 64, T = 50, E = 128, N = 32), which a sequential scan of T ≤ 50 steps affords; Mamba's
 * hardware-aware parallel scan (§3.3) recomputes h in SRAM instead, which these ops
 * cannot express.
 */
import { add, checkSelectiveScanShapes, concat, exp, gather, hasSelectiveScan, matmul, mul, padSlice, reshape, selectiveScan as fusedSelectiveScan, sigmoid, slice, tensor, type Tensor, transpose } from '@rec/core';

/**
 * SiLU (swish), x · σ(x), composed from core's ops so its gradient is theirs.
 * @example
 * ```ts
 * silu(tensor([-1, 0, 1])).readSync(); // ≈ [-0.269, 0, 0.731]
 * ```
 * @see Gu & Dao 2023, §3.4 (σ in the Mamba block is SiLU / Swish).
 */
export function silu(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}

/**
 * A causal depthwise 1-D convolution along the sequence: channel e of position t mixes
 * channel e of positions t − K + 1 … t only, positions before 0 reading zeros (PyTorch's
 * `Conv1d(groups=E, padding=K−1)` truncated to the first T outputs, what Mamba's
 * `causal_conv1d` computes).
 * @param x - f32 `[B, T, E]`.
 * @param weight - f32 `[K, E]`: row k multiplies position t − K + 1 + k (row K − 1 the current one).
 * @param bias - f32 `[E]`.
 * @returns f32 `[B, T, E]`. Cost: K multiply-adds per element.
 * @throws Error when the shapes disagree.
 * @example
 * ```ts
 * causalDepthwiseConv(tensor([1, 2, 3], [1, 3, 1]), tensor([1, 10], [2, 1]), tensor([0], [1])).readSync(); // [10, 21, 32]
 * ```
 * @see Gu & Dao 2023, §3.4 and Fig. 3 (the Conv before the SSM).
 */
export function causalDepthwiseConv(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  if (x.rank !== 3 || weight.rank !== 2 || weight.shape[1] !== x.shape[2] || bias.size !== x.shape[2]) {
    throw new Error(`causalDepthwiseConv: x [B, T, E] = [${x.shape.join(', ')}] needs weight [K, E] and bias [E], got [${weight.shape.join(', ')}] and [${bias.shape.join(', ')}]`);
  }
  const [B, T, E] = x.shape as [number, number, number];
  const K = weight.shape[0]!;
  const padded = padSlice(x, [B, T + K - 1, E], [0, K - 1, 0]);
  let out: Tensor = bias;
  for (let k = 0; k < K; k++) out = add(out, mul(slice(padded, [0, k, 0], [B, T, E]), slice(weight, [k, 0], [1, E])));
  return out;
}

/**
 * The selective scan of Gu & Dao 2023, Algorithm 2 (the SSM with input-dependent Δ, B,
 * C), run sequentially over the positions from a zero state (equations in the file header).
 * @param u - f32 `[B, T, E]`: the SSM's input (after the convolution and SiLU).
 * @param delta - f32 `[B, T, E]`: the step sizes Δ (positive, after softplus).
 * @param A - f32 `[E, N]`: the diagonal state matrix (negative: −exp(A_log)).
 * @param Bt - f32 `[B, T, N]`: the input matrix B of each position.
 * @param Ct - f32 `[B, T, N]`: the output matrix C of each position.
 * @param D - f32 `[E]`: the skip connection.
 * @returns y f32 `[B, T, E]`; y_t depends on positions ≤ t only. Cost O(B·T·E·N) work
 *   and memory, about 10 ops per position.
 * @throws Error when the shapes disagree.
 * @example
 * ```ts
 * const y = selectiveScan(u, softplus(dtRaw), neg(exp(aLog)), Bt, Ct, skip); // [B, T, E]
 * ```
 * @see Gu & Dao 2023, §3.2 (Algorithm 2) and §2 (eq. 2a–2b, 4: discretisation).
 */
export function selectiveScan(u: Tensor, delta: Tensor, A: Tensor, Bt: Tensor, Ct: Tensor, D: Tensor): Tensor {
  checkSelectiveScanShapes('selectiveScan', [u, delta, A, Bt, Ct, D], 0);
  return hasSelectiveScan(u.backend) ? fusedSelectiveScan(u, delta, A, Bt, Ct, D) : composedSelectiveScan(u, delta, A, Bt, Ct, D);
}

/**
 * The selective scan composed of primitive ops, position by position (the layout and cost
 * of the file header): the path for backends without the fused kernel, and the check the
 * fused kernel is tested against. Shapes as {@link selectiveScan}'s, unchecked.
 * @example
 * ```ts
 * const y = composedSelectiveScan(u, delta, A, Bt, Ct, D); // [B, T, E]
 * ```
 */
export function composedSelectiveScan(u: Tensor, delta: Tensor, A: Tensor, Bt: Tensor, Ct: Tensor, D: Tensor): Tensor {
  const [batch, T, E] = u.shape as [number, number, number];
  const N = A.shape[1] ?? 0;
  // Time-major tables [T, B, ·], read one position at a time by `gather`, whose gradient is
  // row-sparse: a slice's gradient would be a zero-padded copy of the whole table per step.
  const table = (x: Tensor): Tensor => transpose(x, [1, 0, 2]);
  const [uT, deltaT, bT, cT] = [table(u), table(delta), table(Bt), table(Ct)];
  const outputs: Tensor[] = [];
  let state: Tensor | undefined;
  for (let t = 0; t < T; t++) {
    const at = tensor(Int32Array.of(t), [1], { backend: u.backend });
    const step = reshape(gather(deltaT, at), [batch, E, 1]);
    const drive = mul(mul(step, reshape(gather(uT, at), [batch, E, 1])), reshape(gather(bT, at), [batch, 1, N])); // B̄u_t [B, E, N]
    state = state === undefined ? drive : add(mul(exp(mul(step, A)), state), drive); // Ā_t h_{t−1} + B̄u_t
    outputs.push(reshape(matmul(state, reshape(gather(cT, at), [batch, N, 1])), [1, batch, E]));
  }
  return add(transpose(concat(outputs, 0), [1, 0, 2]), mul(u, D));
}
