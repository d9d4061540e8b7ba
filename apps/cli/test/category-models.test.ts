/**
 * Category models through the `rec` command on ml-100k's genres: `rec train` builds CCRec's
 * category split (`--split ccrec`, the default for them), `rec eval` scores the split's warm
 * and cold test users by the category protocol, `rec recommend --output categories`
 * answers from the saved folder; settings that do not apply are refused in one line.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDataset } from '@rec/data/testing';
import { describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO, type RecRun } from './funnel-dataset.js';

async function rec(args: string[]): Promise<RecRun> {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io, {});
  return { code, stdout: stdout(), stderr: stderr() };
}

const root = mkdtempSync(join(tmpdir(), 'rec-category-'));

describe('category models on the command line (ml-100k genres)', () => {
  it('rec train ccrec-mle-cascade builds the category split, rec eval scores warm and cold users, rec recommend lists categories', async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const out = join(root, 'cascade');
    const trained = await rec(['train', 'ccrec-mle-cascade', '--data', 'ml-100k', '--epochs', '2', '--set', 'dim=8', '--set', 'learningRate=0.005', '--backend', 'js', '--out', out, '--quiet']);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/^ccrec-mle-cascade on ml-100k: \d+ epochs? in [\d.]+ s \(backend js\); best epoch \d, validation NDCG@5 0\.\d{4}/);

    const reportDir = join(root, 'cascade-report');
    const evaluated = await rec(['eval', out, '--json', '--out', reportDir, '--backend', 'js']);
    expect(evaluated.code).toBe(0);
    const { split, metrics, reports } = JSON.parse(evaluated.stdout) as { split: string; metrics: Record<string, number>; reports: Record<string, string> };
    expect(Object.values(reports).every((path) => existsSync(path))).toBe(true);
    expect(split).toBe('ccrec:1998-02-10');
    for (const group of ['warm', 'cold']) {
      for (const k of [1, 3, 5]) expect(metrics[`${group} HR@${k}`]).toBeGreaterThan(0);
      expect(metrics[`${group} HR@5`]).toBeGreaterThanOrEqual(metrics[`${group} HR@1`]!);
    }

    const recommended = await rec(['recommend', out, '--user', '13', '--output', 'categories', '-k', '3', '--json', '--backend', 'js']);
    expect(recommended.code).toBe(0);
    expect((JSON.parse(recommended.stdout) as { recommendations: unknown[] }).recommendations).toHaveLength(3);
    // The table names the genres too.
    const table = await rec(['recommend', out, '--user', '13', '--output', 'categories', '-k', '3', '--backend', 'js']);
    expect(table.stdout).toMatch(/\| rank \| category \| name +\| score/);
    expect(table.stdout).toMatch(/\| 1 +\| \d+ +\| [A-Z][A-Za-z'-]+/);
  }, 120_000);

  it("--split ccrec:tree-level=2 recommends Toys' 164 second-level categories, and rec eval rebuilds the same split", async (ctx) => {
    requireDataset(ctx, 'amazon-s3rec/Toys_and_Games-ratings');
    const out = join(root, 'toys-level-2');
    const trained = await rec(['train', 'category-popular', '--data', 'amazon-s3rec/Toys_and_Games-ratings', '--split', 'ccrec:tree-level=2', '--backend', 'js', '--out', out, '--quiet']);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const evaluated = await rec(['eval', out, '--json', '--backend', 'js']);
    expect(evaluated.code).toBe(0);
    const { split, metrics } = JSON.parse(evaluated.stdout) as { split: string; metrics: Record<string, number> };
    expect(split).toMatch(/^ccrec:\d{4}-\d{2}-\d{2}:tree-level=2$/);
    expect(metrics['warm HR@1']).toBeGreaterThan(0);
    const listed = await rec(['recommend', out, '--user', '1', '--output', 'categories', '-k', '3', '--json', '--backend', 'js']);
    const recommendations = (JSON.parse(listed.stdout) as { recommendations: { id: number | string; name?: string }[] }).recommendations;
    expect(recommendations).toHaveLength(3);
  }, 120_000);

  it('refuses what does not apply: the category split for an item model, item cut-offs for a category model, a bad date', async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const bpr = await rec(['train', 'bpr', '--data', 'ml-100k', '--split', 'ccrec', '--backend', 'js', '--out', join(root, 'bpr')]);
    expect(bpr.stderr).toBe("rec: --split: bpr predicts items; the category split 'ccrec' is for models that recommend categories\n");
    const date = await rec(['train', 'ccrec-mle', '--data', 'ml-100k', '--split', 'ccrec:1998-13-40', '--backend', 'js', '--out', join(root, 'date')]);
    expect(date.stderr).toBe("rec: --split: 'ccrec:1998-13-40' is not ccrec[:<YYYY-MM-DD>][:tree-level=<n>] (the cutoff date, UTC; the depth of the dataset's category tree whose nodes are the categories, n ≥ 1)\n");
    const noTree = await rec(['train', 'ccrec-mle', '--data', 'ml-100k', '--split', 'ccrec:tree-level=2', '--backend', 'js', '--out', join(root, 'no-tree')]);
    expect(noTree.stderr).toBe('rec: --split: ml-100k has no category tree, so tree-level=2 names no categories; leave it out to use its item categories\n');
    const twice = await rec(['train', 'ccrec-mle', '--data', 'ml-100k', '--split', 'ccrec:tree-level=1:tree-level=2', '--backend', 'js', '--out', join(root, 'twice')]);
    expect(twice.stderr).toMatch(/^rec: --split: 'ccrec:tree-level=1:tree-level=2' is not ccrec\[/);
    const out = join(root, 'popular');
    expect((await rec(['train', 'category-popular', '--data', 'ml-100k', '--backend', 'js', '--out', out, '--quiet'])).code).toBe(0);
    const k = await rec(['eval', out, '-k', '10', '--backend', 'js']);
    expect(k.stderr).toBe("rec: -k: a category model is evaluated at CCRec's cut-offs 1, 3, 5; leave -k out\n");
  }, 60_000);
});
