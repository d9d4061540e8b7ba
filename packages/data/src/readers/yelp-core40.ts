/**
 * yelp-core40: a dense 40-core sample of the Yelp Challenge (round 12, 2018) with
 * explicit 1–5 stars, each business's Yelp categories (flat, multi-label) and each
 * user's gender as inferred from the name (F / M / N), shared by M. Mansoury et al.
 * ("Bias Disparity in Collaborative Recommendation: Algorithmic Evaluation and
 * Comparison", RecSys 2019 RMSE workshop, arXiv 1908.00831; github.com/masoudmansoury/yelp_core40).
 * 1,355 users, 1,272 businesses, 100,409 ratings; every user and business has at
 * least 40. There are no timestamps and no review text, and the ids are a private
 * integer renumbering that joins no other Yelp file.
 *
 * The Yelp Dataset terms apply: non-commercial academic use, no redistribution. Cite
 * the paper above.
 *
 * File formats (the folder's MANIFEST.md; TAB-separated, no header, ASCII):
 * - `ratings.txt` (kept here as `ratings.txt.gz`): `userid<TAB>businessid<TAB>rating`,
 *   integer stars 1–5, each (user, business) pair once. The row order means nothing
 *   (it is not time).
 * - `items.txt`: `itemid<TAB>category`, one line per (business, category) pair.
 * - `users.txt`: `userid<TAB>gender`, gender `F`, `M` or `N` (unknown). The upstream
 *   README documents three more columns (name, accuracy, samples) that the file lacks.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../dataset.js';
import { IdMap } from '../interactions.js';
import type { UserFeatures } from '../side-info/features.js';
import { ItemCategories } from '../side-info/item-categories.js';
import { MANIFEST_CHECKSUMS } from './checksums.js';
import type { DatasetEntry } from './entry.js';
import { readDelimitedFields, readInteractionsFile, type DelimitedFields } from './generic.js';

const HOMEPAGE = 'https://github.com/masoudmansoury/yelp_core40';
const CALLER = 'readYelpCore40';

const FILES = {
  ratings: ['ratings.txt.gz', 'ratings.txt'],
  items: ['items.txt'],
  users: ['users.txt'],
} as const;

/** The inferred genders of `users.txt`, in this order: female, male, unknown. */
const GENDERS = ['F', 'M', 'N'] as const;

/**
 * yelp-core40 as a {@link Dataset}: the ratings over users and businesses (dense
 * indexes in ascending raw-id order), with categories and gender.
 *
 * @example
 * ```ts
 * const yelp: YelpCore40 = await readYelpCore40(dir);
 * yelp.userFeatures.categorical.gender!.vocabulary; // ['F', 'M', 'N']
 * ```
 */
export interface YelpCore40 extends Dataset<number, number> {
  /** Yelp's flat category names (320, e.g. `Restaurants`, `Breakfast & Brunch`), sorted, 2–15 per business. */
  readonly itemCategories: ItemCategories;
  /**
   * Categorical `gender`: `F`, `M` or `N` (unknown), inferred from the user's name by
   * gender-api.com. It is noisy and a sensitive attribute: the source paper uses it for
   * group-level fairness analysis (bias disparity per user group), which is what it is
   * here for, not as a statement about any one person.
   */
  readonly userFeatures: UserFeatures;
}

function findFile(dir: string, names: readonly string[]): string {
  const candidates = names.map((name) => join(dir, name));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`${CALLER}: file not found: looked for ${candidates.join(' and ')}; get the data from ${HOMEPAGE} (see the folder's MANIFEST.md)`);
  }
  return found;
}

/** `context, line N` of row `r`. */
function lineOf(context: string, fields: DelimitedFields, r: number): string {
  return `${context}, line ${fields.lines[r]}`;
}

/** A non-negative base-10 integer id, or an error naming the line and field. */
function idField(text: string, at: string, field: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new Error(`${at}: ${field} ${JSON.stringify(text)} is not a non-negative integer`);
  return value;
}

/**
 * Reads yelp-core40 from its folder: `ratings.txt.gz` (or `ratings.txt`), `items.txt`
 * and `users.txt` (formats in the module comment).
 *
 * Users get dense indexes in ascending id order over `users.txt`, businesses over the
 * ids of `items.txt`; every rating must name a user and a business of those files
 * (MANIFEST.md: both list exactly the rated ones). `interactions` keeps the file's row
 * order, with `ratings` (1..5) and no timestamps. `itemCategories` holds each business's
 * categories over the sorted distinct names (code-unit order, so it does not depend on
 * the locale); `userFeatures.categorical.gender` codes F, M, N as 0, 1, 2. There are no
 * item names (the ids are anonymous) and no published splits: the source repository
 * ships none. Takes under a second.
 *
 * @param dir the dataset folder, e.g. from `locateDataset('yelp-core40')`.
 * @throws Error naming the path of a missing file, or the file, the line and what was
 * expected: an id that is not an integer, a user listed twice, a (business, category)
 * or (user, business) pair listed twice, an empty category, a gender other than F/M/N,
 * stars other than 1–5, a rating of an unknown user or business.
 * @see M. Mansoury, B. Mobasher, R. Burke, M. Pechenizkiy, "Bias Disparity in Collaborative Recommendation", RecSys 2019 workshop (arXiv 1908.00831).
 * @example
 * ```ts
 * const found = locateDataset('yelp-core40');
 * if (!found.ok) throw new Error(found.reason);
 * const { interactions, itemCategories, userFeatures } = await readYelpCore40(found.dir);
 * interactions.length; // 100409
 * itemCategories.numCategories; // 320
 * ```
 */
