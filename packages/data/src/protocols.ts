/**
 * Evaluation protocols by name: one short text (`u1`, `leave-last-out`, `random:0.8,0.1,0.1`,
 * `kfold:2/5`, `temporal:0.8`, `rnr`, `nmtr`) names either a split the dataset was
 * published with or a protocol with its parameters, so a command line, a config file or
 * a report can say exactly how train and test were made, and {@link resolveSplit} turns
 * it into train/test (and validation) over the dataset's index spaces.
 *
 * The grammar, every form with what it does:
 *
 * | spec | meaning |
 * |---|---|
 * | `default`, `u1`, `ua`, … | a split the dataset was published with, exactly as published |
 * | `leave-last-out` | each user's latest interaction is the test (needs timestamps) — `leaveLastOut` |
 * | `leave-one-out` | one random interaction per user is the test, seeded — `leaveLastOut` `mode: 'random'` |
 * | `random`, `random:<train>,<valid>,<test>`, `random:<train>,<test>` | per-user random split of each user's items by ratio (default 0.8,0.1,0.1) — `randomRatioSplit` |
 * | `kfold:<i>/<k>` | fold i (1-based, 1 … k) of k-fold cross-validation is the test — `assignFolds` |
 * | `temporal:<q>` (0 < q < 1) | the earliest q of the rows by time are train, the rest test |
 * | `temporal:<seconds>`, `temporal:<YYYY-MM-DD>` | rows before that time (Unix seconds, or a UTC date / date-time) are train, the rest test |
 * | `rnr`, `rnr:<n>` | RnR's all-but-last-one: users with < 4 rows dropped, the last rating of n random users held out (n = 5000 on ml-1m), half validation, half test — `allButLastOne` |
 * | `nmtr` | NMTR's leave-one-out on the target behaviour, with a validation row — `multiBehaviorLeaveOneOut` |
 *
 * Pure: no Node built-in, no DuckDB; read a dataset with `readDataset` (`@rec/data/node`)
 * and split it here.
 */
import { allButLastOne, RNR_MIN_INTERACTIONS, type HeldOutChoice } from './all-but-last-one.js';
import type { Dataset } from './dataset.js';
import { UserItemCSR } from './csr.js';
import { selectInteractions, type Interactions } from './interactions.js';
import { leaveLastOut } from './split.js';
import { assignFolds, multiBehaviorLeaveOneOut, randomRatioSplit, RNR_HELD_OUT_USERS } from './splitters.js';

/**
 * A parsed split spec (see {@link parseSplitSpec}); {@link formatSplitSpec} writes it back
 * as canonical text.
 * @example
 * ```ts
 * const spec: SplitSpec = { kind: 'kfold', fold: 2, k: 5 }; // "kfold:2/5"
 * ```
 */
export type SplitSpec =
  /** A split the dataset was published with (`default`, `u1`, …). */
  | { readonly kind: 'published'; readonly name: string }
  /** Each user's latest interaction held out (`leaveLastOut`, mode `last`); refuses logs without timestamps. */
  | { readonly kind: 'leave-last-out' }
  /** One seeded random interaction per user held out (`leaveLastOut`, mode `random`). */
  | { readonly kind: 'leave-one-out' }
  /** Per-user ratio split of each user's items (`randomRatioSplit`); relative sizes, valid 0 means no validation part. */
  | { readonly kind: 'random'; readonly ratios: readonly [train: number, valid: number, test: number] }
  /** Fold `fold` (1-based, 1 … k) of `assignFolds` with `k` folds is the test. */
  | { readonly kind: 'kfold'; readonly fold: number; readonly k: number }
  /**
   * A global time cutoff: `fraction` (0 < q < 1) of the rows by time in train, or rows
   * before `seconds` (Unix time; `date` keeps the date text it was written as).
   */
  | { readonly kind: 'temporal'; readonly fraction: number }
  | { readonly kind: 'temporal'; readonly seconds: number; readonly date?: string }
  /** RnR's all-but-last-one over `heldOutUsers` users (default by dataset: 5000 on ml-1m). */
  | { readonly kind: 'rnr'; readonly heldOutUsers?: number }
  /** NMTR's leave-one-out on the target behaviour. */
  | { readonly kind: 'nmtr' };

