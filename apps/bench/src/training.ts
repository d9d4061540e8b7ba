/**
 * Training speed of the NMTR vertical (issue 6): rows per second of NeuMF and
 * NMTR-NeuMF training (forward, backward, Adagrad step, with the §III-D batch
 * sampling) on the native backend against the js reference backend, in the same
 * run, on tmall/mbcgcn; then one full epoch's wall time on the native backend.
 *
 * Check first: both backends start from the same seeded weights and batches, and
 * the first batch's loss must agree to 1e-4 before anything is timed.
 *
 *   cd apps/bench && REC_DATA_DIR=… node --conditions=@rec/source --import tsx src/training.ts [--no-epoch]
 */
import { join } from 'node:path';
import { Adagrad, backward, resolveBackend, tidy } from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { multiBehaviorLeaveOneOut } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { registerFastBackends } from '@rec/kernels';
import { behaviorLog, getModel, modelBehaviors, parseModelConfig, PointwiseObjective, type PointwiseRows, shapeOf, type NCF, type NMTR } from '@rec/models';

const MODELS = ['neumf', 'nmtr-neumf'] as const;
const TIMED_ROWS = { js: 40_000, native: 200_000 };
const withEpoch = !process.argv.includes('--no-epoch');

registerFastBackends();
const dataset = await readDataset('tmall/mbcgcn');
const { train } = multiBehaviorLeaveOneOut(dataset.splits.default.train, { targetBehavior: 'buy', mode: 'random', seed: 1 });

function setup(model: (typeof MODELS)[number]) {
  const config = parseModelConfig({ model, seed: 3 });
  const behaviors = modelBehaviors(config, train);
  const net = getModel(model).create!(config as never, shapeOf({ train }, behaviors)) as unknown as NCF | NMTR;
  const objective = new PointwiseObjective(net, behaviorLog(train, behaviors), { seed: 3 });
  const optimizer = new Adagrad(net, { lr: config.learningRate as number });
  // The bench runs js and native, which read synchronously: prepare returns its rows at once.
  const step = (b: number): { loss: number; rows: number } =>
    tidy(() => {
      const { loss, examples } = objective.batch(0, b, objective.prepare(0, b) as PointwiseRows);
      backward(loss);
      optimizer.step();
      optimizer.zeroGrad();
      return { loss: loss.item(), rows: examples };
    });
  return { objective, step };
}

interface Row { model: string; backend: string; rows: number; seconds: number; rowsPerSecond: number; firstLoss: number }
const rows: Row[] = [];
for (const model of MODELS) {
  const first: Record<string, number> = {};
  for (const backend of ['js', 'native'] as const) {
    await resolveBackend({ prefer: backend });
    const { step } = setup(model);
    first[backend] = step(0).loss;
    let done = 0;
    let b = 1;
    const t0 = performance.now();
    while (done < TIMED_ROWS[backend]) done += step(b++).rows;
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ model, backend, rows: done, seconds, rowsPerSecond: done / seconds, firstLoss: first[backend] });
  }
  if (Math.abs(first.js - first.native) > 1e-4) throw new Error(`${model}: first-batch loss differs between js (${first.js}) and native (${first.native})`);
}

const epochs: { model: string; batches: number; rows: number; seconds: number }[] = [];
if (withEpoch) {
  await resolveBackend({ prefer: 'native' });
  for (const model of MODELS) {
    const { objective, step } = setup(model);
    const batches = objective.batches();
    let done = 0;
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) done += step(b).rows;
    epochs.push({ model, batches, rows: done, seconds: (performance.now() - t0) / 1000 });
  }
}

const speedup = (model: string): number => {
  const [js, native] = ['js', 'native'].map((b) => rows.find((r) => r.model === model && r.backend === b)!.rowsPerSecond);
  return native / js;
};
console.log('| model | backend | rows timed | rows/s | speedup over js |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.model} | ${r.backend} | ${r.rows.toLocaleString('en-US')} | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} | ${r.backend === 'js' ? '1.00×' : `${speedup(r.model).toFixed(2)}×`} |`);
if (epochs.length) {
  console.log('\n| model | one epoch on tmall/mbcgcn (native) | batches | rows |');
  console.log('|---|---|---|---|');
  for (const e of epochs) console.log(`| ${e.model} | ${e.seconds.toFixed(1)} s | ${e.batches} | ${e.rows.toLocaleString('en-US')} |`);
}
const out = join(import.meta.dirname, '..', 'results', 'training.json');
await writeFileAtomic(out, `${JSON.stringify({ dataset: 'tmall/mbcgcn', rows, epochs, speedups: Object.fromEntries(MODELS.map((m) => [m, speedup(m)])) }, null, 2)}\n`);
console.log(`\nwrote ${out}`);
