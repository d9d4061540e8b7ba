import { Adagrad, backward, resolveBackend, tidy } from '@rec/core';
import { generateSyntheticInteractions } from '@rec/data';
import { registerFastBackends, setNativeThreads } from '@rec/kernels';
import { behaviorLog, NCF, PointwiseObjective, type PointwiseRows } from '@rec/models';
registerFastBackends();
await resolveBackend({ prefer: 'native' });
setNativeThreads(1);
const { interactions } = generateSyntheticInteractions({ numUsers: 6040, numItems: 3706, numClusters: 10, interactionsPerUser: 166, seed: 1 });
const log = behaviorLog(interactions);
const model = new NCF({ numUsers: 6040, numItems: 3706, unit: 'neumf', dim: 32, seed: 1 });
const objective = new PointwiseObjective(model, log, { batchSize: 410, negatives: 4, seed: 1 });
const optimizer = new Adagrad(model, { lr: 0.01 });
let tPrep = 0, tStep = 0, count = 0;
for (let r = 0; r < 6; r++) {
  for (let b = 0; b < 200; b++) {
    const t0 = performance.now();
    const rows = objective.prepare(r + 1, b) as PointwiseRows;
    const t1 = performance.now();
    tidy(() => {
      const { loss: l, examples } = objective.batch(r + 1, b, rows);
      backward(l); optimizer.step(); optimizer.zeroGrad(); count += examples; return l.item();
    });
    const t2 = performance.now();
    if (r > 0) { tPrep += t1 - t0; tStep += t2 - t1; }
  }
}
console.log(`prepare ${(tPrep / 1000).toFixed(3)} ms/batch, step ${(tStep / 1000).toFixed(3)} ms/batch, ${((count * 5 / 6) / (tPrep + tStep)).toFixed(0)} k samples/s`);
