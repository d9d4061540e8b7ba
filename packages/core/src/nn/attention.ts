/**
 * Scaled dot-product and multi-head attention (Vaswani et al. 2017, §3.2),
 * composed from primitive ops (`matmul`, `softmax`, `transpose`, …), so the
 * gradient comes from theirs and every backend runs it.
 *
 * Layout: activations are `[B, T, d]`; inside, heads live on their own axis,
 * `[B, h, T, d_k]` with d_k = d / h, so the two attention products are one
 * batched `matmul` each over the `[B, h]` batch axes.
 */
import { add, cast, mul, sub } from '../ops/elementwise.js';
import { tensor } from '../ops/create.js';
import { reshape, transpose } from '../ops/layout.js';
import { matmul } from '../ops/matmul.js';
import { softmax } from '../ops/softmax.js';
import { Philox } from '../random/rng.js';
import type { Backend } from '../tensor/backend.js';
import { broadcastShapes, formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { InitSource } from './init.js';
import { Dropout, Linear } from './layers.js';
import { Module } from './module.js';

/**
 * The additive mask value for a position that must not be attended to. Large
 * and finite rather than −∞: a row whose keys are all masked then gets a
 * uniform softmax over them instead of NaN (0/0), which matters for the
 * left-padded prefix of a causal sequence batch.
 *
 * @example
 * ```ts
 * // query 0 may not see key 1 (one [Tq, Tk] = [2, 2] mask for the whole batch)
 * const mask = tensor([0, ATTENTION_MASKED, 0, 0], [2, 2]);
 * ```
 * @see Vaswani et al. 2017, §3.2.3 ("masking out (setting to −∞) all values in the input of the softmax")
 */
export const ATTENTION_MASKED = -1e9;

/**
 * The causal ("look-ahead") mask `[T, T]`: 0 where key j ≤ query i, {@link ATTENTION_MASKED}
 * where j > i, so position i attends to positions 0…i only. Add it to the
 * attention logits; {@link MultiHeadAttention} does this itself with `causal: true`.
 *
 * @param length sequence length T
 * @param options `backend` that owns the mask (the current backend by default)
 * @example
 * ```ts
 * causalMask(3).readSync(); // [0, -1e9, -1e9,  0, 0, -1e9,  0, 0, 0]
 * ```
 * @see Vaswani et al. 2017, §3.2.3 (masking in the decoder's self-attention)
 */
export function causalMask(length: number, options: { backend?: string | Backend } = {}): Tensor {
  if (!Number.isInteger(length) || length < 0) throw new Error(`causalMask: length must be a non-negative integer, got ${length}`);
  const values = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) values[i * length + j] = ATTENTION_MASKED;
  return tensor(values, [length, length], options);
}

/**
 * The key-padding mask `[B, 1, 1, Tk]` for a batch of padded sequences: 0 for
 * real keys, {@link ATTENTION_MASKED} for padding, broadcast over heads and
 * query positions. Pass it as `mask` to {@link MultiHeadAttention.forward}.
 *
 * @param valid `[B, Tk]`, 1 for a real position and 0 for padding (f32 or i32)
 * @example
 * ```ts
 * const valid = tensor(new Int32Array([0, 1, 1]), [1, 3]); // one left-padded sequence
 * const mask = keyPaddingMask(valid);                      // [1, 1, 1, 3]: [-1e9, 0, 0]
 * ```
 * @see Kang & McAuley 2018 (SASRec), §III-A: sequences are left-padded to a fixed length
 */
export function keyPaddingMask(valid: Tensor): Tensor {
  if (valid.rank !== 2) throw new Error(`keyPaddingMask: valid must be [B, Tk], got ${formatShape(valid.shape)}`);
  const v = valid.dtype === 'f32' ? valid : cast(valid, 'f32');
  // (v − 1)·1e9 rather than (1 − v)·(−1e9): valid positions get +0, not −0.
  return reshape(mul(sub(v, 1), -ATTENTION_MASKED), [valid.shape[0], 1, 1, valid.shape[1]]);
}

/**
 * Options of {@link MultiHeadAttention}.
 *
 * @example
 * ```ts
 * const options: MultiHeadAttentionOptions = { dropout: 0.2, bias: false };
 * ```
 * @see Vaswani et al. 2017, §3.2.2, §5.4
 */