/**
 * Every form {@link parseSplitSpec} accepts, with what it means: the source of error
 * messages, `rec` help text and the README's table.
 * @example
 * ```ts
 * for (const { form, meaning } of SPLIT_SPEC_FORMS) console.log(`${form}\t${meaning}`);
 * ```
 */
export const SPLIT_SPEC_FORMS: readonly { readonly form: string; readonly meaning: string }[] = [
  { form: 'default | u1 | ua | <name>', meaning: 'a split the dataset was published with, exactly as published' },
  { form: 'leave-last-out', meaning: "each user's latest interaction is the test (needs timestamps)" },
  { form: 'leave-one-out', meaning: 'one random interaction per user is the test (seeded)' },
  { form: 'random[:<train>,<valid>,<test>]', meaning: "each user's items split at random by ratio, default 0.8,0.1,0.1 (seeded)" },
  { form: 'kfold:<i>/<k>', meaning: 'fold i (1 … k) of k-fold cross-validation is the test (seeded)' },
  { form: 'temporal:<q>', meaning: 'the earliest fraction q (0 < q < 1) of the rows by time is train, the rest test' },
  { form: 'temporal:<seconds|YYYY-MM-DD>', meaning: 'rows before that time (Unix seconds or UTC date) are train, the rest test' },
  { form: 'rnr[:<n>]', meaning: "RnR: users with < 4 rows dropped, the last rating of n random users held out, half validation, half test (n = 5000 on ml-1m)" },
  { form: 'nmtr', meaning: "NMTR: each user's latest target-behaviour interaction is the test, a random other one validation" },
];

/** The protocol keywords; a published split cannot be named by one of these. */
const PROTOCOLS = ['leave-last-out', 'leave-one-out', 'random', 'kfold', 'temporal', 'rnr', 'nmtr'] as const;

const ALLOWED = `allowed: ${SPLIT_SPEC_FORMS.map(({ form }) => form).join(' | ')}`;
const SPLIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function invalid(text: string, what: string): Error {
  return new Error(`invalid split spec ${JSON.stringify(text)}: ${what}; ${ALLOWED}`);
}

/**
 * Parses a split spec (grammar in the module comment and {@link SPLIT_SPEC_FORMS}). Any
 * plain name that is not a protocol keyword (`default`, `u1`, `view-test`) is a
 * published split; whether the dataset has it is checked by {@link resolveSplit}.
 * Surrounding spaces are ignored; keywords are lower case.
 *
 * Choices, and why:
 * - **kfold is 1-based** (`kfold:1/5` … `kfold:5/5`): it reads as "fold 2 of 5", like
 *   GroupLens' u1 … u5; fold i is index i − 1 of `kFoldSplit` / `assignFolds`.
 * - **`temporal:<q>` counts rows**, not time: the cutoff is the time below which a
 *   fraction q of the rows fall, so `temporal:0.8` gives about 80 % train however bursty
 *   the log is (a fraction of the time range can leave the test empty or huge). A number
 *   ≥ 1 is Unix seconds; a date without a zone is UTC.
 * - **random ratios are relative sizes**: `random:8,1,1` = `random:0.8,0.1,0.1`; two
 *   numbers are train and test with no validation part.
 *
 * @throws Error, one line naming what was wrong and listing the allowed forms.
 * @example
 * ```ts
 * parseSplitSpec('kfold:2/5');        // { kind: 'kfold', fold: 2, k: 5 }
 * parseSplitSpec('random:0.8,0.2');   // { kind: 'random', ratios: [0.8, 0, 0.2] }
 * parseSplitSpec('u1');               // { kind: 'published', name: 'u1' }
 * parseSplitSpec('temporal:0.8');     // { kind: 'temporal', fraction: 0.8 }
 * ```
 */
