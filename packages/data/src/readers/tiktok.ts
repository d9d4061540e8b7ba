/**
 * The TikTok micro-video dataset as preprocessed by HKUDS for MMSSL (Wei et al.,
 * "Multi-Modal Self-Supervised Learning for Recommendation", WWW 2023) and shipped with
 * DiffMM (Jiang et al., "DiffMM: Multi-Modal Diffusion Model for Recommendation",
 * ACM MM 2024; github.com/HKUDS/DiffMM, `Datasets/tiktok/`): 9,308 users, 6,710 videos,
 * implicit train / validation / test interactions, and a 128-d visual and a 128-d
 * acoustic feature vector per video. The 768-d text features are not in this copy.
 *
 * Research use only (no data licence is stated); cite MMSSL and DiffMM.
 *
 * Files (MANIFEST.md): `train.tsv`, `valid.tsv`, `test.tsv` — one `user<TAB>item` line
 * per entry of DiffMM's pickled SciPy COO matrices (`trnMat`, `valMat`, `tstMat`),
 * 0-based row / column ids, sorted by (user, item), no header; `image_feat.npy.gz` and
 * `audio_feat.npy.gz` — NumPy `<f2` arrays of shape (6710, 128), row i = item i.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, PublishedSplit } from '../dataset.js';
import { openDuckDB, sqlString, type DuckDBSession } from '../duckdb.js';
import { createInteractions, IdMap, type Interactions } from '../interactions.js';
import { readNpy } from '../npy-file.js';
import { denseFeatures, type DenseFeatures } from '../side-info/features.js';
import { MANIFEST_CHECKSUMS } from './checksums.js';
import type { DatasetEntry } from './entry.js';

const HOMEPAGE = 'https://github.com/HKUDS/DiffMM';

const SPLIT_FILES = { train: 'train.tsv', valid: 'valid.tsv', test: 'test.tsv' } as const;
const FEATURE_FILES = {
  image: ['image_feat.npy.gz', 'image_feat.npy'],
  audio: ['audio_feat.npy.gz', 'audio_feat.npy'],
} as const;

function findFile(dir: string, alternatives: readonly string[]): string {
  const candidates = alternatives.map((file) => join(dir, file));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`readTikTokDiffMM: file not found: looked for ${candidates.join(' and ')}; expected the DiffMM TikTok folder (${HOMEPAGE}, converted as its MANIFEST.md describes)`);
  }
  return found;
}

interface UserItemPairs {
  readonly users: Int32Array;
  readonly items: Int32Array;
}

/** One `user<TAB>item` file, in file order, with non-negative ids. */
async function readPairs(db: DuckDBSession, path: string): Promise<UserItemPairs> {
  // Explicit INTEGER columns and force_not_null: a header, a stray token or an empty
  // field is a conversion error with its line number instead of a NULL or a string.
  const { length, columns } = await db.queryColumns(
    `SELECT user_id, item_id FROM read_csv(${sqlString(path)}, delim = '\t', header = false, quote = '', escape = '',
       auto_detect = false, columns = {'user_id': 'INTEGER', 'item_id': 'INTEGER'}, force_not_null = ['user_id', 'item_id'])`,
    { user_id: 'int32', item_id: 'int32' },
    `readTikTokDiffMM: ${path}`,
  );
  const { user_id: users, item_id: items } = columns;
  // read_csv of a single file keeps file order, so result row r is line r + 1.
  for (let r = 0; r < length; r++) {
    if (users[r]! < 0 || items[r]! < 0) {
      throw new Error(`${path}: line ${r + 1}: user ${users[r]}, item ${items[r]}; expected 0-based (non-negative) ids`);
    }
  }
  return { users, items };
}

/** A (rows × dim) float matrix from a .npy file, or an error naming the file. */
async function readFeatureMatrix(path: string): Promise<DenseFeatures> {
  const array = await readNpy(path);
  if (array.kind !== 'float32' || array.shape.length !== 2) {
    throw new Error(`${path}: holds a ${array.shape.length}-d ${array.descr} array of shape (${array.shape.join(', ')}); expected a 2-d float matrix, one row per item`);
  }
  return denseFeatures(array.shape[0]!, array.shape[1]!, array.data, path);
}

/**
 * Reads the DiffMM TikTok folder.
 *
 * - `splits.default` is the published split, kept exactly as published: `train`,
 *   `valid` and `test` from the three TSV files, rows in file order. `interactions` is
 *   their union (train rows, then validation, then test). There are no timestamps,
 *   ratings or behaviour types.
 * - Ids are DiffMM's matrix rows and columns, unchanged: `userIds` and `itemIds` map
 *   index i ↔ raw id i. `numUsers` is the largest user id + 1 (9,308; the papers'
 *   tables say 9,319, the matrices have 9,308 rows). `numItems` is the number of
 *   feature rows (6,710), since row i of the features is item i.
 * - `itemFeatures.image` and `itemFeatures.audio`: 6,710 × 128 each, float16 in the
 *   files, float32 here.
 * - Test and validation rows may name users and items that training never saw: the
 *   MANIFEST documents 5 such test users and 340 such test items (cold-start cases of
 *   the published protocol), so they are kept, not rejected. Full-ranking evaluation
 *   should still mask each user's training items.
 *
 * Takes about 0.2 s.
 *
 * @param dir the `tiktok-diffmm` folder.
 * @throws Error naming the file and line (or field): a missing file, a line that is
 * not two integers (DuckDB's message with its line number), a negative id, an item id
 * with no feature row, feature files whose row counts differ or that are not 2-d float
 * arrays, or any `.npy` error (see `readNpy`).
 * @see Jiang et al., "DiffMM", ACM MM 2024 (its TikTok experiments: full-ranking
 * Recall@20 / Precision@20 / NDCG@20); the folder's MANIFEST.md for the conversion.
 * @example
 * ```ts
 * const found = locateDataset('tiktok-diffmm');
 * if (!found.ok) throw new Error(found.reason);
 * const tiktok = await readTikTokDiffMM(found.dir);
 * const { train, test } = tiktok.splits['default']!;
 * train.length;                         // 59541
 * tiktok.itemFeatures!['image']!.dim;   // 128
 * ```
 */
