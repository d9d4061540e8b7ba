/**
 * The evaluation report: one plain, JSON-serialisable object that holds a comparison of
 * methods under one protocol (a paper's results table), optional metric-vs-K series and
 * training curves. `renderMarkdown` and `renderHtml` draw it; `reportToJSON` /
 * `reportFromJSON` store it. It holds numbers and strings only (no typed arrays, no
 * NaN), so a JSON round trip gives back an equal object.
 */
import type { AucProtocolResult } from '../protocols/auc-protocol.js';
import type { CategoryRankingResult } from '../protocols/category-ranking.js';
import type { FullRankingResult } from '../protocols/full-ranking.js';
import type { SampledRankingResult } from '../protocols/sampled-ranking.js';

/**
 * The `format` tag every stored report carries.
 * @example
 * ```ts
 * JSON.parse(text).format === REPORT_FORMAT;
 * ```
 */
export const REPORT_FORMAT = 'rec-evaluation-report';
/**
 * The report schema version this code writes and reads.
 * @example
 * ```ts
 * report.version === REPORT_VERSION; // 1
 * ```
 */
export const REPORT_VERSION = 1;

/**
 * One method's row of the results table.
 * @example
 * ```ts
 * const row: ReportRow = { method: 'NMTR-NeuMF', group: 'NMTR', values: { 'HR@50': 0.1412, 'NDCG@50': 0.0463 } };
 * ```
 */
export interface ReportRow {
  /** The method's name, as shown in the table. */
  method: string;
  /** Optional group (NMTR's Table III groups methods by family); shown as a first column. */
  group?: string;
  /** Metric values keyed like the protocols' results: `HR@10`, `NDCG@10`, `AUC`, … */
  values: Record<string, number>;
  /** Optional remark (e.g. "best epoch 37"). */
  note?: string;
}

/**
 * A metric measured at several cut-offs, one line per method: drawn as "metric vs K".
 * When a report has none, they are derived from the table (see {@link kSeriesOf}).
 * @example
 * ```ts
 * const series: KSeries = { metric: 'HR', ks: [10, 50, 100], byMethod: { BPR: [0.05, 0.16, 0.24] } };
 * ```
 */
export interface KSeries {
  metric: string;
  ks: number[];
  /** Method → one value per entry of `ks`. */
  byMethod: Record<string, number[]>;
}

/**
 * A training curve: a metric (or loss) of one method against epochs (or steps).
 * @example
 * ```ts
 * const curve: TrainingCurve = { method: 'BPR', metric: 'NDCG@10', x: [1, 2, 3], y: [0.02, 0.05, 0.06] };
 * ```
 */
export interface TrainingCurve {
  method: string;
  metric: string;
  /** Epochs or steps, ascending. */
  x: number[];
  /** One value per entry of `x`. */
  y: number[];
  /** Axis label for `x`; default "epoch". */
  xLabel?: string;
}

/**
 * A figure of a paper redrawn from measured values: one line per method (or setting) of
 * a metric against a parameter, e.g. MRLR Fig. 2 (AUC vs α1) or Fig. 4 (AUC vs the
 * training share). HTML draws it as a line chart, Markdown as a table.
 * @example
 * ```ts
 * const fig: ReportFigure = { title: 'Fig. 2: AUC vs α1', xLabel: 'α1', yLabel: 'AUC', lines: [{ name: 'MRLR', x: [0, 0.5, 1], y: [0.70, 0.72, 0.69] }] };
 * ```
 */
export interface ReportFigure {
  title: string;
  xLabel: string;
  yLabel: string;
  /** One line each; `x` ascending, `y` one value per x. */
  lines: { name: string; x: number[]; y: number[] }[];
}

/**
 * An evaluation report: a results table (rows = methods, columns = metric@K) under one
 * protocol, and optional per-K series and training curves.
 * @example
 * ```ts
 * const report: EvaluationReport = createReport({
 *   title: 'Top-K on Beibei', dataset: 'Beibei (purchase target)',
 *   protocol: 'full ranking over all 7,977 items, train items masked',
 *   rows: [{ method: 'BPR', values: { 'HR@50': 0.1, 'NDCG@50': 0.03 } }],
 * });
 * ```
 */
export interface EvaluationReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  title: string;
  /** Dataset name and any detail that identifies the split. */
  dataset: string;
  /** One line that says how the numbers were computed (printed under the table). */
  protocol: string;
  /** Table columns, in order: keys of `rows[].values`. */
  columns: string[];
  rows: ReportRow[];
  /**
   * Metric names (the part before `@`) for which lower is better, e.g. `['RMSE']`; the
   * best value of their columns is the smallest. Every other metric: higher is better.
   */
  lowerIsBetter?: string[];
  /**
   * Columns whose best value is not marked: spreads (± sd), counts, or a paper's
   * numbers shown beside ours for another dataset.
   */
  unranked?: string[];
  kSeries?: KSeries[];
  trainingCurves?: TrainingCurve[];
  /** Figures of parameter sweeps (see {@link ReportFigure}). */
  figures?: ReportFigure[];
  /** Free-text lines printed after the protocol line. */
  notes?: string[];
  /** ISO 8601 time the report was made, if wanted (not set automatically, to keep reports reproducible). */
  createdAt?: string;
}

