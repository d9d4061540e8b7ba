/**
 * Approximate top-K for large catalogues: an HNSW index (usearch) over a dot-product
 * model's item rows, searched by the user's row, with its recall against the exact
 * `rank_topk` answer measured on a sample of users when it is built.
 */
import type { Recommendation, StandaloneModel } from '@rec/models';
import { Index, MetricKind, ScalarKind } from 'usearch';

/** Options of {@link AnnRanker.build}. */
export interface AnnOptions {
  /** Build an index only for catalogues of at least this many items (default 1,000,000; 0: always). */
  readonly minItems?: number;
  /** HNSW graph degree (default 16). */
  readonly connectivity?: number;
  /** Candidates kept while searching (default 128): higher is slower and closer to exact. */
  readonly expansionSearch?: number;
  /** Users sampled to measure recall@10 against exact top-K (default 200). */
  readonly sampleUsers?: number;
}

/** The recall an index measured against exact top-K when it was built. */
export interface AnnReport {
  readonly recallAt10: number;
  readonly sampledUsers: number;
  readonly buildSeconds: number;
  readonly items: number;
}

/**
 * Top-K by an HNSW index over rows [h ⊙ q_i, b_i] searched with [p_u, 1] by inner product,
 * so the index ranks by the model's own score ⟨p_u ⊙ h, q_i⟩ + b_i. A user's seen items are
 * dropped from a deeper search (k + their count), so the answer still has k items.
 * @example
 * ```ts
 * const ann = await AnnRanker.build(model, { minItems: 0 });
 * ann?.report.recallAt10; // e.g. 0.99
 * ```
 */
export class AnnRanker {
  private constructor(
    private readonly model: StandaloneModel,
    private readonly index: Index,
    /** User rows [p_u, 1], f32 `[numUsers · (d + 1)]`. */
    private readonly users: Float32Array,
    private readonly dim: number,
    readonly report: AnnReport,
  ) {}

  /**
   * The index of `model`, or undefined when the model has no dot-product factors or fewer
   * items than `minItems`. Cost: one insertion per item (minutes for millions of items).
   */
  static async build(model: StandaloneModel, options: AnnOptions = {}): Promise<AnnRanker | undefined> {
    const minItems = options.minItems ?? 1_000_000;
    if (model.items.size < minItems) return undefined;
    const tables = await model.factorsOnHost();
    if (!tables) return undefined;
    const t0 = performance.now();
    const { items, userWeights: weights, itemBias: bias, dim: d } = tables;
    const users = tables.users!; // asked for by factorsOnHost
    const width = d + 1;
    const rows = new Float32Array(model.items.size * width);
    for (let i = 0; i < model.items.size; i++) {
      for (let c = 0; c < d; c++) rows[i * width + c] = items[i * d + c]! * (weights ? weights[c]! : 1);
      rows[i * width + d] = bias ? bias[i]! : 0;
    }
    const userRows = new Float32Array(model.users.size * width);
    for (let u = 0; u < model.users.size; u++) {
      userRows.set(users.subarray(u * d, (u + 1) * d), u * width);
      userRows[u * width + d] = 1;
    }
    const index = new Index({
      dimensions: width, metric: MetricKind.IP, quantization: ScalarKind.F32, connectivity: options.connectivity ?? 16, expansion_add: 128, expansion_search: options.expansionSearch ?? 128, multi: false,
    });
    index.add(BigUint64Array.from({ length: model.items.size }, (_, i) => BigInt(i)), rows, 0);
    const buildSeconds = (performance.now() - t0) / 1000;
    const ranker = new AnnRanker(model, index, userRows, width, { recallAt10: Number.NaN, sampledUsers: 0, buildSeconds, items: model.items.size });
    return ranker.withRecall(options.sampleUsers ?? 200);
  }

  /** Measures recall@10 of the index against exact top-10 on evenly spaced users. */
  private async withRecall(sample: number): Promise<AnnRanker> {
    const count = Math.min(sample, this.model.users.size);
    const users = Array.from({ length: count }, (_, s) => this.model.users.idOf(Math.floor((s * this.model.users.size) / count)));
    const exact = await this.model.recommendMany(users, { k: 10 });
    let hits = 0;
    let total = 0;
    users.forEach((user, s) => {
      const approx = new Set(this.recommend(user, 10, true).map((r) => r.id));
      for (const r of exact[s]!) if (approx.has(r.id)) hits++;
      total += exact[s]!.length;
    });
    const report = { ...this.report, recallAt10: total ? hits / total : 1, sampledUsers: count };
    return new AnnRanker(this.model, this.index, this.users, this.dim, report);
  }

  /** The approximate top `k` of user `raw`, the seen items left out unless `excludeSeen` is false. */
  recommend(raw: string | number, k: number, excludeSeen = true): Recommendation[] {
    const u = this.model.userIndex(raw);
    const seen = excludeSeen && this.model.seen ? this.model.seen.rowOf(u) : new Int32Array(0);
    const depth = Math.min(this.model.items.size, k + seen.length);
    const found = this.index.search(this.users.subarray(u * this.dim, (u + 1) * this.dim), depth, 1);
    const out: Recommendation[] = [];
    for (let n = 0; n < found.keys.length && out.length < k; n++) {
      const i = Number(found.keys[n]);
      if (seen.length && binarySearch(seen, i)) continue;
      const name = this.model.ids.itemNames?.[i];
      out.push({ rank: out.length + 1, id: this.model.items.idOf(i), ...(name !== undefined ? { name } : {}), score: 1 - found.distances[n]! });
    }
    return out;
  }
}

function binarySearch(sorted: Int32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return true;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
