/**
 * Training speed of RnR (issue 13): rated pairs per second of RnR(BPR, SVD) and Vanilla(BPR,
 * SVD) training — sampling the batch's negatives, the joint loss of eq. 1 / eq. 2 forward and
 * backward through autograd, and the Adagrad step — on the native backend against the js
 * reference backend, in the same run, on MovieLens-1M's training part (RnR §5.3's All But
 * Last One, n = 5,000); then one full native epoch. Both tasks run through autograd (BPR's
 * fused `bpr_step` is plain SGD, and §5.3 trains with Adagrad), so the phases reported are
 * the batch's sampling, its forward + backward, and the optimizer step.
 *
 * Check first: both backends start from the same seeded weights and batches, and the first
 * batch's loss must agree to 1e-4 before anything is timed.
 *
 *   cd apps/bench && REC_DATA_DIR=… node --conditions=@rec/source --import tsx src/rnr.ts [--no-epoch]
 */
import { join } from 'node:path';
import { Adagrad, backward, resolveBackend, tidy } from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { resolveSplit } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { registerFastBackends } from '@rec/kernels';
import { behaviorLog, getModel, meanRating, modelBehaviors, parseModelConfig, type RankAndRate, RnrObjective, type RnrBatch, shapeOf } from '@rec/models';

const MODELS = ['rnr-bpr', 'vanilla-bpr'] as const;
const TIMED_ROWS = { js: 60_000, native: 300_000 };
const withEpoch = !process.argv.includes('--no-epoch');

registerFastBackends();
const dataset = await readDataset('ml-1m');
const { train } = resolveSplit(dataset, 'rnr:5000', { seed: 1 });

function setup(model: (typeof MODELS)[number]) {
  const config = parseModelConfig({ model, seed: 3 });
  // The registered model's own create (what `fit` builds), then fit's μ.
  const net = getModel(model).create!(config as never, shapeOf({ train }, modelBehaviors(config, train))) as unknown as RankAndRate;
  net.setGlobalMean(meanRating(train.ratings!));
  const objective = new RnrObjective(net, behaviorLog(train), train, { batchSize: 1024, seed: 3 });
  const optimizer = new Adagrad(net, { lr: config.learningRate as number });
  const phases = { sample: 0, forwardBackward: 0, optimizer: 0 };
  // js and native read synchronously: prepare returns its batch at once.
  const step = (b: number): { loss: number; rows: number } => {
    const t0 = performance.now();
    const batch = objective.prepare(0, b) as RnrBatch;
    const t1 = performance.now();
    return tidy(() => {
      const { loss, examples } = objective.batch(0, b, batch);
      backward(loss);
      const value = loss.item();
      const t2 = performance.now();
      optimizer.step();
      optimizer.zeroGrad();
      const t3 = performance.now();
      phases.sample += t1 - t0;
      phases.forwardBackward += t2 - t1;
      phases.optimizer += t3 - t2;
      return { loss: value, rows: examples };
    });
  };
  return { objective, step, phases };
}

interface Row { model: string; backend: string; rows: number; seconds: number; rowsPerSecond: number; firstLoss: number; phases: Record<string, number> }
const rows: Row[] = [];
const lines: string[] = [`MovieLens-1M training part (rnr:5000, seed 1): ${train.length} rated pairs, ${train.numUsers} users, ${train.numItems} items; batches of 1,024, d = 50`];
for (const model of MODELS) {
  const first: Record<string, number> = {};
  for (const backend of ['js', 'native'] as const) {
    await resolveBackend({ prefer: backend });
    const { step, phases } = setup(model);
    first[backend] = step(0).loss;
    phases.sample = phases.forwardBackward = phases.optimizer = 0;
    let done = 0;
    let b = 1;
    const t0 = performance.now();
    while (done < TIMED_ROWS[backend]) done += step(b++).rows;
    const seconds = (performance.now() - t0) / 1000;
    const total = phases.sample + phases.forwardBackward + phases.optimizer;
    const shares = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, v / total]));
    rows.push({ model, backend, rows: done, seconds, rowsPerSecond: done / seconds, firstLoss: first[backend], phases: shares });
  }
  if (Math.abs(first.js! - first.native!) > 1e-4) throw new Error(`${model}: the first batch's loss differs between js (${first.js}) and native (${first.native})`);
  const [js, native] = rows.slice(-2) as [Row, Row];
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  lines.push(
    `${model}: js ${(js.rowsPerSecond / 1e3).toFixed(1)} k pairs/s, native ${(native.rowsPerSecond / 1e3).toFixed(1)} k pairs/s, native / js = ${(native.rowsPerSecond / js.rowsPerSecond).toFixed(2)}× ` +
      `(native: sampling ${pct(native.phases.sample!)}, forward + backward ${pct(native.phases.forwardBackward!)}, Adagrad ${pct(native.phases.optimizer!)}; first loss ${first.native!.toFixed(6)} on both)`,
  );
}
let epoch: { model: string; seconds: number } | undefined;
if (withEpoch) {
  await resolveBackend({ prefer: 'native' });
  const { objective, step } = setup('rnr-bpr');
  const t0 = performance.now();
  for (let b = 0; b < objective.batches(); b++) step(b);
  epoch = { model: 'rnr-bpr', seconds: (performance.now() - t0) / 1000 };
  lines.push(`one full native epoch of rnr-bpr (${objective.batches()} batches): ${epoch.seconds.toFixed(1)} s (REC_THREADS=${process.env.REC_THREADS ?? 'default'})`);
}
for (const line of lines) console.log(line);
await writeFileAtomic(join(import.meta.dirname, '..', 'results', 'rnr.json'), JSON.stringify({ dataset: 'ml-1m', split: 'rnr:5000', rows, epoch }, null, 2));
