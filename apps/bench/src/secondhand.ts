/**
 * Training speed of the second-hand model (issue 16): (user, item) pairs per second of
 * OurModel (`secondhand`: J1 with 4 category negatives per pair + J2's softmax over users,
 * forward, backward and AdamW step, batches of 128) on the native backend against the js
 * reference in the same run, on `rec reproduce secondhand`'s sample of `--data yelp` (the
 * default: 1,000 users, the 3,089-node Yelp category tree, d_cat = 32 over 4 levels, no
 * images) or `--data tiktok-tree` (the 40-node tree clustered from TikTok's sound, 2 levels
 * + 128-d image features through eq. 2's per-leaf maps, d_cat = d_vis = 42). Then the share
 * of a native step spent in eq. 1 alone (every node's representation composed down the tree
 * through its W_c, forward and backward): whether the per-category matrices dominate.
 *
 * Check first: both backends start from the same seeded weights and batches, and the first
 * batch's loss must agree to 1e-4 before anything is timed.
 *
 *   cd apps/bench && REC_DATA_DIR=… node --conditions=@rec/source --import tsx src/secondhand.ts [--data tiktok-tree]
 */
import { join } from 'node:path';
import { AdamW, backward, resolveBackend, sum, tidy, type Tensor } from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { UserItemCSR } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { registerFastBackends } from '@rec/kernels';
import { getReproduction, SecondHandModel, SecondHandObjective } from '@rec/models';
import type { SecondhandProtocol } from '@rec/models';

registerFastBackends();
const at = process.argv.indexOf('--data');
const key = at >= 0 ? process.argv[at + 1]! : 'yelp';
if (key !== 'yelp' && key !== 'tiktok-tree') throw new Error(`--data must be yelp or tiktok-tree, got '${key}'`);
const recipe = getReproduction('secondhand');
const dataset = await readDataset(recipe.datasets[key]!.dataset);
const protocol = (await recipe.protocol(dataset, { data: key, dataset: recipe.datasets[key]!, epochs: 1, dim: 128, seed: 1 })) as unknown as SecondhandProtocol;
const data = protocol.trainingData(recipe.methods(key).find((m) => m.id === 'secondhand')!, false);
const tree = data.categoryTree!;
const itemLeaf = data.itemLeafCategory!;
const image = data.itemFeatures?.image;
/** d_cat (and d_vis): the reproduction's vector length of 128 over the parts. */
const DIM = Math.floor(128 / (tree.levels + (image ? 1 : 0)));
const BATCH = 128;
const TIMED = { js: 1_500, native: 8_000 };

function setup() {
  const { train } = data;
  const model = new SecondHandModel({ numUsers: train.numUsers, numItems: train.numItems, numNodes: tree.size, levels: tree.levels, dim: DIM, featureDim: image?.dim ?? 0, seed: 3 });
  model.setStructure({ tree, itemLeaf, ...(image ? { features: image.values } : {}) });
  const rated = UserItemCSR.fromInteractions(train);
  const objective = new SecondHandObjective(model, rated, { tree, itemLeaf }, { batchSize: BATCH, negatives: 4, siblingRate: 0.5, seed: 3, beta1: 0.75, beta2: 0.25 });
  const optimizer = new AdamW(model, { lr: 1e-3, weightDecay: 0.01 });
  const step = async (b: number): Promise<{ loss: number; pairs: number }> => {
    const prepared = await objective.prepare(0, b);
    return tidy(() => {
      const { loss } = objective.batch(0, b, prepared);
      backward(loss as Tensor);
      optimizer.step();
      optimizer.zeroGrad();
      return { loss: (loss as Tensor).item(), pairs: prepared.pairs };
    });
  };
  /** Eq. 1 alone: compose every node's representation, backward through the W_c (no step). */
  const composeOnly = (): void => {
    tidy(() => backward(sum(model.categoryVectors())));
    model.zeroGrad();
  };
  return { objective, step, composeOnly };
}

interface Row { backend: string; pairs: number; seconds: number; pairsPerSecond: number; firstLoss: number; composeShare?: number }
const rows: Row[] = [];
for (const backend of ['js', 'native'] as const) {
  await resolveBackend({ prefer: backend });
  const { step, objective, composeOnly } = setup();
  const firstLoss = (await step(0)).loss;
  let done = 0;
  let b = 1;
  const t0 = performance.now();
  while (done < TIMED[backend]) done += (await step(b++ % objective.batches())).pairs;
  const seconds = (performance.now() - t0) / 1000;
  const row: Row = { backend, pairs: done, seconds, pairsPerSecond: done / seconds, firstLoss };
  if (backend === 'native') {
    const calls = b - 1;
    const c0 = performance.now();
    for (let k = 0; k < calls; k++) composeOnly();
    row.composeShare = (performance.now() - c0) / 1000 / seconds;
  }
  rows.push(row);
}
const [js, native] = rows;
if (Math.abs(js!.firstLoss - native!.firstLoss) > 1e-4) throw new Error(`first-batch loss differs between js (${js!.firstLoss}) and native (${native!.firstLoss})`);

const lines = [
  `OurModel training speed, ${key} sample (${data.train.numUsers} users, ${data.train.numItems} items, ${tree.size} category nodes over ${tree.levels} levels${image ? `, ${image.dim}-d image features` : ''}), batches of ${BATCH} pairs × 4 negatives, d_cat = ${DIM}`,
  '| backend | pairs/s | first loss | eq. 1 (compose + backward) share of a step |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.backend} | ${Math.round(r.pairsPerSecond).toLocaleString('en-US')} | ${r.firstLoss.toFixed(5)} | ${r.composeShare === undefined ? '–' : `${(100 * r.composeShare).toFixed(0)} %`} |`),
  `native ${(native!.pairsPerSecond / js!.pairsPerSecond).toFixed(1)}× js`,
];
console.log(lines.join('\n'));
await writeFileAtomic(join(process.cwd(), 'results', key === 'yelp' ? 'secondhand.json' : `secondhand.${key}.json`), `${JSON.stringify({ data: key, rows }, null, 2)}\n`);
