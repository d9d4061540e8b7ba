/**
 * `rec train bpr`'s loop against its kernel (issue 18: "training loops as fast as their
 * kernels", ≥ 70 % of the `bpr_step` rate on 1 and 2 threads; issue 11: the cost of the
 * deterministic default next to Hogwild). On tmall/mbcgcn's purchases (the `bpr` model's
 * defaults: d = 64, batches of 1,024 purchases × 4 negatives), native backend:
 *
 * 1. the kernel alone: `bpr_step` over one epoch's triples drawn beforehand (the same
 *    triples the loop draws, through `sampleNegatives` at its counters);
 * 2. the loop: `Trainer.fit` of the registry's objective (`FusedBPRObjective`: the epoch's
 *    shuffle, each batch's (u, i), `bpr_sample_step` drawing the negatives inside, the loss
 *    read back), no validation.
 *
 * Each at 1 and 2 threads, deterministic (the default: `lanes` from `defaultLanes`, 2 at 2
 * threads) and, at 2 threads, deterministic with lanes 1 (batch order, the default until
 * 2026-12-08) and Hogwild; each the best of 15 epochs (the machine may be shared). Loop /
 * kernel is issue 18's ratio, deterministic / Hogwild issue 11's.
 *
 *   cd apps/bench && REC_DATA_DIR=… node --conditions=@rec/source --import tsx src/bpr-train.ts
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { resolveBackend, runKernel, sampleNegatives, type Tensor, tensor, tidy } from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { readDataset } from '@rec/data/node';
import { registerFastBackends, setNativeThreads } from '@rec/kernels';
import { behaviorLog, BPRMF, defaultLanes, FusedBPRObjective, Trainer, type TriplesToDraw } from '@rec/models';

const EPOCHS = 15;
const DIM = 64;
const OPTIONS = { batchSize: 1024, negatives: 4, seed: 1, learningRate: 0.05, l2: 1e-5 };

registerFastBackends();
await resolveBackend({ prefer: 'native' });
const dataset = await readDataset('tmall/mbcgcn');
const train = dataset.splits.default.train;
const log = behaviorLog(train, ['buy']);
const fresh = () => new BPRMF({ numUsers: log.numUsers, numItems: log.numItems, dim: DIM, seed: 1, initStd: 0.01 });

// One epoch's triples, drawn beforehand with the loop's own counters.
const drawer = new FusedBPRObjective(fresh(), log, OPTIONS);
const batches = drawer.batches();
const epochTriples: Tensor[][] = [];
let triples = 0;
for (let b = 0; b < batches; b++) {
  const t = drawer.prepare(0, b) as TriplesToDraw;
  const { seed, stream, counter, maxTries } = t.draw;
  const negatives = sampleNegatives(tensor(t.users), t.seen, log.numItems, { seed, stream, counter }, maxTries).negatives;
  epochTriples.push([tensor(t.users), tensor(t.positives), negatives]);
  triples += t.users.length;
}

/** A schedule: Hogwild, or deterministic with `lanes` (undefined: the objective's default, `defaultLanes`). */
interface Schedule {
  mode: string;
  hogwild: boolean;
  lanes?: number;
}

/** Seconds of the best of EPOCHS epochs of the kernel alone, with the lanes the loop runs (ignored under Hogwild). */
function kernelSeconds(hogwild: boolean, lanes: number): number {
  const model = fresh();
  const attrs = { lr: 0.05, reg: 1e-5, hogwild, lanes };
  let best = Infinity;
  for (let e = 0; e < EPOCHS; e++) {
    const t0 = performance.now();
    for (const [u, i, j] of epochTriples) tidy(() => void runKernel('bpr_step', [model.users.weight, model.items.weight, u!, i!, j!], attrs)[0]!.readSync());
    best = Math.min(best, performance.now() - t0);
  }
  return best / 1000;
}

/** Seconds of the best epoch of Trainer.fit over EPOCHS epochs (the loop `rec train bpr` runs; the trainer's own epoch time). */
async function loopSeconds({ hogwild, lanes }: Schedule): Promise<number> {
  const model = fresh();
  const objective = new FusedBPRObjective(model, log, { ...OPTIONS, hogwild, lanes });
  const { epochs } = await new Trainer(model, objective, { epochs: EPOCHS }).fit();
  return Math.min(...epochs.map((e) => e.seconds));
}

const DEFAULT: Schedule = { mode: 'deterministic (default lanes)', hogwild: false };
const BATCH_ORDER: Schedule = { mode: 'deterministic, lanes 1 (batch order)', hogwild: false, lanes: 1 };
const HOGWILD: Schedule = { mode: 'Hogwild', hogwild: true };
const rows: { threads: number; mode: string; lanes: number; kernel: number; loop: number }[] = [];
const load = [loadavg()[0]];
for (const threads of [1, 2]) {
  setNativeThreads(threads);
  for (const schedule of threads > 1 ? [DEFAULT, BATCH_ORDER, HOGWILD] : [DEFAULT]) {
    const lanes = schedule.hogwild ? 1 : schedule.lanes ?? defaultLanes(threads, OPTIONS.batchSize * OPTIONS.negatives);
    const kernel = kernelSeconds(schedule.hogwild, lanes);
    const loop = await loopSeconds(schedule);
    rows.push({ threads, mode: schedule.mode, lanes, kernel, loop });
  }
}
load.push(loadavg()[0]);
const rate = (s: number) => `${(triples / s / 1e6).toFixed(2)} M`;
console.log(`rec train bpr's loop vs bpr_step, tmall/mbcgcn purchases: ${triples.toLocaleString('en')} triples per epoch, d = ${DIM}, batches of ${OPTIONS.batchSize} × ${OPTIONS.negatives}; best of ${EPOCHS} epochs; load ${load.map((l) => l.toFixed(1)).join(' → ')} on ${cpus().length} cores`);
console.log('| threads | schedule | lanes | bpr_step alone, triples/s | the loop (Trainer + bpr_sample_step), triples/s | **loop / kernel** |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.threads} | ${r.mode} | ${r.lanes} | ${rate(r.kernel)} | ${rate(r.loop)} | **${((100 * r.kernel) / r.loop).toFixed(0)} %** |`);
const hog2 = rows.find((r) => r.threads === 2 && r.mode === HOGWILD.mode)!;
for (const { mode } of [DEFAULT, BATCH_ORDER]) {
  const det2 = rows.find((r) => r.threads === 2 && r.mode === mode)!;
  console.log(`2 threads, ${mode} / Hogwild time: the loop ${(det2.loop / hog2.loop).toFixed(3)}, the kernel ${(det2.kernel / hog2.kernel).toFixed(3)} (issue 11's goal: under 1.15)`);
}
await writeFileAtomic(join(import.meta.dirname, '..', 'results', 'bpr-train.json'), `${JSON.stringify({ dataset: 'tmall/mbcgcn', triples, dim: DIM, options: OPTIONS, epochs: EPOCHS, load, rows }, null, 2)}\n`);
