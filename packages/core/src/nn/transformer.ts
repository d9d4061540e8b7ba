/**
 * The Transformer encoder layer (Vaswani et al. 2017, §3.1): self-attention
 * and a position-wise feed-forward network, each wrapped in a residual
 * connection and layer normalisation. SASRec and CCRec's transformer sampler
 * stack these over item-embedding sequences.
 */
import { add, relu } from '../ops/elementwise.js';
import { Philox } from '../random/rng.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { type AttentionMaskOptions, MultiHeadAttention } from './attention.js';
import type { InitSource } from './init.js';
import { Dropout, LayerNorm, Linear } from './layers.js';
import { Module } from './module.js';

/**
 * Options of {@link TransformerEncoderLayer}.
 *
 * @example
 * ```ts
 * const sasrec: TransformerEncoderLayerOptions = { dropout: 0.2, normFirst: true, activation: 'relu' };
 * ```
 * @see Vaswani et al. 2017, §3.3, §5.4; Xiong et al. 2020 (pre-LN)
 */
export interface TransformerEncoderLayerOptions {
  /**
   * Dropout probability (default 0, like every other layer here; the paper's
   * base model uses 0.1). Applied to the attention weights, to the ReLU
   * output inside the feed-forward network, and to each sublayer's output
   * before the residual addition (§5.4) — the placement of PyTorch's
   * `TransformerEncoderLayer` and of SASRec. Active in training mode only.
   */
  dropout?: number;
  /**
   * Pre-LN: normalise each sublayer's input, x + Sublayer(LN(x)) (Xiong et
   * al. 2020), which trains stably without learning-rate warm-up; a stack of
   * pre-LN layers wants one final {@link LayerNorm}, which is the caller's.
   * Default false: post-LN, LN(x + Sublayer(x)), as in the paper.
   */
  normFirst?: boolean;
  /** The feed-forward activation; ReLU as in the paper (§3.3), the only one offered. */
  activation?: 'relu';
}

/**
 * One Transformer encoder layer (Vaswani et al. 2017, §3.1, §3.3):
 *
 *   post-LN (default): h = LN(x + Drop(MHA(x, x, x))); y = LN(h + Drop(FFN(h)))
 *   pre-LN:            h = x + Drop(MHA(LN(x)));       y = h + Drop(FFN(LN(h)))
 *
 * with FFN(x) = max(0, x·W₁ + b₁)·W₂ + b₂, W₁ `[d, dFF]`, W₂ `[dFF, d]`.
 *
 * The layer has no notion of position: positional information is the
 * caller's (SASRec and CCRec add learned position embeddings to the input
 * sequence; the paper adds sinusoids, §3.5). Padding is the caller's too:
 * pass a key-padding mask (see `keyPaddingMask`) and zero padded outputs where
 * they must not leak.
 *
 * Parameters: `selfAttention.*`, `attentionNorm.{gamma,beta}`,
 * `feedForwardIn.{weight,bias}`, `feedForwardOut.{weight,bias}`,
 * `feedForwardNorm.{gamma,beta}`.
 *
 * @example
 * ```ts
 * const items = new Embedding(1682, 64, { seed: 1 });
 * const positions = new Embedding(50, 64, { seed: 2 });
 * const layer = new TransformerEncoderLayer(64, 2, 256, { seed: 3 }, { dropout: 0.2, normFirst: true });
 * const seq = tensor(new Int32Array(4 * 50), [4, 50]);                  // [B, T] item ids
 * const pos = tensor(Int32Array.from({ length: 50 }, (_, t) => t), [50]);
 * const x = add(items.forward(seq), positions.forward(pos));            // [4, 50, 64] + [50, 64]
 * const h = layer.forward(x, { causal: true });                         // [4, 50, 64]
 * ```
 * @see Vaswani et al. 2017, "Attention Is All You Need", §3.1, §3.3, §5.4
 * @see Xiong et al. 2020, "On Layer Normalization in the Transformer Architecture" (pre-LN)
 * @see Kang & McAuley 2018, "Self-Attentive Sequential Recommendation" (SASRec), §III-B/C
 */
