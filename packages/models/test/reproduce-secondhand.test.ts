/**
 * The second-hand recipe (`rec reproduce secondhand`) end to end through the generic runner on
 * a Yelp slice (a 400-user draw, js backend, vector length 32 → d_cat 8, ≤ 6 epochs, learning
 * rates {0.1, 0.003} searched on validation):
 * §4.1's sample and §4.2's 8:1:1 split, the rows in order with Tables 2–5's columns, the rare
 * slice, Table 1 beside the paper's, and the claims; and OurModel ahead of most-popular and
 * BPR on the rare items by a stated margin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentBackend, setBackend } from '@rec/core';
import { type Dataset, sampleUsers } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { getReproduction, runReproduction } from '../src/node.js';

describe('reproduce secondhand on a Yelp slice', () => {
  const backend = currentBackend().name;
  afterEach(() => {
    setBackend(backend);
  });

  it('samples, splits 8:1:1, reports Tables 2–5 overall and on rare items, and OurModel leads on the rare items', { timeout: 600_000 }, async (ctx) => {
    requireDataset(ctx, 'yelp-s3rec-hier');
    setBackend('js');
    const full = await readDataset('yelp-s3rec-hier');
    const slice: Dataset = { ...full, interactions: sampleUsers(full.interactions, { count: 400, seed: 3 }) };
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-secondhand-')), 'yelp');
    const lines: string[] = [];
    try {
      const run = await runReproduction(getReproduction('secondhand'), {
        data: 'yelp', out, epochs: 6, dim: 32, seed: 1, tuneLearningRates: [0.1, 0.003], tuneBatchSizes: [128], methods: ['most-popular', 'bpr', 'secondhand-s', 'secondhand'], log: (line) => lines.push(line), readDataset: async () => slice,
      });
      // §4.1 and §4.2: every sampled user, an 8:1:1 split, the rare slice counted.
      expect(lines[0]).toMatch(/: 400 users, [\d,]+ items/);
      expect(lines[0]).toMatch(/split 8:1:1: train [\d,]+ rows, validation [\d,]+, test [\d,]+; \d+ of \d+ test pairs are of items with ≤ 2 training users/);
      expect(run.report.rows.map((r) => r.method)).toEqual(['Most popular', 'BPR (free item factors)', 'OurModel-S (J1 only)', 'OurModel']);
      // No images on Yelp: no visual baselines; a tree: the uniform-negative ablations (not run here).
      expect(getReproduction('secondhand').methods('yelp').map((m) => m.id)).toEqual(['most-popular', 'bpr', 'secondhand-s', 'secondhand', 'secondhand-s.uniform', 'secondhand.uniform']);
      expect(run.report.columns).toEqual([...[5, 10, 20].flatMap((k) => ['Accuracy', 'AUC', 'NDCG', 'F1'].map((m) => `${m}@${k}`)), 'AUC (all items)']);
      for (const row of run.report.rows) for (const v of Object.values(row.values)) expect(Number.isFinite(v)).toBe(true);
      const md = run.sections.join('\n');
      expect(md).toMatch(/## The sample beside the paper's Table 1/);
      expect(md).toMatch(/Mercari Men \(paper\) \| 1,000 \| 212,487 \| 330,690 \| 1\.56 \| 330\.69/);
      expect(md).toMatch(/## The rare slice/);
      expect(md).toMatch(/OurModel beats OurModel-S: overall Accuracy@10 \*\*(holds|does not hold)\*\* \([\d.]+ vs [\d.]+, p = [\d.e-]+\)/);
      // Every trained candidate of the grid ran: 2 rates × the one batch size asked for.
      expect(run.results.find((r) => r.id === 'secondhand')!.tuning!.map((t) => [t.learningRate, t.batchSize])).toEqual([[0.1, 128], [0.003, 128]]);
      // OurModel's vector is split over the tree's 4 levels: d_cat = 32 / 4.
      const ours = run.results.find((r) => r.id === 'secondhand')!;
      expect(ours.config.dim).toBe(8);
      expect(run.results.find((r) => r.id === 'bpr')!.config.dim).toBe(32);
      // The model's reason to exist: on items with ≤ 2 training users it ranks the test items
      // higher among all items than BPR (free item factors) and most-popular (which ranks them
      // last). Full-catalogue AUC, ties half; margins 0.015 over BPR and 0.2 over most-popular
      // (measured on this slice: 0.551, 0.517 and 0.222).
      const rareAuc = (id: string): number => run.results.find((r) => r.id === id)!.metrics['rare AUC (all items)']!;
      expect(rareAuc('secondhand') - rareAuc('bpr')).toBeGreaterThan(0.015);
      expect(rareAuc('secondhand') - rareAuc('most-popular')).toBeGreaterThan(0.2);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('reproduce secondhand on TikTok with a tree clustered from its sound', () => {
  const backend = currentBackend().name;
  afterEach(() => {
    setBackend(backend);
  });

  it('gives the sample a 2-level tree from the acoustic features and runs Sherlock and DeepStyle over it', { timeout: 600_000 }, async (ctx) => {
    requireDataset(ctx, 'tiktok-diffmm');
    setBackend('js');
    const recipe = getReproduction('secondhand');
    expect(recipe.methods('tiktok-tree').map((m) => m.id)).toEqual([
      'most-popular', 'bpr', 'vbpr', 'vbpr-i', 'vbpr-ii', 'sherlock', 'sherlock-i', 'sherlock-ii', 'deepstyle', 'deepstyle-i', 'deepstyle-ii', 'secondhand-s', 'secondhand', 'secondhand-s.uniform', 'secondhand.uniform',
    ]);
    // Without a tree, Sherlock and DeepStyle would be VBPR again: the flat TikTok set leaves them out.
    expect(recipe.methods('tiktok').map((m) => m.id)).not.toContain('sherlock');
    const full = await readDataset('tiktok-diffmm');
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-secondhand-')), 'tiktok-tree');
    try {
      const run = await runReproduction(recipe, {
        data: 'tiktok-tree', out, epochs: 2, dim: 24, seed: 1, tuneLearningRates: [0.01], tuneBatchSizes: [128], methods: ['sherlock', 'deepstyle-i', 'secondhand'],
        log: () => undefined, readDataset: async () => full,
      });
      const config = (id: string) => run.results.find((r) => r.id === id)!.config as Record<string, unknown>;
      // The same vector length for all (§4.2): Sherlock K = K' = 12, DeepStyle 24, OurModel 2 levels + images = 3 × 8.
      expect([config('sherlock').dim, config('sherlock').visualDim, config('deepstyle-i').dim, config('secondhand').dim]).toEqual([12, 12, 24, 8]);
      for (const r of run.results) expect(r.metrics['AUC (all items)']).toBeGreaterThan(0.4);
      expect(run.report.notes?.join(' ')).toMatch(/a tree clustered from the acoustic features/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