/**
 * What {@link createReport} takes: a report without its format tags; `columns` default
 * to the keys of the rows' values in order of first appearance.
 * @example
 * ```ts
 * const init: ReportInit = { title: 'NCF', dataset: 'ml-1m', protocol: '99 fixed negatives (NCF)', rows };
 * ```
 */
export type ReportInit = Omit<EvaluationReport, 'format' | 'version' | 'columns'> & { columns?: string[] };

/** Metric names for which lower is better unless a report says otherwise. */
const LOWER_IS_BETTER_BY_DEFAULT = ['RMSE', 'MAE', 'MSE', 'Loss', 'LogLoss'];

/**
 * Builds a report and checks it (see {@link validateReport}); copies what it is given.
 * @throws Error naming the first bad field, e.g. `report.rows[1].values["HR@10"] must be a finite number, got NaN`.
 * @example
 * ```ts
 * const report = createReport({
 *   title: 'NCF on MovieLens-1M',
 *   dataset: 'ml-1m (NCF split)',
 *   protocol: '99 fixed negatives (NCF)',
 *   rows: [
 *     { method: 'MostPopular', values: { 'HR@10': 0.454, 'NDCG@10': 0.254 } },
 *     { method: 'BPR-MF', values: { 'HR@10': 0.662, 'NDCG@10': 0.389 } },
 *   ],
 * });
 * ```
 */
export function createReport(init: ReportInit): EvaluationReport {
  const columns = init.columns ?? columnsOf(Array.isArray(init.rows) ? init.rows : []);
  const report: EvaluationReport = structuredClone({
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    ...init,
    columns,
  }) as EvaluationReport;
  return validateReport(report);
}

function columnsOf(rows: readonly ReportRow[]): string[] {
  const seen: string[] = [];
  for (const row of rows) for (const key of Object.keys(row?.values ?? {})) if (!seen.includes(key)) seen.push(key);
  return seen;
}

/**
 * A table row from a protocol result: its `metrics` become the row's values.
 * @example
 * ```ts
 * const row = rowFromResult('BPR-MF', await evaluateFullRanking(options));
 * ```
 */
export function rowFromResult(
  method: string,
  result: { readonly metrics: Readonly<Record<string, number>> },
  extra: { group?: string; note?: string } = {},
): ReportRow {
  const row: ReportRow = { method, values: { ...result.metrics } };
  if (extra.group !== undefined) row.group = extra.group;
  if (extra.note !== undefined) row.note = extra.note;
  return row;
}

/**
 * The one-line protocol description of a protocol result, for `EvaluationReport.protocol`.
 * @example
 * ```ts
 * describeProtocol(fullRankingResult);
 * // "full ranking over all 11,953 items, train items masked (6,040 test users)"
 * describeProtocol(ncfResult);
 * // "fixed candidates from NCF ml-1m.test.negative: each test item ranked against 98–99 negatives (…), ties pessimistic (6,040 test rows)"
 * ```
 */
export function describeProtocol(
  result: FullRankingResult | SampledRankingResult | CategoryRankingResult | AucProtocolResult,
): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  switch (result.protocol) {
    case 'full-ranking':
      return `full ranking over all ${n(result.numItems)} items, ${result.masked} masked (${n(result.numUsers)} test users)`;
    case 'sampled-ranking':
      return `${result.candidates.description} (${n(result.numRows)} test rows)`;
    case 'category-ranking':
      return (
        `category ranking over all ${n(result.numCategories)} categories, ` +
        `${result.masked === 'nothing' ? 'nothing masked' : 'past categories masked (new categories only)'}; ` +
        `F1 = harmonic mean of mean Precision and mean Recall (${n(result.numUsers)} test users)`
      );
    case 'auc':
      return `${result.negatives.description} (${n(result.numUsers)} test users)`;
    default:
      throw new Error(`describeProtocol: unknown protocol ${JSON.stringify((result as { protocol?: unknown }).protocol)}`);
  }
}

/**
 * The metric-vs-K series of a report: its `kSeries` when given, else one series per
 * metric name that appears in the table at two or more cut-offs (`HR@50`, `HR@100`, …),
 * with a line for each method that has every one of those values.
 * @example
 * ```ts
 * kSeriesOf(report).map((s) => s.metric); // ['HR', 'NDCG']
 * ```
 */
