/**
 * A trained model with its id maps: answers by raw ids, as `rec recommend`, the
 * server and the browser ask, without the dataset.
 */
import { IdMap, type RawId, type UserItemCSR } from '@rec/data';
import type { ModelOutput } from './data.js';
import { requireOutput, topKFor } from './inference.js';
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
  }

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

  /**
   * The index of user `raw`.
   * @throws Error naming the id and a few known ones when it is unknown.
   */
  userIndex(raw: RawId): number {
    const u = StandaloneModel.indexOf(this.users, raw);
    if (u < 0) {
      const examples = Array.from({ length: Math.min(3, this.users.size) }, (_, i) => JSON.stringify(this.users.idOf(i)));
      const from = this.data ? ` of ${this.data.name}` : '';
      throw new Error(`unknown user id '${raw}': the model knows no such user${from} (${this.users.size.toLocaleString('en-US')} users; ids such as ${examples.join(', ')})`);
    }
    return u;
  }

  /**
   * The index of item `raw`.
   * @throws Error naming the id when it is unknown.
   */
  itemIndex(raw: RawId): number {
    const i = StandaloneModel.indexOf(this.items, raw);
    if (i < 0) throw new Error(`unknown item id '${raw}': the model knows no such item (${this.items.size.toLocaleString('en-US')} items)`);
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
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
    requireOutput(this.trained.model, output, this.name, this.outputs);
    const indexes = Int32Array.from(users, (raw) => this.userIndex(raw));
    const exclude = output === 'items' && options.excludeSeen !== false ? this.seen : undefined;
    const tops = await topKFor(this.trained.model, output, indexes, k, exclude);
    return tops.map((top) =>
      [...top.items].map((index, r) => {
        const id = output === 'items' ? this.items.idOf(index) : index;
        const name = output === 'items' ? this.ids.itemNames?.[index] : this.ids.categories?.[index];
        return { rank: r + 1, id, ...(name !== undefined ? { name } : {}), score: top.scores[r] };
      }),
    );
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
    requireOutput(this.trained.model, 'ratings', this.name, this.outputs);
    const users = Int32Array.from(pairs, (p) => this.userIndex(p.user));
    const items = Int32Array.from(pairs, (p) => this.itemIndex(p.item));
    return this.trained.model.predictRatings!(users, items);
  }
}