export async function readTikTokDiffMM(dir: string): Promise<Dataset<number, number>> {
  const splitPaths = {
    train: findFile(dir, [SPLIT_FILES.train]),
    valid: findFile(dir, [SPLIT_FILES.valid]),
    test: findFile(dir, [SPLIT_FILES.test]),
  };
  const imagePath = findFile(dir, FEATURE_FILES.image);
  const audioPath = findFile(dir, FEATURE_FILES.audio);

  const featuresPromise = Promise.all([readFeatureMatrix(imagePath), readFeatureMatrix(audioPath)]);
  // Swallow a rejection until it is awaited below, so an error in the TSVs is the one reported.
  featuresPromise.catch(() => undefined);

  const db = await openDuckDB();
  let columns: Record<keyof typeof SPLIT_FILES, UserItemPairs>;
  try {
    columns = {
      train: await readPairs(db, splitPaths.train),
      valid: await readPairs(db, splitPaths.valid),
      test: await readPairs(db, splitPaths.test),
    };
  } finally {
    db.close();
  }

  const [image, audio] = await featuresPromise;
  if (audio.rows !== image.rows) {
    throw new Error(`${audioPath}: has ${audio.rows} rows but ${imagePath} has ${image.rows}; expected one row per item in both`);
  }
  const numItems = image.rows;
  let numUsers = 0;
  for (const split of ['train', 'valid', 'test'] as const) {
    const { users, items } = columns[split];
    for (let r = 0; r < items.length; r++) {
      if (items[r]! >= numItems) {
        throw new Error(
          `${splitPaths[split]}: line ${r + 1}: item ${items[r]} has no feature row: ${imagePath} and ${audioPath} have ${numItems} rows (items 0..${numItems - 1})`,
        );
      }
      if (users[r]! >= numUsers) numUsers = users[r]! + 1;
    }
  }

  const part = (split: keyof typeof SPLIT_FILES): Interactions =>
    createInteractions({ users: columns[split].users, items: columns[split].items, numUsers, numItems });
  const train = part('train');
  const valid = part('valid');
  const test = part('test');
  const concat = (pick: (c: UserItemPairs) => Int32Array): Int32Array => {
    const out = new Int32Array(train.length + valid.length + test.length);
    out.set(pick(columns.train), 0);
    out.set(pick(columns.valid), train.length);
    out.set(pick(columns.test), train.length + valid.length);
    return out;
  };
  const interactions = createInteractions({ users: concat((c) => c.users), items: concat((c) => c.items), numUsers, numItems });
  const split: PublishedSplit = {
    train,
    valid,
    test,
    description:
      "DiffMM's TikTok split (HKUDS/DiffMM Datasets/tiktok trnMat/valMat/tstMat, MMSSL's preprocessing): one validation and one test item for some users, the rest train; no timestamps.",
  };
  const identity = (n: number): IdMap<number> => new IdMap(Array.from({ length: n }, (_, i) => i));

  return {
    name: 'tiktok-diffmm',
    interactions,
    userIds: identity(numUsers),
    itemIds: identity(numItems),
    splits: { default: split },
    itemFeatures: { image, audio },
  };
}

/**
 * Registry entry of `tiktok-diffmm` (folder `tiktok-diffmm`), read with
 * {@link readTikTokDiffMM}.
 *
 * @example
 * ```ts
 * const entry = tiktokDatasets[0]!;
 * const tiktok = await entry.read(join(dataRoot(), entry.folder));
 * tiktok.itemFeatures!['audio']!.rows; // 6710
 * ```
 */
export const tiktokDatasets: readonly DatasetEntry[] = [
  {
    name: 'tiktok-diffmm',
    folder: 'tiktok-diffmm',
    title: 'TikTok (MMSSL/DiffMM preprocessing) with visual and acoustic item features',
    homepage: HOMEPAGE,
    files: [[SPLIT_FILES.train], [SPLIT_FILES.valid], [SPLIT_FILES.test], FEATURE_FILES.image, FEATURE_FILES.audio],
    checksums: MANIFEST_CHECKSUMS['tiktok-diffmm'],
    // 59,541 train + 3,051 valid + 6,130 test pairs.
    expectedInteractions: 68_722,
    read: readTikTokDiffMM,
  },
];