export function parseSplitSpec(text: string): SplitSpec {
  if (typeof text !== 'string') throw invalid(String(text), 'expected text');
  const trimmed = text.trim();
  if (trimmed === '') throw invalid(text, 'it is empty');
  const colon = trimmed.indexOf(':');
  const head = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const arg = colon < 0 ? undefined : trimmed.slice(colon + 1).trim();
  const protocol = (PROTOCOLS as readonly string[]).includes(head) ? (head as (typeof PROTOCOLS)[number]) : undefined;
  if (protocol === undefined) {
    if (colon >= 0) throw invalid(text, `unknown protocol ${JSON.stringify(head)}`);
    if (!SPLIT_NAME.test(trimmed)) throw invalid(text, 'a published split name is letters, digits, ".", "_" and "-"');
    return { kind: 'published', name: trimmed };
  }
  if (arg === '') throw invalid(text, `nothing after "${head}:"`);
  const noArgument = (): void => {
    if (arg !== undefined) throw invalid(text, `${head} takes no parameters`);
  };
  const number = (value: string, what: string): number => {
    if (!NUMBER.test(value)) throw invalid(text, `${what} ${JSON.stringify(value)} is not a number`);
    return Number(value);
  };
  const integer = (value: string, what: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw invalid(text, `${what} ${JSON.stringify(value)} is not a whole number`);
    }
    return Number(value);
  };

  switch (protocol) {
    case 'leave-last-out':
    case 'leave-one-out':
    case 'nmtr':
      noArgument();
      return { kind: protocol };
    case 'random': {
      if (arg === undefined) return { kind: 'random', ratios: [0.8, 0.1, 0.1] };
      const parts = arg.split(',').map((part) => part.trim());
      if (parts.length !== 2 && parts.length !== 3) {
        throw invalid(text, `random takes 2 (train,test) or 3 (train,valid,test) ratios, got ${parts.length}`);
      }
      const values = parts.map((part, k) => number(part, ['train', parts.length === 3 ? 'valid' : 'test', 'test'][k]!));
      const ratios: [number, number, number] = parts.length === 3 ? [values[0]!, values[1]!, values[2]!] : [values[0]!, 0, values[1]!];
      if (!(ratios[0] > 0) || !(ratios[2] > 0)) throw invalid(text, 'the train and test ratios must be > 0');
      return { kind: 'random', ratios };
    }
    case 'kfold': {
      const match = arg === undefined ? null : /^(\d+)\s*\/\s*(\d+)$/.exec(arg);
      if (match === null) throw invalid(text, 'kfold needs <i>/<k>, e.g. kfold:1/5');
      const fold = integer(match[1]!, 'fold');
      const k = integer(match[2]!, 'k');
      if (k < 2) throw invalid(text, `k must be ≥ 2, got ${k}`);
      if (fold < 1 || fold > k) throw invalid(text, `the fold is 1-based and must be in 1 … ${k}, got ${fold}`);
      return { kind: 'kfold', fold, k };
    }
    case 'temporal': {
      if (arg === undefined) throw invalid(text, 'temporal needs a cutoff: a fraction (0 < q < 1), Unix seconds or a date YYYY-MM-DD');
      if (DATE.test(arg)) {
        const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(arg) || arg.length === 10 ? arg : `${arg}Z`;
        const ms = Date.parse(arg.length === 10 ? `${arg}T00:00:00Z` : zoned.replace(' ', 'T'));
        if (!Number.isFinite(ms)) throw invalid(text, `${JSON.stringify(arg)} is not a valid date`);
        return { kind: 'temporal', seconds: ms / 1000, date: arg };
      }
      const value = number(arg, 'cutoff');
      if (value <= 0) throw invalid(text, 'the cutoff must be a fraction 0 < q < 1, Unix seconds ≥ 1 or a date YYYY-MM-DD');
      return value < 1 ? { kind: 'temporal', fraction: value } : { kind: 'temporal', seconds: value };
    }
    case 'rnr': {
      if (arg === undefined) return { kind: 'rnr' };
      const n = integer(arg, 'the number of held-out users');
      if (n < 2) throw invalid(text, `rnr needs at least 2 held-out users (one each for validation and test), got ${n}`);
      return { kind: 'rnr', heldOutUsers: n };
    }
  }
}

/**
 * The canonical text of a split spec: `parseSplitSpec(formatSplitSpec(s))` equals `s`.
 * Numbers are written by `String(number)`; a temporal date keeps the text it was given.
 * @example
 * ```ts
 * formatSplitSpec(parseSplitSpec(' random:8,1,1 ')); // 'random:8,1,1'
 * formatSplitSpec({ kind: 'kfold', fold: 2, k: 5 }); // 'kfold:2/5'
 * ```
 */
