/**
 * Semantic IDs (Rajput et al., "Recommender Systems with Generative Retrieval", NeurIPS
 * 2023, §3.1): each item's tuple of codewords, made unique by the collision level, and
 * the trie of the catalogue's tuples that keeps decoding on valid items (§3.2).
 *
 * An item's Semantic ID is (c₀, …, c_{m−1}, c_m): the m RQ-VAE codes of its content
 * (coarse to fine), then the collision token c_m ∈ {0, 1, …}, which numbers the items
 * that share the same m codes (§3.1: an extra token appended at the end of the codes makes
 * the IDs unique): the tuples (12, 24, 52, 0) and (12, 24, 52, 1) name two items whose
 * content quantises alike.
 *
 * Layout: a tuple table is i32 `[numItems · L]`, row-major, L = m + 1 tokens per item,
 * each token a level-local code (level l's token t is t, not an offset into a shared
 * vocabulary; the transformer's vocabulary adds the offsets).
 */

/**
 * Semantic IDs with the collision level appended (TIGER §3.1): every item's m codes,
 * then its rank among the items sharing those m codes.
 *
 * Choice the paper leaves open — the order within a collision group: by `popularity`
 * (descending; ties by item index), so collision token 0 is the most popular item of its
 * group in every group. The token's embedding then means the same thing ("the group's
 * most popular item") wherever it occurs, which a short training can learn from the
 * many groups at once; an arbitrary order would make the last token an item identifier
 * with no shared meaning.
 *
 * @param codes i32 `[numItems · levels]`: each item's RQ-VAE codes
 * @param levels m, codes per item
 * @param popularity per item (e.g. training interaction counts), length numItems
 * @returns `ids` i32 `[numItems · (levels + 1)]` and `collisionSize`, the largest group
 *   (the collision level's vocabulary: tokens 0 … collisionSize − 1)
 * @throws Error when the lengths do not agree or a code is negative.
 * @example
 * ```ts
 * const { ids, collisionSize } = appendCollisionLevel(Int32Array.of(1, 2,  1, 2,  0, 3), 2, Float64Array.of(5, 9, 1));
 * // ids: [1, 2, 1,  1, 2, 0,  0, 3, 0] (item 1 is the more popular of the pair); collisionSize 2
 * ```
 * @see Rajput et al. 2023, §3.1 (handling collisions).
 */
export function appendCollisionLevel(codes: Int32Array, levels: number, popularity: ArrayLike<number>): { ids: Int32Array; collisionSize: number } {
  if (!(Number.isInteger(levels) && levels >= 1)) throw new Error(`appendCollisionLevel: levels must be a positive integer, got ${levels}`);
  if (codes.length % levels !== 0) throw new Error(`appendCollisionLevel: ${codes.length} codes are not whole tuples of ${levels}`);
  const n = codes.length / levels;
  if (popularity.length !== n) throw new Error(`appendCollisionLevel: popularity has ${popularity.length} entries for ${n} items`);
  for (let j = 0; j < codes.length; j++) if (!(codes[j]! >= 0)) throw new Error(`appendCollisionLevel: item ${Math.floor(j / levels)} has code ${codes[j]} at level ${j % levels}`);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = codes.subarray(i * levels, (i + 1) * levels).join(',');
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  const L = levels + 1;
  const ids = new Int32Array(n * L);
  let collisionSize = 1;
  for (const group of groups.values()) {
    group.sort((a, b) => popularity[b]! - popularity[a]! || a - b);
    collisionSize = Math.max(collisionSize, group.length);
    group.forEach((item, rank) => {
      ids.set(codes.subarray(item * levels, (item + 1) * levels), item * L);
      ids[item * L + levels] = rank;
    });
  }
  return { ids, collisionSize };
}

