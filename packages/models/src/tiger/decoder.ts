/**
 * A Transformer decoder layer (Vaswani et al. 2017, §3.1): causal self-attention over the
 * tokens generated so far, cross-attention to the encoder's output, and a position-wise
 * feed-forward network — the block of TIGER's decoder (Rajput et al. 2023, §3.2, a T5
 * encoder–decoder). Core has the encoder layer only; this one is built from core's
 * `MultiHeadAttention`, `LayerNorm`, `Linear` and `Dropout`.
 *
 *   h = x + Drop(SelfAttn(LN₁(x), causal))
 *   h = h + Drop(CrossAttn(LN₂(h), M, M, key-padding mask of M))
 *   y = h + Drop(W₂ · Drop(ReLU(W₁ · LN₃(h) + b₁)) + b₂)
 *
 * Pre-LN, as T5 (which normalises each sublayer's input, with RMSNorm) and core's
 * `TransformerEncoderLayer` with `normFirst`; a stack wants one final `LayerNorm`, which
 * is the caller's. ReLU, the activation §4 gives for the transformer's layers.
 *
 * Grouped cross-attention: x holds N = G·m sequences of T tokens and M holds G memories;
 * sequences g·m … g·m + m − 1 read memory g. Cross-attention treats each query
 * independently, so the m·T queries of a group attend as one `[G, m·T, d]` call and each
 * memory's keys and values are projected once per group, not once per sequence — what
 * beam search (m = beam) and pair scoring (m = candidates of a user) need.
 */
import { add, Dropout, LayerNorm, Linear, Module, MultiHeadAttention, Philox, relu, reshape, type Tensor } from '@rec/core';

/**
 * One pre-LN decoder layer (equations in the file's header).
 *
 * Parameters: `selfAttention.*`, `crossAttention.*` (see `MultiHeadAttention`),
 * `selfAttentionNorm`, `crossAttentionNorm`, `feedForwardNorm` (`gamma`, `beta`),
 * `feedForwardIn`, `feedForwardOut` (`weight`, `bias`).
 *
 * @example
 * ```ts
 * const layer = new TransformerDecoderLayer(64, 2, 256, new Philox({ seed: 1 }), 0.1);
 * const y = layer.forward(x, memory, mask, 20); // x [G·20, 4, 64], memory [G, 81, 64] → [G·20, 4, 64]
 * ```
 * @see Vaswani et al. 2017, §3.1–3.3; Rajput et al. 2023, §3.2, §4.
 */
export class TransformerDecoderLayer extends Module {
  readonly selfAttention: MultiHeadAttention;
  readonly crossAttention: MultiHeadAttention;
  readonly selfAttentionNorm: LayerNorm;
  readonly crossAttentionNorm: LayerNorm;
  readonly feedForwardNorm: LayerNorm;
  readonly feedForwardIn: Linear;
  readonly feedForwardOut: Linear;
  readonly selfAttentionDropout: Dropout;
  readonly crossAttentionDropout: Dropout;
  readonly activationDropout: Dropout;
  readonly feedForwardDropout: Dropout;

  /**
   * @param dModel d, the width in and out
   * @param numHeads heads of both attentions; must divide d
   * @param dFF the feed-forward's hidden width (costs 2·d·dFF per token)
   * @param rng advanced: self-attention, cross-attention, W₁, W₂, then one word per dropout seed
   * @param dropout on attention weights, the ReLU output and each sublayer's output
   */
  constructor(readonly dModel: number, readonly numHeads: number, readonly dFF: number, rng: Philox, dropout: number) {
    super();
    if (!(Number.isInteger(dFF) && dFF >= 1)) throw new Error(`TransformerDecoderLayer: dFF must be a positive integer, got ${dFF}`);
    this.selfAttention = new MultiHeadAttention(dModel, numHeads, rng, { dropout });
    this.crossAttention = new MultiHeadAttention(dModel, numHeads, rng, { dropout });
    this.selfAttentionNorm = new LayerNorm(dModel);
    this.crossAttentionNorm = new LayerNorm(dModel);
    this.feedForwardNorm = new LayerNorm(dModel);
    this.feedForwardIn = new Linear(dModel, dFF, rng);
    this.feedForwardOut = new Linear(dFF, dModel, rng);
    this.selfAttentionDropout = new Dropout(dropout, { seed: rng.nextU32() });
    this.crossAttentionDropout = new Dropout(dropout, { seed: rng.nextU32() });
    this.activationDropout = new Dropout(dropout, { seed: rng.nextU32() });
    this.feedForwardDropout = new Dropout(dropout, { seed: rng.nextU32() });
  }

  /**
   * @param x `[N, T, d]`: N = G·m decoder sequences, positions already encoded
   * @param memory `[G, S, d]`: the encoder outputs
   * @param memoryMask additive key-padding mask of the memory, `[G, 1, 1, S]`
   * @param group m: consecutive sequences per memory
   * @returns `[N, T, d]`
   * @throws Error when N is not G·m.
   */
  forward(x: Tensor, memory: Tensor, memoryMask: Tensor, group: number): Tensor {
    const [N, T, d] = x.shape as [number, number, number];
    const G = memory.shape[0]!;
    if (N !== G * group) throw new Error(`TransformerDecoderLayer: ${N} sequences are not ${G} memories × ${group}`);
    const selfInput = this.selfAttentionNorm.forward(x);
    let h = add(x, this.selfAttentionDropout.forward(this.selfAttention.forward(selfInput, selfInput, selfInput, { causal: true })));
    const queries = reshape(this.crossAttentionNorm.forward(h), [G, group * T, d]);
    const attended = reshape(this.crossAttention.forward(queries, memory, memory, { mask: memoryMask }), [N, T, d]);
    h = add(h, this.crossAttentionDropout.forward(attended));
    const hidden = this.activationDropout.forward(relu(this.feedForwardIn.forward(this.feedForwardNorm.forward(h))));
    return add(h, this.feedForwardDropout.forward(this.feedForwardOut.forward(hidden)));
  }
}