export function kSeriesOf(report: EvaluationReport): KSeries[] {
  if (report.kSeries !== undefined && report.kSeries.length > 0) return report.kSeries;
  const byName = new Map<string, number[]>();
  for (const column of report.columns) {
    const match = /^(.+)@(\d+)$/.exec(column);
    if (!match) continue;
    const ks = byName.get(match[1]!) ?? [];
    ks.push(Number(match[2]));
    byName.set(match[1]!, ks);
  }
  const series: KSeries[] = [];
  for (const [metric, ksUnsorted] of byName) {
    const ks = [...new Set(ksUnsorted)].sort((a, b) => a - b);
    if (ks.length < 2) continue;
    const byMethod: Record<string, number[]> = {};
    for (const row of report.rows) {
      const values = ks.map((k) => row.values[`${metric}@${k}`]);
      if (values.every((v): v is number => v !== undefined)) byMethod[row.method] = values;
    }
    if (Object.keys(byMethod).length > 0) series.push({ metric, ks, byMethod });
  }
  return series;
}

/**
 * Whether lower values of a column are better: its metric name (before `@`) is in the
 * report's `lowerIsBetter`, or, when that is absent, one of RMSE, MAE, MSE, Loss, LogLoss.
 * @example
 * ```ts
 * isLowerBetter(report, 'RMSE'); // true
 * isLowerBetter(report, 'NDCG@10'); // false
 * ```
 */
export function isLowerBetter(report: EvaluationReport, column: string): boolean {
  const name = column.replace(/@\d+$/, '');
  return (report.lowerIsBetter ?? LOWER_IS_BETTER_BY_DEFAULT).includes(name);
}

/**
 * For each column, the row indexes holding its best value (all of them when tied);
 * empty when no row has a value.
 * @example
 * ```ts
 * bestRows(report)['NDCG@10']; // [2]
 * ```
 */
export function bestRows(report: EvaluationReport): Record<string, number[]> {
  const best: Record<string, number[]> = {};
  const unranked = new Set(report.unranked ?? []);
  for (const column of report.columns) {
    if (unranked.has(column)) {
      best[column] = [];
      continue;
    }
    const lower = isLowerBetter(report, column);
    let bestValue: number | undefined;
    let rows: number[] = [];
    report.rows.forEach((row, i) => {
      const v = row.values[column];
      if (v === undefined) return;
      if (bestValue === undefined || (lower ? v < bestValue : v > bestValue)) {
        bestValue = v;
        rows = [i];
      } else if (v === bestValue) {
        rows.push(i);
      }
    });
    best[column] = rows;
  }
  return best;
}

/**
 * Serialises a report to JSON text (checked first, so what is written can be read).
 * @example
 * ```ts
 * await writeFile('report.json.tmp', reportToJSON(report)); // then rename
 * ```
 */
export function reportToJSON(report: EvaluationReport, space = 2): string {
  validateReport(report);
  return JSON.stringify(report, null, space) + '\n';
}

/**
 * Reads a report written by {@link reportToJSON} and checks it.
 * @throws Error when the text is not JSON or not a report, naming the bad field.
 * @example
 * ```ts
 * const report = reportFromJSON(await readFile('report.json', 'utf8'));
 * ```
 */
export function reportFromJSON(text: string): EvaluationReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`reportFromJSON: not JSON: ${(error as Error).message}`);
  }
  return validateReport(value);
}

/**
 * Checks that a value is a well-formed {@link EvaluationReport} and returns it typed.
 * Every value must be a finite number (JSON has no NaN); columns must be unique; series
 * and curves must have one value per K / x.
 * @throws Error naming the first bad field and what it should be.
 * @example
 * ```ts
 * const report = validateReport(JSON.parse(text));
 * ```
 */