export function formatSplitSpec(spec: SplitSpec): string {
  switch (spec.kind) {
    case 'published':
      return spec.name;
    case 'leave-last-out':
    case 'leave-one-out':
    case 'nmtr':
      return spec.kind;
    case 'random': {
      const [train, valid, test] = spec.ratios;
      return valid === 0 ? `random:${train},${test}` : `random:${train},${valid},${test}`;
    }
    case 'kfold':
      return `kfold:${spec.fold}/${spec.k}`;
    case 'temporal':
      return 'fraction' in spec ? `temporal:${spec.fraction}` : `temporal:${spec.date ?? spec.seconds}`;
    case 'rnr':
      return spec.heldOutUsers === undefined ? 'rnr' : `rnr:${spec.heldOutUsers}`;
  }
}

/**
 * Options of {@link resolveSplit}.
 * @example
 * ```ts
 * const options: ResolveSplitOptions = { seed: 7, target: 'buy' };
 * ```
 */
export interface ResolveSplitOptions {
  /**
   * Seed of the seeded protocols (every one but published splits and `temporal`), any
   * safe integer; default 0. The same seed gives the same split on every machine.
   */
  readonly seed?: number;
  /** Target behaviour of `nmtr` (name or index); default the last of `behaviorNames` (the funnel's end). */
  readonly target?: string | number;
}

/**
 * A split made by {@link resolveSplit}: over the dataset's index spaces (same `numUsers`
 * and `numItems` as `dataset.interactions`), with the canonical spec and a sentence
 * saying exactly what was done, for logs and reports.
 * @example
 * ```ts
 * const { spec, train, test, description }: ResolvedSplit = resolveSplit(ml, 'leave-last-out');
 * ```
 */
export interface ResolvedSplit {
  /** Canonical spec text (see {@link formatSplitSpec}); `rnr` gains its n (`rnr:5000`). */
  readonly spec: string;
  readonly train: Interactions;
  readonly test: Interactions;
  /** Validation part, for the protocols that make one (`random` with valid > 0, `rnr`, `nmtr`, published splits that have one). */
  readonly valid?: Interactions;
  /** A published split's fixed negatives per test row (e.g. NCF's 99), as in {@link PublishedSplit}. */
  readonly testNegatives?: { readonly perRow: number; readonly items: Int32Array };
  /** One sentence: which split or protocol, with its parameters and seed. */
  readonly description: string;
}

function protocolList(): string {
  return `protocols: ${PROTOCOLS.join(', ')}`;
}

function publishedList(dataset: Dataset): string {
  const names = Object.keys(dataset.splits);
  return names.length === 0 ? 'it has none' : `it has ${names.join(', ')}`;
}

/** Rows of `log` whose (user, item) pair is not in `csr`, and how many were dropped. */
function withoutPairsIn(log: Interactions, rows: number[], csr: UserItemCSR): { rows: Int32Array; dropped: number } {
  const kept: number[] = [];
  for (const r of rows) if (!csr.has(log.users[r]!, log.items[r]!)) kept.push(r);
  return { rows: Int32Array.from(kept), dropped: rows.length - kept.length };
}

/** ISO text of Unix seconds, without milliseconds. */
function isoOf(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isFinite(date.getTime()) ? date.toISOString().replace('.000Z', 'Z') : String(seconds);
}

/**
 * The item-level global temporal split: rows with `time < cutoff` train, the others
 * test, less test rows whose (user, item) pair is in train (a model would be scored on
 * an item it was trained on, and train-item masking would remove it from its own
 * ranking). Test users without train rows stay in test.
 */
