/**
 * The AUC protocol of MRLR (Sun et al., "MRLR: Multi-level Representation Learning for
 * Personalized Ranking in Recommendation", IJCAI 2017, §4.1 "Evaluation"): for each test
 * user, the AUC of their held-out items against the items they never interacted with
 * (all of them, or a seeded sample), averaged over users.
 */
import { type PhiloxSeed, Philox } from '@rec/core';
import { meanUserAuc, userAuc, type AucNegatives, type UserAucs } from '../auc.js';
import { rowAccess, userBlockSize, type ItemRows, type PerUserItems, type ScoreUsers, usersWithTestItems } from './full-ranking.js';
import { EVAL_NEGATIVES_STREAM, sampleEvaluationNegatives, sortedUnion } from './sampled-ranking.js';

const CALLER = 'evaluateAUC';

/**
 * What each user's held-out items are compared against:
 * - `'all-non-interacted'`: every item that is neither a train nor a test item of the
 *   user (the unsampled AUC; costs one full score row per user);
 * - `{ kind: 'sampled', numNegatives, seed }`: that many distinct such items, drawn by
 *   `sampleEvaluationNegatives` with `slot` = the user id (so a user's negatives do not
 *   depend on which other users are evaluated).
 * @example
 * ```ts
 * const all: AucNegativeSet = 'all-non-interacted';
 * const sampled: AucNegativeSet = { kind: 'sampled', numNegatives: 100, seed: 7 };
 * ```
 */
export type AucNegativeSet =
  | 'all-non-interacted'
  | { readonly kind: 'sampled'; readonly numNegatives: number; readonly seed: PhiloxSeed };

/**
 * Options of {@link evaluateAUC}.
 * @example
 * ```ts
 * const options: AucProtocolOptions = { numItems, testItems, trainItems, negatives: 'all-non-interacted', scoreUsers };
 * ```
 */
export interface AucProtocolOptions {
  /** Number of items; every score row has this length. */
  numItems: number;
  /** The held-out (positive) items of each user, sorted ascending. */
  testItems: PerUserItems;
  /** Each user's train items: never negatives. Sorted ascending rows. */
  trainItems: ItemRows;
  /** All non-interacted items, or a seeded sample of them. */
  negatives: AucNegativeSet;
  /** The model: full score rows for a block of users (`Recommender.scoreUsers`). */
  scoreUsers: ScoreUsers;
  /** Users to evaluate; default every user with a test item. */
  users?: Int32Array;
  /** Score memory per call (default 64 MiB), see `userBlockSize`. */
  memoryBudgetBytes?: number;
  /** Users per `scoreUsers` call; overrides `memoryBudgetBytes`. */
  blockSize?: number;
  /** Called after each block with users done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Also return every user's AUC. */
  perUser?: boolean;
}

/**
 * The outcome of {@link evaluateAUC}.
 * @example
 * ```ts
 * const r: AucProtocolResult = await evaluateAUC(options);
 * console.log(`AUC ${r.metrics.AUC} over ${r.numUsers} users (${r.negatives.description})`);
 * ```
 */
export interface AucProtocolResult {
  readonly protocol: 'auc';
  readonly negatives: {
    readonly kind: 'all-non-interacted' | 'sampled';
    /** One line for reports. */
    readonly description: string;
    readonly numNegatives?: number;
    /** Decimal string, so 64-bit seeds survive JSON. */
    readonly seed?: string;
    readonly stream?: number;
  };
  /** Users whose AUC entered the mean. */
  readonly numUsers: number;
  /** Users left out because no item was left to be a negative (AUC undefined). */
  readonly skippedNoNegatives: number;
  readonly numItems: number;
  /** `{ AUC: mean per-user AUC }`, ties counting ½. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Present when `perUser: true`; users with an AUC only. */
  readonly perUser?: UserAucs;
}

/**
 * Mean per-user AUC over held-out items (MRLR's evaluation metric):
 *
 *   AUC = (1/|U'|) Σ_u (1 / (|P_u|·|N_u|)) Σ_{p∈P_u, n∈N_u} ( 𝟙[s_up > s_un] + ½·𝟙[s_up = s_un] )
 *
 * with P_u the user's test items and N_u the items the user has neither in train nor in
 * test (all of them, or `numNegatives` sampled). MRLR states "AUC" with 5-fold cross
 * validation and no formula; this is the BPR-style per-user AUC its baselines report
 * (see `meanUserAuc`). Each fold is one call; average the folds' results yourself.
 *
 * Scores come from full rows (`scoreUsers`) in memory-bounded blocks of users, also for
 * sampled negatives (the sample only chooses which scores are compared).
 *
 * @throws Error on bad input (numItems, users, unsorted or out-of-range rows, a sample
 * larger than a user's non-interacted items), a score array of the wrong length or a
 * NaN score among the compared ones, or when no user has an AUC.
 * @see mrlr-multi-level-representation-learning-ranking.txt §4.1 (Evaluation: AUC, 5-fold cross validation)
 * @example
 * ```ts
 * const result = await evaluateAUC({
 *   numItems: train.numItems,
 *   testItems: UserItemCSR.fromInteractions(test),
 *   trainItems: UserItemCSR.fromInteractions(train),
 *   negatives: 'all-non-interacted',
 *   scoreUsers: (users) => model.scoreUsers(users),
 * });
 * result.metrics.AUC;
 * ```
 */
