/**
 * TIGER as a recommender (Rajput et al., "Recommender Systems with Generative Retrieval",
 * NeurIPS 2023, §3.2): the trained encoder–decoder, every item's Semantic ID with the trie
 * of valid IDs, and every user's last items — what it needs to generate the next item's
 * Semantic ID for any user, without the dataset.
 *
 * An item's score for user u is the log-probability of its Semantic ID (c₀, …, c_{L−1})
 * under the decoder restricted to the catalogue:
 *
 *   log p(i | u) = Σ_l [ log p(c_l | c_<l, u) − log Σ_{t ∈ T(c_<l)} p(t | c_<l, u) ]
 *
 * where T(c_<l) are the tokens that extend the prefix c_<l towards some item (the trie's
 * children). Each step's softmax is renormalised over the valid continuations, so the
 * scores are a distribution over the items (they sum to one over the catalogue).
 *
 * - {@link TigerModel.beamSearch} generates: a beam of B prefixes per user, each step
 *   extended by the tokens the trie allows only, so no decoded tuple is invalid. (The
 *   paper's analysis of invalid IDs, §4, decodes freely and drops the tuples that name no
 *   item, a small share; masking by prefix, as here, is the stricter form of that filter.)
 *   `constrained: false` decodes the paper's way, free over each level's vocabulary with
 *   unrenormalised log-probabilities, and marks the tuples that name no item.
 * - {@link TigerModel.scoreUsers} is that beam: the beam's items get their log p(i | u),
 *   every other item −Infinity. TIGER ranks only what it generates (§3.2 retrieves the
 *   top items by beam search); a full ranking beyond the beam is not a TIGER ranking.
 * - {@link TigerModel.scorePairs} scores named items exactly: one teacher-forced decoder
 *   pass per (user, item), log p(i | u) as above — the same number the beam gives an item
 *   it holds, and what sampled-negative evaluation (1 positive + 99 negatives) needs.
 */
import { logSoftmax, Module, noGrad, type Tensor, tidy } from '@rec/core';
import type { Recommender } from '../plugin/inference.js';
import { type EventSequences, lastWindows } from '../sasrec/sequences.js';
import { hostCopy } from '../training/read.js';
import { SemanticIdTrie } from './semantic-ids.js';
import { TigerTransformer, type TigerTransformerConfig } from './seq2seq.js';

/** Users per beam-search block (× beam decoder sequences). */
const BEAM_USERS_PER_BLOCK = 32;
/** (user, item) pairs per decoder group when scoring pairs; a user with more is split. */
const PAIRS_PER_GROUP = 128;
/** Groups per pair-scoring block. */
const GROUPS_PER_BLOCK = 16;

/**
 * What a {@link TigerModel} is built from.
 * @example
 * ```ts
 * const config: TigerModelConfig = { numUsers: 943, numItems: 1682, codebookSize: 32, semanticIds, levels: 4, beam: 20, userBuckets: 2000, maxHistory: 20, dim: 64, heads: 2, feedForward: 256, encoderLayers: 2, decoderLayers: 2, dropout: 0.1, seed: 1 };
 * ```
 */
export interface TigerModelConfig extends Omit<TigerTransformerConfig, 'levelSizes'> {
  readonly numUsers: number;
  readonly numItems: number;
  /** K: the vocabulary of every RQ-VAE level (all but the last Semantic ID level). */
  readonly codebookSize: number;
  /** i32 `[numItems · L]`: every item's Semantic ID, the collision token last; tuples unique. */
  readonly semanticIds: Int32Array;
  /** L: tokens per Semantic ID (RQ-VAE levels + 1). */
  readonly levels: number;
  /** Beam width of {@link TigerModel.scoreUsers} (items scored per user). */
  readonly beam: number;
}

/**
 * Options of {@link TigerModel.beamSearch}.
 * @example
 * ```ts
 * const options: BeamOptions = { beam: 50, constrained: true };
 * ```
 */
export interface BeamOptions {
  /** Beam width (default the model's). */
  readonly beam?: number;
  /**
   * Extend prefixes only by the trie's valid tokens, with each step renormalised over them
   * (default true); false decodes over each level's whole vocabulary (the paper's decoding,
   * before its filter).
   */
  readonly constrained?: boolean;
}

