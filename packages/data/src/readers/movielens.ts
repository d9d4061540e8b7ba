/**
 * MovieLens readers: ml-100k (ratings, genres, titles, demographics and GroupLens'
 * official splits), ml-1m (genres, titles, demographics; the ratings when present)
 * and ml-1m-ncf (the fixed leave-one-out test split with 99 sampled negatives per user
 * that Neural Collaborative Filtering was evaluated on).
 *
 * Cite the data as F. M. Harper and J. A. Konstan, "The MovieLens Datasets: History and
 * Context", ACM TiiS 5(4), 2015; the ml-1m-ncf split as X. He, L. Liao, H. Zhang,
 * L. Nie, X. Hu and T.-S. Chua, "Neural Collaborative Filtering", WWW 2017, §4.1.
 * GroupLens' terms: research use only, do not redistribute the files.
 *
 * Published splits are kept exactly as published, row for row, over the dataset's
 * index spaces. Their integrity rule: a test row whose user has no row in the split's
 * training part, or whose user or item is outside the dataset, is an error naming the
 * file, the line and the id. Test *items* that the training part never saw are kept:
 * every official ml-100k split has some (u1.test: 32 items absent from u1.base), so
 * refusing them would refuse the official data; each split's description counts them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, PublishedSplit } from '../dataset.js';
import { createInteractions, IdMap, type Interactions } from '../interactions.js';
import type { CategoricalFeature, UserFeatures } from '../side-info/features.js';
import { ItemCategories } from '../side-info/item-categories.js';
import type { DatasetEntry } from './entry.js';
import { readDelimitedFields, readInteractionsFile, type DelimitedFields } from './generic.js';

const ML100K_HOMEPAGE = 'https://grouplens.org/datasets/movielens/100k/';
const ML1M_HOMEPAGE = 'https://grouplens.org/datasets/movielens/1m/';
const NCF_HOMEPAGE = 'https://github.com/hexiangnan/neural_collaborative_filtering';

/**
 * The path of the first of `names` that exists in `dir`.
 * @throws Error listing every path looked at and where the data comes from.
 */
function findFile(dir: string, names: readonly string[], caller: string, homepage: string): string {
  const candidates = names.map((name) => join(dir, name));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`${caller}: file not found: looked for ${candidates.join(' and ')}; get the data from ${homepage}`);
  }
  return found;
}

/** The file itself or its gzipped copy: `[name, name.gz]`. */
function plainOrGz(name: string): readonly [string, string] {
  return [name, `${name}.gz`];
}

/** Parses a base-10 integer field, or fails naming file, line and field. */
function integerField(text: string, at: string, field: string): number {
  const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw new Error(`${at}: ${field} ${JSON.stringify(text)} is not an integer`);
  }
  return value;
}

/** `context, line N` for row `r` of a field read. */
function lineOf(context: string, fields: DelimitedFields, r: number): string {
  return `${context}, line ${fields.lines[r]}`;
}

/**
 * The id map of a side file's id column, ids ascending (so index = rank of the raw
 * id), plus each row's index.
 * @throws Error naming both lines of a repeated id.
 */
function idColumn(fields: DelimitedFields, column: number, context: string, field: string): { ids: IdMap<number>; rowIndex: Int32Array } {
  const raw = fields.columns[column]!;
  const ids = raw.map((text, r) => integerField(text, lineOf(context, fields, r), field));
  const firstLine = new Map<number, number>();
  ids.forEach((id, r) => {
    const seen = firstLine.get(id);
    if (seen !== undefined) throw new Error(`${lineOf(context, fields, r)}: ${field} ${id} repeats line ${seen}; ids must be unique`);
    firstLine.set(id, fields.lines[r]!);
  });
  const { ids: map, indexes } = IdMap.encode(Float64Array.from(ids));
  return { ids: map as IdMap<number>, rowIndex: indexes };
}