export interface MultiHeadAttentionOptions {
  /**
   * Dropout probability on the attention weights (default 0). Vaswani et al.
   * only drop sublayer outputs (§5.4); dropping the weights follows the
   * reference tensor2tensor code and SASRec. Active in training mode only.
   */
  dropout?: number;
  /** Learned biases on the four projections (default true, as in PyTorch; the paper leaves it open). */
  bias?: boolean;
}

/**
 * What restricts attention in one call: an additive mask, the causal mask, or both.
 *
 * @example
 * ```ts
 * const options: AttentionMaskOptions = { causal: true, mask: keyPaddingMask(valid) }; // SASRec's masking
 * ```
 * @see Vaswani et al. 2017, §3.2.3
 */
export interface AttentionMaskOptions {
  /**
   * f32 additive mask, 0 where allowed and {@link ATTENTION_MASKED} (−1e9) where
   * not: `[Tq, Tk]` (one for the whole batch), `[B, 1 | h, Tq, Tk]`, or any
   * shape that broadcasts to `[B, h, Tq, Tk]` (e.g. `[B, 1, 1, Tk]` from
   * {@link keyPaddingMask}).
   */
  mask?: Tensor;
  /**
   * Let query i attend to keys 0…i only (default false). Needs Tq = Tk: with
   * a cached prefix of keys the alignment is ambiguous, so pass an explicit
   * `mask` there. Combines with `mask`.
   */
  causal?: boolean;
}

/**
 * Multi-head attention (Vaswani et al. 2017, §3.2.2):
 * MultiHead(Q, K, V) = Concat(head₁…head_h)·W_O with
 * head_i = softmax(Q W_Qi (K W_Ki)ᵀ / √d_k + M) · V W_Vi and d_k = d / h.
 *
 * The four projections are `Linear(d, d)` layers (Glorot-uniform weights, zero
 * biases — the paper does not fix an initialisation; this is PyTorch's), the
 * heads being column blocks of one projection. Cost per call:
 * 4·B·T·d² for the projections plus 2·B·Tq·Tk·d for the two attention
 * products, and `[B, h, Tq, Tk]` floats of attention weights kept for backward.
 *
 * The layer has no notion of position: positional information is the caller's
 * (models add learned position embeddings to the inputs, as SASRec does, or
 * the sinusoids of §3.5).
 *
 * Parameters are named `queryProjection.weight`, `keyProjection.weight`,
 * `valueProjection.weight`, `outputProjection.weight` (and `.bias`).
 *
 * @example
 * ```ts
 * const attention = new MultiHeadAttention(64, 4, { seed: 1 }, { dropout: 0.1 });
 * const x = tensor(new Float32Array(2 * 10 * 64), [2, 10, 64]);
 * const y = attention.forward(x, x, x, { causal: true }); // [2, 10, 64]
 * ```
 * @see Vaswani et al. 2017, "Attention Is All You Need", §3.2.1–3.2.2
 */
export class MultiHeadAttention extends Module {
  readonly queryProjection: Linear;
  readonly keyProjection: Linear;
  readonly valueProjection: Linear;
  readonly outputProjection: Linear;
  /** Dropout on the attention weights. */
  readonly attentionDropout: Dropout;
  /** d_k = dModel / numHeads: the width of one head. */
  readonly headDim: number;

  /**
   * @param dModel model width d of queries, keys, values and output; must be divisible by `numHeads`
   * @param numHeads number of heads h; more heads means narrower ones (d_k = d / h) at the same cost
   * @param init where initial weights come from; a shared {@link Philox} is advanced
   *   (query, key, value, output weights, then one word for the dropout seed)
   * @param options `dropout` on the attention weights, `bias` on the projections
   */
  constructor(readonly dModel: number, readonly numHeads: number, init: InitSource, options: MultiHeadAttentionOptions = {}) {
    super();
    checkPositiveInteger(dModel, 'MultiHeadAttention', 'dModel');
    checkPositiveInteger(numHeads, 'MultiHeadAttention', 'numHeads');
    if (dModel % numHeads !== 0) {
      throw new Error(`MultiHeadAttention: dModel ${dModel} is not divisible by numHeads ${numHeads}; each head takes dModel / numHeads features`);
    }
    const p = options.dropout ?? 0;
    checkDropout(p, 'MultiHeadAttention');
    this.headDim = dModel / numHeads;
    const rng = init instanceof Philox ? init : new Philox(init);
    const bias = options.bias ?? true;
    this.queryProjection = new Linear(dModel, dModel, rng, { bias });
    this.keyProjection = new Linear(dModel, dModel, rng, { bias });
    this.valueProjection = new Linear(dModel, dModel, rng, { bias });
    this.outputProjection = new Linear(dModel, dModel, rng, { bias });
    // Drawn whatever p is, so the weights of later layers do not depend on the dropout rate.
    this.attentionDropout = new Dropout(p, { seed: rng.nextU32() });
  }