/**
 * Beam-search results, `beam` slots per user (row-major users × beam), best first.
 * @example
 * ```ts
 * const { items, scores } = await model.beamSearch(Int32Array.of(0));
 * items[0]; // user 0's best item (−1 where a slot is empty or, unconstrained, names no item)
 * ```
 */
export interface BeamResult {
  readonly beam: number;
  /** i32 `[users · beam]`: the item each tuple names, −1 for an empty slot or an invalid tuple. */
  readonly items: Int32Array;
  /** i32 `[users · beam · L]`: the decoded tuples (level-local codes; −1 in an empty slot). */
  readonly tuples: Int32Array;
  /** f32 `[users · beam]`: each tuple's log-probability (−Infinity in an empty slot). */
  readonly scores: Float32Array;
}

/**
 * A trained TIGER: generates and scores Semantic IDs (see the file's header for the
 * score). Scoring runs with dropout off (the mode is restored afterwards) and returns
 * promises (values are read back between decoding steps).
 *
 * Parameters: the transformer's, under `transformer.`.
 *
 * @example
 * ```ts
 * const model = new TigerModel(config);
 * model.setHistories(historySequences(train, valid)); // score from train ++ valid
 * const top = await model.scoreUsers(Int32Array.of(0, 1));            // 2 × numItems, −Infinity outside the beam
 * const exact = await model.scorePairs(Int32Array.of(0, 0), Int32Array.of(5, 9)); // log p(5 | 0), log p(9 | 0)
 * ```
 * @see Rajput et al. 2023, §3.2.
 */
export class TigerModel extends Module implements Recommender {
  readonly transformer: TigerTransformer;
  readonly numUsers: number;
  readonly numItems: number;
  readonly levels: number;
  readonly codebookSize: number;
  readonly maxHistory: number;
  readonly beam: number;
  readonly trie: SemanticIdTrie;
  readonly #semanticIds: Int32Array;
  #histories: Int32Array;

  /**
   * @throws Error when the Semantic IDs are not `numItems` unique tuples of `levels` codes
   *   within the codebooks, or a size is out of range.
   */
  constructor(readonly config: TigerModelConfig) {
    super();
    const { numUsers, numItems, semanticIds, levels, codebookSize, beam, maxHistory } = config;
    for (const [name, value] of Object.entries({ numUsers, numItems, levels, codebookSize, beam, maxHistory })) {
      if (!(Number.isInteger(value) && value >= 1)) throw new Error(`tiger: ${name} must be a positive integer, got ${value}`);
    }
    if (levels < 2) throw new Error(`tiger: a Semantic ID needs at least one RQ-VAE level and the collision level, got ${levels} levels`);
    if (semanticIds.length !== numItems * levels) throw new Error(`tiger: the Semantic IDs hold ${semanticIds.length} tokens, not ${numItems} items × ${levels}`);
    let collisionSize = 1;
    for (let i = 0; i < numItems; i++) {
      for (let l = 0; l < levels - 1; l++) {
        const c = semanticIds[i * levels + l]!;
        if (!(c >= 0 && c < codebookSize)) throw new Error(`tiger: item ${i}'s code at level ${l} is ${c}, outside the codebook 0..${codebookSize - 1}`);
      }
      const last = semanticIds[i * levels + levels - 1]!;
      if (!(last >= 0)) throw new Error(`tiger: item ${i}'s collision token is ${last}`);
      collisionSize = Math.max(collisionSize, last + 1);
    }
    this.trie = SemanticIdTrie.fromIds(semanticIds, levels);
    this.#semanticIds = semanticIds;
    this.numUsers = numUsers;
    this.numItems = numItems;
    this.levels = levels;
    this.codebookSize = codebookSize;
    this.maxHistory = maxHistory;
    this.beam = beam;
    this.transformer = new TigerTransformer({ ...config, levelSizes: [...Array<number>(levels - 1).fill(codebookSize), collisionSize] });
    this.#histories = new Int32Array(numUsers * maxHistory).fill(numItems);
  }

  /** i32 `[numItems · L]`: every item's Semantic ID (a view; do not write). */
  get semanticIds(): Int32Array {
    return this.#semanticIds;
  }

  /** i32 `[numUsers · H]`: every user's last H items, left-padded with `numItems` (a view; do not write). */
  get histories(): Int32Array {
    return this.#histories;
  }

