/**
 * TIGER's sequence-to-sequence Transformer (Rajput et al. 2023, §3.2, §4): the encoder
 * reads a user's history as Semantic ID tokens, the decoder generates the next item's
 * Semantic ID token by token.
 *
 * Vocabulary ({@link TokenLayout}): one slice per Semantic ID level (level l's code t is
 * token offset_l + t, so the same code at two levels is two tokens, as in §4's 4 × 256
 * codeword tokens), then the user buckets, then `pad` and `bos`.
 *
 *   encoder input  [u, pad…, c₀(i₁), c₁(i₁), c₂(i₁), c₃(i₁), …, c₃(i_n)]   (last H items, right-aligned)
 *   decoder input  [bos, c₀(y), c₁(y), c₂(y)]  →  predicts  [c₀(y), c₁(y), c₂(y), c₃(y)]
 *   p(c_l | ·) = softmax_{t ∈ level l}( ⟨F_l, E_{offset_l + t}⟩ + b_{offset_l + t} )
 *
 * with u = the user's bucket token (§4 hashes the raw user id into one of 2000 user
 * tokens, the hashing trick), F_l the decoder's final state at position l, and E
 * the token table, shared by the encoder's input, the decoder's input and the output (as
 * T5 v1.0 ties them), and b a per-token output bias. The softmax at position l runs over
 * level l's slice only: no other token can be the l-th of a Semantic ID.
 *
 * Choices where the paper leaves room, and the sizes against §4's:
 * - Learned absolute positions (encoder: S = 1 + L·H, decoder: L) instead of T5's relative
 *   position buckets; the history is right-aligned so the latest item always ends at
 *   position S − 1 (the user token stays at 0).
 * - Pre-LN blocks with LayerNorm (T5: pre-norm with RMSNorm), a final LayerNorm after
 *   each stack.
 * - Defaults (set in the registration): d = 64, 2 heads, feed-forward 256, 2 encoder +
 *   2 decoder layers, dropout 0.1, the last 20 items; §4 has d = 128, 6 heads of 64, MLP
 *   1024, 4 + 4 layers, dropout 0.1 (13M parameters) — smaller here because our catalogues
 *   are small (ml-100k: 1,682 items against Beauty's 12,101) and the pure-JS backend is slow.
 * - Token and position tables start N(0, 1/d), so a LayerNorm'd state scores each token
 *   with a logit of unit scale.
 * - A per-token output bias b (T5's output layer has none; §4 does not say): it can carry
 *   each code's marginal frequency — for the collision level, with its popularity order, the
 *   items' popularity within their group — without spending a direction of the final state
 *   on it. (In short ml-100k runs, 22k training examples, it made no clear difference to
 *   sampled HR@10: 0.40 with it, 0.38–0.42 without, 300 users.)
 */
import {
  add, Dropout, gather, keyPaddingMask, LayerNorm, matmul, Module, mul, normalInit, Parameter, Philox, reshape, slice, type Tensor, tensor,
  TransformerEncoderLayer,
} from '@rec/core';
import { TransformerDecoderLayer } from './decoder.js';

/**
 * Where each token lives in the vocabulary: the level slices, the user buckets, pad and
 * bos.
 * @example
 * ```ts
 * const layout = new TokenLayout([32, 32, 32, 376], 2000);
 * layout.levelToken(1, 5); // 37
 * layout.size;             // 2474: 3·32 + 376 codes, 2000 user buckets, pad, bos
 * ```
 */
export class TokenLayout {
  /** Per level: its first token. */
  readonly offsets: readonly number[];
  /** The first user-bucket token. */
  readonly userOffset: number;
  readonly pad: number;
  readonly bos: number;
  /** Tokens in all. */
  readonly size: number;

  /**
   * @param levelSizes the vocabulary of each Semantic ID level (codebook sizes, then the collision level's)
   * @param userBuckets user tokens (0: no user token)
   * @throws Error when a size is not a positive integer or `userBuckets` is negative.
   */
  constructor(readonly levelSizes: readonly number[], readonly userBuckets: number) {
    if (levelSizes.length === 0 || levelSizes.some((s) => !(Number.isInteger(s) && s >= 1))) throw new Error(`TokenLayout: level sizes must be positive integers, got [${levelSizes.join(', ')}]`);
    if (!(Number.isInteger(userBuckets) && userBuckets >= 0)) throw new Error(`TokenLayout: userBuckets must be a non-negative integer, got ${userBuckets}`);
    const offsets: number[] = [];
    let at = 0;
    for (const s of levelSizes) {
      offsets.push(at);
      at += s;
    }
    this.offsets = offsets;
    this.userOffset = at;
    this.pad = at + userBuckets;
    this.bos = this.pad + 1;
    this.size = this.bos + 1;
  }