function temporalSplit(
  log: Interactions,
  spec: Extract<SplitSpec, { kind: 'temporal' }>,
  datasetName: string,
): { train: Interactions; test: Interactions; description: string } {
  const times = log.timestamps;
  if (times === undefined) {
    throw new Error(`dataset ${datasetName} has no timestamps, so a temporal split cannot be made; use leave-one-out, random or kfold`);
  }
  let cutoff: number;
  let how: string;
  if ('fraction' in spec) {
    const sorted = Float64Array.from(times).sort();
    cutoff = sorted[Math.min(sorted.length - 1, Math.floor(spec.fraction * sorted.length))]!;
    how = `the ${spec.fraction} time quantile of the rows`;
  } else {
    cutoff = spec.seconds;
    how = spec.date === undefined ? `Unix time ${spec.seconds}` : spec.date;
  }
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let r = 0; r < log.length; r++) (times[r]! < cutoff ? trainRows : testRows).push(r);
  const train = selectInteractions(log, Int32Array.from(trainRows));
  const { rows, dropped } = withoutPairsIn(log, testRows, UserItemCSR.fromInteractions(train));
  return {
    train,
    test: selectInteractions(log, rows),
    description:
      `temporal: rows before ${isoOf(cutoff)} (${how}) are train (${train.length} rows), later rows test (${rows.length}), ` +
      `less ${dropped} test rows whose user–item pair is already in train`,
  };
}

/**
 * Makes the split `spec` names on `dataset`: a published split exactly as published, or
 * a protocol run on `dataset.interactions`. Every part is over the dataset's index
 * spaces, and no protocol puts a test (user, item) pair in train (see each splitter).
 *
 * Per protocol (details and choices in each function's TSDoc):
 * - `leave-last-out` → `leaveLastOut(log, { seed })`; **refuses a log without
 *   timestamps** rather than silently holding out a random row (use `leave-one-out`).
 *   S3-Rec's Amazon and Yelp logs carry sequence positions as timestamps, so there
 *   "latest" is the last item of each sequence, S3-Rec's own protocol.
 * - `leave-one-out` → `leaveLastOut(log, { seed, mode: 'random' })`.
 * - `random:…` → `randomRatioSplit(log, { ratios, seed })`; no `valid` when its ratio is 0.
 * - `kfold:i/k` → the rows `assignFolds(log, { k, seed })` puts in fold i − 1 are test,
 *   the rest train (one fold materialised, not k).
 * - `temporal:…` → rows before the cutoff train, the rest test, less test rows whose pair
 *   is in train; not seeded.
 * - `rnr[:n]` → `allButLastOne(log, { users: n, seed, minInteractions: 4, heldOut })`
 *   (RnR §5.2–5.3: users with fewer than 4 rows are in no part). `heldOut` is the
 *   dataset's published `last` split where it has one (ml-1m, whose folds have no
 *   timestamps: each user's row from `last_ratings.tsv`), else `'last'` when the log has
 *   timestamps (ties to the later row in log order), else `'random'` (seeded). Needs
 *   ratings. n defaults to 5000 on `ml-1m` (RnR §5.3) and must be given elsewhere.
 * - `nmtr` → `multiBehaviorLeaveOneOut(log, { targetBehavior: target, seed, validation: true })`;
 *   NMTR's `mergeDuplicates` / `keepMultiBehaviorUsers` pre-processing is not applied
 *   (apply it to the dataset first to reproduce the paper).
 *
 * Cost: a published split is free; a protocol is its splitter's cost, O(rows) to
 * O(rows log rows).
 *
 * @param dataset a dataset from `readDataset` or `readDatasetFile` (`@rec/data/node`).
 * @param spec spec text (see {@link parseSplitSpec}) or an already parsed {@link SplitSpec}.
 * @param options the seed of the seeded protocols and `nmtr`'s target behaviour.
 * @throws Error, one line: an invalid spec (with the allowed forms); a published name the
 * dataset lacks ("dataset ml-100k has no split 'x' (it has u1, …); protocols: …"); a
 * protocol the data cannot support (no timestamps, no behaviours, no ratings for rnr); a dataset with no
 * interactions; a split whose train or test comes out empty.
 * @example
 * ```ts
 * const ml = await readDataset('ml-100k');
 * const a = resolveSplit(ml, 'u1');
 * a.description; // "ml-100k published split u1: GroupLens' official 5-fold split, fold 1 …"
 * const b = resolveSplit(ml, 'leave-one-out', { seed: 3 });
 * b.test.length; // 943: one row per user
 * ```
 */
