/**
 * Multi-label item → category assignments in CSR form: item i's categories
 * are indices[indptr[i] .. indptr[i+1]), sorted, without duplicates. Category
 * indexes point into `names`. They are their own index space: a dataset's
 * `CategoryTree` (whose nodes are path prefixes) is reached through
 * `Dataset.itemLeafCategory` instead (Yelp has 1,001 tags here and 3,089 tree nodes).
 */
export class ItemCategories {
  readonly numItems: number;
  readonly numCategories: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly names: readonly string[];

  constructor(fields: { numItems: number; names: readonly string[]; indptr: Int32Array; indices: Int32Array }, source = 'item categories') {
    const { numItems, names, indptr, indices } = fields;
    if (indptr.length !== numItems + 1 || indptr[0] !== 0 || indptr[numItems] !== indices.length) {
      throw new Error(`${source}: indptr must have numItems + 1 = ${numItems + 1} entries from 0 to ${indices.length}`);
    }
    for (let i = 0; i < numItems; i++) {
      for (let k = indptr[i]; k < indptr[i + 1]; k++) {
        const c = indices[k];
        if (c < 0 || c >= names.length) throw new Error(`${source}: item ${i} has unknown category ${c} (there are ${names.length})`);
        if (k > indptr[i] && indices[k - 1] >= c) throw new Error(`${source}: item ${i}'s categories must be sorted and distinct`);
      }
    }
    this.numItems = numItems;
    this.numCategories = names.length;
    this.names = names;
    this.indptr = indptr;
    this.indices = indices;
  }

  /**
   * Builds the CSR from one list of category indexes per item (duplicates are
   * dropped, order does not matter).
   *
   * @example
   * ```ts
   * const cats = ItemCategories.fromLists([[2, 0], [], [1, 1]], ['Action', 'Comedy', 'Drama']);
   * cats.of(0); // Int32Array [0, 2]
   * ```
   */
  static fromLists(lists: readonly (readonly number[] | Int32Array)[], names: readonly string[], source?: string): ItemCategories {
    const indptr = new Int32Array(lists.length + 1);
    const rows = lists.map((l) => Int32Array.from(new Set(l)).sort());
    rows.forEach((r, i) => (indptr[i + 1] = indptr[i] + r.length));
    const indices = new Int32Array(indptr[lists.length]);
    rows.forEach((r, i) => indices.set(r, indptr[i]));
    return new ItemCategories({ numItems: lists.length, names, indptr, indices }, source);
  }

  /** Categories of item `i`. */
  of(item: number): Int32Array {
    return this.indices.subarray(this.indptr[item], this.indptr[item + 1]);
  }

  /** The inverse index: items of each category, as CSR over categories. */
  itemsByCategory(): { indptr: Int32Array; indices: Int32Array } {
    const indptr = new Int32Array(this.numCategories + 1);
    for (const c of this.indices) indptr[c + 1]++;
    for (let c = 0; c < this.numCategories; c++) indptr[c + 1] += indptr[c];
    const indices = new Int32Array(this.indices.length);
    const fill = indptr.slice(0, this.numCategories);
    for (let i = 0; i < this.numItems; i++) for (let k = this.indptr[i]; k < this.indptr[i + 1]; k++) indices[fill[this.indices[k]]++] = i;
    return { indptr, indices };
  }
}
