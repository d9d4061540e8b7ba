import { describe, expect, it } from 'vitest';
import { evaluateFullRanking } from '../protocols/full-ranking.js';
import {
  bestRows,
  createReport,
  describeProtocol,
  isLowerBetter,
  kSeriesOf,
  reportFromJSON,
  reportToJSON,
  rowFromResult,
  validateReport,
  type EvaluationReport,
} from './result.js';

/** Beibei columns of NMTR's Table III (six of its twelve rows), values as printed. */
const TABLE_III_BEIBEI: [string, string, number[]][] = [
  ['Our NMTR Model', 'NMTR-GMF', [0.205, 0.059, 0.2721, 0.0688, 0.3119, 0.0741, 0.4543, 0.0961]],
  ['Our NMTR Model', 'NMTR-MLP', [0.1928, 0.056, 0.269, 0.0676, 0.3188, 0.0762, 0.4732, 0.0967]],
  ['Our NMTR Model', 'NMTR-NeuMF', [0.2079, 0.0609, 0.2689, 0.0683, 0.3193, 0.076, 0.4766, 0.0971]],
  ['Multi-behavior', 'MC-NeuMF', [0.2014, 0.0577, 0.2522, 0.0669, 0.301, 0.0719, 0.43, 0.0897]],
  ['Single-behavior', 'BPR', [0.1199, 0.0348, 0.1686, 0.0419, 0.2002, 0.0463, 0.3039, 0.0624]],
  ['Single-behavior', 'NeuMF', [0.1828, 0.0573, 0.2559, 0.0668, 0.2929, 0.0714, 0.4078, 0.0852]],
];
const COLUMNS = ['HR@50', 'NDCG@50', 'HR@80', 'NDCG@80', 'HR@100', 'NDCG@100', 'HR@200', 'NDCG@200'];

function nmtrLikeReport(): EvaluationReport {
  return createReport({
    title: 'Top-K recommendation on Beibei (NMTR Table III)',
    dataset: 'Beibei (purchase target)',
    protocol: 'full ranking over all items the user has not interacted with (NMTR §IV-A)',
    rows: TABLE_III_BEIBEI.map(([group, method, values]) => ({
      method,
      group,
      values: Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]!])),
    })),
    // Illustrative curves (the paper prints none).
    trainingCurves: [
      { method: 'NeuMF', metric: 'HR@100', x: [1, 2, 3, 4, 5], y: [0.08, 0.13, 0.15, 0.17, 0.2929] },
      { method: 'NMTR-NeuMF', metric: 'HR@100', x: [1, 2, 3, 4, 5], y: [0.11, 0.17, 0.2, 0.22, 0.3193] },
    ],
    notes: ['Peak performance of each method over its training epochs, as in the paper.'],
  });
}

describe('EvaluationReport', () => {
  it('round-trips through JSON to an equal object', () => {
    const report = nmtrLikeReport();
    const text = reportToJSON(report);
    expect(JSON.parse(text).format).toBe('rec-evaluation-report');
    expect(reportFromJSON(text)).toEqual(report);
    expect(reportToJSON(reportFromJSON(text))).toBe(text);
  });

  it('takes columns from the rows in order of first appearance', () => {
    const report = createReport({
      title: 't',
      dataset: 'd',
      protocol: 'p',
      rows: [
        { method: 'a', values: { 'HR@10': 0.1 } },
        { method: 'b', values: { 'NDCG@10': 0.2, 'HR@10': 0.3 } },
      ],
    });
    expect(report.columns).toEqual(['HR@10', 'NDCG@10']);
    expect(report.version).toBe(1);
  });

  it('derives metric-vs-K series from the table, method by method', () => {
    const series = kSeriesOf(nmtrLikeReport());
    expect(series.map((s) => s.metric)).toEqual(['HR', 'NDCG']);
    expect(series[0]!.ks).toEqual([50, 80, 100, 200]);
    expect(series[0]!.byMethod['BPR']).toEqual([0.1199, 0.1686, 0.2002, 0.3039]);
    expect(Object.keys(series[1]!.byMethod)).toEqual(['NMTR-GMF', 'NMTR-MLP', 'NMTR-NeuMF', 'MC-NeuMF', 'BPR', 'NeuMF']);
  });

  it('finds the best row per column, ties included, lower-is-better for RMSE', () => {
    const report = createReport({
      title: 't',
      dataset: 'd',
      protocol: 'p',
      rows: [
        { method: 'a', values: { 'HR@10': 0.5, RMSE: 0.9 } },
        { method: 'b', values: { 'HR@10': 0.5, RMSE: 0.8 } },
        { method: 'c', values: { RMSE: 1.1 } },
      ],
    });
    expect(isLowerBetter(report, 'RMSE')).toBe(true);
    expect(isLowerBetter(report, 'HR@10')).toBe(false);
    expect(bestRows(report)).toEqual({ 'HR@10': [0, 1], RMSE: [1] });
  });

  it('describes a protocol result in one line and turns it into a row', async () => {
    const result = await evaluateFullRanking({
      numItems: 11_953,
      testItems: [Int32Array.of(1), Int32Array.of(2)],
      trainMask: { indptr: Int32Array.of(0, 0, 0), indices: new Int32Array(0) },
      scoreUsers: (users) => new Float32Array(users.length * 11_953),
      ks: [10],
    });
    expect(describeProtocol(result)).toBe('full ranking over all 11,953 items, train items masked (2 test users)');
    expect(rowFromResult('MostPopular', result, { group: 'baselines' })).toEqual({
      method: 'MostPopular',
      group: 'baselines',
      values: { 'HR@10': 1, 'NDCG@10': result.metrics['NDCG@10'] },
    });
  });

  it('names the first bad field', () => {
    const good = nmtrLikeReport();
    const bad = (patch: (r: Record<string, unknown>) => void): unknown => {
      const copy = structuredClone(good) as unknown as Record<string, unknown>;
      patch(copy);
      return copy;
    };
    expect(() => validateReport(bad((r) => ((r.rows as { values: object }[])[1]!.values = { 'HR@50': NaN })))).toThrow(
      'invalid report: report.rows[1].values["HR@50"] must be a finite number, got NaN',
    );
    expect(() => validateReport(bad((r) => (r.version = 2)))).toThrow('report.version must be 1, got 2');
    expect(() => validateReport(bad((r) => (r.columns = ['HR@50', 'HR@50'])))).toThrow('report.columns[1] must be unique');
    expect(() =>
      validateReport(bad((r) => ((r.trainingCurves as { y: number[] }[])[0]!.y = [1]))),
    ).toThrow('report.trainingCurves[0].y must be 5 values (one per x), got 1');
    expect(() => reportFromJSON('{')).toThrow('reportFromJSON: not JSON');
    expect(() => createReport({ title: 't', dataset: 'd', protocol: 7 as unknown as string, rows: [] })).toThrow(
      'report.protocol must be a string, got 7',
    );
  });
});