export function resolveSplit(dataset: Dataset, spec: string | SplitSpec, options: ResolveSplitOptions = {}): ResolvedSplit {
  const parsed = typeof spec === 'string' ? parseSplitSpec(spec) : spec;
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new Error(`resolveSplit: seed must be a safe integer, got ${String(seed)}`);
  const name = dataset.name;
  const log = dataset.interactions;
  let canonical = formatSplitSpec(parsed);
  let result: Omit<ResolvedSplit, 'spec'>;

  if (parsed.kind === 'published') {
    const split = Object.hasOwn(dataset.splits, parsed.name) ? dataset.splits[parsed.name] : undefined;
    if (split === undefined) {
      throw new Error(`dataset ${name} has no split '${parsed.name}' (${publishedList(dataset)}); ${protocolList()}`);
    }
    result = {
      train: split.train,
      test: split.test,
      ...(split.valid !== undefined ? { valid: split.valid } : {}),
      ...(split.testNegatives !== undefined ? { testNegatives: split.testNegatives } : {}),
      description: `${name} published split ${parsed.name}: ${split.description}`,
    };
  } else {
    if (log.length === 0) {
      throw new Error(
        `dataset ${name} has no interactions (0 rows over ${log.numUsers} users and ${log.numItems} items), so '${canonical}' ` +
          `has nothing to split; its folder lacks the interaction file (see its MANIFEST.md)` +
          (Object.keys(dataset.splits).length > 0 ? `; published splits: ${Object.keys(dataset.splits).join(', ')}` : ''),
      );
    }
    result = runProtocol(dataset, parsed, seed, options.target);
    if (parsed.kind === 'rnr' && 'canonical' in result) canonical = String(result.canonical);
  }

  for (const part of ['train', 'test'] as const) {
    if (result[part].length === 0) {
      throw new Error(`dataset ${name}: split '${canonical}' gives an empty ${part} part (${result.description})`);
    }
  }
  const { train, test, valid, testNegatives, description } = result;
  return {
    spec: canonical,
    train,
    test,
    ...(valid !== undefined ? { valid } : {}),
    ...(testNegatives !== undefined ? { testNegatives } : {}),
    description,
  };
}

type ProtocolResult = Omit<ResolvedSplit, 'spec'> & { canonical?: string };

