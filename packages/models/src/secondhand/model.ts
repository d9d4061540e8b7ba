import {
  add, concat, expandDims, gather, gatherMatvec, keep, matmul, Module, mul, noGrad, normalInit, Parameter, reshape, slice, sub, sum, type Tensor, tensor, tidy,
} from '@rec/core';
import { CategoryTree } from '@rec/data';
import type { Recommender } from '../plugin/inference.js';
import { type MaybePromise, readAndDispose } from '../training/read.js';

/** Sizes of a {@link SecondHandModel}. */
export interface SecondHandConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Nodes of the category tree. */
  readonly numNodes: number;
  /** Levels m of the tree: each item's path is m slots, coarse to fine. */
  readonly levels: number;
  /** d_cat: the size of each level's category representation and user preference. */
  readonly dim: number;
  /** Columns of the visual features f_i^vis (0: no visual part). */
  readonly featureDim: number;
  /** Size of the visual comprehensive feature e_i^vis (default `dim`; unused without features). */
  readonly visualDim?: number;
  readonly seed: number;
  /** Standard deviation of the Gaussian initial vectors (default 0.1); W_c^cat starts at N(0, 1/d_cat). */
  readonly initStd?: number;
}

/** The item side of the data a {@link SecondHandModel} is built on. */
export interface SecondHandStructure {
  readonly tree: CategoryTree;
  /** Each item's deepest category (−1: none). */
  readonly itemLeaf: Int32Array;
  /** Row-major visual features [numItems × featureDim] (when the model has a visual part). */
  readonly features?: Float32Array;
}

/**
 * The second-hand marketplace recommender (Yu, Gan, Wei, Cheng & Nie, "Personalized Item
 * Recommendation for Second-hand Trading Platform", the paper's "OurModel",
 * §3.2–§3.3): no free per-item factor. An item is its category path and its visual features:
 *
 *   e_c^cat = e_c^base (c a first-level category), W_c^cat e_γ(c)^cat otherwise            (eq. 1)
 *   e_i^vis = W_δ(i)^item f_i^vis + b_δ(i)^item                                           (eq. 2)
 *   e_i^item = e_{C_i^1}^cat ⊕ … ⊕ e_{C_i^m}^cat ⊕ e_i^vis                                 (eq. 3)
 *   p_{u,i}^user = p_u^1 ⊕ … ⊕ p_u^m ⊕ (p_u^vis + b_δ(i)^user)                              (eq. 4)
 *   ẽ_{i,u}^item = e_i^item + p_u^bias                                                     (eq. 5)
 *   score(u, i) = ⟨p_{u,i}^user, ẽ_{i,u}^item⟩                                             (eq. 6)
 *
 * Choices where the paper is silent (each with its reason):
 * - **Items with a shorter path** than the tree's m levels (Yelp's paths run 0–4 deep):
 *   the missing levels contribute a zero vector, so that part of the score is 0 rather
 *   than a repeat of the deepest category (which would count it twice).
 * - **δ(i), the "lowest-level category"** is the item's deepest node, whatever its depth;
 *   an item without any category uses one extra shared row of W^item, b^item and b^user.
 * - **A category reached through two parents** (Yelp's paths are not a strict tree) is two
 *   nodes: the tree keys a node on its whole path prefix (`CategoryTree.fromPaths`), so each
 *   (parent, child) edge has its own W_c.
 * - **Initialisation:** "a Gaussian distribution" (§4.2): N(0, initStd²) for every vector
 *   and N(0, 1/d_cat) for W_c^cat, so that a path's representations keep their scale level
 *   after level (a smaller W would shrink the deeper levels towards 0).
 * - **Without visual features** (a stand-in with a hierarchy and no images) the model is
 *   eq. 1, 3–6 without the visual part: p_u^vis, b^user, W^item and b^item do not exist.
 *
 * The tree's structure is kept in the model as untrained integer tensors, so a saved model
 * needs no dataset to score: `parentOf` (a root points to itself), `rootMask`,
 * `itemPath` [numItems, m] (node per level, `numNodes` = none) and `itemLeaf` [numItems]
 * (`numNodes` = none), and the visual features as an untrained f32 table.
 */