export class TransformerEncoderLayer extends Module {
  readonly selfAttention: MultiHeadAttention;
  readonly attentionNorm: LayerNorm;
  readonly feedForwardIn: Linear;
  readonly feedForwardOut: Linear;
  readonly feedForwardNorm: LayerNorm;
  /** Dropout on the self-attention output, before the residual addition. */
  readonly attentionOutputDropout: Dropout;
  /** Dropout on the ReLU output inside the feed-forward network. */
  readonly activationDropout: Dropout;
  /** Dropout on the feed-forward output, before the residual addition. */
  readonly feedForwardOutputDropout: Dropout;
  /** True for pre-LN, false for post-LN. */
  readonly normFirst: boolean;

  /**
   * @param dModel model width d (input and output)
   * @param numHeads attention heads; must divide `dModel`
   * @param dFF hidden width of the feed-forward network (the paper: 4·d); costs 2·B·T·d·dFF per call
   * @param init where initial weights come from; a shared {@link Philox} is advanced
   *   (attention, then W₁, W₂, then one word per dropout seed)
   * @param options `dropout`, `normFirst`, `activation`
   */
  constructor(readonly dModel: number, readonly numHeads: number, readonly dFF: number, init: InitSource, options: TransformerEncoderLayerOptions = {}) {
    super();
    if (!Number.isInteger(dFF) || dFF < 1) throw new Error(`TransformerEncoderLayer: dFF must be a positive integer, got ${dFF}`);
    const activation: string = options.activation ?? 'relu';
    if (activation !== 'relu') throw new Error(`TransformerEncoderLayer: activation '${activation}' is not supported; use 'relu'`);
    const p = options.dropout ?? 0;
    if (!(p >= 0 && p < 1)) throw new Error(`TransformerEncoderLayer: dropout must be in [0, 1), got ${p}`);
    // dModel and numHeads are checked by MultiHeadAttention, constructed first.
    this.normFirst = options.normFirst ?? false;
    const rng = init instanceof Philox ? init : new Philox(init);
    this.selfAttention = new MultiHeadAttention(dModel, numHeads, rng, { dropout: p });
    this.attentionNorm = new LayerNorm(dModel);
    this.feedForwardIn = new Linear(dModel, dFF, rng);
    this.feedForwardOut = new Linear(dFF, dModel, rng);
    this.feedForwardNorm = new LayerNorm(dModel);
    this.attentionOutputDropout = new Dropout(p, { seed: rng.nextU32() });
    this.activationDropout = new Dropout(p, { seed: rng.nextU32() });
    this.feedForwardOutputDropout = new Dropout(p, { seed: rng.nextU32() });
  }

  /**
   * @param x `[B, T, d]`, positions already encoded
   * @param options attention `mask` and/or `causal`, as in {@link MultiHeadAttention.forward}
   * @returns `[B, T, d]`
   */
  forward(x: Tensor, options: AttentionMaskOptions = {}): Tensor {
    if (x.rank !== 3 || x.shape[2] !== this.dModel) {
      throw new Error(`TransformerEncoderLayer: x is ${formatShape(x.shape)}; expected [B, T, ${this.dModel}]`);
    }
    const attend = (h: Tensor): Tensor => this.attentionOutputDropout.forward(this.selfAttention.forward(h, h, h, options));
    const feedForward = (h: Tensor): Tensor => {
      const hidden = this.activationDropout.forward(relu(this.feedForwardIn.forward(h)));
      return this.feedForwardOutputDropout.forward(this.feedForwardOut.forward(hidden));
    };
    if (this.normFirst) {
      const h = add(x, attend(this.attentionNorm.forward(x)));
      return add(h, feedForward(this.feedForwardNorm.forward(h)));
    }
    const h = this.attentionNorm.forward(add(x, attend(x)));
    return this.feedForwardNorm.forward(add(h, feedForward(h)));
  }
}