function runProtocol(
  dataset: Dataset,
  spec: Exclude<SplitSpec, { kind: 'published' }>,
  seed: number,
  target: string | number | undefined,
): ProtocolResult {
  const name = dataset.name;
  const log = dataset.interactions;
  const hasTime = log.timestamps !== undefined;
  switch (spec.kind) {
    case 'leave-last-out': {
      if (!hasTime) {
        throw new Error(
          `dataset ${name} has no timestamps, so leave-last-out cannot tell which interaction is the last; ` +
            `use leave-one-out (one random row per user, seeded)` +
            (Object.keys(dataset.splits).length > 0 ? ` or a published split (${Object.keys(dataset.splits).join(', ')})` : ''),
        );
      }
      const { train, test } = leaveLastOut(log, { seed, mode: 'last' });
      return {
        train,
        test,
        description:
          `leave-last-out: the latest interaction of each user with at least 2 distinct items held out as test ` +
          `(${test.length} users; ties at the same time broken with seed ${seed}), the rest train`,
      };
    }
    case 'leave-one-out': {
      const { train, test } = leaveLastOut(log, { seed, mode: 'random' });
      return {
        train,
        test,
        description: `leave-one-out: one random row per user held out as test (${test.length} users with at least 2 distinct items), seed ${seed}`,
      };
    }
    case 'random': {
      const split = randomRatioSplit(log, { ratios: spec.ratios, seed });
      const [a, b, c] = spec.ratios;
      const total = a + b + c;
      const share = (x: number): string => `${Math.round((1000 * x) / total) / 10}%`;
      return {
        train: split.train,
        test: split.test,
        ...(b > 0 ? { valid: split.valid } : {}),
        description:
          `random: each user's distinct items split at random ${share(a)} train` +
          (b > 0 ? `, ${share(b)} validation` : '') +
          `, ${share(c)} test (${split.train.length} / ${b > 0 ? `${split.valid.length} / ` : ''}${split.test.length} rows), seed ${seed}`,
      };
    }
    case 'kfold': {
      const foldOfRow = assignFolds(log, { k: spec.k, seed });
      const trainRows: number[] = [];
      const testRows: number[] = [];
      for (let r = 0; r < foldOfRow.length; r++) (foldOfRow[r] === spec.fold - 1 ? testRows : trainRows).push(r);
      return {
        train: selectInteractions(log, Int32Array.from(trainRows)),
        test: selectInteractions(log, Int32Array.from(testRows)),
        description:
          `kfold ${spec.fold}/${spec.k}: fold ${spec.fold} of ${spec.k} (each user's distinct items dealt at random over ` +
          `${spec.k} folds) is test (${testRows.length} rows), the other ${spec.k - 1} folds train, seed ${seed}`,
      };
    }
    case 'temporal':
      return temporalSplit(log, spec, name);
    case 'rnr': {
      const n = spec.heldOutUsers ?? (name === 'ml-1m' ? RNR_HELD_OUT_USERS.movielens1m : undefined);
      if (n === undefined) {
        throw new Error(
          `rnr on dataset ${name} needs the number of held-out users: write rnr:<n> (RnR used ` +
            `${RNR_HELD_OUT_USERS.movielens1m} on MovieLens 1M and ${RNR_HELD_OUT_USERS.yelp} on Yelp 2018)`,
        );
      }
      if (log.ratings === undefined) {
        throw new Error(
          `dataset ${name} has no ratings, so rnr (RnR's all-but-last-one, which keeps each held-out rating for rating ` +
            `prediction) cannot be made; use leave-last-out or leave-one-out`,
        );
      }
      const last = Object.hasOwn(dataset.splits, 'last') ? dataset.splits.last : undefined;
      const heldOut: HeldOutChoice = last !== undefined ? { published: last } : hasTime ? 'last' : 'random';
      const split = allButLastOne(log, { users: n, seed, minInteractions: RNR_MIN_INTERACTIONS, heldOut });
      const { counts } = split;
      const which =
        last !== undefined
          ? `the last interaction from the published split 'last'` +
            (counts.ineligibleUsers > 0 ? ` (${counts.ineligibleUsers} users it has no row for keep all theirs in train)` : '')
          : hasTime
            ? 'the last interaction by time (ties to the later row in log order)'
            : 'a random interaction (no timestamps)';
      return {
        train: split.train,
        valid: split.valid,
        test: split.test,
        canonical: `rnr:${n}`,
        description:
          `rnr: ${counts.droppedUsers} users with fewer than ${RNR_MIN_INTERACTIONS} interactions dropped (${counts.droppedRows} rows), ` +
          `then ${which} of ${n} random users of ${counts.eligibleUsers} held out, ${counts.valid} to validation and ` +
          `${counts.test} to test, ${counts.droppedRepeatRows} other rows of held-out pairs dropped, ${counts.train} rows train, seed ${seed}`,
      };
    }
    case 'nmtr': {
      const names = log.behaviorNames;
      if (log.behaviors === undefined || names === undefined) {
        throw new Error(`dataset ${name} has no behaviour types, so nmtr (leave-one-out on a target behaviour) cannot be made; use leave-last-out or leave-one-out`);
      }
      const targetIndex = target === undefined ? names.length - 1 : typeof target === 'number' ? target : names.indexOf(target);
      if (!Number.isInteger(targetIndex) || targetIndex < 0 || targetIndex >= names.length) {
        throw new Error(`dataset ${name} has no behaviour ${JSON.stringify(target)}; it has ${names.map((b) => `'${b}'`).join(', ')}`);
      }
      const split = multiBehaviorLeaveOneOut(log, { targetBehavior: targetIndex, seed, validation: true });
      const which = hasTime ? 'latest' : 'a random (no timestamps)';
      return {
        train: split.train,
        test: split.test,
        ...(split.valid !== undefined ? { valid: split.valid } : {}),
        description:
          `nmtr: the ${which} '${names[targetIndex]}' interaction of each user with at least 2 such items held out as test ` +
          `(${split.test.length}) and a random other one as validation (${split.valid?.length ?? 0}), other behaviours of ` +
          `those pairs kept in train, seed ${seed}`,
      };
    }
  }
}