export async function evaluateAUC(options: AucProtocolOptions): Promise<AucProtocolResult> {
  const { numItems, negatives, scoreUsers, onProgress } = options;
  if (!Number.isInteger(numItems) || numItems <= 0) {
    throw new Error(`${CALLER}: numItems must be a positive integer, got ${String(numItems)}`);
  }
  if (options.blockSize !== undefined && (!Number.isInteger(options.blockSize) || options.blockSize <= 0)) {
    throw new Error(`${CALLER}: blockSize must be a positive integer, got ${String(options.blockSize)}`);
  }
  const blockSize = options.blockSize ?? userBlockSize(numItems, options.memoryBudgetBytes, CALLER);
  let sampled: { numNegatives: number; seed: PhiloxSeed } | undefined;
  if (negatives !== 'all-non-interacted') {
    if (typeof negatives !== 'object' || negatives === null || negatives.kind !== 'sampled') {
      throw new Error(`${CALLER}: negatives must be 'all-non-interacted' or { kind: 'sampled', numNegatives, seed }`);
    }
    if (!Number.isInteger(negatives.numNegatives) || negatives.numNegatives <= 0) {
      throw new Error(`${CALLER}: numNegatives must be a positive integer, got ${String(negatives.numNegatives)}`);
    }
    void new Philox({ seed: negatives.seed }); // validates the seed before any scoring
    sampled = negatives;
  }

  const test = rowAccess(options.testItems, 'testItems', CALLER);
  const train = rowAccess(options.trainItems, 'trainItems', CALLER);
  const users = options.users ?? usersWithTestItems(test);
  for (let j = 0; j < users.length; j++) {
    const u = users[j];
    if (!(Number.isInteger(u) && u >= 0 && u < test.numUsers)) {
      throw new Error(`${CALLER}: users[${j}] = ${u} has no row in testItems (it has ${test.numUsers} users)`);
    }
    if (u >= train.numUsers) {
      throw new Error(`${CALLER}: users[${j}] = ${u} has no row in trainItems (it has ${train.numUsers} users)`);
    }
    if (test.row(u).length === 0) throw new Error(`${CALLER}: user ${u} has no test items; leave them out of users`);
  }

  const outUsers: number[] = [];
  const outAuc: number[] = [];
  const outPos: number[] = [];
  const outNeg: number[] = [];
  let skippedNoNegatives = 0;
  const total = users.length;
  for (let begin = 0; begin < total; begin += blockSize) {
    const end = Math.min(total, begin + blockSize);
    const block = users.slice(begin, end);
    const scores = await scoreUsers(block);
    const expected = block.length * numItems;
    if (!(scores instanceof Float32Array || scores instanceof Float64Array) || scores.length !== expected) {
      const got = scores instanceof Float32Array || scores instanceof Float64Array ? `${scores.length}` : typeof scores;
      throw new Error(
        `${CALLER}: scoreUsers returned ${got} scores for ${block.length} users × ${numItems} items; ` +
          `expected a Float32Array of ${expected}`,
      );
    }
    for (let b = 0; b < block.length; b++) {
      const u = block[b];
      const positives = test.row(u);
      const interacted = sortedUnion(train.row(u), positives);
      let against: AucNegatives;
      let numNegatives: number;
      if (sampled === undefined) {
        against = { allExcept: train.row(u) };
        numNegatives = numItems - interacted.length;
      } else {
        const available = numItems - interacted.length;
        if (available === 0) {
          skippedNoNegatives++;
          continue;
        }
        let drawn: Int32Array;
        try {
          drawn = sampleEvaluationNegatives({
            numItems,
            count: sampled.numNegatives,
            seed: sampled.seed,
            slot: u,
            excluded: interacted,
          });
        } catch (error) {
          throw new Error(`${CALLER}: user ${u}: ${(error as Error).message}`);
        }
        against = { sampled: drawn };
        numNegatives = drawn.length;
      }
      let auc: number | undefined;
      try {
        auc = userAuc(scores.subarray(b * numItems, (b + 1) * numItems), positives, against);
      } catch (error) {
        throw new Error(`${CALLER}: user ${u}: ${(error as Error).message}`);
      }
      if (auc === undefined) {
        skippedNoNegatives++;
        continue;
      }
      outUsers.push(u);
      outAuc.push(auc);
      outPos.push(positives.length);
      outNeg.push(numNegatives);
    }
    onProgress?.(end, total);
  }

  const perUser: UserAucs = {
    users: Int32Array.from(outUsers),
    auc: Float64Array.from(outAuc),
    positives: Int32Array.from(outPos),
    negatives: Int32Array.from(outNeg),
    skippedNoPositives: 0,
    skippedNoNegatives,
  };
  const summary = meanUserAuc(perUser);
  const described =
    sampled === undefined
      ? {
          kind: 'all-non-interacted' as const,
          description: `per-user AUC of test items against all non-interacted items (of ${numItems.toLocaleString('en-US')}), ties ½`,
        }
      : {
          kind: 'sampled' as const,
          description:
            `per-user AUC of test items against ${sampled.numNegatives} sampled non-interacted items, ` +
            `seed ${String(sampled.seed)} (Philox stream 0x${EVAL_NEGATIVES_STREAM.toString(16).toUpperCase()}), ties ½`,
          numNegatives: sampled.numNegatives,
          seed: String(sampled.seed),
          stream: EVAL_NEGATIVES_STREAM,
        };
  const result: { -readonly [K in keyof AucProtocolResult]: AucProtocolResult[K] } = {
    protocol: 'auc',
    negatives: described,
    numUsers: summary.users,
    skippedNoNegatives,
    numItems,
    metrics: { AUC: summary.value },
  };
  if (options.perUser) result.perUser = perUser;
  return result;
}
