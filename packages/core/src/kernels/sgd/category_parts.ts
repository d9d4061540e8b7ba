/**
 * The `parts` attribute of `bpr_step`, `skipgram_step` and `skipgram_sample_step`: per-part
 * copies of the category (extra) table, so that native threads can run a batch's items at
 * once without one shared order for the category rows.
 *
 * Why: an item's multi-level vector reads its categories' rows and its update writes them
 * (MRLR §3.4 Eq. 7). Categories are few and hot, so in batch order almost every item depends
 * on the one just before it through some category row, and a schedule that keeps every row's
 * updates in batch order runs those items one after another (1.3–1.6× Hogwild's time on two
 * threads, apps/bench README). With `parts` = P ≥ 2 the items are dealt to P parts in chunks
 * of {@link PART_CHUNK} (item t to part ⌊t/64⌋ mod P); each part reads and writes its own copy
 * S_p of the category table, taken at the call's start, and the copies are merged at the end:
 *
 *   for each row r written by some part, each column c, with X the table at the call's start
 *   and q the lowest part that wrote r:
 *     acc = S_q[r][c]
 *     for each later part p that wrote r, ascending:  acc = acc + (S_p[r][c] − X[r][c])
 *     X[r][c] = acc                                    (every operation rounded to f32)
 *
 * so a row that one part alone wrote gets that part's copy exactly, and a batch whose parts
 * write disjoint category rows gives the serial result bit for bit.
 *
 * The user, item, context and output rows stay shared and get their updates in batch order.
 * The result depends on P, never on the thread count or on timing: a caller that passes its
 * thread count gets "same seed, same data, same REC_THREADS → same model" (issue 11). P = 1
 * is the table itself, in place: the kernels' serial semantics, bit for bit. Within a call a
 * part does not see the other parts' category updates — for a hot row that is the staleness
 * Hogwild also has, bounded here by one call and the same on every run.
 *
 * Without the category table, or with `hogwild`, `parts` changes nothing.
 */
import type { ExtraRows } from './exact_f32.js';

const fround = Math.fround;

/** Items per chunk dealt to a part: item t belongs to part ⌊t / 64⌋ mod parts. */
export const PART_CHUNK = 64;

/** The largest `parts` accepted. */
export const MAX_PARTS = 64;

/**
 * The `parts` a call of `bpr_step`, `skipgram_step` or `skipgram_sample_step` computes with: 1 under `hogwild` (which
 * ignores it), else the attribute (default 1).
 *
 * @example
 * ```ts
 * effectiveParts({ lr: 0.05, reg: 0, parts: 2 }); // 2
 * ```
 */
export function effectiveParts(attrs: { hogwild?: boolean; parts?: number }): number {
  return scheduleCount(attrs, attrs.parts);
}

/**
 * A schedule attribute's count under `hogwild`, which ignores it: 1; else the count (default 1).
 * Shared by `parts` and `lanes` (`lane_strata.ts`).
 *
 * @example
 * ```ts
 * scheduleCount({ hogwild: false }, 2); // 2
 * ```
 */
export function scheduleCount(attrs: { hogwild?: boolean }, count: number | undefined): number {
  return attrs.hogwild === true ? 1 : count ?? 1;
}

/**
 * Checks a `parts` attribute: undefined, or an integer from 1 to {@link MAX_PARTS}.
 *
 * @example
 * ```ts
 * checkPartsAttr('bpr_step', attrs.parts);
 * ```
 */
export function checkPartsAttr(K: string, parts: unknown): void {
  checkCountAttr(K, 'parts', parts, MAX_PARTS);
}

/**
 * Checks a schedule attribute (`parts`, `lanes`): undefined, or an integer from 1 to `max`.
 *
 * @example
 * ```ts
 * checkCountAttr('bpr_step', 'lanes', attrs.lanes, 16);
 * ```
 */
export function checkCountAttr(K: string, name: string, value: unknown, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${K}: attribute ${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
}

/**
 * The category rows of one reference call split into parts (see the file's header): `of(t)`
 * gives the rows item t reads and writes, `wrote(t, row)` records that item t updated output
 * row `row`'s category rows, and `merge()` folds the parts' copies into the table. With one
 * part, `of` returns the table itself and `merge` does nothing.
 *
 * @example
 * ```ts
 * const parts = new CategoryParts(extra, attrs.parts ?? 1, d);
 * extraUpdates(parts.of(t), item, pOld, s, decay, d);
 * parts.wrote(t, item);
 * parts.merge();
 * ```
 */
export class CategoryParts {
  readonly #extra: ExtraRows;
  readonly #d: number;
  readonly #copies: ExtraRows[];
  readonly #written: Uint8Array[];

  constructor(extra: ExtraRows, parts: number, d: number) {
    this.#extra = extra;
    this.#d = d;
    const rows = d > 0 ? extra.X.length / d : 0;
    this.#copies = parts === 1 ? [extra] : Array.from({ length: parts }, () => ({ X: extra.X.slice(), indptr: extra.indptr, indices: extra.indices }));
    this.#written = parts === 1 ? [] : Array.from({ length: parts }, () => new Uint8Array(rows));
  }

  /** The part of item t. */
  part(t: number): number {
    return Math.floor(t / PART_CHUNK) % this.#copies.length;
  }

  /** The category rows item t reads and writes (its part's copy). */
  of(t: number): ExtraRows {
    return this.#copies[this.part(t)];
  }

  /** Records that item t updated the category rows of output row `row`. */
  wrote(t: number, row: number): void {
    if (this.#copies.length === 1) return;
    const written = this.#written[this.part(t)];
    const { indptr, indices } = this.#extra;
    for (let k = indptr[row]; k < indptr[row + 1]; k++) written[indices[k]] = 1;
  }

  /** Folds the parts' copies into the table (the header's merge); nothing with one part. */
  merge(): void {
    const P = this.#copies.length;
    if (P === 1) return;
    const X = this.#extra.X;
    const d = this.#d;
    const rows = this.#written[0].length;
    for (let r = 0; r < rows; r++) {
      let q = 0;
      while (q < P && this.#written[q][r] === 0) q++;
      if (q === P) continue;
      const o = r * d;
      const first = this.#copies[q].X;
      for (let c = 0; c < d; c++) {
        let acc = first[o + c];
        for (let p = q + 1; p < P; p++) {
          if (this.#written[p][r] === 1) acc = fround(acc + fround(this.#copies[p].X[o + c] - X[o + c]));
        }
        X[o + c] = acc;
      }
    }
  }
}