/**
 * Per registered dataset, the default when it has no published `default` split, and why.
 * A listed published split name counts only when the dataset has that split; datasets
 * not listed here, or lacking their listed split (and users' own dataset files), follow
 * the rule in {@link defaultSplitSpec}.
 */
const DEFAULT_SPLITS: Readonly<Record<string, string>> = {
  // `last`: each user's chronologically last rating as test, all others train — the
  // held-out ratings of NCF (He et al. §4.1) and RnR (§5.3, all-but-last-one), the
  // ranking papers here that use MovieLens 1M, and a fixed split, so runs compare, for
  // every user. `rnr` holds out the same `last` rows (this copy's folds have no times;
  // last_ratings.tsv does), but for 5,000 sampled users halved into validation and test,
  // RnR's exact protocol; `last` has no validation part, so a model that tunes takes one
  // from train.
  // Without last_ratings.tsv the rule below applies: with ratings.dat that is
  // leave-last-out, the same held-out ratings.
  'ml-1m': 'last',
  // 1–5 stars with no time order and no published split: an 80/10/10 random split of each
  // user's ratings. Every user has ≥ 40 ratings, so each keeps ≥ 4 in test and some in
  // validation, which rating prediction (RMSE) and the per-group (gender × category)
  // breakdowns this sample was made for need; leave-one-out would test one rating per
  // user (1,355 in all), and "last" means nothing without time.
  'yelp-core40': 'random:0.8,0.1,0.1',
};

/**
 * A sensible split for `dataset` when none is asked for:
 *
 * 1. `default` when the dataset was published with a `default` split — its authors' own
 *    protocol, comparable with their numbers: `ml-1m-ncf` (NCF's leave-one-out with 99
 *    negatives), `tiktok-diffmm`, `tmall/mbgcn`, `tmall/mbcgcn`, `beibei/ghcf`,
 *    `beibei/crgcn`, `taobao/ghcf`.
 * 2. Per dataset: `last` for `ml-1m` (each user's last rating as test: the held-out
 *    ratings of NCF and RnR for every user; `rnr` holds out the same rows for 5,000 users);
 *    `random:0.8,0.1,0.1` for `yelp-core40` (ratings without time; see `DEFAULT_SPLITS`).
 * 3. `nmtr` when the log has several behaviour types (NMTR's protocol: the latest — or,
 *    without time, a random — target-behaviour interaction per user is the test). A
 *    funnel is evaluated on its target; holding out the latest row of any behaviour would
 *    mostly test views. (Every registered multi-behaviour dataset has a published default.)
 * 4. `leave-last-out` when the log has timestamps: `ml-100k`, `amazon-s3rec/*`,
 *    `yelp-s3rec-hier`. For ml-100k the published u1 … u5 are GroupLens' random 80/20
 *    folds made for rating prediction; the top-N protocol of the papers here on
 *    MovieLens (RnR, and NCF which RnR and NMTR build on) holds out each user's latest
 *    interaction, which is what a new user training a ranking model (BPR) expects to be
 *    scored on. `u1` stays one `--split u1` away. The S3-Rec logs' "timestamps" are
 *    sequence positions, so this is S3-Rec's own leave-last-out protocol.
 * 5. `leave-one-out` otherwise (a seeded random row per user).
 *
 * @returns canonical spec text, to pass to {@link resolveSplit}.
 * @example
 * ```ts
 * const ml = await readDataset('ml-100k');
 * defaultSplitSpec(ml); // 'leave-last-out'
 * const split = resolveSplit(ml, defaultSplitSpec(ml));
 * ```
 */
export function defaultSplitSpec(dataset: Dataset): string {
  if (Object.hasOwn(dataset.splits, 'default')) return 'default';
  const listed = Object.hasOwn(DEFAULT_SPLITS, dataset.name) ? DEFAULT_SPLITS[dataset.name] : undefined;
  if (listed !== undefined && (parseSplitSpec(listed).kind !== 'published' || Object.hasOwn(dataset.splits, listed))) return listed;
  const log = dataset.interactions;
  if (log.behaviors !== undefined && (log.behaviorNames?.length ?? 0) > 1) return 'nmtr';
  if (log.timestamps !== undefined) return 'leave-last-out';
  return 'leave-one-out';
}
