/**
 * The RnR recipe (`rec reproduce rnr`) end to end through the generic runner on a slice
 * of ml-100k (300 users sampled with seed 1, every item kept; all of them held out, so
 * 150 validation and 150 test users), js backend, 2 epochs, d = 16: Table 1's rows in order,
 * finite numbers, RMSE/MAE only for the methods that rate, every tuned config chosen on
 * validation alone, the claims, significance and learning-rate sections, and the paper's
 * columns where the paper has numbers.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentBackend, setBackend } from '@rec/core';
import { type Dataset, generateSyntheticInteractions, sampleUsers } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { RNR_CLAIMS, RNR_PAPER_TABLE1, type RnrProtocol } from '../src/reproductions/rnr.js';
import { expandMethodPatterns, findModel, getReproduction, type MethodResult, type ReproductionSettings, runReproduction } from '../src/node.js';

/** The methods run, Table 1 order; the CDAE multi-task rows only where their models are registered (another change adds them). */
const WANTED = ['most-popular', 'svd.paper', 'cdae.paper', 'vanilla-cdae.paper', 'rnr-cdae.paper', 'bpr.paper', 'vanilla-bpr.paper', 'rnr-bpr.paper', 'bpr.lr'];
const RATES = new Set(['svd', 'vanilla-cdae', 'rnr-cdae', 'vanilla-bpr', 'rnr-bpr']);
const modelOf = (id: string): string => id.replace(/\.(paper|lr|long)$/, '');

