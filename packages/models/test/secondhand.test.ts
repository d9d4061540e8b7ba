/**
 * The second-hand model (OurModel): eq. 1 composes a path by hand, eq. 3–6 score as written,
 * the three scoring paths agree, an item never trained on is scored from its category, and
 * J1's negatives come only from the positive's own category or its siblings.
 */
import { tensor } from '@rec/core';
import { CategoryTree, createInteractions } from '@rec/data';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrainedModel, saveTrainedModel } from '../src/node.js';
import { categorySampling, DeepStyle, parseModelConfig, SecondHandModel, SecondHandObjective, trainModel, VBPR } from '../src/index.js';


/** Roots A (0) and B (1); A → x (2) → y (3); B → z (4). */
const tree = CategoryTree.fromParents(['A', 'B', 'x', 'y', 'z'], [-1, -1, 0, 2, 1]);

const read = (t: { readSync(): unknown }) => Array.from(t.readSync() as Float32Array);
const matVec = (w: number[], at: number, v: number[]) => v.map((_, r) => v.reduce((s, x, c) => s + w[at + r * v.length + c]! * x, 0));

describe('second-hand model, eq. 1–6', () => {
  it('eq. 1 composes each category from its parent; eq. 3 concatenates the path, zeros past a short one', () => {
    const d = 2;
    const model = new SecondHandModel({ numUsers: 1, numItems: 2, numNodes: 5, levels: 3, dim: d, featureDim: 0, seed: 1 });
    // Item 0 sits at y (path A, x, y); item 1 at B (one level).
    model.setStructure({ tree, itemLeaf: Int32Array.of(3, 1) });
    const base = [1, 2, 3, 4, 0, 0, 0, 0, 0, 0];
    const W = Array.from({ length: 5 * d * d }, (_, k) => (k % 3) - 1 + 0.5 * Math.floor(k / 4));
    model.base.assign(Float32Array.from(base));
    model.transforms.assign(Float32Array.from(W));
    const eA = [1, 2];
    const eB = [3, 4];
    const ex = matVec(W, 2 * d * d, eA);
    const ey = matVec(W, 3 * d * d, ex);
    const ez = matVec(W, 4 * d * d, eB);
    const reps = read(model.categoryVectors());
    expect(reps).toEqual([...eA, ...eB, ...ex, ...ey, ...ez, 0, 0].map((v) => expect.closeTo(v, 5)));
    // Rounds over every node (the webgpu path) give the same vectors.
    expect(read(model.categoryVectors({ byRounds: true }))).toEqual(reps);
    const items = read(model.itemVectors(tensor(Int32Array.of(0, 1)), model.categoryVectors()));
    expect(items).toEqual([...eA, ...ex, ...ey, ...eB, 0, 0, 0, 0].map((v) => expect.closeTo(v, 5)));
  });

  it('eq. 4–6 with a visual part: score, the all-users logits and the ranking scores agree with the equations', () => {
    const [U, I, F, d] = [3, 4, 3, 2];
    const model = new SecondHandModel({ numUsers: U, numItems: I, numNodes: 5, levels: 3, dim: d, featureDim: F, visualDim: 2, seed: 7, initStd: 0.5 });
    const features = Float32Array.from({ length: I * F }, (_, k) => Math.sin(k + 1));
    const leaves = Int32Array.of(3, 1, 4, -1);
    model.setStructure({ tree, itemLeaf: leaves, features });
    const reps = read(model.categoryVectors());
    const P = read(model.userLevels), S = read(model.userShift), V = read(model.userVisual!), BU = read(model.userLeafBias!);
    const WI = read(model.visualTransforms!), BI = read(model.visualBias!);
    const N = 5, m = 3, dv = 2;
    const expected = (u: number, i: number): number => {
      const leaf = leaves[i]! < 0 ? N : leaves[i]!;
      const path = leaves[i]! < 0 ? [] : Array.from(tree.pathOf(leaves[i]!));
      const e: number[] = [];
      for (let k = 0; k < m; k++) e.push(...(k < path.length ? reps.slice(path[k]! * d, path[k]! * d + d) : [0, 0]));
      const f = Array.from(features.subarray(i * F, (i + 1) * F));
      const vis = Array.from({ length: dv }, (_, r) => BI[leaf * dv + r]! + f.reduce((s, x, c) => s + WI[leaf * dv * F + r * F + c]! * x, 0));
      e.push(...vis);
      const p = [...P.slice(u * m * d, (u + 1) * m * d), ...Array.from({ length: dv }, (_, r) => V[u * dv + r]! + BU[leaf * dv + r]!)];
      return p.reduce((s, x, k) => s + x * (e[k]! + S[u * (m * d + dv) + k]!), 0); // eq. 5, 6
    };
    const users = Int32Array.from({ length: U * I }, (_, k) => Math.floor(k / I));
    const items = Int32Array.from({ length: U * I }, (_, k) => k % I);
    const want = Array.from(users, (u, k) => expected(u, items[k]!));
    expect(read(model.score(tensor(users), tensor(items)))).toEqual(want.map((v) => expect.closeTo(v, 4)));
    // scoreAllUsers is [items, users]; scoreUsers is [users, items].
    const all = read(model.scoreAllUsers(tensor(Int32Array.from({ length: I }, (_, i) => i))));
    expect(all).toEqual(Array.from({ length: I * U }, (_, k) => expect.closeTo(expected(k % U, Math.floor(k / U)), 4)));
    expect(Array.from(model.scoreUsers(Int32Array.of(0, 1, 2)) as Float32Array)).toEqual(want.map((v) => expect.closeTo(v, 4)));
  });

  it("J1's negatives come from the positive's own category or a sibling under the same parent, never the user's items", () => {
    // root R (0) → a (1), b (2), c (3); a → a1 (4), a2 (5). Items: 12 each in a1, a2, b and c; none directly in a or R.
    const wide = CategoryTree.fromParents(['R', 'a', 'b', 'c', 'a1', 'a2'], [-1, 0, 0, 0, 1, 1]);
    const itemLeaf = Int32Array.from({ length: 48 }, (_, i) => [4, 5, 2, 3][Math.floor(i / 12)]!);
    const sampling = categorySampling(wide, itemLeaf);
    // Siblings that hold items: a → b, c; b → c only (a holds none); c → b; a1 ↔ a2; R and the no-category row → none.
    expect(Array.from(sampling.siblings.indptr.readSync() as Int32Array)).toEqual([0, 0, 2, 3, 4, 5, 6, 6]);
    expect(Array.from(sampling.siblings.indices.readSync() as Int32Array)).toEqual([2, 3, 3, 2, 5, 4]);
    const pairs: [number, number][] = [];
    for (let u = 0; u < 8; u++) for (let k = 0; k < 6; k++) pairs.push([u, (u * 5 + k * 8) % 48]);
    const unique = [...new Map(pairs.map((p) => [`${p[0]},${p[1]}`, p])).values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    const indptr = new Int32Array(9);
    for (const [u] of unique) indptr[u + 1]!++;
    for (let u = 0; u < 8; u++) indptr[u + 1]! += indptr[u]!;
    const rated = { indptr, indices: Int32Array.from(unique, ([, i]) => i) };
    const model = new SecondHandModel({ numUsers: 8, numItems: 48, numNodes: 6, levels: 3, dim: 2, featureDim: 0, seed: 1 });
    model.setStructure({ tree: wide, itemLeaf });
    const objective = new SecondHandObjective(model, rated, { tree: wide, itemLeaf }, { batchSize: 16, negatives: 8, siblingRate: 0.5, seed: 3, beta1: 0.75, beta2: 0.25 });
    let fromSibling = 0;
    let total = 0;
    for (let epoch = 0; epoch < 4; epoch++) {
      for (let b = 0; b < objective.batches(); b++) {
        const batch = objective.prepare(epoch, b) as { users: Int32Array; positives: Int32Array; negatives: Int32Array };
        batch.negatives.forEach((j, k) => {
          const own = itemLeaf[batch.positives[k]!]!;
          expect([own, ...wide.siblings(own)]).toContain(itemLeaf[j]!);
          const u = batch.users[k]!;
          expect(Array.from(rated.indices.subarray(rated.indptr[u]!, rated.indptr[u + 1]!))).not.toContain(j);
          if (itemLeaf[j] !== own) fromSibling++;
          total++;
        });
      }
    }
    // Every leaf here has a sibling with items, so about half the draws (siblingRate 0.5) leave the positive's category.
    expect(fromSibling / total).toBeGreaterThan(0.4);
    expect(fromSibling / total).toBeLessThan(0.6);
  });
});

describe('second-hand model, training', () => {
  it('scores an item nobody trained on from its category: a group prefers the unseen item of its own category', async () => {
    // Two first-level categories, 10 items each; users 0–19 buy in A, 20–39 in B. Item 9 (A) and
    // item 19 (B) are never bought.
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < 40; u++) {
      const offset = u < 20 ? 0 : 10;
      for (let k = 0; k < 5; k++) (users.push(u), items.push(offset + ((u + k) % 9)));
    }
    const train = createInteractions({ users: Int32Array.from(users), items: Int32Array.from(items), numUsers: 40, numItems: 20 });
    const twoRoots = CategoryTree.fromParents(['A', 'B'], [-1, -1]);
    const itemLeafCategory = Int32Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
    const trained = await trainModel(parseModelConfig({ model: 'secondhand', dim: 8, epochs: 15, batchSize: 32, learningRate: 0.05, seed: 2 }), {
      train, categoryTree: twoRoots, itemLeafCategory,
    });
    const model = trained.model as SecondHandModel;
    const scores = model.scoreUsers(Int32Array.of(0, 25)) as Float32Array;
    // User 0 (group A) scores the unseen A item above every B item; user 25 the other way round.
    for (let i = 10; i < 20; i++) expect(scores[9]!).toBeGreaterThan(scores[i]!);
    for (let i = 0; i < 10; i++) expect(scores[20 + 19]!).toBeGreaterThan(scores[20 + i]!);

    // Saved and loaded without its dataset (the tree lives in the model), it scores alike.
    const dir = mkdtempSync(join(tmpdir(), 'rec-secondhand-'));
    try {
      await saveTrainedModel(dir, trained, { ids: { users: Array.from({ length: 40 }, (_, u) => u), items: Array.from({ length: 20 }, (_, i) => i) } });
      const loaded = await loadTrainedModel(dir);
      expect(Array.from((await loaded.trained.model.scoreUsers!(Int32Array.of(0, 25))) as Float32Array)).toEqual(Array.from(scores));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('VBPR and its second-hand variants', () => {
  it('x̂_ui = β_i + ⟨γ_u, γ_i⟩ + ⟨θ_u, E f_i⟩ + ⟨β′, f_i⟩; Variant-I drops γ_i and β_i; the three scoring paths agree', () => {
    const [U, I, F] = [3, 4, 5];
    const features = Float32Array.from({ length: I * F }, (_, k) => Math.cos(k));
    for (const dim of [2, 0]) {
      const model = new VBPR({ numUsers: U, numItems: I, featureDim: F, dim, visualDim: 3, seed: 5, initStd: 0.5 });
      model.setStructure({ features });
      if (dim === 0) expect(model.namedParameters().map(([n]) => n)).toEqual(['userVisual', 'embedding', 'visualBias', 'features']);
      model.visualBias.assign(Float32Array.from({ length: F }, (_, k) => 0.1 * (k - 2)));
      model.itemBias?.assign(Float32Array.of(0.3, -0.2, 0.1, 0));
      const gu = model.userFactors ? read(model.userFactors) : [], gi = model.itemFactors ? read(model.itemFactors) : [];
      const bi = model.itemBias ? read(model.itemBias) : [0, 0, 0, 0];
      const th = read(model.userVisual), E = read(model.embedding), bv = read(model.visualBias);
      const expected = (u: number, i: number): number => {
        const f = Array.from(features.subarray(i * F, (i + 1) * F));
        const Ef = [0, 1, 2].map((r) => f.reduce((s, x, c) => s + E[r * F + c]! * x, 0));
        let x = bi[i]! + Ef.reduce((s, v, r) => s + th[u * 3 + r]! * v, 0) + f.reduce((s, v, c) => s + bv[c]! * v, 0);
        for (let k = 0; k < dim; k++) x += gu[u * dim + k]! * gi[i * dim + k]!;
        return x;
      };
      const users = Int32Array.from({ length: U * I }, (_, k) => Math.floor(k / I));
      const items = Int32Array.from({ length: U * I }, (_, k) => k % I);
      const want = Array.from(users, (u, k) => expected(u, items[k]!));
      expect(read(model.score(tensor(users), tensor(items)))).toEqual(want.map((v) => expect.closeTo(v, 4)));
      expect(read(model.scoreAllUsers(tensor(Int32Array.of(0, 1, 2, 3))))).toEqual(Array.from({ length: I * U }, (_, k) => expect.closeTo(expected(k % U, Math.floor(k / U)), 4)));
      expect(Array.from(model.scoreUsers(Int32Array.of(0, 1, 2)) as Float32Array)).toEqual(want.map((v) => expect.closeTo(v, 4)));
    }
  });

  it('VBPR-II learns from images alone: an item nobody trained on ranks by what it looks like', async () => {
    // 20 items, feature 0 is +1 for items 0–9 and −1 for 10–19 (plus noise in the others); users
    // 0–19 buy among 0–8, users 20–39 among 10–18. Items 9 and 19 are never bought.
    const features = Float32Array.from({ length: 20 * 4 }, (_, k) => (k % 4 === 0 ? (Math.floor(k / 4) < 10 ? 1 : -1) : 0.1 * Math.sin(k)));
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < 40; u++) for (let k = 0; k < 5; k++) (users.push(u), items.push((u < 20 ? 0 : 10) + ((u + k) % 9)));
    const train = createInteractions({ users: Int32Array.from(users), items: Int32Array.from(items), numUsers: 40, numItems: 20 });
    const trained = await trainModel(parseModelConfig({ model: 'vbpr-ii', dim: 4, epochs: 15, batchSize: 32, learningRate: 0.05, seed: 2 }), {
      train, itemFeatures: { image: { rows: 20, dim: 4, values: features } },
    });
    const scores = (trained.model as VBPR).scoreUsers(Int32Array.of(0, 25)) as Float32Array;
    for (let i = 10; i < 20; i++) expect(scores[9]!).toBeGreaterThan(scores[i]!);
    for (let i = 0; i < 10; i++) expect(scores[20 + 19]!).toBeGreaterThan(scores[20 + i]!);
  });
});

describe('Sherlock and DeepStyle', () => {
  /** Items 0 at y (A, x, y), 1 at B, 2 at z (B, z), 3 without a category. */
  const leaves = Int32Array.of(3, 1, 4, -1);
  const [U, I, F] = [3, 4, 3];
  const features = Float32Array.from({ length: I * F }, (_, k) => Math.sin(2 * k + 1));
  const users = Int32Array.from({ length: U * I }, (_, k) => Math.floor(k / I));
  const items = Int32Array.from({ length: U * I }, (_, k) => k % I);
  const agree = (model: { score(u: ReturnType<typeof tensor>, i: ReturnType<typeof tensor>): { readSync(): unknown }; scoreAllUsers(i: ReturnType<typeof tensor>): { readSync(): unknown }; scoreUsers(u: Int32Array): unknown }, expected: (u: number, i: number) => number) => {
    const want = Array.from(users, (u, k) => expected(u, items[k]!));
    expect(read(model.score(tensor(users), tensor(items)))).toEqual(want.map((v) => expect.closeTo(v, 4)));
    expect(read(model.scoreAllUsers(tensor(Int32Array.of(0, 1, 2, 3))))).toEqual(Array.from({ length: I * U }, (_, k) => expect.closeTo(expected(k % U, Math.floor(k / U)), 4)));
    expect(Array.from(model.scoreUsers(Int32Array.of(0, 1, 2)) as Float32Array)).toEqual(want.map((v) => expect.closeTo(v, 4)));
  };

  it("Sherlock projects each level's segment by the matrix of the item's category at that level, zeros past a short path", () => {
    // K' = 7 over 3 levels: segments of ⌊7 / 4⌋ = 1 row per level, 4 shared rows.
    const model = new VBPR({ numUsers: U, numItems: I, featureDim: F, dim: 0, visualDim: 7, hierarchy: { numNodes: 5, levels: 3 }, seed: 3, initStd: 0.5 });
    model.setStructure({ features, tree, itemLeaf: leaves });
    expect(model.embedding.shape).toEqual([4, F]);
    expect(model.nodeProjections!.shape).toEqual([6, 1, F]);
    model.visualBias.assign(Float32Array.from({ length: F }, (_, k) => 0.2 * (k - 1)));
    const th = read(model.userVisual), E0 = read(model.embedding), En = read(model.nodeProjections!), bv = read(model.visualBias);
    const expected = (u: number, i: number): number => {
      const f = Array.from(features.subarray(i * F, (i + 1) * F));
      const dot = (w: number[], at: number) => f.reduce((s, x, c) => s + w[at + c]! * x, 0);
      const path = leaves[i]! < 0 ? [] : Array.from(tree.pathOf(leaves[i]!));
      const projected = [0, 1, 2, 3].map((r) => dot(E0, r * F));
      for (let l = 0; l < 3; l++) projected.push(l < path.length ? dot(En, path[l]! * F) : 0);
      return projected.reduce((s, v, r) => s + th[u * 7 + r]! * v, 0) + dot(bv, 0);
    };
    agree(model, expected);
    expect(() => model.setStructure({ features })).toThrow(/Sherlock: needs the category tree/);
  });

  it('DeepStyle scores ⟨p_u, E f_i − l_c(i) + v_i⟩ with c(i) the deepest category; Variant-I drops v_i', () => {
    for (const itemFactors of [true, false]) {
      const model = new DeepStyle({ numUsers: U, numItems: I, numNodes: 5, featureDim: F, dim: 2, itemFactors, seed: 4, initStd: 0.5 });
      model.setStructure({ features, tree, itemLeaf: leaves });
      const p = read(model.userFactors), E = read(model.embedding), l = read(model.categoryOffsets), v = model.itemFactors ? read(model.itemFactors) : undefined;
      const expected = (u: number, i: number): number => {
        const c = leaves[i]! < 0 ? 5 : leaves[i]!;
        return [0, 1].reduce((s, r) => {
          const style = Array.from(features.subarray(i * F, (i + 1) * F)).reduce((a, x, k) => a + E[r * F + k]! * x, 0) - l[c * 2 + r]! + (v ? v[i * 2 + r]! : 0);
          return s + p[u * 2 + r]! * style;
        }, 0);
      };
      agree(model, expected);
    }
    const flat = new DeepStyle({ numUsers: U, numItems: I, numNodes: 5, featureDim: F, dim: 2, itemFactors: false, seed: 4 });
    expect(() => flat.setStructure({ features })).toThrow(/DeepStyle: the model has 5 categories but was given no tree/);
  });

  it('Sherlock-II and DeepStyle-II train from images and categories: an item nobody trained on ranks by what it looks like', async () => {
    const image = Float32Array.from({ length: 20 * 4 }, (_, k) => (k % 4 === 0 ? (Math.floor(k / 4) < 10 ? 1 : -1) : 0.1 * Math.sin(k)));
    const users: number[] = [];
    const bought: number[] = [];
    for (let u = 0; u < 40; u++) for (let k = 0; k < 5; k++) (users.push(u), bought.push((u < 20 ? 0 : 10) + ((u + k) % 9)));
    const train = createInteractions({ users: Int32Array.from(users), items: Int32Array.from(bought), numUsers: 40, numItems: 20 });
    // Two roots, each with two children; the category is unrelated to who buys (half of each group in each).
    const twoLevels = CategoryTree.fromParents(['A', 'B', 'a1', 'a2', 'b1'], [-1, -1, 0, 0, 1]);
    const itemLeafCategory = Int32Array.from({ length: 20 }, (_, i) => [2, 3, 4][i % 3]!);
    for (const model of ['sherlock-ii', 'deepstyle-ii']) {
      const trained = await trainModel(parseModelConfig({ model, dim: 6, epochs: 15, batchSize: 32, learningRate: 0.05, seed: 2 }), {
        train, itemFeatures: { image: { rows: 20, dim: 4, values: image } }, categoryTree: twoLevels, itemLeafCategory,
      });
      const scores = trained.model.scoreUsers!(Int32Array.of(0, 25)) as Float32Array;
      for (let i = 10; i < 20; i++) expect(scores[9]!, `${model}: user 0, item 9 over ${i}`).toBeGreaterThan(scores[i]!);
      for (let i = 0; i < 10; i++) expect(scores[20 + 19]!, `${model}: user 25, item 19 over ${i}`).toBeGreaterThan(scores[20 + i]!);
    }
  });
});
