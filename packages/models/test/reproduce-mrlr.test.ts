/**
 * The MRLR recipe through the generic runner on a slice of Amazon Toys (2,000 users
 * sampled with seed 1, then 5-core; every item and attribute kept), js backend, 4 epochs: tuning on fold
 * 1's validation by AUC, every fold reusing the tuned config (`tunedBy`), the report's
 * Table 2 row and claims, and `--methods` patterns.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentBackend, setBackend } from '@rec/core';
import { type Dataset, kCore, sampleUsers } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { expandMethodPatterns, getReproduction, type MethodResult, runReproduction } from '../src/node.js';

describe('reproduce mrlr on an Amazon Toys slice', () => {
  const backend = currentBackend().name;
  afterEach(() => {
    setBackend(backend);
  });

  it('tunes PR on fold 1\'s validation AUC, trains every fold with the tuned config, and reports mean ± std with the claims', { timeout: 600_000 }, async (ctx) => {
    requireDataset(ctx, 'amazon-s3rec/Toys_and_Games');
    setBackend('js');
    const full = await readDataset('amazon-s3rec/Toys_and_Games');
    const slice: Dataset = { ...full, interactions: kCore(sampleUsers(full.interactions, { count: 2000, seed: 1 }), 5) };
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-mrlr-')), 'toys');
    const lines: string[] = [];
    await runReproduction(getReproduction('mrlr'), {
      data: 'toys', out, epochs: 4, methods: ['mrlr-pr.tune', 'mrlr-pr.f*', 'most-popular.f1', 'most-popular.f2'],
      log: (line) => lines.push(line), readDataset: async () => slice,
    });
    const result = (id: string): MethodResult => JSON.parse(readFileSync(join(out, 'methods', `${id}.json`), 'utf8')) as MethodResult;
    const tune = result('mrlr-pr.tune');
    // γ × λ of the grid (PR has no l2Linear; N is fixed): 4 candidates, each scored by validation AUC.
    expect(tune.tuning).toHaveLength(4);
    for (const c of tune.tuning!) expect(c.validation).toBeGreaterThan(0.4);
    expect(tune.metrics['validation AUC']).toBeGreaterThan(0.5);
    const best = tune.tuning!.reduce((a, b) => (b.validation > a.validation ? b : a));
    expect(tune.config.learningRate).toBe(best.learningRate);
    for (let k = 1; k <= 5; k++) {
      const fold = result(`mrlr-pr.f${k}`);
      expect(fold.config.learningRate).toBe(tune.config.learningRate);
      expect(fold.config.l2).toBe(tune.config.l2);
      expect(fold.config.epochs).toBe(tune.bestEpoch! + 1);
      expect(fold.tuning).toBeUndefined();
      expect(fold.metrics.AUC).toBeGreaterThan(0.55);
      expect(fold.perUser!.users.length).toBe(fold.metrics.users);
    }
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| PR \(5 folds\) \| \*?\*?0\.\d{4}/);
    expect(report).toMatch(/\| Most popular \(2 folds\) \|/);
    expect(report).toContain('- RLR > PR (Fig. 1: +3.54 %): not run (RLR missing).');
    expect(lines.some((l) => /^PR \(tuning\): learningRate 0\.\d+, l2 0\.\d+, negatives 5 → validation AUC 0\.\d{4}$/.test(l))).toBe(true);

    // A fold asked for alone brings its tuning run along when that has not run yet.
    const fresh = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-mrlr-')), 'toys');
    const freshLines: string[] = [];
    await runReproduction(getReproduction('mrlr'), { data: 'toys', out: fresh, epochs: 2, methods: ['bpr.f2'], log: (line) => freshLines.push(line), readDataset: async () => slice });
    expect(freshLines).toContain('bpr.tune: also run, since bpr.f2 takes its config from it');
    expect(JSON.parse(readFileSync(join(fresh, 'methods', 'bpr.f2.json'), 'utf8')).config.epochs).toBe(JSON.parse(readFileSync(join(fresh, 'methods', 'bpr.tune.json'), 'utf8')).bestEpoch + 1);
  });

  it('on yelp (Fig. 5\'s stand-in) prints no Sports paper columns and checks Fig. 5\'s claim', { timeout: 300_000 }, async (ctx) => {
    requireDataset(ctx, 'amazon-s3rec/Toys_and_Games');
    setBackend('js');
    const full = await readDataset('amazon-s3rec/Toys_and_Games');
    const slice: Dataset = { ...full, interactions: kCore(sampleUsers(full.interactions, { count: 2000, seed: 1 }), 5) };
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-mrlr-')), 'yelp');
    await runReproduction(getReproduction('mrlr'), { data: 'yelp', out, epochs: 1, methods: ['most-popular.f1'], log: () => {}, readDataset: async () => slice });
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).not.toContain('paper Sports all');
    expect(report).toContain('No paper columns: this stands in for Fig. 5');
    expect(report).toContain('- MRLR > MP2Vec, the second best of Fig. 5 (+5.10 % All, +5.62 % Cold, p < .01): not run (MRLR missing).');
  });

  it('knows what every method id is (tuning, fold, α sweep and pair, share) and orders tuning first, the α-on-validation folds after the sweeps', () => {
    const recipe = getReproduction('mrlr');
    const cost = new Map(recipe.methods('toys').map((m) => [m.id, recipe.cost!(m)]));
    expect(cost.get('mrlr.alpha1-0.3')).toBe(2);
    expect(cost.get('mrlr.alpha3-1.0')).toBe(2);
    expect(cost.get('mrlr.alphas-0.1-1.0')).toBe(2);
    const pair = recipe.methods('toys').find((m) => m.id === 'mrlr.alphas-0.1-1.0')!;
    expect(pair.config).toEqual({ model: 'mrlr', alpha1: 0.1, alpha3: 1 });
    expect(recipe.methods('toys').find((m) => m.id === 'mrlr.va.f1')!.tunedBy).toContain('mrlr.alphas-0.1-1.0');
    expect(cost.get('bpr.tune')).toBe(0);
    expect(cost.get('bpr.f3')).toBe(1);
    expect(cost.get('mrlr.va.f2')).toBe(2.5);
    expect(cost.get('item2vec.share-70')).toBe(3);
    expect([...cost.values()].every((c) => Number.isFinite(c))).toBe(true);
  });

  it('--tune-negatives replaces N in the grid of the models that sample negatives (not CoFactor\'s SPPMI shift), and other recipes refuse it, as they refuse --tune-batch and --tune-weights', async () => {
    const recipe = getReproduction('mrlr');
    const method = (id: string) => recipe.methods('toys').find((m) => m.id === id)!;
    const settings = { data: 'toys', dataset: recipe.datasets.toys!, epochs: 2, dim: 10, seed: 1, tuneNegatives: [1, 20] };
    const grid = (id: string, model: string) => recipe.tuning!(method(id), { model }, settings);
    // γ 2 × λ 2 × N 2 for MRLR; the folds are tuned by their .tune run, so no grid of their own.
    expect(grid('mrlr.tune', 'mrlr').map((c) => c.negatives)).toEqual([1, 20, 1, 20, 1, 20, 1, 20]);
    expect(new Set(grid('meta-prod2vec.tune', 'meta-prod2vec').map((c) => c.negatives))).toEqual(new Set([1, 20]));
    expect(new Set(grid('cofactor.tune', 'cofactor').map((c) => c.negatives))).toEqual(new Set([1, 5]));
    expect(grid('mrlr.f1', 'mrlr')).toEqual([]);
    expect(recipe.tunesNegatives).toBe(true);
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-mrlr-')), 'nmtr');
    await expect(runReproduction('nmtr', { data: 'tmall', out, tuneNegatives: [1, 5], readDataset: async () => { throw new Error('read'); } }))
      .rejects.toThrow(/^reproduce nmtr: --tune-negatives: this recipe has no number of negatives to search \(the ones that do: mrlr\)$/);
    // The other grid flags a recipe does not search are refused the same way, before any data is read.
    await expect(runReproduction('nmtr', { data: 'tmall', out, tuneBatchSizes: [64], readDataset: async () => { throw new Error('read'); } }))
      .rejects.toThrow(/^reproduce nmtr: --tune-batch: this recipe has no batch size to search \(the ones that do: secondhand\)$/);
    await expect(runReproduction('mrlr', { data: 'toys', out, tuneWeights: [[0.5, 0.5]], readDataset: async () => { throw new Error('read'); } }))
      .rejects.toThrow(/^reproduce mrlr: --tune-weights: this recipe has no behaviour weights to search \(the ones that do: nmtr\)$/);
  });

  it('expands --methods patterns and names what matched nothing', () => {
    const methods = getReproduction('mrlr').methods('toys');
    expect(expandMethodPatterns(['mrlr.f*', 'bpr.tune'], methods, 'reproduce mrlr')).toEqual(['mrlr.f1', 'mrlr.f2', 'mrlr.f3', 'mrlr.f4', 'mrlr.f5', 'bpr.tune']);
    expect(expandMethodPatterns(['*.share-50'], methods, 'x')).toHaveLength(12);
    expect(() => expandMethodPatterns(['mrlr.f9*'], methods, 'reproduce mrlr')).toThrow(/^reproduce mrlr: unknown method 'mrlr\.f9\*'; the methods are pmf\.tune, /);
  });
});
