/**
 * SASRec: Self-Attentive Sequential Recommendation (Kang & McAuley, ICDM 2018, §III), over
 * any vocabulary of V ids (items, or categories as CCRec §6.2 uses it) with a pad id V.
 *
 *   Ê_t   = (c · M_{s_t} + P_t) · valid_t                  §III-A (zero vector for the pad; c = √d or 1, below)
 *   S     = Dropout(Ê)                                     §III-C (dropout on the embedding)
 *   block: h = x + Dropout(SA(LN(x)));  y = h + Dropout(FFN(LN(h)))        §III-B, §III-C
 *          SA = causal single-head attention, padded keys masked; FFN(x) = ReLU(x W₁ + b₁) W₂ + b₂, W ∈ R^{d×d}
 *   F     = LN(y after the last block)                     (the authors' code: a final LayerNorm)
 *   r_{c,t} = ⟨F_t, M_c⟩                                   §III-D (shared input/output embedding)
 *   loss  = −Σ_t [log σ(r_{o_t,t}) + log(1 − σ(r_{j,t}))], one sampled j ∉ S per position   §III-E
 *
 * M `[V + 1, d]` is the id embedding (row V, the pad's, is masked to zero), P `[T, d]` the
 * learned position embedding.
 */
import { add, Dropout, gather, keyPaddingMask, LayerNorm, Module, mul, Parameter, Philox, tensor, type Tensor, TransformerEncoderLayer, xavierUniform } from '@rec/core';
import { checkEncoderSizes, checkWindows, type SequenceEncoder, validPositions } from './sequences.js';

/**
 * Hyper-parameters of {@link SASRec}.
 * @example
 * ```ts
 * const config: SASRecConfig = { vocabularySize: 19, maxLength: 10, dim: 64, blocks: 2, heads: 1, dropout: 0.2 };
 * ```
 */
export interface SASRecConfig {
  /** V: ids 0 … V − 1; V is the pad id. */
  readonly vocabularySize: number;
  /** T: positions of a window, the size of the position table (the paper's n). */
  readonly maxLength: number;
  /** d: embedding and hidden width (default 64, CCRec §6.1; the paper's 50). Costs O(B·T·d²) per block. */
  readonly dim?: number;
  /** Self-attention blocks b (default 2, the paper's). */
  readonly blocks?: number;
  /** Attention heads (default 1, the paper's single head); must divide `dim`. */
  readonly heads?: number;
  /** Dropout rate on the embeddings, attention weights and sublayer outputs (default 0.2). */
  readonly dropout?: number;
  /** Multiply the id embedding by √d before adding the positions (the authors' code; default false). */
  readonly scaleEmbeddings?: boolean;
  /** Seed of the initial weights and of the dropout masks (default 0). */
  readonly seed?: number;
}

/**
 * SASRec (Kang & McAuley 2018, §III): id and learned position embeddings, a stack of
 * causal self-attention blocks, and scores by dot product with the shared id embedding.
 * It encodes windows of `maxLength` ids left-padded with the pad id V; F_t depends on the
 * ids at positions ≤ t only (causal attention), so one pass scores every position of a
 * training window. The states of padded positions mean nothing (their queries have no
 * unmasked key, so they attend to every key evenly) and are never read.
 *
 * Choices where the paper leaves room:
 * - Blocks are pre-LN with a final LayerNorm (core's `TransformerEncoderLayer` with
 *   `normFirst`): §III-C writes each sublayer as g(x) = x + Dropout(g(LayerNorm(x))), and the
 *   authors' released code normalises the output of the last block before the prediction
 *   layer. Core's layer normalises the attention's keys and values as well as its queries
 *   (the authors' code normalises the queries only), and keeps the residual on x, as §III-C's
 *   formula does.
 * - The FFN's hidden width is d (§III-B: W⁽¹⁾, W⁽²⁾ ∈ R^{d×d}).
 * - Left padding, as the paper (§III-A) and its code: the latest id is always at position
 *   T − 1, and padded keys are masked out of the attention (a key-padding mask, besides the
 *   causal one) so padding never reaches a real position; padded inputs are zero vectors.
 * - `scaleEmbeddings` multiplies the id embedding by c = √d before the positions are added,
 *   as the authors' code does (the paper's Ê has no factor). Glorot-uniform bounds shrink
 *   with the table: for Beauty's 12,102 × 64 item table they are ±0.022, against ±0.24 for
 *   the 50 × 64 position table, so without the factor the positions drown the items at the
 *   start (measured on Beauty: validation HR@100 after 4 epochs 0.089 without, 0.101 with).
 *   Off by default here (c = 1): a category vocabulary of a few dozen ids gets Glorot bounds
 *   as large as the positions', and √d would invert the imbalance; the `sasrec` plug-in
 *   turns it on at item level.
 * - Core's attention has an output projection W_O after the heads; §III-B's
 *   S = Attention(ÊW^Q, ÊW^K, ÊW^V) has none (one extra d × d matrix per block).
 * - M and P are Glorot-uniform (`tf.get_variable`'s default, what the authors' tables get);
 *   attention and FFN weights are core's defaults (Glorot weights, zero biases).
 *
 * Parameters: `embeddings [V + 1, d]`, `positions [T, d]`, `blocks.i.*` (see
 * `TransformerEncoderLayer`), `finalNorm.{gamma,beta}`.
 *
 * @example
 * ```ts
 * const sasrec = new SASRec({ vocabularySize: 5, maxLength: 3, dim: 8, seed: 1 });
 * const hidden = sasrec.encode(Int32Array.of(5, 2, 4,  1, 3, 0), 2); // [2, 3, 8]; 5 is the pad
 * ```
 * @see Kang & McAuley 2018, "Self-Attentive Sequential Recommendation", ICDM, §III-A–§III-E
 */
