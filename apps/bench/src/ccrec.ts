/**
 * Training speed of CCRec's two trained networks (issue 14): examples per second of the
 * MLE transformer M1 (§5.1) and of the precision-centric MLP M2 (§5.3) — forward,
 * backward and Adam step, batches of 256 as in `rec train ccrec` — on the native backend
 * against the js reference backend in the same run, on Amazon Toys' CCRec task (fold 0 of
 * `ccrecSplit`, the 164 second-level categories, d = 64, k = 10). Then where one native
 * batch's time goes: building the batch on the host (inputs, candidate rows) against the
 * ops.
 *
 * Check first: both backends start from the same seeded weights and batches, and the
 * first batch's loss must agree to 1e-4 before anything is timed.
 *
 *   cd apps/bench && REC_DATA_DIR=… node --conditions=@rec/source --import tsx src/ccrec.ts
 */
import { join } from 'node:path';
import { Adam, backward, resolveBackend, tidy, type Tensor } from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { readDataset } from '@rec/data/node';
import { registerFastBackends } from '@rec/kernels';
import { CCRecModel, CascadeObjective, MleObjective, categoryRows, getReproduction, type Objective } from '@rec/models';

registerFastBackends();
const recipe = getReproduction('ccrec');
const dataset = await readDataset(recipe.datasets.toys!.dataset);
const protocol = (await recipe.protocol(dataset, { data: 'toys', dataset: recipe.datasets.toys!, epochs: 1, dim: 64, seed: 1 })) as unknown as {
  folds: readonly { task: import('@rec/models').CategoryTask }[];
};
const task = protocol.folds[0]!.task;
const BATCH = 256;
const TIMED = { js: 2_000, native: 20_000 };

function setup(stage: 'mle' | 'cascade') {
  const model = new CCRecModel({
    numUsers: task.past.numUsers, numCategories: task.numCategories, maxPast: 10, dim: 64, heads: 2, vaeDim: 256,
    vae: false, cascade: true, candidates: 10, seed: 3,
  }).setPast(task.past);
  const learners = Int32Array.from(new Set(task.future.users)).sort();
  const objective: Objective<unknown> = stage === 'mle'
    ? new MleObjective(model, task.future.users, task.future.items, { batchSize: BATCH, seed: 3 })
    : new CascadeObjective(model, learners, categoryRows(task.future), { batchSize: BATCH, seed: 3 });
  if (stage === 'cascade') model.setCascadeReady(true);
  const optimizer = new Adam(stage === 'mle' ? model.mle : model.final!, { lr: 1e-3 });
  const step = async (b: number): Promise<{ loss: number; rows: number; hostMs: number; opsMs: number }> => {
    const t0 = performance.now();
    const prepared = objective.prepare ? await objective.prepare(0, b) : undefined;
    const t1 = performance.now();
    const out = tidy(() => {
      const { loss, examples } = objective.batch(0, b, prepared as never);
      if (typeof loss === 'number') return { loss, rows: examples };
      backward(loss as Tensor);
      optimizer.step();
      optimizer.zeroGrad();
      return { loss: (loss as Tensor).item(), rows: examples };
    });
    return { ...out, hostMs: t1 - t0, opsMs: performance.now() - t1 };
  };
  return { objective, step, model };
}

interface Row { stage: string; backend: string; rows: number; seconds: number; rowsPerSecond: number; firstLoss: number; hostShare: number }
const rows: Row[] = [];
for (const stage of ['mle', 'cascade'] as const) {
  const first: Record<string, number> = {};
  for (const backend of ['js', 'native'] as const) {
    await resolveBackend({ prefer: backend });
    const { step, objective } = setup(stage);
    first[backend] = (await step(0)).loss;
    let done = 0;
    let host = 0;
    let b = 1;
    const t0 = performance.now();
    while (done < TIMED[backend]) {
      const r = await step(b++ % objective.batches(0));
      done += r.rows;
      host += r.hostMs;
    }
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ stage, backend, rows: done, seconds, rowsPerSecond: done / seconds, firstLoss: first[backend]!, hostShare: host / 1000 / seconds });
  }
  if (Math.abs(first.js! - first.native!) > 1e-4) throw new Error(`${stage}: first-batch loss differs between js (${first.js}) and native (${first.native})`);
}

const lines = [
  `CCRec training speed, Toys fold 0 (${task.numCategories} categories, ${task.future.length} MLE examples), batches of ${BATCH}, d = 64, k = 10`,
  '| stage | backend | examples/s | host share of the time | first loss |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.stage === 'mle' ? 'M1 (MLE transformer)' : 'M2 (precision MLP)'} | ${r.backend} | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} | ${(100 * r.hostShare).toFixed(0)} % | ${r.firstLoss.toFixed(5)} |`),
  ...(['mle', 'cascade'] as const).map((stage) => {
    const [js, native] = ['js', 'native'].map((b) => rows.find((r) => r.stage === stage && r.backend === b)!.rowsPerSecond);
    return `${stage === 'mle' ? 'M1' : 'M2'}: native ${(native! / js!).toFixed(1)}× js`;
  }),
];
console.log(lines.join('\n'));
await writeFileAtomic(join(process.cwd(), 'results', 'ccrec.json'), `${JSON.stringify({ rows }, null, 2)}\n`);