export class SecondHandModel extends Module implements Recommender {
  /** e_c^base for each node (rows of non-root nodes are unused). */
  readonly base: Parameter;
  /** W_c^cat [numNodes, d, d] (rows of roots are unused). */
  readonly transforms: Parameter;
  /** p_u^1 ⊕ … ⊕ p_u^m [numUsers, m·d]. */
  readonly userLevels: Parameter;
  /** p_u^bias [numUsers, m·d + d_vis]. */
  readonly userShift: Parameter;
  /** p_u^vis [numUsers, d_vis] (visual models only). */
  readonly userVisual?: Parameter;
  /** b_c^user [numNodes + 1, d_vis], by δ(i) (visual models only). */
  readonly userLeafBias?: Parameter;
  /** W_c^item [numNodes + 1, d_vis, F], by δ(i) (visual models only). */
  readonly visualTransforms?: Parameter;
  /** b_c^item [numNodes + 1, d_vis], by δ(i) (visual models only). */
  readonly visualBias?: Parameter;
  /** Untrained: each node's parent (a root: itself). */
  readonly parentOf: Parameter;
  /** Untrained: 1 for a root, 0 otherwise [numNodes, 1]. */
  readonly rootMask: Parameter;
  /** Untrained: each item's node per level [numItems, m], `numNodes` where the path is shorter. */
  readonly itemPath: Parameter;
  /** Untrained: each item's deepest node, `numNodes` for none. */
  readonly itemLeaf: Parameter;
  /** Untrained: f_i^vis [numItems, F] (visual models only). */
  readonly features?: Parameter;

  readonly numItems: number;
  readonly levels: number;
  readonly dim: number;
  readonly visualDim: number;

  constructor(readonly config: SecondHandConfig) {
    super();
    const { numUsers, numItems, numNodes, levels, dim, featureDim, seed } = config;
    for (const [name, v] of Object.entries({ numUsers, numItems, numNodes, levels, dim }) as [string, number][]) {
      if (!(Number.isInteger(v) && v >= 1)) throw new Error(`SecondHandModel: ${name} must be a positive integer, got ${v}`);
    }
    if (!(Number.isInteger(featureDim) && featureDim >= 0)) throw new Error(`SecondHandModel: featureDim must be a whole number, got ${featureDim}`);
    const std = config.initStd ?? 0.1;
    const vis = featureDim > 0 ? (config.visualDim ?? dim) : 0;
    this.numItems = numItems;
    this.levels = levels;
    this.dim = dim;
    this.visualDim = vis;
    const param = (shape: number[], stream: number, s = std) => new Parameter(normalInit(shape, s, { seed, stream }), shape);
    this.base = param([numNodes, dim], 0);
    this.transforms = param([numNodes, dim, dim], 1, 1 / Math.sqrt(dim));
    this.userLevels = param([numUsers, levels * dim], 2);
    this.userShift = param([numUsers, levels * dim + vis], 3);
    if (vis > 0) {
      this.userVisual = param([numUsers, vis], 4);
      this.userLeafBias = param([numNodes + 1, vis], 5);
      this.visualTransforms = param([numNodes + 1, vis, featureDim], 6, 1 / Math.sqrt(featureDim));
      this.visualBias = param([numNodes + 1, vis], 7);
      this.features = frozen(new Float32Array(numItems * featureDim), [numItems, featureDim]);
    }
    this.parentOf = frozen(Int32Array.from({ length: numNodes }, (_, c) => c), [numNodes]);
    this.rootMask = frozen(new Float32Array(numNodes).fill(1), [numNodes, 1]);
    this.itemPath = frozen(new Int32Array(numItems * levels).fill(numNodes), [numItems, levels]);
    this.itemLeaf = frozen(new Int32Array(numItems).fill(numNodes), [numItems]);
  }

  /**
   * Writes the data's structure into the model (before training).
   * @throws Error when the tree, leaves or features do not fit the model's sizes.
   */
  setStructure(structure: SecondHandStructure): void {
    const { tree, itemLeaf } = structure;
    const N = this.base.shape[0]!;
    const { path, leaf } = itemPaths(tree, itemLeaf, { numNodes: N, levels: this.levels, numItems: this.numItems }, 'SecondHandModel');
    if (this.features && structure.features?.length !== this.features.size) {
      throw new Error(`SecondHandModel: expected ${this.features.size} visual feature values (${this.numItems} items × ${this.features.shape[1]}), got ${structure.features?.length ?? 'none'}`);
    }
    this.parentOf.assign(Int32Array.from({ length: N }, (_, c) => (tree.parents[c]! >= 0 ? tree.parents[c]! : c)));
    this.#dropPlan();
    this.rootMask.assign(Float32Array.from({ length: N }, (_, c) => (tree.parents[c]! < 0 ? 1 : 0)));
    this.itemPath.assign(path);
    this.itemLeaf.assign(leaf);
    if (this.features) this.features.assign(structure.features!);
  }

