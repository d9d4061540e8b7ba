/**
 * The quickstart: BPR-MF on MovieLens-100K (or, without it, a generated
 * dataset with planted structure), evaluated leave-one-out over all items
 * beside a most-popular baseline.
 */
import { pathToFileURL } from 'node:url';
import { currentBackend } from '@rec/core';
import { generateSyntheticInteractions, type Interactions, leaveLastOut, UserItemCSR } from '@rec/data';
import { locateDataset, readDataset } from '@rec/data/node';
import { evaluateFullRanking, type FullRankingResult } from '@rec/eval';
import { MostPopular, parseModelConfig, type Recommender, trainModel } from '@rec/models';
import { useCallerDirectory } from './caller-directory.js';
import { type ProgressReporter, createProgress } from './progress.js';

/**
 * The quickstart's BPR-MF settings: LearnBPR (SGD through the fused `bpr_step` kernel,
 * the `bpr` model of the registry), 64 factors, learning rate 0.05 and λ 1e-3, chosen
 * on a validation item per user (`tune-quickstart`; see the README).
 */
export const QUICKSTART_BPR = { model: 'bpr', dim: 64, learningRate: 0.05, l2: 1e-3 } as const;

/** Options of {@link runQuickstart}. */
export interface QuickstartOptions {
  /** Force the generated dataset even when ml-100k is present. */
  synthetic?: boolean;
  epochs?: number;
  dim?: number;
  seed?: number;
  /** Where lines go (default stdout). */
  log?: (line: string) => void;
  /** Show progress bars (default: when stdout is a terminal). */
  progress?: boolean;
}

/** What the quickstart measured. */
export interface QuickstartResult {
  dataset: string;
  users: number;
  items: number;
  trainInteractions: number;
  testUsers: number;
  bpr: FullRankingResult;
  popularity: FullRankingResult;
  epochLosses: number[];
  trainSeconds: number;
}

async function loadData(options: QuickstartOptions, log: (line: string) => void): Promise<{ name: string; interactions: Interactions }> {
  if (!options.synthetic) {
    const found = locateDataset('ml-100k');
    if (found.ok) {
      // Through the parsed-dataset cache: the first run reads the files, later runs load in milliseconds.
      const { interactions } = await readDataset('ml-100k');
      return { name: `ml-100k (${found.dir})`, interactions };
    }
    log(`ml-100k not found: ${found.reason}`);
  }
  log('Running on a GENERATED dataset (seeded, 943 users × 1682 items, 20 taste clusters), not on MovieLens.');
  const { interactions } = generateSyntheticInteractions({ numUsers: 943, numItems: 1682, numClusters: 20, interactionsPerUser: 60, seed: 7 });
  return { name: 'synthetic (943 users × 1682 items, 20 clusters)', interactions };
}

/** Runs the quickstart and prints its table; returns the numbers for tests. */
export async function runQuickstart(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const seed = options.seed ?? 42;
  const epochs = options.epochs ?? 10;
  const { name, interactions } = await loadData(options, log);
  const { train, test } = leaveLastOut(interactions, { seed });
  const seen = UserItemCSR.fromInteractions(train);
  const testItems = UserItemCSR.fromInteractions(test);
  log(`dataset: ${name}: ${interactions.numUsers} users, ${interactions.numItems} items, ${interactions.length} interactions`);
  log(`split: leave-last-out by time: ${train.length} train, ${test.length} test (one per user)`);
  log(`backend: ${currentBackend().name}`);

  const config = parseModelConfig({ ...QUICKSTART_BPR, epochs, seed, ...(options.dim ? { dim: options.dim } : {}) });
  const progress: ProgressReporter = createProgress({ enabled: options.progress, log });
  const started = performance.now();
  const trained = await trainModel(config, { train }, {
    onBatch: ({ epoch, batch, batches, loss, examplesPerSecond }) => {
      progress.update(`BPR-MF epoch ${epoch + 1}/${epochs}`, epoch * batches + batch, epochs * batches, {
        loss: loss.toFixed(4),
        rate: `${Math.round(examplesPerSecond)} triples/s`,
      });
    },
  });
  progress.stop();
  const trainSeconds = (performance.now() - started) / 1000;
  const epochLosses = trained.history!.epochs.map((e) => e.loss);
  log(`trained ${epochs} epochs in ${trainSeconds.toFixed(1)} s; loss ${epochLosses[0].toFixed(4)} → ${epochLosses[epochLosses.length - 1].toFixed(4)}`);

  const evaluate = (recommender: Recommender) =>
    evaluateFullRanking({ numItems: train.numItems, testItems, trainMask: seen, scoreUsers: (u) => recommender.scoreUsers(u), ks: [10] });
  const bpr = await evaluate(trained.model as Recommender);
  const popularity = await evaluate(MostPopular.fit(train));

  log('');
  log(`Leave-one-out, full ranking over all ${train.numItems} items, each user's training items masked; ${bpr.numUsers} test users.`);
  log('| model        | HR@10  | NDCG@10 |');
  log('|--------------|--------|---------|');
  for (const [label, r] of [['BPR-MF', bpr], ['Most popular', popularity]] as const) {
    log(`| ${label.padEnd(12)} | ${r.metrics['HR@10'].toFixed(4)} | ${r.metrics['NDCG@10'].toFixed(4)}  |`);
  }
  const hrGain = bpr.metrics['HR@10'] / popularity.metrics['HR@10'] - 1;
  const ndcgGain = bpr.metrics['NDCG@10'] / popularity.metrics['NDCG@10'] - 1;
  log(`BPR-MF vs most popular: HR@10 ${(hrGain * 100).toFixed(1)} %, NDCG@10 ${(ndcgGain * 100).toFixed(1)} % (relative).`);
  return {
    dataset: name,
    users: interactions.numUsers,
    items: interactions.numItems,
    trainInteractions: train.length,
    testUsers: bpr.numUsers,
    bpr,
    popularity,
    epochLosses,
    trainSeconds,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  useCallerDirectory();
  const synthetic = process.argv.includes('--synthetic');
  runQuickstart({ synthetic }).catch((error: unknown) => {
    process.stderr.write(`quickstart failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
