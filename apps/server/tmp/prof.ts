import { resolveBackend } from '@rec/core';
import { registerFastBackends } from '@rec/kernels';
import { loadTrainedModel } from '@rec/models/node';
import { readFileSync } from 'node:fs';
registerFastBackends();
await resolveBackend({ prefer: 'native' });
const dir = '/work/runs/models/tmall-bpr';
const model = await loadTrainedModel(dir);
const users = JSON.parse(readFileSync(dir + '/ids.json', 'utf8')).users;
let s = 12345;
const pick = () => users[(s = (s * 1103515245 + 12345) >>> 0) % users.length];
for (let i = 0; i < 2000; i++) await model.recommendMany([pick()], { k: 10 });
const n = 20000;
const t0 = performance.now();
for (let i = 0; i < n; i++) await model.recommendMany([pick()], { k: 10 });
const t1 = performance.now();
console.log(`recommendMany single: ${((t1 - t0) / n * 1000).toFixed(1)} us`);
for (const B of [2, 4, 7, 8, 16, 32]) {
  const m = 4000 / B;
  const t2 = performance.now();
  for (let i = 0; i < m; i++) await model.recommendMany(Array.from({ length: B }, pick), { k: 10 });
  console.log(`B=${B}: ${((performance.now() - t2) / (m * B) * 1000).toFixed(1)} us per user`);
}