  /** The collision level's vocabulary: the largest group of items sharing their RQ-VAE codes. */
  get collisionSize(): number {
    return this.transformer.layout.levelSizes[this.levels - 1]!;
  }

  /**
   * Keeps every user's last H items of `sequences` as the history scoring reads (after
   * training: `historySequences(train, valid)`, so the test item follows the validation one).
   * @throws Error when the sequences cover another number of users or hold an item out of range.
   */
  setHistories(sequences: EventSequences): void {
    if (sequences.indptr.length - 1 !== this.numUsers) throw new Error(`tiger: the sequences cover ${sequences.indptr.length - 1} users, the model ${this.numUsers}`);
    this.setHistoryWindows(lastWindows(sequences, this.maxHistory, this.numItems));
  }

  /**
   * Sets the histories from windows (i32 `[numUsers · H]`, left-padded with `numItems`), as saved.
   * @throws Error when the windows are mis-sized or hold an id outside 0 … numItems.
   */
  setHistoryWindows(windows: Int32Array): void {
    if (windows.length !== this.numUsers * this.maxHistory) throw new Error(`tiger: the history windows hold ${windows.length} items, not ${this.numUsers} users × ${this.maxHistory}`);
    for (const item of windows) if (!(item >= 0 && item <= this.numItems)) throw new Error(`tiger: a history window holds item ${item}, outside 0..${this.numItems} (${this.numItems} is the pad)`);
    this.#histories = windows;
  }

  /**
   * The encoder inputs (i32 `[B · S]`) of B users with their windows (i32 `[B · H]` of
   * items, left-padded with `numItems`): the user's bucket token, then each item's L
   * tokens, pads where a window has no item.
   */
  encoderInputs(users: Int32Array, windows: Int32Array): Int32Array {
    const { layout, encoderLength: S } = this.transformer;
    const H = this.maxHistory;
    const L = this.levels;
    const hasUser = layout.userBuckets > 0 ? 1 : 0;
    const out = new Int32Array(users.length * S).fill(layout.pad);
    users.forEach((u, b) => {
      if (hasUser) out[b * S] = layout.userToken(u);
      for (let j = 0; j < H; j++) {
        const item = windows[b * H + j]!;
        if (item === this.numItems) continue;
        for (let l = 0; l < L; l++) out[b * S + hasUser + j * L + l] = layout.levelToken(l, this.#semanticIds[item * L + l]!);
      }
    });
    return out;
  }

  /** The stored windows of `users`, i32 `[B · H]`. */
  #windowsOf(users: Int32Array): Int32Array {
    const H = this.maxHistory;
    const out = new Int32Array(users.length * H);
    users.forEach((u, b) => out.set(this.#histories.subarray(u * H, (u + 1) * H), b * H));
    return out;
  }

  #checkUsers(users: Int32Array, caller: string): void {
    for (const u of users) if (!(Number.isInteger(u) && u >= 0 && u < this.numUsers)) throw new Error(`tiger.${caller}: user ${u} is outside 0..${this.numUsers - 1}`);
  }

  /** Runs `fn` with dropout off, restoring the mode afterwards. */
  async #inEval<T>(fn: () => Promise<T>): Promise<T> {
    const training = this.training;
    if (training) this.eval();
    try {
      return await fn();
    } finally {
      if (training) this.train();
    }
  }

  /** The memories and masks of `users` from their stored windows; the caller disposes both. */
  #encode(users: Int32Array): { memory: Tensor; mask: Tensor } {
    const inputs = this.encoderInputs(users, this.#windowsOf(users));
    return tidy(() => noGrad(() => this.transformer.encode(inputs, users.length)));
  }

