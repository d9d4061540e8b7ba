/**
 * What a second thread buys `bpr_step` on this machine (issue 11: the cost of the
 * deterministic default next to Hogwild on 2 threads). Tmall-shaped synthetic batches: 15,000
 * users, 12,000 items, d = 64, calls of 4,096 triples (the `bpr` model's 1,024 purchases × 4
 * negatives), users and negatives uniform, positives either uniform or with a popular head
 * (log-uniform ids: half of them among the first 110 items, as purchases concentrate on few
 * items). For each: rows per second at 1 and 2 native threads, in the deterministic default
 * (`parts` 1: the row-ordered schedule, bit-identical at any thread count; its `auto` mode
 * runs a batch on the pool or on the caller alone, whichever it timed faster), the same
 * forced onto the pool (`pool`: the default until 2026-12-07), the lane order with 2 lanes
 * (`lanes: 2`, what `bpr` runs by default on 2 threads since 2026-12-08: a fixed permutation of
 * each batch whose lanes touch disjoint rows), and Hogwild; medians of 7 interleaved rounds of
 * 270 calls each.
 *
 *   cd apps/bench && node --conditions=@rec/source --import tsx src/bpr-threads.ts
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Philox, resolveBackend, runKernel, type Tensor, tensor, tidy } from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { type OrderedMode, registerFastBackends, setNativeOrderedMode, setNativeThreads } from '@rec/kernels';
import { median } from './stats.js';

const USERS = 15_000;
const ITEMS = 12_000;
const DIM = 64;
const TRIPLES = 4096;
const CALLS = 270;
const ROUNDS = 7;

registerFastBackends();
await resolveBackend({ prefer: 'native' });

const rng = new Philox({ seed: 1, stream: 0 });
const rand = () => rng.uniform();
const table = (rows: number) => tensor(Float32Array.from({ length: rows * DIM }, () => (rand() - 0.5) * 0.1), [rows, DIM]);
const ids = (count: number, draw: () => number) => tensor(Int32Array.from({ length: count }, draw));
const flat = (rows: number) => () => rng.int(rows);
const popular = () => Math.min(ITEMS - 1, Math.floor(Math.exp(rand() * Math.log(ITEMS))));

const families = {
  uniform: Array.from({ length: CALLS }, () => [ids(TRIPLES, flat(USERS)), ids(TRIPLES, flat(ITEMS)), ids(TRIPLES, flat(ITEMS))]),
  'popular head': Array.from({ length: CALLS }, () => [ids(TRIPLES, flat(USERS)), ids(TRIPLES, popular), ids(TRIPLES, flat(ITEMS))]),
};
const P = table(USERS);
const Q = table(ITEMS);

/** Seconds for one round of the family's calls. */
function round(batches: Tensor[][], hogwild: boolean, mode: OrderedMode, lanes: number): number {
  setNativeOrderedMode(mode);
  const t0 = performance.now();
  for (const [u, i, j] of batches) tidy(() => void runKernel('bpr_step', [P, Q, u!, i!, j!], { lr: 0.05, reg: 1e-5, hogwild, lanes })[0]!.readSync());
  return (performance.now() - t0) / 1000;
}

// [schedule, hogwild, ordered mode, lanes]: lanes 2 is what `bpr` runs by default on 2 threads
// (defaultLanes); lanes 3 gives each stratum three tasks, so the faster of two threads can take two.
const SCHEDULES = [
  ['deterministic', false, 'auto', 1], ['deterministic on the pool', false, 'pool', 1], ['deterministic, lanes 2', false, 'auto', 2], ['deterministic, lanes 3', false, 'auto', 3],
  ['Hogwild', true, 'auto', 1],
] as const;
const cases = [1, 2].flatMap((threads) => SCHEDULES.filter(([, , mode]) => threads > 1 || mode !== 'pool').map(([schedule, hogwild, mode, lanes]) => ({ threads, schedule, hogwild, mode, lanes })));
const load = [loadavg()[0]];
const rows: { family: string; threads: number; schedule: string; rowsPerSecond: number }[] = [];
for (const [family, batches] of Object.entries(families)) {
  const times = cases.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    cases.forEach(({ threads, hogwild, mode, lanes }, k) => {
      setNativeThreads(threads);
      times[k].push(round(batches, hogwild, mode, lanes));
    });
  }
  cases.forEach(({ threads, schedule }, k) => rows.push({ family, threads, schedule, rowsPerSecond: (CALLS * TRIPLES) / median(times[k]) }));
  setNativeOrderedMode('auto');
}
load.push(loadavg()[0]);

const rate = (x: number) => `${(x / 1e6).toFixed(2)} M`;
const find = (family: string, threads: number, schedule: string) => rows.find((r) => r.family === family && r.threads === threads && r.schedule === schedule)?.rowsPerSecond;
console.log(`bpr_step, ${USERS} users × ${ITEMS} items, d = ${DIM}, calls of ${TRIPLES} triples; medians of ${ROUNDS} rounds of ${CALLS} calls; load ${load.map((l) => l.toFixed(1)).join(' → ')} on ${cpus().length} cores`);
console.log('| positives | schedule | 1 thread, triples/s | 2 threads, triples/s | 2 threads / 1 thread |');
console.log('|---|---|---|---|---|');
for (const family of Object.keys(families)) {
  for (const [schedule] of SCHEDULES) {
    const one = find(family, 1, schedule);
    const two = find(family, 2, schedule)!;
    console.log(`| ${family} | ${schedule} | ${one === undefined ? '–' : rate(one)} | ${rate(two)} | ${one === undefined ? '–' : (two / one).toFixed(2)} |`);
  }
  const hog = find(family, 2, 'Hogwild')!;
  console.log(`${family}, 2 threads: deterministic / Hogwild time = ${(hog / find(family, 2, 'deterministic')!).toFixed(2)} (on the pool: ${(hog / find(family, 2, 'deterministic on the pool')!).toFixed(2)}; lanes 2: ${(hog / find(family, 2, 'deterministic, lanes 2')!).toFixed(2)}; lanes 3: ${(hog / find(family, 2, 'deterministic, lanes 3')!).toFixed(2)})`);
}
await writeFileAtomic(join(import.meta.dirname, '..', 'results', 'bpr-threads.json'), `${JSON.stringify({ users: USERS, items: ITEMS, dim: DIM, triples: TRIPLES, calls: CALLS, rounds: ROUNDS, load, rows }, null, 2)}\n`);