/**
 * The trie of a catalogue's Semantic IDs: node 0 is the empty prefix, each node's
 * children are the tokens that extend its prefix towards at least one item, and the
 * nodes at depth L are the items. Constrained decoding (§3.2) asks it, step by step, which
 * tokens may follow the prefix decoded so far, so no invalid tuple is ever emitted.
 *
 * Memory: one node per distinct prefix (≤ L · numItems + 1), each with its sorted child
 * tokens.
 *
 * @example
 * ```ts
 * const trie = SemanticIdTrie.fromIds(Int32Array.of(1, 2, 0,  1, 3, 0), 3);
 * trie.tokens(trie.root);                 // [1]
 * trie.tokens(trie.child(trie.root, 1));  // [2, 3]
 * trie.itemOf(Int32Array.of(1, 3, 0));    // 1
 * trie.itemOf(Int32Array.of(1, 3, 1));    // −1: no such item
 * ```
 * @see Rajput et al. 2023, §3.2 (decoding Semantic IDs; invalid IDs).
 */
export class SemanticIdTrie {
  /** The empty prefix. */
  readonly root = 0;
  /** Per node: its child tokens, ascending. */
  readonly #tokens: Int32Array[];
  /** Per node: the child node of each of its tokens (aligned with #tokens). */
  readonly #children: Int32Array[];
  /** Per node: the item it names (depth L), else −1. */
  readonly #items: Int32Array;

  private constructor(readonly depth: number, readonly numItems: number, tokens: Int32Array[], children: Int32Array[], items: Int32Array) {
    this.#tokens = tokens;
    this.#children = children;
    this.#items = items;
  }

  /**
   * The trie of `ids` (i32 `[numItems · depth]`, one tuple per item).
   * @throws Error naming two items when their tuples are equal, or when `ids` is not whole tuples.
   */
  static fromIds(ids: Int32Array, depth: number): SemanticIdTrie {
    if (!(Number.isInteger(depth) && depth >= 1)) throw new Error(`SemanticIdTrie: depth must be a positive integer, got ${depth}`);
    if (ids.length % depth !== 0) throw new Error(`SemanticIdTrie: ${ids.length} tokens are not whole tuples of ${depth}`);
    const n = ids.length / depth;
    const maps: Map<number, number>[] = [new Map()];
    const items: number[] = [-1];
    for (let i = 0; i < n; i++) {
      let node = 0;
      for (let l = 0; l < depth; l++) {
        const token = ids[i * depth + l]!;
        if (!(Number.isInteger(token) && token >= 0)) throw new Error(`SemanticIdTrie: item ${i} has token ${token} at level ${l}`);
        let next = maps[node]!.get(token);
        if (next === undefined) {
          next = maps.length;
          maps[node]!.set(token, next);
          maps.push(new Map());
          items.push(-1);
        } else if (l === depth - 1) {
          throw new Error(`SemanticIdTrie: items ${items[next]} and ${i} share the Semantic ID (${ids.subarray(i * depth, (i + 1) * depth).join(', ')}); append the collision level first`);
        }
        node = next;
      }
      items[node] = i;
    }
    const tokens = maps.map((m) => Int32Array.from(m.keys()).sort());
    const children = maps.map((m, node) => Int32Array.from(tokens[node]!, (t) => m.get(t)!));
    return new SemanticIdTrie(depth, n, tokens, children, Int32Array.from(items));
  }

  /** Nodes, the root included. */
  get size(): number {
    return this.#items.length;
  }

  /** The tokens that may follow `node`'s prefix, ascending (a view; do not write). */
  tokens(node: number): Int32Array {
    return this.#tokens[node]!;
  }

  /** The node of `node`'s prefix extended by `token`, or −1 when no item has that prefix. */
  child(node: number, token: number): number {
    const tokens = this.#tokens[node]!;
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = tokens[mid]!;
      if (t === token) return this.#children[node]![mid]!;
      if (t < token) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The item a depth-L node names, else −1. */
  itemAt(node: number): number {
    return this.#items[node]!;
  }

  /** The item whose Semantic ID is `tuple` (`depth` tokens), or −1 when none is. */
  itemOf(tuple: ArrayLike<number>): number {
    if (tuple.length !== this.depth) return -1;
    let node = this.root;
    for (let l = 0; l < this.depth && node >= 0; l++) node = this.child(node, tuple[l]!);
    return node >= 0 ? this.itemAt(node) : -1;
  }
}