  /** Semantic ID levels L. */
  get levels(): number {
    return this.levelSizes.length;
  }

  /** The token of code `code` at level `level`. */
  levelToken(level: number, code: number): number {
    return this.offsets[level]! + code;
  }

  /** The bucket token of `user`: userOffset + fmix32(user) mod userBuckets (§4's hashing trick). */
  userToken(user: number): number {
    return this.userOffset + (userHash(user) % this.userBuckets);
  }
}

/**
 * MurmurHash3's 32-bit finaliser of the user index: a fixed, well-mixed hash per user, so
 * neighbouring indexes land in unrelated buckets (§4's hashing trick; the bucket is the
 * hash mod the bucket count).
 * @example
 * ```ts
 * userHash(7) % 2000; // user 7's bucket among 2000
 * ```
 */
export function userHash(user: number): number {
  let h = user >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Sizes of a {@link TigerTransformer}.
 * @example
 * ```ts
 * const config: TigerTransformerConfig = { levelSizes: [32, 32, 32, 376], userBuckets: 2000, maxHistory: 20, dim: 64, heads: 2, feedForward: 256, encoderLayers: 2, decoderLayers: 2, dropout: 0.1, seed: 1 };
 * ```
 */
export interface TigerTransformerConfig {
  readonly levelSizes: readonly number[];
  readonly userBuckets: number;
  /** H: items of history the encoder reads. */
  readonly maxHistory: number;
  readonly dim: number;
  readonly heads: number;
  readonly feedForward: number;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  readonly dropout: number;
  readonly seed: number;
}

/**
 * The encoder–decoder of TIGER §3.2 (equations and choices in the file's header).
 *
 * Parameters: `tokens [V, d]`, `tokenBias [V]`, `encoderPositions [S, d]`, `decoderPositions [L, d]`,
 * `encoderLayers.i.*` (core's `TransformerEncoderLayer`), `encoderNorm`,
 * `decoderLayers.i.*` ({@link TransformerDecoderLayer}), `decoderNorm`.
 *
 * @example
 * ```ts
 * const net = new TigerTransformer({ levelSizes: [8, 8, 8, 3], userBuckets: 10, maxHistory: 2, dim: 16, heads: 2, feedForward: 32, encoderLayers: 1, decoderLayers: 1, dropout: 0, seed: 1 });
 * const { memory, mask } = net.encode(encoderTokens, 2);           // 2 histories of S = 9 tokens
 * const hidden = net.decode(decoderTokens, 2, 4, memory, mask, 1); // [2, 4, 16]
 * const logits = net.levelLogits(hidden, 0);                       // [2, 8]: the first code
 * ```
 * @see Rajput et al. 2023, §3.2 (generative retrieval), §4 (the transformer's settings).
 */
export class TigerTransformer extends Module {
  readonly tokens: Parameter;
  /** b `[V]`: each token's output bias (zero at the start). */
  readonly tokenBias: Parameter;
  readonly encoderPositions: Parameter;
  readonly decoderPositions: Parameter;
  readonly encoderLayers: TransformerEncoderLayer[];
  readonly encoderNorm: LayerNorm;
  readonly decoderLayers: TransformerDecoderLayer[];
  readonly decoderNorm: LayerNorm;
  readonly encoderDropout: Dropout;
  readonly decoderDropout: Dropout;
  readonly layout: TokenLayout;
  /** S: encoder positions (the user token, then L·H history tokens). */
  readonly encoderLength: number;
  readonly dim: number;

  /** @throws Error naming the size that is out of range (heads not dividing dim included). */
  constructor(readonly config: TigerTransformerConfig) {
    super();
    const { dim: d, heads, feedForward, encoderLayers, decoderLayers, maxHistory, dropout, seed } = config;
    for (const [name, value] of Object.entries({ dim: d, heads, feedForward, encoderLayers, decoderLayers, maxHistory })) {
      if (!(Number.isInteger(value) && value >= 1)) throw new Error(`tiger: ${name} must be a positive integer, got ${value}`);
    }
    if (d % heads !== 0) throw new Error(`tiger: heads (${heads}) must divide dim (${d})`);
    if (!(dropout >= 0 && dropout < 1)) throw new Error(`tiger: dropout must be in [0, 1), got ${dropout}`);
    this.layout = new TokenLayout(config.levelSizes, config.userBuckets);
    const L = this.layout.levels;
    this.encoderLength = (config.userBuckets > 0 ? 1 : 0) + L * maxHistory;
    this.dim = d;
    const rng = new Philox({ seed, stream: 1 });
    const std = 1 / Math.sqrt(d);
    this.tokens = new Parameter(normalInit([this.layout.size, d], std, rng), [this.layout.size, d]);
    this.tokenBias = new Parameter(new Float32Array(this.layout.size), [this.layout.size]);
    this.encoderPositions = new Parameter(normalInit([this.encoderLength, d], std, rng), [this.encoderLength, d]);
    this.decoderPositions = new Parameter(normalInit([L, d], std, rng), [L, d]);
    this.encoderLayers = Array.from({ length: encoderLayers }, () => new TransformerEncoderLayer(d, heads, feedForward, rng, { dropout, normFirst: true }));
    this.encoderNorm = new LayerNorm(d);
    this.decoderLayers = Array.from({ length: decoderLayers }, () => new TransformerDecoderLayer(d, heads, feedForward, rng, dropout));
    this.decoderNorm = new LayerNorm(d);
    this.encoderDropout = new Dropout(dropout, { seed: rng.nextU32() });
    this.decoderDropout = new Dropout(dropout, { seed: rng.nextU32() });
  }

  /**
   * The memory `[B, S, d]` of `batch` encoder inputs (i32 `[B · S]`, `pad` where there is
   * nothing) and its key-padding mask `[B, 1, 1, S]`. Padded positions are zero vectors
   * and masked out of every attention.
   */
  encode(inputs: Int32Array, batch: number): { memory: Tensor; mask: Tensor } {
    const S = this.encoderLength;
    if (inputs.length !== batch * S) throw new Error(`tiger: expected ${batch} encoder inputs of ${S} tokens, got ${inputs.length} tokens`);
    const valid = Float32Array.from(inputs, (t) => (t === this.layout.pad ? 0 : 1));
    let x = add(gather(this.tokens, tensor(inputs, [batch, S])), this.encoderPositions);
    x = this.encoderDropout.forward(mul(x, tensor(valid, [batch, S, 1])));
    const mask = keyPaddingMask(tensor(valid, [batch, S]));
    for (const layer of this.encoderLayers) x = layer.forward(x, { mask });
    return { memory: this.encoderNorm.forward(x), mask };
  }

  /**
   * The decoder's final states `[N, T, d]` of N = G·m token sequences (i32 `[N · T]`,
   * each `bos` then the codes so far, T ≤ L), sequences g·m … g·m + m − 1 reading memory g.
   */
  decode(inputs: Int32Array, sequences: number, length: number, memory: Tensor, mask: Tensor, group: number): Tensor {
    const L = this.layout.levels;
    if (!(length >= 1 && length <= L) || inputs.length !== sequences * length) {
      throw new Error(`tiger: expected ${sequences} decoder inputs of 1..${L} tokens, got ${inputs.length} tokens of length ${length}`);
    }
    let x = add(gather(this.tokens, tensor(inputs, [sequences, length])), slice(this.decoderPositions, [0, 0], [length, this.dim]));
    x = this.decoderDropout.forward(x);
    for (const layer of this.decoderLayers) x = layer.forward(x, memory, mask, group);
    return this.decoderNorm.forward(x);
  }

  /**
   * Logits of level `level`'s tokens from the states at position `level` (which has read
   * `bos` and the codes of levels 0 … level − 1): `[N, levelSizes[level]]`.
   */
  levelLogits(hidden: Tensor, level: number): Tensor {
    const [N, , d] = hidden.shape as [number, number, number];
    const state = reshape(slice(hidden, [0, level, 0], [N, 1, d]), [N, d]);
    const [offset, size] = [this.layout.offsets[level]!, this.layout.levelSizes[level]!];
    const table = slice(this.tokens, [offset, 0], [size, d]);
    return add(matmul(state, table, { transposeB: true }), slice(this.tokenBias, [offset], [size]));
  }
}