  /** log-softmax over level `level` at position `level` of the decoder run on `inputs`, read back: f32 `[N · size]`. */
  async #levelLogProbabilities(hidden: Tensor, level: number): Promise<Float32Array> {
    const logp = tidy(() => noGrad(() => logSoftmax(this.transformer.levelLogits(hidden, level))));
    const values = (await hostCopy(logp)) as Float32Array;
    logp.dispose();
    return values;
  }

  /**
   * The `beam` best Semantic IDs of each user and their log-probabilities, by beam search
   * over the L decoding steps (see the file's header); with `constrained` (the default)
   * each step is restricted to the trie's continuations and every tuple names an item.
   * Ties go to the earlier beam, then the lower token.
   * @throws Error when a user is out of range or the beam is not a positive integer.
   */
  async beamSearch(users: Int32Array, options: BeamOptions = {}): Promise<BeamResult> {
    this.#checkUsers(users, 'beamSearch');
    const width = options.beam ?? this.beam;
    if (!(Number.isInteger(width) && width >= 1)) throw new Error(`tiger.beamSearch: beam must be a positive integer, got ${width}`);
    const constrained = options.constrained ?? true;
    const L = this.levels;
    const items = new Int32Array(users.length * width).fill(-1);
    const tuples = new Int32Array(users.length * width * L).fill(-1);
    const scores = new Float32Array(users.length * width).fill(-Infinity);
    return this.#inEval(async () => {
      for (let start = 0; start < users.length; start += BEAM_USERS_PER_BLOCK) {
        const block = users.subarray(start, start + BEAM_USERS_PER_BLOCK);
        const found = await this.#beamBlock(block, width, constrained);
        found.forEach((beams, g) => beams.forEach((beam, b) => {
          const slot = (start + g) * width + b;
          scores[slot] = beam.score;
          tuples.set(beam.codes, slot * L);
          items[slot] = beam.node >= 0 ? this.trie.itemAt(beam.node) : -1;
        }));
      }
      return { beam: width, items, tuples, scores };
    });
  }

  /** One block's beams: per user, up to `width` complete tuples, best first. */
  async #beamBlock(users: Int32Array, width: number, constrained: boolean): Promise<{ codes: number[]; node: number; score: number }[][]> {
    const G = users.length;
    const L = this.levels;
    const { layout } = this.transformer;
    type Beam = { codes: number[]; node: number; score: number };
    let beams: Beam[][] = Array.from({ length: G }, () => [{ codes: [], node: this.trie.root, score: 0 }]);
    const { memory, mask } = this.#encode(users);
    try {
      for (let level = 0; level < L; level++) {
        const m = Math.max(...beams.map((b) => b.length));
        const length = level + 1;
        const inputs = new Int32Array(G * m * length);
        beams.forEach((userBeams, g) => {
          for (let b = 0; b < m; b++) {
            const beam = userBeams[b] ?? userBeams[0]!;
            const at = (g * m + b) * length;
            inputs[at] = layout.bos;
            beam.codes.forEach((c, l) => (inputs[at + 1 + l] = layout.levelToken(l, c)));
          }
        });
        const hidden = tidy(() => noGrad(() => this.transformer.decode(inputs, G * m, length, memory, mask, m)));
        const logp = await this.#levelLogProbabilities(hidden, level);
        hidden.dispose();
        const size = layout.levelSizes[level]!;
        beams = beams.map((userBeams, g) => {
          const candidates: { beam: number; token: number; score: number }[] = [];
          userBeams.forEach((beam, b) => {
            const row = (g * m + b) * size;
            if (constrained) {
              const tokens = this.trie.tokens(beam.node);
              const logZ = logSumExp(logp, row, tokens);
              for (const t of tokens) candidates.push({ beam: b, token: t, score: beam.score + logp[row + t]! - logZ });
            } else {
              for (let t = 0; t < size; t++) candidates.push({ beam: b, token: t, score: beam.score + logp[row + t]! });
            }
          });
          candidates.sort((x, y) => y.score - x.score || x.beam - y.beam || x.token - y.token);
          return candidates.slice(0, width).map(({ beam: b, token, score }) => {
            const parent = userBeams[b]!;
            return { codes: [...parent.codes, token], node: parent.node >= 0 ? this.trie.child(parent.node, token) : -1, score };
          });
        });
      }
    } finally {
      memory.dispose();
      mask.dispose();
    }
    return beams;
  }

  /**
   * Every user's scores over the catalogue, row-major `users.length × numItems`: the
   * {@link beamSearch} items (constrained, the model's beam) get their log-probability,
   * every other item −Infinity — TIGER ranks only the items it generates.
   * @throws Error when a user is out of range.
   */
  async scoreUsers(users: Int32Array): Promise<Float32Array> {
    const { beam, items, scores } = await this.beamSearch(users);
    const out = new Float32Array(users.length * this.numItems).fill(-Infinity);
    for (let b = 0; b < users.length; b++) {
      for (let k = 0; k < beam; k++) {
        const item = items[b * beam + k]!;
        if (item >= 0) out[b * this.numItems + item] = scores[b * beam + k]!;
      }
    }
    return out;
  }

  /**
   * log p(items[k] | users[k]) for each aligned pair, exactly (teacher-forced: one decoder
   * pass over the item's Semantic ID, each step renormalised over the trie's
   * continuations): f32 `[pairs]`. Pairs are grouped by user so each user's history is
   * encoded once per {@link PAIRS_PER_GROUP} pairs.
   * @throws Error when the arrays differ in length or a user or item is out of range.
   */
  async scorePairs(users: Int32Array, items: Int32Array): Promise<Float32Array> {
    if (users.length !== items.length) throw new Error(`tiger.scorePairs: ${users.length} users but ${items.length} items`);
    this.#checkUsers(users, 'scorePairs');
    for (const i of items) if (!(Number.isInteger(i) && i >= 0 && i < this.numItems)) throw new Error(`tiger.scorePairs: item ${i} is outside 0..${this.numItems - 1}`);
    const byUser = new Map<number, number[]>();
    users.forEach((u, k) => {
      const list = byUser.get(u);
      if (list) list.push(k);
      else byUser.set(u, [k]);
    });
    const groups: { user: number; pairs: number[] }[] = [];
    for (const [user, pairs] of byUser) for (let at = 0; at < pairs.length; at += PAIRS_PER_GROUP) groups.push({ user, pairs: pairs.slice(at, at + PAIRS_PER_GROUP) });
    const out = new Float32Array(users.length);
    return this.#inEval(async () => {
      for (let start = 0; start < groups.length; start += GROUPS_PER_BLOCK) {
        const block = groups.slice(start, start + GROUPS_PER_BLOCK);
        const scores = await this.#teacherForced(Int32Array.from(block, (g) => g.user), block.map((g) => Int32Array.from(g.pairs, (k) => items[k]!)));
        block.forEach((g, b) => g.pairs.forEach((k, j) => (out[k] = scores[b]![j]!)));
      }
      return out;
    });
  }

  /** log p(i | u) of each group's items (group b: user users[b], items itemsOf[b]) by one teacher-forced pass. */
  async #teacherForced(users: Int32Array, itemsOf: Int32Array[]): Promise<Float64Array[]> {
    const G = users.length;
    const L = this.levels;
    const { layout } = this.transformer;
    const m = Math.max(...itemsOf.map((list) => list.length));
    const inputs = new Int32Array(G * m * L);
    itemsOf.forEach((list, g) => {
      for (let j = 0; j < m; j++) {
        const item = list[j] ?? list[0]!;
        const at = (g * m + j) * L;
        inputs[at] = layout.bos;
        for (let l = 0; l + 1 < L; l++) inputs[at + 1 + l] = layout.levelToken(l, this.#semanticIds[item * L + l]!);
      }
    });
    const { memory, mask } = this.#encode(users);
    const logps: Float32Array[] = [];
    try {
      const hidden = tidy(() => noGrad(() => this.transformer.decode(inputs, G * m, L, memory, mask, m)));
      try {
        for (let level = 0; level < L; level++) logps.push(await this.#levelLogProbabilities(hidden, level));
      } finally {
        hidden.dispose();
      }
    } finally {
      memory.dispose();
      mask.dispose();
    }
    return itemsOf.map((list, g) => Float64Array.from(list, (item, j) => {
      let node = this.trie.root;
      let score = 0;
      for (let level = 0; level < L; level++) {
        const row = (g * m + j) * layout.levelSizes[level]!;
        const code = this.#semanticIds[item * L + level]!;
        score += logps[level]![row + code]! - logSumExp(logps[level]!, row, this.trie.tokens(node));
        node = this.trie.child(node, code);
      }
      return score;
    }));
  }
}

/** log Σ_{t ∈ tokens} exp(values[row + t]), in float64. */
function logSumExp(values: Float32Array, row: number, tokens: Int32Array): number {
  let max = -Infinity;
  for (const t of tokens) max = Math.max(max, values[row + t]!);
  if (max === -Infinity) return -Infinity;
  let total = 0;
  for (const t of tokens) total += Math.exp(values[row + t]! - max);
  return max + Math.log(total);
}