export async function readYelpCore40(dir: string): Promise<YelpCore40> {
  const ratingPath = findFile(dir, FILES.ratings);
  const itemPath = findFile(dir, FILES.items);
  const userPath = findFile(dir, FILES.users);

  // items.txt: one line per (business, category) pair.
  const itemContext = `${CALLER}: ${itemPath}`;
  const items = await readDelimitedFields(itemPath, { delimiter: '\t', fields: 2, context: itemContext });
  const itemOfRow = items.columns[0]!.map((text, r) => idField(text, lineOf(itemContext, items, r), 'business id'));
  const categoryOfRow = items.columns[1]!;
  categoryOfRow.forEach((name, r) => {
    if (name.trim() === '') throw new Error(`${lineOf(itemContext, items, r)}: the category is empty; expected a Yelp category name`);
  });
  const { ids: itemIds, indexes: itemIndex } = IdMap.encode(Float64Array.from(itemOfRow));
  const names = Array.from(new Set(categoryOfRow)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const nameIndex = new Map(names.map((name, c) => [name, c]));
  const lists: number[][] = Array.from({ length: itemIds.size }, () => []);
  const pairLine = new Map<string, number>();
  for (let r = 0; r < itemOfRow.length; r++) {
    const key = `${itemOfRow[r]}\t${categoryOfRow[r]}`;
    const seen = pairLine.get(key);
    if (seen !== undefined) {
      throw new Error(`${lineOf(itemContext, items, r)}: business ${itemOfRow[r]} and category ${JSON.stringify(categoryOfRow[r])} repeat line ${seen}`);
    }
    pairLine.set(key, items.lines[r]!);
    lists[itemIndex[r]!]!.push(nameIndex.get(categoryOfRow[r]!)!);
  }
  const itemCategories = ItemCategories.fromLists(lists, names, itemContext);

  // users.txt: one line per user.
  const userContext = `${CALLER}: ${userPath}`;
  const users = await readDelimitedFields(userPath, { delimiter: '\t', fields: 2, context: userContext });
  const userOfRow = users.columns[0]!.map((text, r) => idField(text, lineOf(userContext, users, r), 'user id'));
  const userLine = new Map<number, number>();
  userOfRow.forEach((id, r) => {
    const seen = userLine.get(id);
    if (seen !== undefined) throw new Error(`${lineOf(userContext, users, r)}: user id ${id} repeats line ${seen}; expected one line per user`);
    userLine.set(id, users.lines[r]!);
  });
  const { ids: userIds, indexes: userIndex } = IdMap.encode(Float64Array.from(userOfRow));
  const genderCodes = new Int32Array(userIds.size);
  users.columns[1]!.forEach((gender, r) => {
    const code = (GENDERS as readonly string[]).indexOf(gender);
    if (code < 0) throw new Error(`${lineOf(userContext, users, r)}: gender ${JSON.stringify(gender)}; expected F, M or N (unknown)`);
    genderCodes[userIndex[r]!] = code;
  });
  const userFeatures: UserFeatures = { numeric: {}, categorical: { gender: { codes: genderCodes, vocabulary: GENDERS } } };

  // ratings: user, business, stars; ids must be those of users.txt and items.txt.
  const { interactions } = await readInteractionsFile<number, number>(ratingPath, {
    format: 'tsv',
    header: false,
    quote: '',
    columns: { user: 0, item: 1, rating: 2 },
    userIds: userIds,
    itemIds: itemIds,
    caller: CALLER,
  });
  const ratings = interactions.ratings!;
  const firstRowOfPair = new Map<number, number>();
  let bad: { row: number; earlier?: number } | undefined;
  for (let r = 0; r < interactions.length; r++) {
    const stars = ratings[r]!;
    if (!Number.isInteger(stars) || stars < 1 || stars > 5) {
      bad = { row: r };
      break;
    }
    const pair = interactions.users[r]! * itemIds.size + interactions.items[r]!;
    const earlier = firstRowOfPair.get(pair);
    if (earlier !== undefined) {
      bad = { row: r, earlier };
      break;
    }
    firstRowOfPair.set(pair, r);
  }
  if (bad !== undefined) {
    // Only on the error path: read the file again to name the physical lines.
    const fields = await readDelimitedFields(ratingPath, { delimiter: '\t', fields: 3, context: `${CALLER}: ${ratingPath}` });
    const at = `${CALLER}: ${ratingPath}, line ${fields.lines[bad.row]}`;
    if (bad.earlier === undefined) throw new Error(`${at}: stars ${ratings[bad.row]}; expected an integer from 1 to 5`);
    throw new Error(
      `${at}: user ${userIds.idOf(interactions.users[bad.row]!)} and business ${itemIds.idOf(interactions.items[bad.row]!)} ` +
        `repeat line ${fields.lines[bad.earlier]}; expected each (user, business) pair once`,
    );
  }

  return {
    name: 'yelp-core40',
    interactions,
    userIds: userIds,
    itemIds: itemIds,
    splits: {},
    itemCategories,
    userFeatures,
  };
}

/**
 * Registry entry of `yelp-core40` (folder `yelp-core40`), read with {@link readYelpCore40}.
 *
 * @example
 * ```ts
 * const entry = yelpCore40Datasets[0]!;
 * const yelp = await entry.read(join(dataRoot(), entry.folder));
 * yelp.interactions.length; // 100409
 * ```
 */
export const yelpCore40Datasets: readonly DatasetEntry[] = [
  {
    name: 'yelp-core40',
    folder: 'yelp-core40',
    title: 'Yelp 40-core sample (Mansoury et al. 2019): 1–5 stars, business categories, inferred user gender',
    homepage: HOMEPAGE,
    files: [FILES.ratings, FILES.items, FILES.users],
    checksums: MANIFEST_CHECKSUMS['yelp-core40'],
    expectedInteractions: 100_409,
    read: readYelpCore40,
  },
];
