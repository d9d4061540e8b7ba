/**
 * `rec eval` and `rec recommend` on models `rec train` saved: in process, on the
 * generated funnel dataset and the js backend; plus one check of the protocol on
 * Tmall's published split when the data is present.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positivesByBehavior, UserItemCSR } from '@rec/data';
import { requireDataset } from '@rec/data/testing';
import { evaluateFullRanking, reportFromJSON } from '@rec/eval';
import { loadTrainedModel } from '@rec/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RecProgramOptions, runRec } from '../src/rec.js';
import { collectingIO, FUNNEL_NAME, funnelDataset, type RecRun } from './funnel-dataset.js';

const dataset = funnelDataset();
const { train, test } = dataset.splits.default;

/** Runs `rec` in process; by default every dataset name reads the generated one. */
async function rec(args: string[], options: RecProgramOptions = { readDataset: async () => dataset }): Promise<RecRun> {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io, options);
  return { code, stdout: stdout(), stderr: stderr() };
}

const root = mkdtempSync(join(tmpdir(), 'rec-eval-'));
const nmtrDir = join(root, 'nmtr-gmf');
const ruleDir = join(root, 'weaker-behavior');

beforeAll(async () => {
  const tiny = ['--backend', 'js', '--set', 'dim=8', '--set', 'validationUsers=40', '--epochs', '2', '--quiet'];
  expect((await rec(['train', 'nmtr-gmf', '--data', FUNNEL_NAME, '--out', nmtrDir, ...tiny])).code).toBe(0);
  expect((await rec(['train', 'weaker-behavior', '--data', FUNNEL_NAME, '--out', ruleDir, '--quiet', '--backend', 'js'])).code).toBe(0);
});

