/**
 * A trained model with its id maps: answers by raw ids, as `rec recommend`, the
 * server and the browser ask, without the dataset.
 */
import { keep, tidy } from '@rec/core';
import { IdMap, type RawId, type UserItemCSR } from '@rec/data';
import { topKIndices } from '@rec/eval';
import type { ModelOutput } from './data.js';
import { FactorFoldIn, type FoldInOptions, type HostFactors, hostFactors, ItemNeighbours } from './fold-in.js';
import { factorsOf, hasFactors, type Predictor, requireOutput, type TopK, topKFor, topKOfVectors } from './inference.js';
import type { DataIdentity, DecodedSavedModel, RawIds, SavedModelManifest } from './saved.js';
import type { TrainedModel } from './train.js';

/** One recommended item or category, by raw id. */
export interface Recommendation {
  readonly rank: number;
  /** The raw item id, or the category's index (category names need not be unique: "Aisle 1" under two departments). */
  readonly id: RawId;
  /** The item's or category's name, where the data has names. */
  readonly name?: string;
  readonly score: number;
}

/** Options of {@link StandaloneModel.recommend}. */
export interface RecommendOptions {
  /** How many (default 10). */
  k?: number;
  /** `items` (default) or `categories`, among the model's outputs. */
  output?: 'items' | 'categories';
  /** Leave out the user's training items (default true; items output only). */
  excludeSeen?: boolean;
  /** Only items of this category: its name (when unique) or its index (items output only). */
  category?: string | number;
}

/** Options of {@link StandaloneModel.recommendForItems}. */
export interface FoldInRecommendOptions {
  /** How many (default 10). */
  k?: number;
  /** Leave out the given items (default true). */
  excludeGiven?: boolean;
  /** Only items of this category: its name (when unique) or its index. */
  category?: string | number;
}

/** A raw id the model does not know (a server answers 404). */
export class UnknownIdError extends Error {
  override readonly name = 'UnknownIdError';
}

/**
 * A request the model cannot answer by its nature (no such output, no fold-in, no item
 * vectors, no item categories); the message says why (a server answers 422).
 */
export class UnsupportedRequestError extends Error {
  override readonly name = 'UnsupportedRequestError';
}

/** What a loaded model can answer, beyond its outputs. */
export interface ModelAbilities {
  readonly outputs: readonly ModelOutput[];
  /** Recommends for a new user from a list of their items, and how. */
  readonly foldIn: 'factors' | 'encoder' | false;
  /** Finds an item's nearest items. */
  readonly similarItems: boolean;
  /** Filters recommendations by item category. */
  readonly categoryFilter: boolean;
}

/**
 * A model with the raw ids of its index spaces and each user's training items.
 * @example
 * ```ts
 * const model = await loadTrainedModel('runs/ml-100k/bpr'); // from '@rec/models/node'
 * const top = await model.recommend('196', { k: 5 }); // [{ rank: 1, id: 50, name: 'Star Wars (1977)', score: 3.1 }, …]
 * ```
 */
export class StandaloneModel {
  readonly users: IdMap<RawId>;
  readonly items: IdMap<RawId>;

