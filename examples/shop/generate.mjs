// Generates the example shop: a made-up funnel log (view → cart → buy) of 400 customers
// over 150 products in 12 categories under 3 departments, with planted taste (each
// customer prefers two categories). Deterministic; plain Node, no dependencies:
//   node examples/shop/generate.mjs
// It stands in for a user's own files in the README's example and the CLI's tests.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let state = 20261205;
const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const pick = (n) => Math.floor(random() * n);

const departments = ['Home', 'Garden', 'Toys'];
const categories = Array.from({ length: 12 }, (_, c) => `${departments[c % 3]} > Aisle ${Math.floor(c / 3) + 1}`);
const products = Array.from({ length: 150 }, (_, i) => ({ sku: `P${String(i + 1).padStart(3, '0')}`, category: i % 12 }));
const byCategory = categories.map((_, c) => products.filter((p) => p.category === c));

const rows = ['customer,sku,event,ts'];
const start = Date.UTC(2026, 0, 1) / 1000;
for (let u = 0; u < 400; u++) {
  const customer = `C${String(u + 1).padStart(4, '0')}`;
  const liked = [pick(12), pick(12)];
  let t = start + pick(86400 * 30);
  const views = 8 + pick(12);
  for (let v = 0; v < views; v++) {
    // 80 % of views in the two preferred categories, the rest anywhere.
    const pool = random() < 0.8 ? byCategory[liked[pick(2)]] : products;
    const p = pool[pick(pool.length)];
    t += 60 + pick(86400);
    rows.push(`${customer},${p.sku},view,${t}`);
    if (random() < 0.35) {
      t += 30 + pick(3600);
      rows.push(`${customer},${p.sku},cart,${t}`);
      if (random() < 0.6) {
        t += 30 + pick(3600);
        rows.push(`${customer},${p.sku},buy,${t}`);
      }
    }
  }
}
writeFileSync(join(here, 'events.csv'), `${rows.join('\n')}\n`);
writeFileSync(join(here, 'products.csv'), `sku,category\n${products.map((p) => `${p.sku},${categories[p.category]}`).join('\n')}\n`);