describe('rec eval', () => {
  it('prints HR and NDCG at each K, equal to a direct full-ranking evaluation with the purchase-only mask', async () => {
    const run = await rec(['eval', nmtrDir, '-k', '5,10', '--backend', 'js']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { trained: { model } } = await loadTrainedModel(nmtrDir);
    const direct = await evaluateFullRanking({
      numItems: train.numItems, testItems: UserItemCSR.fromInteractions(test), trainMask: positivesByBehavior(train).buy,
      scoreUsers: (users) => model.scoreUsers!(users), ks: [5, 10],
    });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^nmtr-gmf on synthetic/funnel \\(${nmtrDir}; backend js, [\\d.]+ s\\)$`));
    expect(lines[1]).toMatch(/^split: default — /);
    expect(lines.slice(2, 6)).toEqual([
      '| metric | @5     | @10    |',
      '|--------|--------|--------|',
      `| HR     | ${direct.metrics['HR@5'].toFixed(4)} | ${direct.metrics['HR@10'].toFixed(4)} |`,
      `| NDCG   | ${direct.metrics['NDCG@5'].toFixed(4)} | ${direct.metrics['NDCG@10'].toFixed(4)} |`,
    ]);
    expect(lines[6]).toBe(
      "full ranking over all 30 items, each user's training 'buy' items masked (items only viewed or carted stay candidates); 60 test users, their held-out 'buy' items",
    );
  });

  it('--json and --out: one object on stdout, and JSON, Markdown and HTML reports', async () => {
    const out = join(root, 'report');
    const run = await rec(['eval', ruleDir, '--out', out, '--json', '--backend', 'js']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ model: 'weaker-behavior', dataset: FUNNEL_NAME, protocol: 'full', target: 'buy', numUsers: 60, numItems: 30, ks: [30] });
    // The default cut-offs (50, 80, 100, 200) all exceed the 30 items: cut to the catalogue.
    expect(Object.keys(result.metrics)).toEqual(['HR@30', 'NDCG@30']);
    expect(result.reports).toEqual({ json: join(out, 'report.json'), markdown: join(out, 'report.md'), html: join(out, 'report.html') });
    const report = reportFromJSON(readFileSync(result.reports.json, 'utf8'));
    expect(report.rows).toEqual([{ method: 'weaker-behavior', values: result.metrics }]);
    expect(readFileSync(result.reports.markdown, 'utf8')).toContain('| weaker-behavior |');
    expect(readFileSync(result.reports.html, 'utf8')).toContain('<script type="application/json" id="rec-report">');
  });

  it('the report of a trained model carries its training curves', async () => {
    const out = join(root, 'nmtr-report');
    expect((await rec(['eval', nmtrDir, '--out', out, '--json', '--backend', 'js'])).code).toBe(0);
    const report = reportFromJSON(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.trainingCurves?.map((c) => [c.metric, c.x])).toEqual([['training loss', [1, 2]], ['validation HR@100', [1, 2]]]);
    expect(report.rows[0].note).toMatch(/^best epoch [12] of 2, validation HR@100 \d\.\d{4}$/);
  });

  it('--protocol sampled:<n> ranks each test item against n sampled negatives, an easier task than full ranking', async () => {
    const full = JSON.parse((await rec(['eval', nmtrDir, '-k', '5', '--json', '--backend', 'js'])).stdout);
    const run = await rec(['eval', nmtrDir, '-k', '5', '--protocol', 'sampled:10', '--json', '--backend', 'js']);
    expect(run.code).toBe(0);
    const sampled = JSON.parse(run.stdout);
    expect(sampled.protocol).toBe('sampled:10');
    expect(sampled.description).toMatch(/10 .*negatives.*each user's training 'buy' items never drawn as negatives/);
    expect(sampled.metrics['HR@5']).toBeGreaterThanOrEqual(full.metrics['HR@5']);
    expect(sampled.metrics['HR@5']).toBeLessThanOrEqual(1);
  });

  it('--protocol sampled uses the split\'s published negatives when it has them', async () => {
    const { test: published } = dataset.splits.default;
    // Five negatives per test row: the five items after the positive, as a published file would list them.
    const items = Int32Array.from({ length: published.length * 5 }, (_, k) => (published.items[Math.floor(k / 5)] + 1 + (k % 5)) % 30);
    const withNegatives = { ...dataset, splits: { default: { ...dataset.splits.default, testNegatives: { perRow: 5, items } } } };
    const run = await rec(['eval', nmtrDir, '-k', '3', '--protocol', 'sampled', '--json', '--backend', 'js'], { readDataset: async () => withNegatives });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.description).toMatch(/the published negatives of synthetic\/funnel default/);
    expect(result.metrics['HR@3']).toBeGreaterThan(0);
  });

  it('bad options and a folder without a model are one line each', async () => {
    expect((await rec(['eval', nmtrDir, '--protocol', 'loo'])).stderr).toBe("rec: --protocol: expected one of full, sampled, sampled:<n>, got 'loo'\n");
    expect((await rec(['eval', nmtrDir, '-k', '10,x'])).stderr).toBe("rec: -k: expected positive integers separated by commas (e.g. 50,80,100,200), got '10,x'\n");
    const empty = mkdtempSync(join(tmpdir(), 'rec-eval-empty-'));
    const run = await rec(['eval', empty]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`rec: ${join(empty, 'config.json')} does not exist: ${empty} is not a complete saved model folder (rec train writes one)\n`);
  });

  it('a model of another dataset is refused, naming both sizes', async () => {
    const other = { ...dataset, name: 'other', splits: { default: { ...dataset.splits.default, train: { ...train, numItems: 31 } } } };
    const run = await rec(['eval', nmtrDir, '--data', 'other', '--backend', 'js'], { readDataset: async () => other });
    expect(run.stderr).toBe(`rec: the model in ${nmtrDir} has 60 users × 30 items but other has 60 × 31 (the model was trained on synthetic/funnel)\n`);
  });

  it("on Tmall's published split the purchase-only mask keeps viewed items as candidates", async (ctx) => {
    requireDataset(ctx, 'tmall/mbcgcn');
    const dir = join(root, 'tmall-weaker-behavior');
    const real = (args: string[]) => rec(args, {});
    expect((await real(['train', 'weaker-behavior', '--data', 'tmall/mbcgcn', '--out', dir, '--quiet'])).code).toBe(0);
    const run = await real(['eval', dir, '-k', '100', '--json']);
    expect(run.code).toBe(0);
    const { metrics, numUsers } = JSON.parse(run.stdout);
    expect(numUsers).toBe(15_449);
    // Most test purchases were viewed or carted in training; a mask of all training
    // rows would give this rule an HR@100 near 0.
    expect(metrics['HR@100']).toBeGreaterThan(0.7);
  }, 60_000);
});

describe('rec recommend', () => {
  it('lists the top K by raw item id with names and scores, without training purchases', async () => {
    const run = await rec(['recommend', nmtrDir, '--user', '1004', '-k', '5', '--backend', 'js']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe("top 5 for user 1004 from nmtr-gmf on synthetic/funnel (2 training 'buy' items excluded)");
    expect(lines[1]).toMatch(/^\| rank \| item\s+\| name\s+\| score\s+\|$/);
    expect(lines).toHaveLength(2 + 1 + 5);
    const bought = new Set([...positivesByBehavior(train).buy.rowOf(4)].map((i) => `sku-${i}`));
    const items = lines.slice(3).map((l) => l.split('|')[2].trim());
    for (const item of items) expect(bought.has(item)).toBe(false);
    expect(lines[3]).toMatch(/^\| 1 +\| sku-\d+ +\| item \d+ of group \d +\| -?[\d.e-]+ +\|$/);
  });

  it('--json gives the ranked items with raw ids, names and scores, best first', async () => {
    const run = await rec(['recommend', ruleDir, '--user', '1000', '-k', '3', '--json', '--backend', 'js']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ user: 1000, model: 'weaker-behavior', dataset: FUNNEL_NAME, k: 3, excluded: 2 });
    expect(result.recommendations.map((r: { rank: number }) => r.rank)).toEqual([1, 2, 3]);
    const scores = result.recommendations.map((r: { score: number }) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // The rule puts user 0's viewed-or-carted, not bought items first.
    const { trained: { model } } = await loadTrainedModel(ruleDir);
    const first = dataset.itemIds.indexOf(result.recommendations[0].id);
    expect((model as unknown as { seenWeaker: UserItemCSR }).seenWeaker.has(0, first)).toBe(true);
    expect(result.recommendations[0].name).toBe(dataset.itemNames![first]);
  });

  it('an unknown user id is one line naming it', async () => {
    const run = await rec(['recommend', nmtrDir, '--user', 'u-404', '--backend', 'js']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("rec: unknown user id 'u-404': the model knows no such user of synthetic/funnel (60 users; ids such as 1000, 1001, 1002)\n");
  });
});
