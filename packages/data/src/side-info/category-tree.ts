/**
 * A category hierarchy: nodes with names, one parent each (−1 for a root),
 * depth, children and siblings, and root-to-node paths. The second-hand paper
 * (§3.3) embeds categories level by level and samples negatives among
 * siblings; CCRec recommends at a category level; both read this structure.
 *
 * Nodes are dense indexes 0..size−1 in the order they were given (or first
 * seen); children lists keep that order.
 */
export class CategoryTree {
  readonly names: readonly string[];
  /** Parent of each node, −1 for roots. */
  readonly parents: Int32Array;
  /** Depth of each node: 0 for roots. */
  readonly depths: Int32Array;
  /** Children of node c: childIndices[childPtr[c] .. childPtr[c+1]). */
  readonly childPtr: Int32Array;
  readonly childIndices: Int32Array;

  private constructor(names: readonly string[], parents: Int32Array, depths: Int32Array) {
    this.names = names;
    this.parents = parents;
    this.depths = depths;
    const n = names.length;
    this.childPtr = new Int32Array(n + 1);
    for (let c = 0; c < n; c++) if (parents[c] >= 0) this.childPtr[parents[c] + 1]++;
    for (let c = 0; c < n; c++) this.childPtr[c + 1] += this.childPtr[c];
    this.childIndices = new Int32Array(this.childPtr[n]);
    const fill = this.childPtr.slice(0, n);
    for (let c = 0; c < n; c++) if (parents[c] >= 0) this.childIndices[fill[parents[c]]++] = c;
  }

  /**
   * A tree from explicit parent links. `source` names the file (or field) in
   * errors. Throws, naming the node, on an unknown parent or a cycle.
   *
   * @example
   * ```ts
   * const tree = CategoryTree.fromParents(['Clothes', 'Shoes', 'Boots'], [-1, 0, 1], 'categories.tsv');
   * tree.pathOf(2); // [0, 1, 2]
   * ```
   */
  static fromParents(names: readonly string[], parents: ArrayLike<number>, source = 'category tree'): CategoryTree {
    const n = names.length;
    if (parents.length !== n) throw new Error(`${source}: ${n} category names but ${parents.length} parent links`);
    const p = Int32Array.from(parents);
    for (let c = 0; c < n; c++) {
      if (!Number.isInteger(parents[c]) || p[c] < -1 || p[c] >= n) {
        throw new Error(`${source}: category ${c} ('${names[c]}') has unknown parent ${parents[c]}; expected −1 (a root) or a category index below ${n}`);
      }
    }
    const depths = new Int32Array(n).fill(-1);
    for (let c = 0; c < n; c++) {
      // Walk up until a node of known depth; a walk longer than n nodes is a cycle.
      const chain: number[] = [];
      let v = c;
      while (v >= 0 && depths[v] < 0) {
        chain.push(v);
        if (chain.length > n) {
          const cycle = chain.slice(chain.indexOf(v)).map((x) => `'${names[x]}'`);
          throw new Error(`${source}: the parent links form a cycle through ${cycle.slice(0, 6).join(' → ')}`);
        }
        v = p[v];
      }
      let d = v < 0 ? -1 : depths[v];
      for (let i = chain.length - 1; i >= 0; i--) depths[chain[i]] = ++d;
    }
    return new CategoryTree([...names], p, depths);
  }

  /**
   * A tree from each item's coarse-to-fine path of names. A node is a path
   * prefix, so a name reached through two different parents becomes two nodes
   * (Yelp's "Vietnamese" under "Restaurants" and under "Food"): the tree stays
   * a tree even when the names do not. Returns the tree and, per path, its
   * deepest node (−1 for an empty path).
   *
   * @example
   * ```ts
   * const { tree, leafOf } = CategoryTree.fromPaths([['Restaurants', 'Vietnamese'], ['Restaurants', 'Thai'], []]);
   * tree.size; // 3; leafOf = [1, 2, -1]
   * ```
   */
  static fromPaths(paths: readonly (readonly string[])[]): { tree: CategoryTree; leafOf: Int32Array } {
    const index = new Map<string, number>();
    const names: string[] = [];
    const parents: number[] = [];
    const leafOf = new Int32Array(paths.length).fill(-1);
    paths.forEach((path, i) => {
      let parent = -1;
      let key = '';
      for (const name of path) {
        key += `\u0000${name}`;
        let node = index.get(key);
        if (node === undefined) {
          node = names.length;
          index.set(key, node);
          names.push(name);
          parents.push(parent);
        }
        parent = node;
      }
      leafOf[i] = parent;
    });
    return { tree: CategoryTree.fromParents(names, parents), leafOf };
  }

  /** Number of nodes. */
  get size(): number {
    return this.names.length;
  }

  /** Depth of the deepest node + 1 (0 for an empty tree). */
  get levels(): number {
    let max = -1;
    for (const d of this.depths) max = Math.max(max, d);
    return max + 1;
  }

  /** Children of `c`, in insertion order. */
  children(c: number): Int32Array {
    return this.childIndices.subarray(this.childPtr[c], this.childPtr[c + 1]);
  }

  /** The other children of `c`'s parent (for a root: the other roots). */
  siblings(c: number): Int32Array {
    const p = this.parents[c];
    const pool = p >= 0 ? this.children(p) : this.roots();
    return pool.filter((x) => x !== c);
  }

  /** Nodes without a parent. */
  roots(): Int32Array {
    const out: number[] = [];
    for (let c = 0; c < this.size; c++) if (this.parents[c] < 0) out.push(c);
    return Int32Array.from(out);
  }

  /** Nodes at `depth` (0 = roots). */
  level(depth: number): Int32Array {
    const out: number[] = [];
    for (let c = 0; c < this.size; c++) if (this.depths[c] === depth) out.push(c);
    return Int32Array.from(out);
  }

  /** True when `c` has no children. */
  isLeaf(c: number): boolean {
    return this.childPtr[c] === this.childPtr[c + 1];
  }

  /** Root-to-node path of `c`, root first. */
  pathOf(c: number): Int32Array {
    const out = new Int32Array(this.depths[c] + 1);
    for (let v = c, i = out.length - 1; v >= 0; v = this.parents[v], i--) out[i] = v;
    return out;
  }

  /** The ancestor of `c` at `depth` (c itself when depth equals its depth). */
  ancestorAt(c: number, depth: number): number {
    if (depth > this.depths[c] || depth < 0) throw new Error(`CategoryTree.ancestorAt: node ${c} ('${this.names[c]}') has depth ${this.depths[c]}, no ancestor at depth ${depth}`);
    let v = c;
    while (this.depths[v] > depth) v = this.parents[v];
    return v;
  }
}