  /**
   * Attends from each query position to the key/value positions.
   *
   * @param query `[B, Tq, d]`
   * @param key `[B, Tk, d]`
   * @param value `[B, Tk, d]` (same positions as `key`)
   * @param options `mask` (additive) and/or `causal`
   * @returns `[B, Tq, d]`
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: AttentionMaskOptions = {}): Tensor {
    const d = this.dModel;
    for (const [what, t] of [['query', query], ['key', key], ['value', value]] as const) {
      if (t.rank !== 3 || t.shape[2] !== d) {
        throw new Error(`MultiHeadAttention: ${what} is ${formatShape(t.shape)}; expected [B, T, ${d}]`);
      }
    }
    const [b, tq] = query.shape;
    const tk = key.shape[1];
    if (key.shape[0] !== b || value.shape[0] !== b) {
      throw new Error(`MultiHeadAttention: batch sizes differ: query ${formatShape(query.shape)}, key ${formatShape(key.shape)}, value ${formatShape(value.shape)}`);
    }
    if (value.shape[1] !== tk) {
      throw new Error(`MultiHeadAttention: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must cover the same ${tk} positions`);
    }
    const mask = this.#mask(options, b, tq, tk, query.backend);

    const q = this.#splitHeads(this.queryProjection.forward(query), b, tq);
    const k = this.#splitHeads(this.keyProjection.forward(key), b, tk);
    const v = this.#splitHeads(this.valueProjection.forward(value), b, tk);
    // Scaling Q (B·h·Tq·d_k values) is cheaper than scaling the logits (B·h·Tq·Tk).
    let logits = matmul(mul(q, 1 / Math.sqrt(this.headDim)), k, { transposeB: true }); // [B, h, Tq, Tk]
    if (mask) logits = add(logits, mask);
    const weights = this.attentionDropout.forward(softmax(logits, -1));
    const context = matmul(weights, v); // [B, h, Tq, d_k]
    return this.outputProjection.forward(reshape(transpose(context, [0, 2, 1, 3]), [b, tq, d]));
  }

  /** [B, T, d] → [B, h, T, d_k]: head i is columns i·d_k … (i+1)·d_k − 1. */
  #splitHeads(x: Tensor, b: number, t: number): Tensor {
    return transpose(reshape(x, [b, t, this.numHeads, this.headDim]), [0, 2, 1, 3]);
  }

  #mask(options: AttentionMaskOptions, b: number, tq: number, tk: number, backend: Backend): Tensor | undefined {
    const { mask, causal } = options;
    const logitsShape = [b, this.numHeads, tq, tk];
    if (mask) {
      if (mask.dtype !== 'f32') throw new Error(`MultiHeadAttention: mask has dtype ${mask.dtype}; expected f32 with 0 (attend) and -1e9 (masked)`);
      let fits = mask.rank <= 4;
      try {
        fits &&= shapesEqual(broadcastShapes(mask.shape, logitsShape, 'mask'), logitsShape);
      } catch {
        fits = false;
      }
      if (!fits) {
        throw new Error(
          `MultiHeadAttention: mask ${formatShape(mask.shape)} does not broadcast to the attention logits ${formatShape(logitsShape)}; ` +
            `expected [Tq, Tk] = [${tq}, ${tk}], [B, 1 | h, Tq, Tk] or [B, 1, 1, Tk]`,
        );
      }
    }
    if (!causal) return mask;
    if (tq !== tk) {
      throw new Error(`MultiHeadAttention: causal needs as many queries as keys, got Tq = ${tq} and Tk = ${tk}; pass an explicit mask instead`);
    }
    const future = causalMask(tq, { backend });
    return mask ? add(mask, future) : future;
  }
}

function checkPositiveInteger(n: number, op: string, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${op}: ${what} must be a positive integer, got ${n}`);
}

function checkDropout(p: number, op: string): void {
  if (!(p >= 0 && p < 1)) throw new Error(`${op}: dropout must be in [0, 1), got ${p}`);
}