  /**
   * e_c^cat of every node (eq. 1), plus a zero row at index numNodes (a missing level). Level by
   * level: the roots' e^base, then each depth's W_c applied to its parents' rows of the level
   * above, so every node's matrix is applied once. Where the tree cannot be read on the host
   * synchronously (webgpu), m − 1 rounds over every node instead (r ← root ? e^base : W_c r_γ(c)
   * gives each node at depth k its value after round k): the same products, m − 1 times the work.
   * `byRounds` asks for that way on any backend (the two agree; tested).
   */
  categoryVectors(options: { byRounds?: boolean } = {}): Tensor {
    const zero = tensor(new Float32Array(this.dim), [1, this.dim]);
    const plan = options.byRounds ? null : this.#levelPlan();
    if (!plan) {
      let reps: Tensor = this.base;
      const notRoot = sub(1, this.rootMask);
      for (let round = 1; round < this.levels; round++) {
        const parents = gather(reps, this.parentOf);
        const moved = reshape(matmul(this.transforms, expandDims(parents, 2)), [parents.shape[0]!, this.dim]);
        reps = add(mul(this.rootMask, this.base), mul(notRoot, moved));
      }
      return concat([reps, zero], 0);
    }
    const levels: Tensor[] = [gather(this.base, plan.nodes[0]!)];
    for (let depth = 1; depth < plan.nodes.length; depth++) {
      const parents = gather(levels[depth - 1]!, plan.parentRows[depth]!);
      levels.push(gatherMatvec(this.transforms, plan.nodes[depth]!, parents));
    }
    return gather(concat([...levels, zero], 0), plan.rowOfNode);
  }

  #plan?: { nodes: Tensor[]; parentRows: Tensor[]; rowOfNode: Tensor } | null;

  #dropPlan(): void {
    if (this.#plan) for (const t of [...this.#plan.nodes, ...this.#plan.parentRows, this.#plan.rowOfNode]) t.dispose();
    this.#plan = undefined;
  }

  /**
   * The tree read level by level from `parentOf` (built once, again after setStructure): each
   * depth's nodes, each one's parent's row within the level above, and each node's row in the
   * levels stacked (numNodes: the zero row). Null when the backend cannot read synchronously.
   */
  #levelPlan(): { nodes: Tensor[]; parentRows: Tensor[]; rowOfNode: Tensor } | null {
    if (this.#plan !== undefined) return this.#plan;
    let parents: Int32Array;
    try {
      parents = this.parentOf.readSync() as Int32Array;
    } catch {
      return (this.#plan = null);
    }
    const N = parents.length;
    // A root points to itself in parentOf; CategoryTree wants −1 there, and checks the links.
    const tree = CategoryTree.fromParents(Array.from({ length: N }, (_, c) => `node ${c}`), Int32Array.from(parents, (p, c) => (p === c ? -1 : p)), 'SecondHandModel.parentOf');
    const byDepth = Array.from({ length: tree.levels }, (_, d) => tree.level(d));
    const rowInLevel = new Int32Array(N);
    const rowOfNode = new Int32Array(N + 1);
    let offset = 0;
    byDepth.forEach((nodes) => {
      nodes.forEach((c, r) => ((rowInLevel[c] = r), (rowOfNode[c] = offset + r)));
      offset += nodes.length;
    });
    rowOfNode[N] = offset;
    const kept = (values: Int32Array): Tensor => keep(tensor(values));
    this.#plan = {
      nodes: byDepth.map((nodes) => kept(nodes)),
      parentRows: byDepth.map((nodes, d) => kept(d === 0 ? new Int32Array(0) : Int32Array.from(nodes, (c) => rowInLevel[parents[c]!]!))),
      rowOfNode: kept(rowOfNode),
    };
    return this.#plan;
  }

  /** e_i^item (eq. 3) of `items` (i32 [n]) given the category vectors → [n, m·d + d_vis]. */
  itemVectors(items: Tensor, categories: Tensor): Tensor {
    const n = items.size;
    const path = reshape(gather(this.itemPath, items), [n * this.levels]);
    const hierarchy = reshape(gather(categories, path), [n, this.levels * this.dim]);
    if (!this.features) return hierarchy;
    const leaf = gather(this.itemLeaf, items);
    const f = gather(this.features, items);
    const visual = add(gatherMatvec(this.visualTransforms!, leaf, f), gather(this.visualBias!, leaf));
    return concat([hierarchy, visual], 1);
  }

  /** score(u, i) (eq. 6) of aligned `users` and `items` (i32 [n]) → f32 [n]. */
  score(users: Tensor, items: Tensor, categories = this.categoryVectors()): Tensor {
    const e = add(this.itemVectors(items, categories), gather(this.userShift, users));
    let p = gather(this.userLevels, users);
    if (this.features) p = concat([p, add(gather(this.userVisual!, users), gather(this.userLeafBias!, gather(this.itemLeaf, items)))], 1);
    return sum(mul(p, e), 1);
  }