/** A categorical feature over `numRows` from per-row text, codes into a sorted vocabulary (or the given one). */
function categorical(values: readonly string[], rowIndex: Int32Array, numRows: number, vocabulary?: readonly string[]): CategoricalFeature {
  const words = vocabulary ?? Array.from(new Set(values)).sort();
  const code = new Map(words.map((word, k) => [word, k]));
  const codes = new Int32Array(numRows).fill(-1);
  values.forEach((value, r) => (codes[rowIndex[r]!] = code.get(value) ?? -1));
  return { codes, vocabulary: words };
}

/** Rows of `a` then rows of `b`, over `a`'s index spaces (which `b` shares). */
function concatInteractions(a: Interactions, b: Interactions): Interactions {
  const join = <T extends Int32Array | Float32Array | Float64Array>(x: T, y: T, out: T): T => {
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  const n = a.length + b.length;
  return createInteractions({
    users: join(a.users, b.users, new Int32Array(n)),
    items: join(a.items, b.items, new Int32Array(n)),
    ...(a.ratings && b.ratings ? { ratings: join(a.ratings, b.ratings, new Float32Array(n)) } : {}),
    ...(a.timestamps && b.timestamps ? { timestamps: join(a.timestamps, b.timestamps, new Float64Array(n)) } : {}),
    numUsers: Math.max(a.numUsers, b.numUsers),
    numItems: Math.max(a.numItems, b.numItems),
  });
}

/** An empty log over the given index spaces. */
function emptyInteractions(numUsers: number, numItems: number): Interactions {
  return createInteractions({ users: new Int32Array(0), items: new Int32Array(0), numUsers, numItems });
}

/**
 * The physical line of row `row` of a headerless, quote-free rating file (only read
 * on the error path, to name the line).
 */
async function lineOfRatingRow(path: string, row: number, delimiter: string, caller: string): Promise<number> {
  const fields = await readDelimitedFields(path, { delimiter, fields: 4, context: `${caller}: ${path}` });
  return fields.lines[row]!;
}

/**
 * Checks a published split's test part against its training part: every test user
 * must have training rows. Returns the number of distinct test items that have none
 * (kept, see the module comment).
 * @throws Error naming the test file, the line and the user id.
 */
async function checkSplitUsers(
  train: Interactions,
  test: Interactions,
  testPath: string,
  userIds: IdMap<number>,
  caller: string,
  delimiter: string,
): Promise<{ coldItems: number }> {
  const trainUsers = new Uint8Array(train.numUsers);
  const trainItems = new Uint8Array(train.numItems);
  for (let r = 0; r < train.length; r++) {
    trainUsers[train.users[r]!] = 1;
    trainItems[train.items[r]!] = 1;
  }
  for (let r = 0; r < test.length; r++) {
    const user = test.users[r]!;
    if (trainUsers[user] === 0) {
      const line = await lineOfRatingRow(testPath, r, delimiter, caller);
      throw new Error(
        `${caller}: ${testPath}, line ${line}: user id ${userIds.idOf(user)} has no rows in the split's training data; ` +
          'expected every test user to have training rows',
      );
    }
  }
  const cold = new Set<number>();
  for (let r = 0; r < test.length; r++) if (trainItems[test.items[r]!] === 0) cold.add(test.items[r]!);
  return { coldItems: cold.size };
}

// ---------------------------------------------------------------------------------
// ml-100k

/**
 * MovieLens 100K as a {@link Dataset}: 100,000 ratings (1–5 stars, Unix-second
 * timestamps) by 943 users on 1682 movies, the 19 genres as item categories, titles,
 * user demographics, and GroupLens' official splits.
 *
 * @example
 * ```ts
 * const ml: MovieLens100K = await readMovieLens100K(dir);
 * ml.itemCategories.names[0]; // 'unknown'
 * ```
 */
export interface MovieLens100K extends Dataset<number, number> {
  /** The 19 genres of `u.genre` (`unknown`, `Action`, … `Western`), multi-label per movie. */
  readonly itemCategories: ItemCategories;
  /** Titles with year, e.g. `Toy Story (1995)`, decoded from Latin-1. */
  readonly itemNames: readonly string[];
  /**
   * `numeric.age` (years); `categorical.gender` (`F`, `M`), `categorical.occupation`
   * (the 21 of `u.occupation`, in its order), `categorical.zip` (the zip code as
   * written; a few are Canadian, e.g. `T8H1N`).
   */
  readonly userFeatures: UserFeatures;
}

/**
 * The names of ml-100k's official splits: `u1`…`u5` (5-fold, 80/20, disjoint test
 * sets) and `ua`, `ub` (exactly 10 test ratings per user).
 * @example
 * ```ts
 * for (const name of ML100K_SPLITS) console.log(ml.splits[name]!.test.length);
 * ```
 */
export const ML100K_SPLITS = ['u1', 'u2', 'u3', 'u4', 'u5', 'ua', 'ub'] as const;

const ML100K_FILES: readonly (readonly string[])[] = [
  ['u.data.gz', 'u.data'],
  ['u.item'],
  ['u.user'],
  ['u.genre'],
  ['u.occupation'],
  ...ML100K_SPLITS.flatMap((split) => [
    [`${split}.base.gz`, `${split}.base`],
    [`${split}.test`, `${split}.test.gz`],
  ]),
];

/**
 * Reads MovieLens 100K from its folder: `u.data` (or `u.data.gz`), `u.item`, `u.user`,
 * `u.genre`, `u.occupation` and the 14 split files `u1.base` … `ub.test` (each plain or
 * gzipped), all of which must be there.
 *
 * Users and movies get dense indexes in ascending raw-id order over `u.user` and
 * `u.item` (for this dataset, raw id − 1); every rating file is encoded into those
 * index spaces, so the splits line up with `interactions`, `itemCategories` and
 * `userFeatures`. Rows keep the files' order. Ratings are `ratings` (1..5) and
 * timestamps `timestamps` (seconds). `u.item` is decoded as Latin-1 (nine titles have
 * accented letters). Takes well under a second.
 *
 * Splits (`splits.u1` … `splits.ub`) are the published files row for row. A test row
 * whose user has no row in its base file, or whose ids are not in `u.user`/`u.item`, is
 * an error; test items absent from the base file are kept and counted in the split's
 * `description` (see the module comment).
 *
 * @param dir the dataset folder, e.g. from `locateDataset('ml-100k')`.
 * @throws Error naming the path of a missing file, or naming the file, the line and
 * what was expected for anything malformed.
 * @see F. M. Harper and J. A. Konstan, "The MovieLens Datasets: History and Context", ACM TiiS 5(4), 2015.
 * @example
 * ```ts
 * const found = locateDataset('ml-100k');
 * if (!found.ok) throw new Error(found.reason);
 * const { interactions, splits, itemCategories } = await readMovieLens100K(found.dir);
 * interactions.length; // 100000
 * splits.u1!.test.length; // 20000
 * itemCategories.numCategories; // 19
 * ```
 */
export async function readMovieLens100K(dir: string): Promise<MovieLens100K> {
  const caller = 'readMovieLens100K';
  const file = (names: readonly string[]): string => findFile(dir, names, caller, ML100K_HOMEPAGE);
  const ratingPath = file(['u.data.gz', 'u.data']);
  const itemPath = file(['u.item']);
  const userPath = file(['u.user']);
  const genrePath = file(['u.genre']);
  const occupationPath = file(['u.occupation']);
  const splitPaths = ML100K_SPLITS.map((split) => ({
    split,
    base: file([`${split}.base.gz`, `${split}.base`]),
    test: file([`${split}.test`, `${split}.test.gz`]),
  }));

  // u.genre: `name|index`, index = line order.
  const genreContext = `${caller}: ${genrePath}`;
  const genres = await readDelimitedFields(genrePath, { delimiter: '|', fields: 2, context: genreContext });
  const genreNames = genres.columns[0]!.slice();
  genres.columns[1]!.forEach((text, r) => {
    const index = integerField(text, lineOf(genreContext, genres, r), 'genre index');
    if (index !== r) throw new Error(`${lineOf(genreContext, genres, r)}: genre index ${index}, expected ${r} (genres are listed in index order)`);
  });

  // u.item: `id|title|release date|video release date|IMDb URL|` + one 0/1 flag per genre.
  const itemContext = `${caller}: ${itemPath}`;
  const items = await readDelimitedFields(itemPath, {
    delimiter: '|',
    fields: 5 + genreNames.length,
    encoding: 'latin-1',
    context: itemContext,
  });
  const { ids: itemIds, rowIndex: itemRow } = idColumn(items, 0, itemContext, 'movie id');
  const itemNames = new Array<string>(itemIds.size);
  const genreLists: number[][] = Array.from({ length: itemIds.size }, () => []);
  for (let r = 0; r < itemRow.length; r++) {
    const item = itemRow[r]!;
    itemNames[item] = items.columns[1]![r]!;
    for (let g = 0; g < genreNames.length; g++) {
      const flag = items.columns[5 + g]![r]!;
      if (flag === '1') genreLists[item]!.push(g);
      else if (flag !== '0') {
        throw new Error(`${lineOf(itemContext, items, r)}: genre flag ${JSON.stringify(genreNames[g])} is ${JSON.stringify(flag)}; expected 0 or 1`);
      }
    }
  }
  const itemCategories = ItemCategories.fromLists(genreLists, genreNames, itemContext);

  // u.occupation: one name per line; u.user: `id|age|gender|occupation|zip`.
  const occupations = await readDelimitedFields(occupationPath, { delimiter: '|', fields: 1, context: `${caller}: ${occupationPath}` });
  const occupationNames = occupations.columns[0]!.slice();
  const userContext = `${caller}: ${userPath}`;
  const users = await readDelimitedFields(userPath, { delimiter: '|', fields: 5, context: userContext });
  const { ids: userIds, rowIndex: userRow } = idColumn(users, 0, userContext, 'user id');
  const age = new Float32Array(userIds.size);
  users.columns[1]!.forEach((text, r) => (age[userRow[r]!] = integerField(text, lineOf(userContext, users, r), 'age')));
  users.columns[2]!.forEach((gender, r) => {
    if (gender !== 'M' && gender !== 'F') throw new Error(`${lineOf(userContext, users, r)}: gender ${JSON.stringify(gender)}; expected M or F`);
  });
  users.columns[3]!.forEach((occupation, r) => {
    if (!occupationNames.includes(occupation)) {
      throw new Error(`${lineOf(userContext, users, r)}: occupation ${JSON.stringify(occupation)} is not listed in ${occupationPath}`);
    }
  });
  const userFeatures: UserFeatures = {
    numeric: { age },
    categorical: {
      gender: categorical(users.columns[2]!, userRow, userIds.size),
      occupation: categorical(users.columns[3]!, userRow, userIds.size, occupationNames),
      zip: categorical(users.columns[4]!, userRow, userIds.size),
    },
  };

  // Rating files: `user \t item \t rating \t timestamp`, no header, no quoting.
  const readRatings = async (path: string): Promise<Interactions> =>
    (
      await readInteractionsFile(path, {
        format: 'tsv',
        header: false,
        quote: '',
        columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
        userIds,
        itemIds,
        caller,
      })
    ).interactions;
  // The 15 rating files are independent reads; DuckDB runs them side by side.
  const [interactions, ...splitLogs] = await Promise.all([
    readRatings(ratingPath),
    ...splitPaths.flatMap(({ base, test }) => [readRatings(base), readRatings(test)]),
  ]);

  const splits: Record<string, PublishedSplit> = {};
  for (const [k, { split, test }] of splitPaths.entries()) {
    const train = splitLogs[2 * k]!;
    const testLog = splitLogs[2 * k + 1]!;
    const { coldItems } = await checkSplitUsers(train, testLog, test, userIds, caller, '\t');
    const kind = split.startsWith('ua') || split.startsWith('ub')
      ? `GroupLens' official ${split} split, exactly 10 ratings per user held out`
      : `GroupLens' official 5-fold split, fold ${split.slice(1)} (the five test sets are disjoint)`;
    splits[split] = {
      train,
      test: testLog,
      description:
        `${kind}: ${split}.base (${train.length} ratings) / ${split}.test (${testLog.length}); ` +
        `${coldItems} test movies never occur in ${split}.base.`,
    };
  }

  return { name: 'ml-100k', interactions, userIds, itemIds, splits, itemCategories, itemNames, userFeatures };
}

// ---------------------------------------------------------------------------------
// ml-1m

/**
 * MovieLens 1M as a {@link Dataset}: 6040 users and 3883 movies with genres, titles
 * and demographics; the 1,000,209 ratings only when `ratings.dat` is in the folder.
 *
 * @example
 * ```ts
 * const ml: MovieLens1M = await readMovieLens1M(dir);
 * ml.userFeatures.categorical.age!.vocabulary; // ['Under 18', '18-24', …]
 * ```
 */
export interface MovieLens1M extends Dataset<number, number> {
  /** The 18 genres of the README (`Action` … `Western`), multi-label per movie. */
  readonly itemCategories: ItemCategories;
  /** Titles with year, decoded from Latin-1. */
  readonly itemNames: readonly string[];
  /**
   * Categorical `gender` (`F`, `M`), `age` (the README's 7 buckets, `Under 18` …
   * `56+`), `occupation` (the README's 21 names, code order), `zip` (as written).
   */
  readonly userFeatures: UserFeatures;
}

/** The genre labels of MovieLens 1M, in the README's order. */
const ML1M_GENRES = [
  'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
] as const;

/** Age bucket code → label, from the README. */
const ML1M_AGES: ReadonlyMap<string, string> = new Map([
  ['1', 'Under 18'], ['18', '18-24'], ['25', '25-34'], ['35', '35-44'], ['45', '45-49'], ['50', '50-55'], ['56', '56+'],
]);

/** Occupation codes 0..20 → names, from the README. */
const ML1M_OCCUPATIONS = [
  'other', 'academic/educator', 'artist', 'clerical/admin', 'college/grad student', 'customer service',
  'doctor/health care', 'executive/managerial', 'farmer', 'homemaker', 'K-12 student', 'lawyer', 'programmer',
  'retired', 'sales/marketing', 'scientist', 'self-employed', 'technician/engineer', 'tradesman/craftsman',
  'unemployed', 'writer',
] as const;

/**
 * Reads MovieLens 1M from its folder: `movies.dat` (`MovieID::Title::Genres`, Latin-1)
 * and `users.dat` (`UserID::Gender::Age::Occupation::Zip-code`), and `ratings.dat`
 * (`UserID::MovieID::Rating::Timestamp`, plain or gzipped) when it is there.
 *
 * **Without `ratings.dat` the dataset's `interactions` are empty** (0 rows over the
 * 6040 users and 3883 movies) and `splits` is `{}`: this project's copy has only the
 * side files (see its MANIFEST.md), which describe the movies and users that
 * ml-1m-derived data refers to. With `ratings.dat`, `interactions` holds every rating,
 * each user and movie checked against `users.dat` and `movies.dat`.
 *
 * Users and movies get dense indexes in ascending raw-id order (movie ids run 1..3952
 * with gaps, so movie index ≠ id − 1). Note that ml-1m-ncf's 0-based ids are NCF's
 * own remapping, with no published map to these ids.
 *
 * @param dir the dataset folder, e.g. from `locateDataset('ml-1m')`.
 * @throws Error naming the path of a missing file, or the file, line and what was
 * expected for anything malformed (an unknown genre, age bucket or occupation code).
 * @see F. M. Harper and J. A. Konstan, "The MovieLens Datasets: History and Context", ACM TiiS 5(4), 2015.
 * @example
 * ```ts
 * const { itemCategories, itemNames, userFeatures, interactions } = await readMovieLens1M(dir);
 * itemCategories.numCategories; // 18
 * interactions.length; // 0 without ratings.dat, 1000209 with it
 * ```
 */
export async function readMovieLens1M(dir: string): Promise<MovieLens1M> {
  const caller = 'readMovieLens1M';
  const moviePath = findFile(dir, ['movies.dat'], caller, ML1M_HOMEPAGE);
  const userPath = findFile(dir, ['users.dat'], caller, ML1M_HOMEPAGE);
  const ratingPath = plainOrGz('ratings.dat').map((name) => join(dir, name)).find((path) => existsSync(path));

  const movieContext = `${caller}: ${moviePath}`;
  const movies = await readDelimitedFields(moviePath, { delimiter: '::', fields: 3, encoding: 'latin-1', context: movieContext });
  const { ids: itemIds, rowIndex: itemRow } = idColumn(movies, 0, movieContext, 'movie id');
  const itemNames = new Array<string>(itemIds.size);
  const genreLists: number[][] = Array.from({ length: itemIds.size }, () => []);
  const genreIndex = new Map<string, number>(ML1M_GENRES.map((name, g) => [name, g]));
  for (let r = 0; r < itemRow.length; r++) {
    const item = itemRow[r]!;
    itemNames[item] = movies.columns[1]![r]!;
    for (const genre of movies.columns[2]![r]!.split('|')) {
      const g = genreIndex.get(genre);
      if (g === undefined) {
        throw new Error(`${lineOf(movieContext, movies, r)}: genre ${JSON.stringify(genre)}; expected '|'-separated genres from ${ML1M_GENRES.join(', ')}`);
      }
      genreLists[item]!.push(g);
    }
  }
  const itemCategories = ItemCategories.fromLists(genreLists, ML1M_GENRES, movieContext);

  const userContext = `${caller}: ${userPath}`;
  const users = await readDelimitedFields(userPath, { delimiter: '::', fields: 5, context: userContext });
  const { ids: userIds, rowIndex: userRow } = idColumn(users, 0, userContext, 'user id');
  const ageLabels = users.columns[2]!.map((code, r) => {
    const label = ML1M_AGES.get(code);
    if (label === undefined) {
      throw new Error(`${lineOf(userContext, users, r)}: age ${JSON.stringify(code)}; expected a bucket code from ${[...ML1M_AGES.keys()].join(', ')}`);
    }
    return label;
  });
  const occupationNames = users.columns[3]!.map((code, r) => {
    const name = /^\d+$/.test(code) ? ML1M_OCCUPATIONS[Number(code)] : undefined;
    if (name === undefined) throw new Error(`${lineOf(userContext, users, r)}: occupation ${JSON.stringify(code)}; expected a code from 0 to 20`);
    return name;
  });
  users.columns[1]!.forEach((gender, r) => {
    if (gender !== 'M' && gender !== 'F') throw new Error(`${lineOf(userContext, users, r)}: gender ${JSON.stringify(gender)}; expected M or F`);
  });
  const userFeatures: UserFeatures = {
    numeric: {},
    categorical: {
      gender: categorical(users.columns[1]!, userRow, userIds.size),
      age: categorical(ageLabels, userRow, userIds.size, [...ML1M_AGES.values()]),
      occupation: categorical(occupationNames, userRow, userIds.size, ML1M_OCCUPATIONS),
      zip: categorical(users.columns[4]!, userRow, userIds.size),
    },
  };

  const interactions =
    ratingPath === undefined
      ? emptyInteractions(userIds.size, itemIds.size)
      : (
          await readInteractionsFile(ratingPath, {
            format: 'csv',
            delimiter: '::',
            header: false,
            quote: '',
            columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
            userIds,
            itemIds,
            caller,
          })
        ).interactions;
  return { name: 'ml-1m', interactions, userIds, itemIds, splits: {}, itemCategories, itemNames, userFeatures };
}

// ---------------------------------------------------------------------------------
// ml-1m-ncf

/** Negatives per test row in NCF's files: with the held-out item, 100 candidates (He et al. 2017, §4.1). */
const NCF_NEGATIVES = 99;

/**
 * Reads the NCF paper's MovieLens-1M leave-one-out split (the authors' `Data/` files):
 * `ml-1m.test.rating` (one held-out rating per user, `user \t item \t rating \t
 * timestamp`), `ml-1m.test.negative` (`(user,item)` then 99 tab-separated negative
 * items per line, line i matching line i of the test file; plain or gzipped), and
 * `ml-1m.train.rating` when present.
 *
 * The files' ids are NCF's own 0-based indexes (users 0..6039, items 0..3705), kept as
 * they are: index = id, identity id maps. They are not MovieLens ids and no map back is
 * published, so this dataset carries no side information.
 *
 * `splits.default` has `test` (6040 rows with ratings and timestamps),
 * `testNegatives` (`perRow` 99, row r's negatives at `items[99r .. 99r+99)`), and
 * `train`. **This project's copy has no `ml-1m.train.rating`** (see its MANIFEST.md):
 * then `train` is empty, `interactions` is the test rows only, and the index spaces
 * span the ids in the test and negative files (which cover all 3706 items). With the
 * training file, `interactions` is train then test, the index spaces are the training
 * file's (as in NCF's own loader), every test user must have training rows, and a test
 * or negative item outside them is an error naming the file, the line and the id.
 *
 * Known quirk, kept as published: in 156 of the 6040 lines the held-out item is also
 * among its own 99 "negatives" (upstream issue #81). NCF's evaluation scores candidates
 * by item id, so the duplicate counts once; evaluate the same way to match its numbers.
 *
 * @param dir the dataset folder, e.g. from `locateDataset('ml-1m-ncf')`.
 * @throws Error naming the path of a missing file, or the file, line and what was
 * expected (a line that is not `(user,item)` + 99 negatives, a pair that does not
 * match the test file, an id outside the index space).
 * @see X. He et al., "Neural Collaborative Filtering", WWW 2017, §4.1 (leave-one-out, 100 candidates, HR@10 and NDCG@10).
 * @see F. M. Harper and J. A. Konstan, "The MovieLens Datasets: History and Context", ACM TiiS 5(4), 2015.
 * @example
 * ```ts
 * const { splits } = await readMovieLens1MNCF(dir);
 * const { test, testNegatives } = splits.default!;
 * const candidates = [test.items[0], ...testNegatives!.items.subarray(0, testNegatives!.perRow)];
 * ```
 */
export async function readMovieLens1MNCF(dir: string): Promise<Dataset<number, number>> {
  const caller = 'readMovieLens1MNCF';
  const testPath = findFile(dir, plainOrGz('ml-1m.test.rating'), caller, NCF_HOMEPAGE);
  const negativePath = findFile(dir, ['ml-1m.test.negative.gz', 'ml-1m.test.negative'], caller, NCF_HOMEPAGE);
  const trainPath = plainOrGz('ml-1m.train.rating').map((name) => join(dir, name)).find((path) => existsSync(path));

  const layout = {
    format: 'tsv',
    header: false,
    quote: '',
    columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
    caller,
  } as const;
  const trainFile = trainPath === undefined ? undefined : await readInteractionsFile<number, number>(trainPath, { ...layout, denseIds: true });
  const testFile = await readInteractionsFile<number, number>(
    testPath,
    trainFile === undefined ? { ...layout, denseIds: true } : { ...layout, userIds: trainFile.userIds, itemIds: trainFile.itemIds },
  );

  const negativeContext = `${caller}: ${negativePath}`;
  const negatives = await readDelimitedFields(negativePath, { delimiter: '\t', fields: 1 + NCF_NEGATIVES, context: negativeContext });
  const test = testFile.interactions;
  if (negatives.lines.length !== test.length) {
    throw new Error(`${negativeContext}: ${negatives.lines.length} lines, but ${testPath} has ${test.length}; expected one line per test row`);
  }
  const maxItem = trainFile === undefined ? 0x7fffffff : trainFile.itemIds.size - 1;
  const negativeItems = new Int32Array(test.length * NCF_NEGATIVES);
  let largestItem = -1;
  for (let r = 0; r < test.length; r++) {
    const at = lineOf(negativeContext, negatives, r);
    const pair = /^\((\d+),(\d+)\)$/.exec(negatives.columns[0]![r]!);
    if (pair === null) throw new Error(`${at}: first field ${JSON.stringify(negatives.columns[0]![r])}; expected (user,item)`);
    const user = Number(pair[1]);
    const item = Number(pair[2]);
    if (user !== test.users[r] || item !== test.items[r]) {
      throw new Error(`${at}: pair (${user},${item}) does not match line ${r + 1} of ${testPath} (${test.users[r]},${test.items[r]})`);
    }
    for (let k = 0; k < NCF_NEGATIVES; k++) {
      const negative = integerField(negatives.columns[1 + k]![r]!, at, `negative ${k + 1}`);
      if (negative < 0 || negative > maxItem) {
        throw new Error(
          trainFile === undefined
            ? `${at}: negative item id ${negative}; expected a 0-based item index`
            : `${at}: negative item id ${negative} is outside the items of ${trainPath} (0..${maxItem}); expected an id the training data has`,
        );
      }
      negativeItems[r * NCF_NEGATIVES + k] = negative;
      if (negative > largestItem) largestItem = negative;
    }
  }

  let train: Interactions;
  let interactions: Interactions;
  let userIds: IdMap<number>;
  let itemIds: IdMap<number>;
  if (trainFile !== undefined) {
    train = trainFile.interactions;
    await checkSplitUsers(train, test, testPath, trainFile.userIds, caller, '\t');
    interactions = concatInteractions(train, test);
    userIds = trainFile.userIds;
    itemIds = trainFile.itemIds;
  } else {
    const numUsers = test.numUsers;
    const numItems = Math.max(test.numItems, largestItem + 1);
    const identity = (n: number): IdMap<number> => new IdMap(Array.from({ length: n }, (_, k) => k));
    userIds = identity(numUsers);
    itemIds = identity(numItems);
    interactions = createInteractions({ ...test, numUsers, numItems });
    train = emptyInteractions(numUsers, numItems);
  }
  const testWithSpaces = createInteractions({ ...test, numUsers: interactions.numUsers, numItems: interactions.numItems });

  let positiveAmongNegatives = 0;
  for (let r = 0; r < test.length; r++) {
    if (negativeItems.subarray(r * NCF_NEGATIVES, (r + 1) * NCF_NEGATIVES).includes(test.items[r]!)) positiveAmongNegatives++;
  }
  const description =
    `NCF's MovieLens-1M leave-one-out split (He et al., WWW 2017): each user's latest rating held out and ranked ` +
    `against ${NCF_NEGATIVES} sampled negatives; ${positiveAmongNegatives} of ${test.length} negative lists contain ` +
    `their own held-out item (kept as published). ` +
    (trainFile === undefined ? 'ml-1m.train.rating is absent, so train is empty.' : `train: ${train.length} ratings.`);

  return {
    name: 'ml-1m-ncf',
    interactions,
    userIds,
    itemIds,
    splits: {
      default: {
        train,
        test: testWithSpaces,
        testNegatives: { perRow: NCF_NEGATIVES, items: negativeItems },
        description,
      },
    },
  };
}

// ---------------------------------------------------------------------------------
// registry

/**
 * The MovieLens datasets `readDataset(name)` knows: `ml-100k`, `ml-1m` (side files;
 * ratings when present) and `ml-1m-ncf` (NCF's fixed test split).
 * @example
 * ```ts
 * const entry = movieLensDatasets.find((d) => d.name === 'ml-100k')!;
 * const dataset = await entry.read('/data/rec/ml-100k');
 * ```
 */
export const movieLensDatasets: readonly DatasetEntry[] = [
  {
    name: 'ml-100k',
    folder: 'ml-100k',
    title: 'MovieLens 100K',
    homepage: ML100K_HOMEPAGE,
    files: ML100K_FILES,
    read: readMovieLens100K,
  },
  {
    name: 'ml-1m',
    folder: 'ml-1m',
    title: 'MovieLens 1M (movies and users; ratings when ratings.dat is present)',
    homepage: ML1M_HOMEPAGE,
    files: [['movies.dat'], ['users.dat']],
    read: readMovieLens1M,
  },
  {
    name: 'ml-1m-ncf',
    folder: 'ml-1m-ncf',
    title: 'MovieLens 1M, NCF leave-one-out test split with 99 negatives',
    homepage: NCF_HOMEPAGE,
    files: [plainOrGz('ml-1m.test.rating'), ['ml-1m.test.negative.gz', 'ml-1m.test.negative']],
    read: readMovieLens1MNCF,
  },
];