export function validateReport(value: unknown): EvaluationReport {
  const fail = (path: string, what: string, got: unknown): never => {
    const shown = typeof got === 'number' || got === undefined ? String(got) : JSON.stringify(got);
    throw new Error(`invalid report: ${path} must be ${what}, got ${shown?.slice(0, 80)}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (v: unknown, path: string): void => void (typeof v !== 'string' && fail(path, 'a string', v));
  const finite = (v: unknown, path: string): void =>
    void ((typeof v !== 'number' || !Number.isFinite(v)) && fail(path, 'a finite number', v));
  const numbers = (v: unknown, path: string): number[] => {
    if (!Array.isArray(v)) fail(path, 'an array of numbers', v);
    (v as unknown[]).forEach((x, i) => finite(x, `${path}[${i}]`));
    return v as number[];
  };
  const strings = (v: unknown, path: string): void => {
    if (!Array.isArray(v)) fail(path, 'an array of strings', v);
    (v as unknown[]).forEach((x, i) => str(x, `${path}[${i}]`));
  };

  if (!isObject(value)) fail('report', 'an object', value);
  const r = value as Record<string, unknown>;
  if (r.format !== REPORT_FORMAT) fail('report.format', `"${REPORT_FORMAT}"`, r.format);
  if (r.version !== REPORT_VERSION) fail('report.version', String(REPORT_VERSION), r.version);
  str(r.title, 'report.title');
  str(r.dataset, 'report.dataset');
  str(r.protocol, 'report.protocol');
  strings(r.columns, 'report.columns');
  const columns = r.columns as string[];
  columns.forEach((c, i) => {
    if (columns.indexOf(c) !== i) fail(`report.columns[${i}]`, 'unique', c);
  });
  if (!Array.isArray(r.rows)) fail('report.rows', 'an array of rows', r.rows);
  (r.rows as unknown[]).forEach((row, i) => {
    const path = `report.rows[${i}]`;
    if (!isObject(row)) fail(path, 'an object', row);
    const o = row as Record<string, unknown>;
    str(o.method, `${path}.method`);
    if (o.group !== undefined) str(o.group, `${path}.group`);
    if (o.note !== undefined) str(o.note, `${path}.note`);
    if (!isObject(o.values)) fail(`${path}.values`, 'an object of metric values', o.values);
    for (const [key, v] of Object.entries(o.values as object)) finite(v, `${path}.values[${JSON.stringify(key)}]`);
  });
  if (r.lowerIsBetter !== undefined) strings(r.lowerIsBetter, 'report.lowerIsBetter');
  if (r.unranked !== undefined) strings(r.unranked, 'report.unranked');
  if (r.notes !== undefined) strings(r.notes, 'report.notes');
  if (r.createdAt !== undefined) str(r.createdAt, 'report.createdAt');
  if (r.kSeries !== undefined) {
    if (!Array.isArray(r.kSeries)) fail('report.kSeries', 'an array', r.kSeries);
    (r.kSeries as unknown[]).forEach((s, i) => {
      const path = `report.kSeries[${i}]`;
      if (!isObject(s)) fail(path, 'an object', s);
      const o = s as Record<string, unknown>;
      str(o.metric, `${path}.metric`);
      const ks = numbers(o.ks, `${path}.ks`);
      if (!isObject(o.byMethod)) fail(`${path}.byMethod`, 'an object of method → values', o.byMethod);
      for (const [method, v] of Object.entries(o.byMethod as object)) {
        const values = numbers(v, `${path}.byMethod[${JSON.stringify(method)}]`);
        if (values.length !== ks.length) {
          fail(`${path}.byMethod[${JSON.stringify(method)}]`, `${ks.length} values (one per K)`, values.length);
        }
      }
    });
  }
  if (r.trainingCurves !== undefined) {
    if (!Array.isArray(r.trainingCurves)) fail('report.trainingCurves', 'an array', r.trainingCurves);
    (r.trainingCurves as unknown[]).forEach((c, i) => {
      const path = `report.trainingCurves[${i}]`;
      if (!isObject(c)) fail(path, 'an object', c);
      const o = c as Record<string, unknown>;
      str(o.method, `${path}.method`);
      str(o.metric, `${path}.metric`);
      if (o.xLabel !== undefined) str(o.xLabel, `${path}.xLabel`);
      const x = numbers(o.x, `${path}.x`);
      const y = numbers(o.y, `${path}.y`);
      if (x.length !== y.length) fail(`${path}.y`, `${x.length} values (one per x)`, y.length);
    });
  }
  if (r.figures !== undefined) {
    if (!Array.isArray(r.figures)) fail('report.figures', 'an array', r.figures);
    (r.figures as unknown[]).forEach((f, i) => {
      const path = `report.figures[${i}]`;
      if (!isObject(f)) fail(path, 'an object', f);
      const o = f as Record<string, unknown>;
      str(o.title, `${path}.title`);
      str(o.xLabel, `${path}.xLabel`);
      str(o.yLabel, `${path}.yLabel`);
      if (!Array.isArray(o.lines)) fail(`${path}.lines`, 'an array of lines', o.lines);
      (o.lines as unknown[]).forEach((l, j) => {
        const lp = `${path}.lines[${j}]`;
        if (!isObject(l)) fail(lp, 'an object', l);
        const line = l as Record<string, unknown>;
        str(line.name, `${lp}.name`);
        const x = numbers(line.x, `${lp}.x`);
        const y = numbers(line.y, `${lp}.y`);
        if (x.length !== y.length) fail(`${lp}.y`, `${x.length} values (one per x)`, y.length);
      });
    });
  }
  return value as EvaluationReport;
}
