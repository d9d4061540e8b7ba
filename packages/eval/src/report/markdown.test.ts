import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from './markdown.js';
import { createReport } from './result.js';

/** Beibei columns of NMTR's Table III (the three NMTR rows and BPR), values as printed. */
const COLUMNS = ['HR@50', 'NDCG@50', 'HR@80', 'NDCG@80', 'HR@100', 'NDCG@100', 'HR@200', 'NDCG@200'];
const ROWS: [string, string, number[]][] = [
  ['Our NMTR Model', 'NMTR-GMF', [0.205, 0.059, 0.2721, 0.0688, 0.3119, 0.0741, 0.4543, 0.0961]],
  ['Our NMTR Model', 'NMTR-MLP', [0.1928, 0.056, 0.269, 0.0676, 0.3188, 0.0762, 0.4732, 0.0967]],
  ['Our NMTR Model', 'NMTR-NeuMF', [0.2079, 0.0609, 0.2689, 0.0683, 0.3193, 0.076, 0.4766, 0.0971]],
  ['Single-behavior', 'BPR', [0.1199, 0.0348, 0.1686, 0.0419, 0.2002, 0.0463, 0.3039, 0.0624]],
];

describe('renderMarkdown', () => {
  it("lays out NMTR's Table III with the paper's bold cells and the protocol under it", () => {
    const report = createReport({
      title: 'Top-K on Beibei',
      dataset: 'Beibei (purchase target)',
      protocol: 'full ranking over all 7,977 items, train items masked',
      rows: ROWS.map(([group, method, values]) => ({
        method,
        group,
        values: Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]!])),
      })),
    });
    expect(renderMarkdown(report)).toBe(
      [
        '## Top-K on Beibei',
        '',
        'Dataset: Beibei (purchase target)',
        '',
        '| Group | Method | HR@50 | NDCG@50 | HR@80 | NDCG@80 | HR@100 | NDCG@100 | HR@200 | NDCG@200 |',
        '| :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: |',
        '| Our NMTR Model | NMTR-GMF | 0.2050 | 0.0590 | **0.2721** | **0.0688** | 0.3119 | 0.0741 | 0.4543 | 0.0961 |',
        '|  | NMTR-MLP | 0.1928 | 0.0560 | 0.2690 | 0.0676 | 0.3188 | **0.0762** | 0.4732 | 0.0967 |',
        '|  | NMTR-NeuMF | **0.2079** | **0.0609** | 0.2689 | 0.0683 | **0.3193** | 0.0760 | **0.4766** | **0.0971** |',
        '| Single-behavior | BPR | 0.1199 | 0.0348 | 0.1686 | 0.0419 | 0.2002 | 0.0463 | 0.3039 | 0.0624 |',
        '',
        'Protocol: full ranking over all 7,977 items, train items masked',
        '',
      ].join('\n'),
    );
  });

  it('shows missing values as –, bolds every tied best, and takes the minimum for RMSE', () => {
    const report = createReport({
      title: 'Rating',
      dataset: 'ml-100k',
      protocol: 'held-out ratings',
      rows: [
        { method: 'A', values: { 'HR@10': 0.5, RMSE: 0.95 } },
        { method: 'B', values: { 'HR@10': 0.5, RMSE: 0.91 } },
        { method: 'C', values: { RMSE: 1.02 }, note: 'no ranking' },
      ],
      notes: ['- a note that looks like a list item'],
    });
    expect(renderMarkdown(report, { digits: 2, headingLevel: 3 }).split('\n')).toEqual([
      '### Rating',
      '',
      'Dataset: ml-100k',
      '',
      '| Method | HR@10 | RMSE |',
      '| :-- | --: | --: |',
      '| A | **0.50** | 0.95 |',
      '| B | **0.50** | **0.91** |',
      '| C (no ranking) | – | 1.02 |',
      '',
      'Protocol: held-out ratings',
      '',
      '\\- a note that looks like a list item',
      '',
    ]);
  });

  it('writes a figure as a table, one row per line and one column per x, – where a line has no point', () => {
    const report = createReport({
      title: 'MRLR',
      dataset: 'Toys',
      protocol: '5-fold CV',
      rows: [{ method: 'MRLR', values: { AUC: 0.8 } }],
      figures: [{ title: 'Fig. 2: AUC vs α1', xLabel: 'α1', yLabel: 'AUC', lines: [{ name: 'test', x: [0, 0.5], y: [0.71, 0.75] }, { name: 'validation', x: [0.5], y: [0.7] }] }],
    });
    expect(renderMarkdown(report, { digits: 2, headingLevel: 2 }).split('\n').slice(10)).toEqual([
      '### Fig. 2: AUC vs α1',
      '',
      'AUC by α1:',
      '',
      '| | 0 | 0.5 |',
      '| :-- | --: | --: |',
      '| test | 0.71 | 0.75 |',
      '| validation | – | 0.70 |',
      '',
    ]);
    const spread = createReport({ title: 't', dataset: 'd', protocol: 'p', rows: [{ method: 'A', values: { AUC: 0.7, '±': 0.01 } }, { method: 'B', values: { AUC: 0.8, '±': 0.02 } }], unranked: ['±'] });
    expect(renderMarkdown(spread, { digits: 2 }).split('\n').slice(6, 8)).toEqual(['| A | 0.70 | 0.01 |', '| B | **0.80** | 0.02 |']);
    expect(() => createReport({ title: 't', dataset: 'd', protocol: 'p', rows: [], figures: [{ title: 'f', xLabel: 'x', yLabel: 'y', lines: [{ name: 'a', x: [1, 2], y: [1] }] }] }))
      .toThrow('invalid report: report.figures[0].lines[0].y must be 2 values (one per x), got 1');
  });

  it('escapes text that Markdown would read as syntax', () => {
    expect(escapeMarkdown('a|b *c* _d_ <script>')).toBe('a\\|b \\*c\\* \\_d\\_ \\<script\\>');
    expect(escapeMarkdown('# heading')).toBe('\\# heading');
    expect(escapeMarkdown('1. first')).toBe('1\\. first');
    expect(escapeMarkdown('two\nlines')).toBe('two lines');
    expect(escapeMarkdown('ml-1m (NCF split), 99 negatives')).toBe('ml-1m (NCF split), 99 negatives');
    const report = createReport({ title: 'x', dataset: 'd', protocol: 'p', rows: [{ method: 'A|B', values: { 'HR@1': 1 } }] });
    expect(renderMarkdown(report)).toContain('| A\\|B | **1.0000** |');
    expect(() => renderMarkdown(report, { digits: -1 })).toThrow('digits must be an integer in [0, 12]');
  });
});