describe('reproduce rnr on an ml-100k slice', () => {
  const backend = currentBackend().name;
  afterEach(() => {
    setBackend(backend);
  });

  it('runs Table 1\'s rows, tunes on validation only, rates only with the rating models and checks every §5.4 claim', { timeout: 600_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    setBackend('js');
    const full = await readDataset('ml-100k');
    const slice: Dataset = { ...full, interactions: sampleUsers(full.interactions, { count: 300, seed: 1 }) };
    const methods = WANTED.filter((id) => findModel(modelOf(id)) !== undefined);
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-rnr-')), 'ml-100k');
    const lines: string[] = [];
    const recipe = getReproduction('rnr');
    const run = await runReproduction(recipe, { data: 'ml-100k', out, epochs: 2, dim: 16, methods, log: (line) => lines.push(line), readDataset: async () => slice });
    expect(lines[0]).toMatch(/\nsplit rnr:300: /);

    // Table 1's rows, in its order (the CDAE multi-task rows where registered), then the lr-searched BPR.
    const names: Record<string, string> = {
      'most-popular': 'Popularity', 'svd.paper': 'SVD', 'cdae.paper': 'CDAE', 'vanilla-cdae.paper': 'Vanilla(CDAE, SVD)', 'rnr-cdae.paper': 'RnR(CDAE, SVD)',
      'bpr.paper': 'BPR', 'vanilla-bpr.paper': 'Vanilla(BPR, SVD)', 'rnr-bpr.paper': 'RnR(BPR, SVD)', 'bpr.lr': 'BPR · lr searched',
    };
    expect(run.report.rows.map((r) => r.method)).toEqual(methods.map((id) => names[id]));
    expect(run.report.columns).toEqual(['Recall@10', 'MRR@10', 'RMSE', 'MAE']);

    const result = (id: string): MethodResult => JSON.parse(readFileSync(join(out, 'methods', `${id}.json`), 'utf8')) as MethodResult;
    for (const id of methods) {
      const r = result(id);
      const row = run.report.rows.find((x) => x.method === r.name)!;
      for (const v of Object.values(row.values)) expect(Number.isFinite(v)).toBe(true);
      expect(r.metrics['Recall@10']).toBeGreaterThanOrEqual(0);
      expect(r.metrics['Recall@10']).toBeLessThanOrEqual(1);
      expect(r.metrics['MRR@10']).toBeLessThanOrEqual(r.metrics['Recall@10']!);
      expect(r.metrics.users).toBe(150);
      expect(r.perUser!.users).toHaveLength(150);
      // RMSE and MAE exactly for the methods that rate: rating models whose rating loss had a
      // weight (the BPR row is vanilla-bpr at α = 1, and a multi-task row tuned to α = 1 rates nothing).
      const rates = RATES.has(modelOf(id)) && r.config.alpha !== 1;
      if (modelOf(id) === 'bpr') expect(r.config).toMatchObject({ model: 'vanilla-bpr', alpha: 1 });
      expect('RMSE' in row.values).toBe(rates);
      expect('MAE' in row.values).toBe(rates);
      if (rates) {
        expect(row.values.RMSE).toBeGreaterThan(0.5);
        expect(row.values.RMSE).toBeLessThan(3);
        expect(row.values.MAE).toBeLessThanOrEqual(row.values.RMSE!);
      }
    }

    // Every trained method searched its grid on validation: candidates carry only their fields, a
    // validation score and their epochs (no test metric), and the kept config is the best candidate by it.
    const grids: Record<string, number> = { 'svd.paper': 2, 'cdae.paper': 2, 'vanilla-cdae.paper': 6, 'rnr-cdae.paper': 6, 'bpr.paper': 2, 'vanilla-bpr.paper': 6, 'rnr-bpr.paper': 6, 'bpr.lr': 6 };
    for (const id of methods.filter((m) => m !== 'most-popular')) {
      const r = result(id);
      expect(r.tuning, id).toHaveLength(grids[id]!);
      for (const candidate of r.tuning!) {
        for (const key of Object.keys(candidate)) expect(['alpha', 'l2', 'learningRate', 'validation', 'epochs']).toContain(key);
        expect(candidate.epochs!.best).toBeLessThanOrEqual(candidate.epochs!.run);
        expect(candidate.epochs!.run).toBeLessThanOrEqual(2);
        if (id.endsWith('.paper')) expect(candidate.learningRate).toBe(0.001);
      }
      const best = r.tuning!.reduce((a, b) => (b.validation > a.validation ? b : a));
      // The BPR row fixes α = 1 outside its grid (vanilla-bpr at α = 1).
      for (const key of ['alpha', 'l2', 'learningRate']) expect(r.config[key]).toBe(key === 'alpha' && modelOf(id) === 'bpr' ? 1 : best[key]);
      expect(Math.max(...r.validation.map((v) => v.value))).toBe(best.validation);
      expect(r.config.epochs).toBe(2);
    }
    expect(new Set(result('bpr.lr').tuning!.map((c) => c.learningRate))).toEqual(new Set([0.001, 0.01, 0.05]));
    expect(result('most-popular').tuning).toBeUndefined();

    // The claims, each listed with a verdict and its numbers, or as not run.
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    const claims = report.slice(report.indexOf('## Claims of §5.4'));
    for (const claim of RNR_CLAIMS) {
      const ran = methods.includes(`${claim.a}.paper`) && methods.includes(`${claim.b}.paper`);
      const line = claims.split('\n').find((l) => l.startsWith(`- ${claim.text}: `));
      expect(line, claim.text).toBeDefined();
      if (ran) expect(line).toMatch(/: \*\*(holds|holds in direction only \(.+\)|does not hold( on .+)?|not tested: validation chose α = 1 for .+)\*\*( \(validation chose α = 1 for .+\))? — Recall@10 0\.\d{4} vs 0\.\d{4} \(paired t p = .+\); MRR@10 /);
      else expect(line).toMatch(/: not run \(.+ missing\)\.$/);
    }
    expect(report).toMatch(/\| RnR\(BPR, SVD\) vs Vanilla\(BPR, SVD\) \| Recall@10 \| 0\.\d{4} \| 0\.\d{4} \| [+-]\d\.\d{4} \| .+ \| .+ \| 150 \|/);
    expect(report).toMatch(/\| Vanilla\(BPR, SVD\) vs BPR \| MRR@10 \|/);
    expect(report).toMatch(/## What the learning-rate grid changes[^]*\n\| BPR \| 0\.\d{4} \| 0\.\d{4} \| [12] \| 0\.\d{4} \| 0\.\d{4} \| 0\.0\d* \| [12] \|/);
    expect(report).toContain('## Tuning on the validation users');

    // A multi-task model tuned to α = 1 had no rating loss: claims about it are not tested by it.
    const uncoupled = run.results.map((r) => (r.id === 'vanilla-bpr.paper' ? { ...r, config: { ...r.config, alpha: 1 } } : r));
    const recheck = recipe.report(uncoupled, { train: slice.interactions, test: slice.interactions, spec: 'rnr:300', description: '' } as unknown as RnrProtocol,
      { data: 'ml-100k', dataset: recipe.datasets['ml-100k']!, epochs: 2, dim: 50, seed: 1 });
    const text = recheck.sections.join('\n');
    expect(text).toContain('- Vanilla(BPR, SVD) > BPR (the same claim): **not tested: validation chose α = 1 for Vanilla(BPR, SVD), so it trained without its rating loss, as the single-task model** — Recall@10');
    // The other side at α = 1 is named beside the verdict (unless RnR itself was tuned to α = 1).
    const rnrAlpha = run.results.find((r) => r.id === 'rnr-bpr.paper')!.config.alpha;
    expect(text).toMatch(rnrAlpha === 1
      ? /- RnR\(BPR, SVD\) > Vanilla\(BPR, SVD\) \(the same claim\): \*\*not tested: validation chose α = 1 for RnR\(BPR, SVD\)/
      : /- RnR\(BPR, SVD\) > Vanilla\(BPR, SVD\) \(the same claim\): \*\*[^*]+\*\* \(validation chose α = 1 for Vanilla\(BPR, SVD\): it is the single-task model here\) — /);

    // Where the paper has numbers (ml-1m, Yelp), its Table 1 stands beside ours.
    const protocol = { train: slice.interactions, test: slice.interactions, spec: 'rnr:300', description: '' } as unknown as RnrProtocol;
    const settings: ReproductionSettings = { data: 'ml-1m', dataset: recipe.datasets['ml-1m']!, epochs: 2, dim: 50, seed: 1 };
    const onMl1m = recipe.report(run.results, protocol, settings).report;
    expect(onMl1m.columns).toEqual(['Recall@10', 'MRR@10', 'RMSE', 'MAE', 'paper Accuracy@10', 'paper MRR@10']);
    const rnrRow = onMl1m.rows.find((r) => r.method === 'RnR(BPR, SVD)')!;
    expect([rnrRow.values['paper Accuracy@10'], rnrRow.values['paper MRR@10']]).toEqual([...RNR_PAPER_TABLE1['ml-1m']!['rnr-bpr']!]);
    expect(onMl1m.unranked).toEqual(['paper Accuracy@10', 'paper MRR@10']);
  });

  it('lists Popularity and every Table 1 model three times (paper\'s rate, rate searched, paper\'s rate without early stopping), trains the paper\'s rows first, and expands patterns', () => {
    const recipe = getReproduction('rnr');
    const methods = recipe.methods('yelp');
    const models = ['svd', 'cdae', 'vanilla-cdae', 'rnr-cdae', 'bpr', 'vanilla-bpr', 'rnr-bpr'];
    expect(methods.map((m) => m.id)).toEqual(['most-popular', ...['paper', 'lr', 'long'].flatMap((t) => models.map((m) => `${m}.${t}`))]);
    const cost = (id: string): number => recipe.cost!(methods.find((m) => m.id === id)!);
    expect(Math.max(...models.map((m) => cost(`${m}.paper`)))).toBeLessThan(Math.min(...models.map((m) => cost(`${m}.lr`))));
    expect(Math.max(...models.map((m) => cost(`${m}.lr`)))).toBeLessThan(Math.min(...models.map((m) => cost(`${m}.long`))));
    expect(cost('most-popular')).toBeLessThan(cost('svd.paper'));
    expect(expandMethodPatterns(['rnr-*'], methods, 'reproduce rnr')).toEqual(['rnr-cdae.paper', 'rnr-bpr.paper', 'rnr-cdae.lr', 'rnr-bpr.lr', 'rnr-cdae.long', 'rnr-bpr.long']);
    // The `.long` rows search the paper's grid at its rate and never stop early: patience is the whole budget.
    const settings: ReproductionSettings = { data: 'yelp', dataset: recipe.datasets.yelp!, epochs: 40, dim: 8, seed: 1 };
    const method = (id: string) => methods.find((m) => m.id === id)!;
    expect(recipe.tuning!(method('bpr.long'), { model: 'vanilla-bpr' }, settings)).toEqual(recipe.tuning!(method('bpr.paper'), { model: 'vanilla-bpr' }, settings));
    const { interactions: tiny } = generateSyntheticInteractions({ numUsers: 20, numItems: 30, numClusters: 2, interactionsPerUser: 5, seed: 1 });
    const data = { train: tiny, valid: tiny };
    const model = { scoreUsers: () => new Float32Array(0) } as never;
    expect(recipe.validation!(model, data, method('bpr.long'), settings)!.patience).toBe(40);
    expect(recipe.validation!(model, data, method('bpr.paper'), settings)!.patience).toBe(3);
    expect(Object.keys(recipe.datasets)).toEqual(['ml-1m', 'ml-100k', 'toys', 'yelp']);
    expect(() => recipe.methods('beauty')).toThrow(/^reproduce rnr: data must be one of ml-1m, ml-100k, toys, yelp, got 'beauty'$/);
  });
});
