/**
 * Tunes the quickstart's BPR-MF on a validation split, never on the test
 * items: the last training interaction of each user (leave-last-out of the
 * quickstart's train split, seed 43) is held out, and each configuration of the
 * JSON grid given as the first argument is trained (the `bpr` model, as the
 * quickstart trains it) and scored by HR/NDCG@10.
 *
 *   pnpm --filter @rec/cli tune-quickstart '[{"lr":0.05,"l2":1e-5,"epochs":10}]'
 */
import { leaveLastOut, UserItemCSR } from '@rec/data';
import { locateDataset, readMovieLens100K } from '@rec/data/node';
import { evaluateFullRanking } from '@rec/eval';
import { parseModelConfig, trainModel } from '@rec/models';
import { QUICKSTART_BPR } from './quickstart.js';

const found = locateDataset('ml-100k');
if (!found.ok) throw new Error(found.reason);
const { interactions } = await readMovieLens100K(found.dir);
const { train: full } = leaveLastOut(interactions, { seed: 42 });
const { train, test: valid } = leaveLastOut(full, { seed: 43 });
const seen = UserItemCSR.fromInteractions(train);
const grid: { lr: number; l2: number; epochs: number }[] = JSON.parse(process.argv[2] ?? '[{"lr":0.05,"l2":1e-5,"epochs":10}]');
for (const g of grid) {
  const t0 = performance.now();
  const config = parseModelConfig({ ...QUICKSTART_BPR, learningRate: g.lr, l2: g.l2, epochs: g.epochs, seed: 42 });
  const { model } = await trainModel(config, { train });
  const r = await evaluateFullRanking({ numItems: train.numItems, testItems: UserItemCSR.fromInteractions(valid), trainMask: seen, scoreUsers: (u) => model.scoreUsers!(u), ks: [10] });
  console.log(JSON.stringify(g), r.metrics['HR@10'].toFixed(4), r.metrics['NDCG@10'].toFixed(4), `${((performance.now() - t0) / 1000).toFixed(0)}s`);
}