  constructor(
    readonly trained: TrainedModel,
    readonly ids: RawIds,
    /** Each user's training items of the target behaviour. */
    readonly seen?: UserItemCSR,
    readonly manifest?: SavedModelManifest,
  ) {
    this.users = new IdMap(ids.users);
    this.items = new IdMap(ids.items);
    [this.#ranker, this.#release] = withFrozenFactors(trained.model);
  }

  /**
   * The model as the queries below use it: its dot-product factors derived once (GMF's
   * weights, NMTR's summed item biases) instead of on every request. A standalone model
   * wraps a finished model; train it further and wrap it again.
   */
  readonly #ranker: Predictor;
  /** Frees what {@link #ranker} derived. */
  readonly #release: () => void;

  /** A decoded saved model folder. */
  static from(decoded: DecodedSavedModel): StandaloneModel {
    return new StandaloneModel(decoded.trained, decoded.ids, decoded.seen, decoded.manifest);
  }

  get name(): string {
    return this.trained.name;
  }

  get outputs(): readonly ModelOutput[] {
    return this.trained.definition.outputs;
  }

  /** The data the model was trained on, as its folder records it. */
  get data(): DataIdentity | undefined {
    return this.manifest?.data;
  }

  /**
   * The dense index of a raw id typed by a person: ids keep their type, so `"1003"` is
   * tried as a string and then as the number 1003.
   * @returns the index, or −1 when unknown.
   */
  static indexOf(ids: IdMap<RawId>, raw: RawId): number {
    const direct = ids.indexOf(raw);
    if (direct >= 0 || typeof raw !== 'string') return direct;
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? ids.indexOf(n) : -1;
  }

  #unknownUserTail?: string;
  #itemCount?: string;

  /**
   * The index of user `raw`.
   * @throws Error naming the id and a few known ones when it is unknown.
   */
  userIndex(raw: RawId): number {
    const u = StandaloneModel.indexOf(this.users, raw);
    if (u < 0) {
      // Built once: a server answers this for every unknown id it is sent (Intl formatting costs ~10 µs a call).
      this.#unknownUserTail ??= (() => {
        const examples = Array.from({ length: Math.min(3, this.users.size) }, (_, i) => JSON.stringify(this.users.idOf(i)));
        const from = this.data ? ` of ${this.data.name}` : '';
        return `the model knows no such user${from} (${this.users.size.toLocaleString('en-US')} users; ids such as ${examples.join(', ')})`;
      })();
      throw new UnknownIdError(`unknown user id '${raw}': ${this.#unknownUserTail}`);
    }
    return u;
  }

  /**
   * The index of item `raw`.
   * @throws Error naming the id when it is unknown.
   */
  itemIndex(raw: RawId): number {
    const i = StandaloneModel.indexOf(this.items, raw);
    if (i < 0) throw new UnknownIdError(`unknown item id '${raw}': the model knows no such item (${(this.#itemCount ??= this.items.size.toLocaleString('en-US'))} items)`);
    return i;
  }

  /** How many training items `excludeSeen` leaves out for user index `u`. */
  seenCount(u: number): number {
    return this.seen ? this.seen.rowLength(u) : 0;
  }

  /**
   * The top K items (or categories) of each of `users`, by raw id, scored in one batch.
   * @throws Error on an unknown user, an output the model lacks, or a bad `k`.
   */
  async recommendMany(users: readonly RawId[], options: RecommendOptions = {}): Promise<Recommendation[][]> {
    const output = options.output ?? 'items';
    const k = checkK(options.k);
    this.#require(output);
    if (output !== 'items' && options.category !== undefined) throw new UnsupportedRequestError('a category filter applies to items, not to categories');
    const indexes = Int32Array.from(users, (raw) => this.userIndex(raw));
    const seen = output === 'items' && options.excludeSeen !== false ? this.seen : undefined;
    const outside = options.category !== undefined ? this.#outsideCategory(options.category) : undefined;
    const exclude = outside ? { rowOf: (u: number) => mergeSorted(seen?.rowOf(u), outside) } : seen;
    const tops = await topKFor(this.#ranker, output, indexes, k, exclude);
    return tops.map((top) => this.#named(top, output));
  }

  /**
   * Checks that the model predicts `output`.
   * @throws UnsupportedRequestError naming what it predicts instead.
   */
  #require(output: ModelOutput): void {
    try {
      requireOutput(this.trained.model, output, this.name, this.outputs);
    } catch (err) {
      throw new UnsupportedRequestError((err as Error).message);
    }
  }

  /** A top K by raw ids (and names). */
  #named(top: TopK, output: 'items' | 'categories'): Recommendation[] {
    return [...top.items].map((index, r) => {
      const id = output === 'items' ? this.items.idOf(index) : index;
      const name = output === 'items' ? this.ids.itemNames?.[index] : this.ids.categories?.[index];
      return { rank: r + 1, id, ...(name !== undefined ? { name } : {}), score: top.scores[r] };
    });
  }

  #categoryIndex(category: string | number): number {
    const names = this.ids.categories;
    if (!names || !this.ids.itemCategories) {
      throw new UnsupportedRequestError(`${this.name}: this model folder keeps no item categories (its data had none, or it was saved before they were kept), so it cannot filter by category`);
    }
    if (typeof category === 'number') {
      if (!(Number.isInteger(category) && category >= 0 && category < names.length)) throw new UnknownIdError(`unknown category ${category}: indexes are 0..${names.length - 1}`);
      return category;
    }
    const matches = names.flatMap((name, c) => (name === category ? [c] : []));
    if (matches.length === 0) throw new UnknownIdError(`unknown category '${category}' (${names.length} categories, such as ${names.slice(0, 3).map((n) => JSON.stringify(n)).join(', ')})`);
    if (matches.length > 1) throw new UnknownIdError(`category name '${category}' is not unique (indexes ${matches.join(', ')}); pass the index`);
    return matches[0]!;
  }

  /** The items outside `category`, sorted (what a category filter masks). */
  #outsideCategory(category: string | number): Int32Array {
    const c = this.#categoryIndex(category);
    const lists = this.ids.itemCategories!;
    const out: number[] = [];
    lists.forEach((list, i) => {
      if (!list.includes(c)) out.push(i);
    });
    return Int32Array.from(out);
  }

  #foldIn?: Promise<FactorFoldIn | undefined>;
  #neighbours?: Promise<ItemNeighbours | undefined>;

  /** The model's factor fold-in, built once (a host copy of the item table and its Gram matrix). */
  foldIn(options?: FoldInOptions): Promise<FactorFoldIn | undefined> {
    if (options) return FactorFoldIn.of(this.#ranker, options);
    return (this.#foldIn ??= FactorFoldIn.of(this.#ranker));
  }

  /** The model's item neighbours, built once (unit item rows). */
  neighbours(): Promise<ItemNeighbours | undefined> {
    return (this.#neighbours ??= ItemNeighbours.of(this.#ranker));
  }

  /**
   * Host copies of the model's dot-product tables, users included, or undefined when it
   * scores otherwise: what an approximate index over its items is built from.
   */
  factorsOnHost(): Promise<HostFactors | undefined> {
    return hostFactors(this.#ranker, { users: true });
  }

  /** What the model can answer, from what it offers (nothing is built). */
  abilities(): ModelAbilities {
    const model = this.#ranker;
    const items = this.outputs.includes('items');
    const factors = items && hasFactors(model);
    const foldIn = !items ? false : factors ? 'factors' : typeof model.scoreHistories === 'function' ? 'encoder' : false;
    return { outputs: this.outputs, foldIn, similarItems: factors || (items && typeof model.itemEmbeddings === 'function'), categoryFilter: items && this.ids.itemCategories !== undefined };
  }

  /**
   * Frees the tensors this wrapper made (its derived factors, the neighbours' unit rows once
   * built); the trained model's own parameters are left alone. Use it no more afterwards.
   */
  dispose(): void {
    this.#release();
    void this.#neighbours?.then((n) => n?.dispose(), () => undefined);
  }

  /**
   * The top K items for a user the model was not trained on, from a list of their items by
   * raw id (most recent last: a sequence model reads the order, a factor model does not).
   * Factor models solve the user's vector against the fixed item factors ({@link FactorFoldIn});
   * sequence models run their encoder over the items.
   * @throws UnknownIdError on an unknown item; UnsupportedRequestError when the model cannot fold in.
   */
  async recommendForItems(itemIds: readonly RawId[], options: FoldInRecommendOptions = {}): Promise<Recommendation[]> {
    const k = checkK(options.k);
    if (itemIds.length === 0) throw new Error('a new user needs at least one item');
    this.#require('items');
    const given = Int32Array.from(itemIds, (raw) => this.itemIndex(raw));
    const sortedGiven = Int32Array.from(new Set(given)).sort();
    let excluded: Int32Array = options.excludeGiven !== false ? sortedGiven : new Int32Array(0);
    if (options.category !== undefined) excluded = mergeSorted(excluded, this.#outsideCategory(options.category));
    const model = this.#ranker;
    const foldIn = await this.foldIn();
    if (foldIn) {
      const [top] = await topKOfVectors(foldIn.solve([given]), () => factorsOf(model)!, k, [excluded]);
      return this.#named(top!, 'items');
    }
    if (typeof model.scoreHistories === 'function') {
      const scores = await model.scoreHistories([given]);
      const top = topKIndices(scores, k, excluded);
      return this.#named({ items: top, scores: Float32Array.from(top, (i) => scores[i]!) }, 'items');
    }
    throw new UnsupportedRequestError(`${this.name} cannot recommend for a new user: it has neither dot-product factors to fold a user into nor an encoder over item histories (a user is a learned row of its own)`);
  }

  /**
   * The `k` items most similar to `item` (cosine between the model's item vectors), the item
   * itself left out.
   * @throws UnknownIdError on an unknown item; UnsupportedRequestError when the model has no item vectors.
   */
  async similarItems(item: RawId, options: { k?: number } = {}): Promise<Recommendation[]> {
    const k = checkK(options.k);
    const i = this.itemIndex(item);
    const neighbours = await this.neighbours();
    if (!neighbours) throw new UnsupportedRequestError(`${this.name} has no item vectors to compare (neither dot-product factors nor item embeddings)`);
    const [top] = await neighbours.similar(Int32Array.of(i), k);
    return this.#named(top!, 'items');
  }

  /** The top K of one user; see {@link recommendMany}. */
  async recommend(user: RawId, options: RecommendOptions = {}): Promise<Recommendation[]> {
    return (await this.recommendMany([user], options))[0];
  }

  /**
   * Predicted ratings of (user, item) pairs by raw ids.
   * @throws Error on an unknown id or when the model predicts no ratings.
   */
  async predictRatings(pairs: readonly { user: RawId; item: RawId }[]): Promise<Float32Array> {
    this.#require('ratings');
    const users = Int32Array.from(pairs, (p) => this.userIndex(p.user));
    const items = Int32Array.from(pairs, (p) => this.itemIndex(p.item));
    return this.trained.model.predictRatings!(users, items);
  }
}

/** `k`, default 10, checked. */
function checkK(k: number | undefined): number {
  const value = k ?? 10;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`k must be a positive integer, got ${value}`);
  return value;
}

/** The sorted union of two sorted index lists (either may be absent). */
function mergeSorted(a: Int32Array | undefined, b: Int32Array): Int32Array {
  if (!a || a.length === 0) return b;
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (n === 0 || out[n - 1] !== next) out[n++] = next;
  }
  return out.subarray(0, n);
}

/**
 * `model` with its dot-product factors derived once, now, and kept (outside every `tidy`
 * scope): a facade whose other methods call the model's own, and the function that frees the
 * derived tensors. A model without factors, or without derived ones, is returned as it is.
 */
function withFrozenFactors(model: Predictor): [Predictor, () => void] {
  const none = (): void => {};
  if (typeof model.dotProductFactors !== 'function') return [model, none];
  const factors = tidy(() => model.dotProductFactors!());
  if (!factors || (!factors.userWeights && !factors.itemBias)) return [model, none];
  const derived = [factors.userWeights, factors.itemBias].filter((t) => t !== undefined);
  for (const t of derived) keep(t);
  const facade: Predictor = { dotProductFactors: () => factors };
  const bindings: Record<string, unknown> = facade as Record<string, unknown>;
  for (const method of ['scoreUsers', 'scoreCategories', 'predictRatings', 'scoreHistories', 'itemEmbeddings'] as const) {
    const fn = model[method] as ((...args: never[]) => unknown) | undefined;
    if (typeof fn === 'function') bindings[method] = fn.bind(model);
  }
  for (const field of ['numItems', 'numCategories'] as const) {
    if (field in model) Object.defineProperty(facade, field, { get: () => (model as Record<string, unknown>)[field] });
  }
  return [facade, () => derived.forEach((t) => t.dispose())];
}
