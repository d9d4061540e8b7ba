/**
 * The ml-100k slice the sequential models' tests train on: the rows of the 300 most rated
 * movies (61 k of 100 k rows, all 943 users) under S3-Rec's leave-one-out — each user's
 * last item the test, the one before it the validation. It trains in seconds on the `js`
 * backend (a full softmax over 300 items costs a sixth of 1,682's), and full ranking
 * replaces the 99 sampled negatives, which heavy users do not have among 300 items.
 */
import { compactInteractions, type Interactions, itemPopularity, leaveLastOut, selectInteractions, UserItemCSR } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { evaluateFullRanking } from '@rec/eval';
import { type TrainedModel, type TrainingData, trainingDataOf } from '../src/index.js';

/** The slice: the training data (train + validation), the rows before the test, and the test. */
export interface Ml100kSlice {
  readonly data: TrainingData;
  readonly rest: Interactions;
  readonly test: Interactions;
}

let slice: Promise<Ml100kSlice> | undefined;

/** The slice, read once per test file. */
export const ml100kSlice = (): Promise<Ml100kSlice> => (slice ??= readSlice());

async function readSlice(): Promise<Ml100kSlice> {
  const dataset = await readDataset('ml-100k');
  const log = dataset.interactions;
  const popularity = itemPopularity(log);
  const top = new Set(Array.from(popularity.keys()).sort((a, b) => popularity[b]! - popularity[a]! || a - b).slice(0, 300));
  const rows = Int32Array.from(Array.from(log.items.keys()).filter((r) => top.has(log.items[r]!)));
  const { interactions } = compactInteractions(selectInteractions(log, rows));
  const { train: rest, test } = leaveLastOut(interactions, { seed: 1 });
  const { train, test: valid } = leaveLastOut(rest, { seed: 1 });
  return { data: trainingDataOf({}, train, valid), rest, test };
}

/** Full-ranking HR@10 of a trained model on the slice's test items, the rows before them masked. */
export async function sliceHitRate(model: TrainedModel): Promise<number> {
  const { rest, test } = await ml100kSlice();
  const result = await evaluateFullRanking({
    numItems: rest.numItems, testItems: UserItemCSR.fromInteractions(test), trainMask: UserItemCSR.fromInteractions(rest), ks: [10],
    scoreUsers: (u) => model.model.scoreUsers!(u),
  });
  return result.metrics['HR@10']!;
}
