/**
 * The deterministic default's cost on MRLR's own batches (issue 11): MRLR's fused step
 * (`MrlrObjective.batch`: `skipgram_step` over a batch's co-rated examples, then `bpr_step`
 * over its ranking triples, both with Amazon Toys' category lists) on
 * native at 1 thread and at 2 threads three ways, interleaved round by round so that load
 * drifts hit them alike:
 *
 * - `parts 2`: the default at 2 threads (each thread's part of a batch updates its own copy
 *   of the category rows, merged after it; the same model for the same REC_THREADS);
 * - `parts 1`: one shared order for every row, category rows included (bit-equal to the js
 *   reference at any thread count; what the default was before `parts`);
 * - Hogwild: no order, not reproducible.
 *
 * The synthetic rows of `bench:kernels` (10,000 categories, 1,024 items a call, d = 64) are
 * the worst case for the copies; these are MRLR's: its batches of 4,096 co-rated examples,
 * d = 10, and Toys' categories.
 *
 *   cd apps/bench && REC_DATA_DIR=… node --conditions=@rec/source --import tsx src/mrlr-threads.ts
 */
import { join } from 'node:path';
import { resolveBackend, tidy } from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { UserItemCSR } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { registerFastBackends, setNativeThreads } from '@rec/kernels';
import { MRLR, MrlrObjective, MrlrSampler, type MrlrBatch } from '@rec/models';
import { median } from './stats.js';

const DIM = 10;
const NEGATIVES = 5;
const BATCHES = 30;
const ROUNDS = 5;

registerFastBackends();
await resolveBackend({ prefer: 'native' });
const dataset = await readDataset('amazon-s3rec/Toys_and_Games');
const { interactions } = dataset;
const cats = dataset.itemCategories!;
const csr = UserItemCSR.fromInteractions(interactions);
const sampler = new MrlrSampler(csr.indptr, csr.indices, csr.numItems, { coRated: true, ranking: true, negatives: NEGATIVES, batchSize: 4096, seed: 1 });
const batches = Array.from({ length: BATCHES }, (_, b) => sampler.batch(0, b) as MrlrBatch);
const rows = batches.reduce((s, b) => s + b.coUsers.length + b.rankUsers.length, 0);
const config = { variant: 'mrlr' as const, numUsers: interactions.numUsers, numItems: interactions.numItems, numCategories: cats.numCategories, dim: DIM, alpha1: 0.8, alpha3: 0.1, seed: 1 };

/** Seconds for the batches on fresh tables through MrlrObjective.batch with the given `hogwild` and `parts`. */
function seconds(hogwild: boolean, parts: number): number {
  const model = new MRLR(config);
  const objective = new MrlrObjective(model, sampler, cats, { learningRate: 0.1, l2: 0.001, hogwild, parts });
  const t0 = performance.now();
  batches.forEach((b, index) => tidy(() => void objective.batch(0, index, b)));
  return (performance.now() - t0) / 1000;
}

const runs = { one: [] as number[], parts2: [] as number[], parts1: [] as number[], hogwild: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  setNativeThreads(1);
  runs.one.push(seconds(false, 1));
  setNativeThreads(2);
  runs.parts2.push(seconds(false, 2));
  runs.parts1.push(seconds(false, 1));
  runs.hogwild.push(seconds(true, 1));
}
const m = { one: median(runs.one), parts2: median(runs.parts2), parts1: median(runs.parts1), hogwild: median(runs.hogwild) };
const rate = (s: number) => `${(rows / s / 1e6).toFixed(2)} M rows/s`;
console.log(`MRLR's fused step on Amazon Toys (${cats.numCategories.toLocaleString('en')} categories, ${rows.toLocaleString('en')} rows in ${BATCHES} batches, d = ${DIM}, N = ${NEGATIVES}), native, medians of ${ROUNDS} interleaved rounds:`);
console.log(`  1 thread:                 ${rate(m.one)}`);
console.log(`  2 threads, parts 2:       ${rate(m.parts2)}   deterministic / Hogwild = ${(m.parts2 / m.hogwild).toFixed(3)}`);
console.log(`  2 threads, parts 1:       ${rate(m.parts1)}   deterministic / Hogwild = ${(m.parts1 / m.hogwild).toFixed(3)}`);
console.log(`  2 threads, Hogwild:       ${rate(m.hogwild)}   (${(m.one / m.hogwild).toFixed(2)}× one thread)`);
await writeFileAtomic(join(import.meta.dirname, '..', 'results', 'mrlr-threads.json'), JSON.stringify({
  data: 'amazon-s3rec/Toys_and_Games', categories: cats.numCategories, rows, batches: BATCHES, dim: DIM, negatives: NEGATIVES, rounds: ROUNDS, seconds: runs,
  ratios: { parts2OverHogwild: m.parts2 / m.hogwild, parts1OverHogwild: m.parts1 / m.hogwild, oneThreadOverHogwild: m.one / m.hogwild },
}, null, 2));