  /**
   * The item side of eq. 6 as one dot product: with u's vector split as p_u (levels, then
   * p_u^vis), s_u = p_u^bias and q_i = b_δ(i)^user,
   *   score(u, i) = ⟨p_u ⊕ s_u^vis, e_i ⊕ q_i⟩ + ⟨p_u, s_u⟩ + ⟨q_i, e_i^vis⟩,
   * so `rows` = e_i ⊕ q_i and `own` = ⟨q_i, e_i^vis⟩ (0 without a visual part).
   */
  #itemSide(items: Tensor, categories: Tensor): { rows: Tensor; own: Tensor | undefined } {
    const e = this.itemVectors(items, categories);
    if (!this.features) return { rows: e, own: undefined };
    const q = gather(this.userLeafBias!, gather(this.itemLeaf, items));
    const D = this.levels * this.dim;
    return { rows: concat([e, q], 1), own: sum(mul(q, slice(e, [0, D], [items.size, this.visualDim])), 1) };
  }

  /** The user side: `rows` = p_u ⊕ s_u^vis and `own` = ⟨p_u, s_u⟩ of `users` (all when undefined). */
  #userSide(users?: Tensor): { rows: Tensor; own: Tensor } {
    const pick = (t: Parameter): Tensor => (users ? gather(t, users) : t);
    const shift = pick(this.userShift);
    let p = pick(this.userLevels);
    if (this.userVisual) p = concat([p, pick(this.userVisual)], 1);
    const own = sum(mul(p, shift), 1);
    if (!this.features) return { rows: p, own };
    const n = shift.shape[0]!;
    return { rows: concat([p, slice(shift, [0, this.levels * this.dim], [n, this.visualDim])], 1), own };
  }

  /** Scores of every user (columns) for each of `items` (rows) → [n, numUsers]: the logits of J2's softmax over users (eq. 8). */
  scoreAllUsers(items: Tensor, categories = this.categoryVectors()): Tensor {
    const item = this.#itemSide(items, categories);
    const user = this.#userSide();
    const scores = add(matmul(item.rows, user.rows, { transposeB: true }), expandDims(user.own, 0));
    return item.own ? add(scores, expandDims(item.own, 1)) : scores;
  }

  /** Scores of `users` against every item, row-major; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const scores = tidy(() =>
      noGrad(() => {
        const user = this.#userSide(tensor(users));
        const item = this.#itemSide(allItems(this.numItems), this.categoryVectors());
        const s = add(matmul(user.rows, item.rows, { transposeB: true }), expandDims(user.own, 1));
        return item.own ? add(s, expandDims(item.own, 0)) : s;
      }),
    );
    return readAndDispose(scores);
  }
}

/** The item ids 0 … numItems − 1 as an i32 tensor. */
export function allItems(numItems: number): Tensor {
  return tensor(Int32Array.from({ length: numItems }, (_, i) => i));
}

/**
 * Each item's category per level ([numItems × levels], `numNodes` past a short path or for an
 * item without a category) and its deepest category (`numNodes` for none), checked against a
 * model's sizes.
 * @throws Error naming `owner` when the tree, the leaves and the sizes disagree.
 */
export function itemPaths(tree: CategoryTree, itemLeaf: Int32Array, sizes: { numNodes: number; levels: number; numItems: number }, owner: string): { path: Int32Array; leaf: Int32Array } {
  const { numNodes: N, levels: m, numItems } = sizes;
  if (tree.size !== N) throw new Error(`${owner}: the tree has ${tree.size} nodes, the model ${N}`);
  if (tree.levels > m) throw new Error(`${owner}: the tree has ${tree.levels} levels, the model ${m}`);
  if (itemLeaf.length !== numItems) throw new Error(`${owner}: ${itemLeaf.length} item leaves for ${numItems} items`);
  const path = new Int32Array(numItems * m).fill(N);
  const leaf = new Int32Array(numItems).fill(N);
  itemLeaf.forEach((c, i) => {
    if (c < 0) return;
    if (!(c < N)) throw new Error(`${owner}: item ${i}'s category ${c} is not a node of the tree (${N} nodes)`);
    leaf[i] = c;
    path.set(tree.pathOf(c), i * m);
  });
  return { path, leaf };
}

/** An untrained tensor kept (and saved) with the parameters. */
export function frozen(values: Float32Array | Int32Array, shape: number[]): Parameter {
  const p = new Parameter(values, shape);
  p.requiresGrad = false;
  return p;
}
