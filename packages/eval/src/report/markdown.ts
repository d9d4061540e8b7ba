/**
 * Markdown rendering of an {@link EvaluationReport}, in the layout of the papers' result
 * tables (NMTR Table III, CCRec Table 3): rows = methods, columns = metric@K, the best
 * value of each column in bold, the protocol stated under the table.
 */
import { bestRows, validateReport, type EvaluationReport } from './result.js';

/**
 * Options of {@link renderMarkdown}.
 * @example
 * ```ts
 * renderMarkdown(report, { digits: 3, headingLevel: 3 });
 * ```
 */
export interface MarkdownOptions {
  /** Digits after the decimal point (default 4, as the papers print). */
  digits?: number;
  /** Heading level of the title, 1–6 (default 2). */
  headingLevel?: number;
}

/**
 * Escapes text for a Markdown table cell or paragraph: a backslash before each character
 * that is syntax inside a line (`|` would split the cell, `*` and `_` start emphasis,
 * `<` and `&` open HTML or an entity, `[` a link, backticks code, `~` strike-through),
 * and before a leading `#`, `-`, `+` or `1.` that would start a heading or a list; line
 * breaks become spaces. Text such as "ml-1m (NCF split)" stays as it is.
 * @example
 * ```ts
 * escapeMarkdown('a|b *c*'); // 'a\\|b \\*c\\*'
 * escapeMarkdown('# 1'); // '\\# 1'
 * ```
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_[\]<>&|~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+-]|\d+(?=[.)]))/, (_, space: string, lead: string) =>
      /\d/.test(lead) ? `${space}${lead}\\` : `${space}\\${lead}`,
    );
}

/**
 * Renders the report as Markdown: the title, the dataset line, the results table (a
 * Group column first when any row has a group; missing values as `–`; best per column
 * in bold, all tied best values bold; lower-is-better metrics such as RMSE take the
 * minimum), then `Protocol: …` and any notes. Charts are left to `renderHtml`.
 * @throws Error when the report is malformed (see `validateReport`) or digits is not an integer in [0, 12].
 * @example
 * ```ts
 * const md = renderMarkdown(report);
 * // ## NCF on MovieLens-1M
 * //
 * // Dataset: ml-1m (NCF split)
 * //
 * // | Method | HR@10 | NDCG@10 |
 * // | :-- | --: | --: |
 * // | MostPopular | 0.4540 | 0.2540 |
 * // | BPR-MF | **0.6620** | **0.3890** |
 * //
 * // Protocol: 99 fixed negatives (NCF)
 * ```
 */
export function renderMarkdown(report: EvaluationReport, options: MarkdownOptions = {}): string {
  validateReport(report);
  const digits = options.digits ?? 4;
  if (!Number.isInteger(digits) || digits < 0 || digits > 12) {
    throw new Error(`renderMarkdown: digits must be an integer in [0, 12], got ${String(digits)}`);
  }
  const level = options.headingLevel ?? 2;
  if (!Number.isInteger(level) || level < 1 || level > 6) {
    throw new Error(`renderMarkdown: headingLevel must be an integer in [1, 6], got ${String(level)}`);
  }
  const best = bestRows(report);
  const grouped = report.rows.some((row) => row.group !== undefined);
  const header = [...(grouped ? ['Group'] : []), 'Method', ...report.columns.map(escapeMarkdown)];
  const align = [...(grouped ? [':--'] : []), ':--', ...report.columns.map(() => '--:')];
  const lines: string[] = [
    `${'#'.repeat(level)} ${escapeMarkdown(report.title)}`,
    '',
    `Dataset: ${escapeMarkdown(report.dataset)}`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
  ];
  let previousGroup: string | undefined;
  report.rows.forEach((row, i) => {
    const cells: string[] = [];
    if (grouped) {
      // Like the papers: the group is printed where it starts, blank below.
      cells.push(row.group !== undefined && row.group !== previousGroup ? escapeMarkdown(row.group) : '');
      previousGroup = row.group;
    }
    cells.push(escapeMarkdown(row.method) + (row.note !== undefined ? ` (${escapeMarkdown(row.note)})` : ''));
    for (const column of report.columns) {
      const v = row.values[column];
      if (v === undefined) cells.push('–');
      else cells.push(best[column]!.includes(i) ? `**${v.toFixed(digits)}**` : v.toFixed(digits));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  });
  lines.push('', `Protocol: ${escapeMarkdown(report.protocol)}`);
  for (const note of report.notes ?? []) lines.push('', escapeMarkdown(note));
  for (const figure of report.figures ?? []) {
    // A figure as a table: one row per line, one column per x.
    const xs = [...new Set(figure.lines.flatMap((l) => l.x))].sort((a, b) => a - b);
    lines.push('', `${'#'.repeat(level + 1)} ${escapeMarkdown(figure.title)}`, '', `${escapeMarkdown(figure.yLabel)} by ${escapeMarkdown(figure.xLabel)}:`, '');
    lines.push(`| | ${xs.map((x) => String(x)).join(' | ')} |`, `| :-- | ${xs.map(() => '--:').join(' | ')} |`);
    for (const l of figure.lines) {
      const cells = xs.map((x) => {
        const k = l.x.indexOf(x);
        return k < 0 ? '–' : l.y[k]!.toFixed(digits);
      });
      lines.push(`| ${escapeMarkdown(l.name)} | ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n') + '\n';
}
