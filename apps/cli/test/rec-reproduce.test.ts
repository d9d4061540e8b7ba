/**
 * `rec reproduce nmtr` end to end on the generated view → cart → buy dataset
 * (standing in for tmall/mbcgcn), on the js backend, with tiny settings: every
 * report is written, Table III keeps its row order, and Table V, Fig. 5, the
 * seen-weaker split, the overlap figures and the significance test are there.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFromJSON } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO, funnelDataset } from './funnel-dataset.js';

const dataset = funnelDataset();

async function rec(args: string[]) {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io, { readDataset: async () => dataset });
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('rec reproduce nmtr', () => {
  it('writes Table III, Table V, Fig. 5, the overlap and the significance test, and reuses finished methods', { timeout: 120_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-')), 'nmtr');
    const methods = 'nmtr-neumf,nmtr-gmf,gmf,mc-bpr,most-popular,weaker-behavior,seq-nmtr-gmf';
    const args = ['reproduce', 'nmtr', '--data', 'tmall', '--backend', 'js', '--epochs', '2', '--dim', '8', '--methods', methods, '--out', out];
    const run = await rec(args);
    expect(run.stderr).toMatch(/any non-target behaviour/);
    expect(run.code).toBe(0);
    for (const file of ['report.json', 'report.md', 'report.html']) expect(existsSync(join(out, file))).toBe(true);
    const report = reportFromJSON(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.rows.map((r) => r.method)).toEqual(['NMTR-GMF', 'NMTR-NeuMF', 'MC-BPR', 'GMF', 'Most popular', 'Seen-weaker rule', 'Sequential-GMF']);
    expect(report.columns).toEqual(['HR@50', 'NDCG@50', 'HR@80', 'NDCG@80', 'HR@100', 'NDCG@100', 'HR@200', 'NDCG@200']);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const heading of ['## Paired significance: NMTR-NeuMF vs the best baseline (', '## Table V', "## Fig. 5: by the user's number of training purchases", '## By whether the test purchase was viewed/carted', '## Overlap of test purchases']) {
      expect(md).toContain(heading);
    }
    // A second run reuses every finished method instead of training again.
    const again = await rec(args);
    expect(again.code).toBe(0);
    expect(again.stderr.match(/already done/g)?.length).toBe(7);
    // --report-only writes the reports from what is finished and trains nothing else.
    const reportOnly = await rec(['reproduce', 'nmtr', '--data', 'tmall', '--backend', 'js', '--out', out, '--report-only']);
    expect(reportOnly.code).toBe(0);
    expect(reportOnly.stderr).toMatch(/CMF: not run yet, left out of the report \(--report-only\)/);
    expect(reportFromJSON(readFileSync(join(out, 'report.json'), 'utf8')).rows).toHaveLength(7);
    // A run of one method keeps the other finished methods in the report.
    const one = await rec(['reproduce', 'nmtr', '--data', 'tmall', '--backend', 'js', '--epochs', '1', '--dim', '8', '--methods', 'bpr', '--out', out]);
    expect(one.code).toBe(0);
    expect(reportFromJSON(readFileSync(join(out, 'report.json'), 'utf8')).rows.map((r) => r.method)).toEqual(
      ['NMTR-GMF', 'NMTR-NeuMF', 'MC-BPR', 'BPR', 'GMF', 'Most popular', 'Seen-weaker rule', 'Sequential-GMF'],
    );
  });

  it('tunes the learning rate × λ grid on the validation purchase and keeps the best candidate, untrained rules untouched', { timeout: 120_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-')), 'tuned');
    const run = await rec([
      'reproduce', 'nmtr', '--data', 'tmall', '--backend', 'js', '--epochs', '2', '--dim', '8', '--methods', 'nmtr-gmf,gmf,most-popular',
      '--tune', '0.01,0.05', '--tune-weights', '0.2,0.3,0.5;0.1,0.1,0.8', '--out', out,
    ]);
    expect(run.code).toBe(0);
    const nmtr = JSON.parse(readFileSync(join(out, 'methods', 'nmtr-gmf.json'), 'utf8'));
    expect(nmtr.tuning.map((t: { learningRate: number; weights: number[] }) => [t.learningRate, t.weights])).toEqual([
      [0.01, [0.2, 0.3, 0.5]], [0.01, [0.1, 0.1, 0.8]], [0.05, [0.2, 0.3, 0.5]], [0.05, [0.1, 0.1, 0.8]],
    ]);
    const best = nmtr.tuning.reduce((a: { validation: number }, b: { validation: number }) => (b.validation > a.validation ? b : a));
    expect([nmtr.config.learningRate, nmtr.config.weights]).toEqual([best.learningRate, best.weights]);
    // GMF has no behaviour weights: only the learning rates; the rule is not tuned.
    const gmf = JSON.parse(readFileSync(join(out, 'methods', 'gmf.json'), 'utf8'));
    expect(gmf.tuning.map((t: { learningRate: number; weights?: number[] }) => [t.learningRate, t.weights])).toEqual([[0.01, undefined], [0.05, undefined]]);
    expect(JSON.parse(readFileSync(join(out, 'methods', 'most-popular.json'), 'utf8')).tuning).toBeUndefined();
    // One learning rate is a setting, not a search.
    const single = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-')), 'single');
    expect((await rec(['reproduce', 'nmtr', '--data', 'tmall', '--backend', 'js', '--epochs', '1', '--dim', '8', '--methods', 'gmf', '--tune', '0.05', '--out', single])).code).toBe(0);
    const gmfSingle = JSON.parse(readFileSync(join(single, 'methods', 'gmf.json'), 'utf8'));
    expect([gmfSingle.config.learningRate, gmfSingle.tuning]).toEqual([0.05, undefined]);
    // Finished methods drop their checkpoints.
    expect(existsSync(join(out, 'checkpoints', 'nmtr-gmf'))).toBe(false);
    const bad = await rec(['reproduce', 'nmtr', '--data', 'tmall', '--tune-weights', '0.5,0.6', '--out', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--tune-weights: '0.5,0.6' must be weights in \[0, 1\] that sum to 1/);
  });

  it('rejects an unknown dataset or method in one line', async () => {
    const bad = await rec(['reproduce', 'nmtr', '--data', 'movielens']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--data must be one of tmall, beibei, got 'movielens'/);
    const method = await rec(['reproduce', 'nmtr', '--data', 'tmall', '--backend', 'js', '--methods', 'nmtr-foo', '--out', mkdtempSync(join(tmpdir(), 'rec-reproduce-'))]);
    expect(method.code).toBe(1);
    expect(method.stderr).toMatch(/unknown method 'nmtr-foo'; the methods are nmtr-gmf/);
    const negatives = await rec(['reproduce', 'mrlr', '--data', 'toys', '--tune-negatives', '5,0']);
    expect(negatives.code).toBe(1);
    expect(negatives.stderr).toMatch(/--tune-negatives must be a positive integer, got '0'/);
  });

  it('--seeds runs once per seed into its own folder and writes the mean ± sd over seeds; it refuses --seed with it', { timeout: 120_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-')), 'nmtr-seeds');
    const run = await rec(['reproduce', 'nmtr', '--data', 'tmall', '--backend', 'js', '--epochs', '1', '--dim', '8', '--methods', 'gmf,most-popular', '--seeds', '1,2', '--out', out]);
    expect(run.code).toBe(0);
    for (const seed of [1, 2]) expect(existsSync(join(out, `seed-${seed}`, 'report.json'))).toBe(true);
    const summary = readFileSync(join(out, 'seeds.md'), 'utf8');
    expect(summary).toMatch(/^# nmtr: 2 seeds \(1, 2\), mean ± sd over seeds/);
    // GMF trains from its seed, so its two runs differ and the sd is not 0; most-popular is a rule (sd 0).
    const row = (name: string) => summary.split('\n').find((l) => l.startsWith(`| ${name} |`))!;
    expect(row('GMF')).toMatch(/\| \d\.\d{4} ± \d\.\d{4} \|/);
    expect(row('GMF')).not.toMatch(/± 0\.0000 \| [^|]*± 0\.0000 \|$/);
    expect(row('Most popular')).toMatch(/± 0\.0000/);
    const both = await rec(['reproduce', 'nmtr', '--data', 'tmall', '--seed', '1', '--seeds', '1,2', '--out', out]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--seed and --seeds: give one or the other/);
  });
});
