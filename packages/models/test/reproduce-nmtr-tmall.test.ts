/**
 * The NMTR recipe and the generic runner, pinned: on a slice of tmall/mbcgcn (2,000
 * users sampled with seed 1, their test purchases, all items), on the js backend,
 * eight methods of every group with 2 epochs and E = 8, the runner writes
 * `report.md`, `sections.md` and `report.json` equal to the ones the CLI's own
 * reproduction wrote before it moved into `@rec/models` (fixtures/nmtr-tmall-2000),
 * except for the training seconds in the row notes.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentBackend, setBackend } from '@rec/core';
import { type Dataset, sampleUsers, selectUsers } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { type EvaluationReport, reportFromJSON } from '@rec/eval';
import { afterEach, describe, expect, it } from 'vitest';
import { getReproduction, runReproduction } from '../src/node.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'nmtr-tmall-2000');

/** A row note's training time ("best epoch 2 of ≤ 2, 16 s") is the one thing that may differ. */
const withoutSeconds = (text: string): string => text.replace(/(of ≤ \d+), \d+ s\b/g, '$1, N s');

const normalisedReport = (json: string): EvaluationReport => {
  const report = reportFromJSON(json);
  return { ...report, rows: report.rows.map((row) => ({ ...row, ...(row.note === undefined ? {} : { note: withoutSeconds(row.note) }) })) };
};

describe('reproduce nmtr on a tmall/mbcgcn slice', () => {
  const backend = currentBackend().name;
  afterEach(() => {
    setBackend(backend);
  });

  it('writes the reports the CLI reproduction wrote before the move, timings aside', { timeout: 1_800_000 }, async (ctx) => {
    requireDataset(ctx, 'tmall/mbcgcn');
    setBackend('js');
    const full = await readDataset('tmall/mbcgcn');
    const split = full.splits.default;
    const kept = sampleUsers(split.train, { count: 2000, seed: 1 });
    const users = [...new Set(kept.users)];
    const slice: Dataset = { ...full, splits: { default: { ...split, train: kept, test: selectUsers(split.test, users) } } };
    const out = join(mkdtempSync(join(tmpdir(), 'rec-reproduce-nmtr-')), 'tmall');
    const lines: string[] = [];
    await runReproduction(getReproduction('nmtr'), {
      data: 'tmall', out, epochs: 2, dim: 8,
      methods: ['most-popular', 'weaker-behavior', 'bpr', 'gmf', 'mc-gmf', 'cmf', 'nmtr-gmf', 'seq-nmtr-gmf'],
      log: (line) => lines.push(line),
      readDataset: async () => slice,
    });
    const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
    expect(withoutSeconds(read(out, 'report.md'))).toBe(withoutSeconds(read(fixtures, 'report.md')));
    expect(withoutSeconds(read(out, 'sections.md'))).toBe(withoutSeconds(read(fixtures, 'sections.md')));
    expect(normalisedReport(read(out, 'report.json'))).toEqual(normalisedReport(read(fixtures, 'report.json')));
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    // Each finished method dropped its checkpoints; cheapest first, so the rules ran first.
    for (const id of ['bpr', 'nmtr-gmf', 'seq-nmtr-gmf']) expect(existsSync(join(out, 'checkpoints', id))).toBe(false);
    expect(lines.findIndex((l) => l.startsWith('Most popular: HR@100'))).toBeLessThan(lines.findIndex((l) => l.startsWith('BPR: HR@100')));
  });
});