export class SASRec extends Module implements SequenceEncoder {
  /** M `[V + 1, d]`: the shared input/output embedding (row V is the pad's). */
  readonly embeddings: Parameter;
  /** P `[T, d]`: the learned position embedding. */
  readonly positions: Parameter;
  readonly blocks: TransformerEncoderLayer[];
  readonly finalNorm: LayerNorm;
  /** Dropout on the embedded window (§III-C). */
  readonly inputDropout: Dropout;
  readonly vocabularySize: number;
  readonly maxLength: number;
  readonly dim: number;
  readonly pad: number;
  /** c: the factor on the id embedding (√d with `scaleEmbeddings`, else 1). */
  readonly embeddingScale: number;

  /**
   * @throws Error naming the field when a hyper-parameter is out of range (`heads` not
   *   dividing `dim` included).
   */
  constructor(readonly config: SASRecConfig) {
    super();
    const { vocabularySize: V, maxLength: T } = config;
    const d = config.dim ?? 64;
    const blocks = config.blocks ?? 2;
    const heads = config.heads ?? 1;
    const p = config.dropout ?? 0.2;
    checkEncoderSizes('SASRec', { vocabularySize: V, maxLength: T, dim: d, blocks, heads }, p);
    if (d % heads !== 0) throw new Error(`SASRec: heads (${heads}) must divide dim (${d})`);
    this.vocabularySize = V;
    this.maxLength = T;
    this.dim = d;
    this.pad = V;
    this.embeddingScale = config.scaleEmbeddings ? Math.sqrt(d) : 1;
    const rng = new Philox({ seed: config.seed ?? 0, stream: 0 });
    this.embeddings = new Parameter(xavierUniform([V + 1, d], rng), [V + 1, d]);
    this.positions = new Parameter(xavierUniform([T, d], rng), [T, d]);
    this.blocks = Array.from({ length: blocks }, () => new TransformerEncoderLayer(d, heads, d, rng, { dropout: p, normFirst: true }));
    this.finalNorm = new LayerNorm(d);
    this.inputDropout = new Dropout(p, { seed: rng.nextU32() });
  }

  /**
   * F `[B, T, d]` of `batch` left-padded windows (i32 `[B·T]`, ids 0 … V, V the pad).
   * Cost per block: 4·B·T·d² (attention projections) + 2·B·T²·d (attention) + 2·B·T·d² (FFN).
   * @throws Error when the windows do not hold `batch · maxLength` ids in 0 … V.
   */
  encode(windows: Int32Array, batch: number): Tensor {
    checkWindows(windows, batch, this, 'SASRec.encode');
    const T = this.maxLength;
    const valid = validPositions(windows, this.pad);
    const embedded = gather(this.embeddings, tensor(windows, [batch, T]));
    let x = add(this.embeddingScale === 1 ? embedded : mul(embedded, this.embeddingScale), this.positions);
    x = this.inputDropout.forward(mul(x, tensor(valid, [batch, T, 1])));
    const mask = keyPaddingMask(tensor(valid, [batch, T]));
    for (const block of this.blocks) x = block.forward(x, { causal: true, mask });
    return this.finalNorm.forward(x);
  }
}
