/**
 * One self-contained HTML page for an {@link EvaluationReport}: the results table, the
 * protocol line, inline SVG charts (metric vs K per method, training curves) and the
 * report's JSON. No scripts, stylesheets, fonts or images are loaded from anywhere: the
 * CSS is inline, the charts are inline SVG, and a Content-Security-Policy of
 * `default-src 'none'` forbids every fetch, so the file can be mailed, archived and
 * opened offline. Every piece of text from the report is HTML-escaped.
 */
import { bestRows, kSeriesOf, validateReport, type EvaluationReport } from './result.js';

/**
 * Options of {@link renderHtml}.
 * @example
 * ```ts
 * renderHtml(report, { digits: 3 });
 * ```
 */
export interface HtmlOptions {
  /** Digits after the decimal point in the table (default 4). */
  digits?: number;
}

/**
 * Escapes text for HTML element content and quoted attribute values: `& < > " '`.
 * @example
 * ```ts
 * escapeHtml(`<b>"R&D's"</b>`); // '&lt;b&gt;&quot;R&amp;D&#39;s&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
/** Dash patterns for series beyond the palette, so lines stay distinguishable. */
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
p.meta { color: #444; margin: 0 0 16px; }
table.results { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.results th, table.results td { padding: 4px 10px; border-bottom: 1px solid #ddd; }
table.results thead th { border-bottom: 2px solid #333; text-align: right; }
table.results thead th.text, table.results td.text, table.results tbody th { text-align: left; white-space: nowrap; }
table.results tbody th { font-weight: 600; }
span.note { font-weight: 400; color: #555; }
table.results td { text-align: right; }
table.results td.best { font-weight: 700; }
table.results td.missing { color: #999; }
p.protocol { color: #333; margin: 8px 0 0; }
p.note { color: #555; margin: 4px 0 0; }
div.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #333; }
svg .axis { stroke: #333; stroke-width: 1; }
svg .grid { stroke: #e5e5e5; stroke-width: 1; }
`;

interface Line {
  name: string;
  x: number[];
  y: number[];
  /** Index into the palette × dash styles; the same method keeps its style in every chart. */
  style: number;
}

/** "Nice" tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^n, about `count` of them. */
function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceTicks(lo - pad, hi + pad, count);
  }
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1]! < hi) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e5 || abs < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** 2 decimals for coordinates: enough for a 560-px chart, short attributes. */
const px = (v: number): string => (Math.round(v * 100) / 100).toString();

/**
 * One line chart as inline SVG: axes with ticks, one polyline (plus point markers) per
 * series, a legend on the right. X is logarithmic when every x is positive and they span
 * a factor of 20 or more (K = 1 … 100), else linear.
 */
function lineChart(title: string, xLabel: string, yLabel: string, lines: Line[], chartId: string): string {
  const width = 560;
  const height = 320;
  const legendWidth = 150;
  const margin = { left: 56, right: legendWidth + 12, top: 28, bottom: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = lines.flatMap((l) => l.x);
  const ys = lines.flatMap((l) => l.y);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const logX = xMin > 0 && xMax / xMin >= 20;
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const yLo = yTicks[0]!;
  const yHi = yTicks[yTicks.length - 1]!;
  const tx = logX ? Math.log10 : (v: number) => v;
  const xLo = tx(xMin);
  const xHi = tx(xMax);
  const sx = (v: number): number =>
    margin.left + (xHi > xLo ? ((tx(v) - xLo) / (xHi - xLo)) * plotW : plotW / 2);
  const sy = (v: number): number => margin.top + plotH - ((v - yLo) / (yHi - yLo)) * plotH;
  let xTicks: number[];
  if (logX) {
    xTicks = [...new Set(xs)].sort((a, b) => a - b);
    // Keep labels apart: drop ticks closer than 28 px to the previous one.
    xTicks = xTicks.filter((t, i, all) => i === 0 || sx(t) - sx(all[i - 1]!) >= 28);
  } else {
    const distinct = [...new Set(xs)].sort((a, b) => a - b);
    xTicks = distinct.length <= 8 ? distinct : niceTicks(xMin, xMax, 6).filter((t) => t >= xMin && t <= xMax);
  }

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-labelledby="${chartId}-title" data-chart="${escapeHtml(title)}">`,
    `<title id="${chartId}-title">${escapeHtml(title)}</title>`,
    `<text x="${px(margin.left + plotW / 2)}" y="16" text-anchor="middle" font-weight="600">${escapeHtml(title)}</text>`,
  );
  for (const t of yTicks) {
    const y = px(sy(t));
    parts.push(
      `<line class="grid" x1="${margin.left}" x2="${margin.left + plotW}" y1="${y}" y2="${y}"/>`,
      `<text x="${margin.left - 6}" y="${y}" dy="0.32em" text-anchor="end">${escapeHtml(formatTick(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = px(sx(t));
    parts.push(
      `<line class="axis" x1="${x}" x2="${x}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 4}"/>`,
      `<text x="${x}" y="${margin.top + plotH + 16}" text-anchor="middle">${escapeHtml(formatTick(t))}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}"/>`,
    `<line class="axis" x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}"/>`,
    `<text x="${px(margin.left + plotW / 2)}" y="${height - 8}" text-anchor="middle">${escapeHtml(xLabel)}${logX ? ' (log scale)' : ''}</text>`,
    `<text transform="translate(14 ${px(margin.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`,
  );
  lines.forEach((line, i) => {
    const color = PALETTE[line.style % PALETTE.length]!;
    const dash = DASHES[Math.floor(line.style / PALETTE.length) % DASHES.length]!;
    const order = line.x.map((_, j) => j).sort((a, b) => line.x[a]! - line.x[b]!);
    const points = order.map((j) => `${px(sx(line.x[j]!))},${px(sy(line.y[j]!))}`).join(' ');
    parts.push(
      `<g class="series" data-series="${escapeHtml(line.name)}">`,
      `<title>${escapeHtml(line.name)}</title>`,
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${points}"/>`,
    );
    for (const j of order) {
      parts.push(
        `<circle cx="${px(sx(line.x[j]!))}" cy="${px(sy(line.y[j]!))}" r="3" fill="${color}">` +
          `<title>${escapeHtml(`${line.name}: ${formatTick(line.x[j]!)} → ${line.y[j]}`)}</title></circle>`,
      );
    }
    parts.push('</g>');
    const ly = margin.top + 8 + i * 18;
    const lx = width - legendWidth;
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text x="${lx + 28}" y="${ly}" dy="0.32em">${escapeHtml(truncate(line.name, 20))}</text>`,
    );
  });
  parts.push('</svg>');
  return `<figure>${parts.join('')}</figure>`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** JSON that is safe inside a `<script type="application/json">` element. */
function embeddedJson(report: EvaluationReport): string {
  return JSON.stringify(report)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Renders the report as one self-contained HTML document (a string; write it to a
 * `.html` file). Contents, in order: title and dataset; the results table (Group column
 * when rows have groups, best value per column bold, missing values as –); the protocol
 * line and notes; one chart per metric measured at two or more K (metric vs K, a line
 * per method, see `kSeriesOf`); one chart per training-curve metric (a line per
 * method); and the report itself as JSON in a non-executable
 * `<script type="application/json" id="rec-report">` block, so the page carries its data.
 *
 * Nothing external is referenced: no scripts run, no stylesheet, font or image is
 * fetched, and the page's Content-Security-Policy (`default-src 'none'; style-src
 * 'unsafe-inline'`) would block any that slipped in. All report text is escaped.
 *
 * @throws Error when the report is malformed (see `validateReport`) or digits is not an integer in [0, 12].
 * @example
 * ```ts
 * const html = renderHtml(report);
 * await writeFile('report.html.tmp', html);
 * await rename('report.html.tmp', 'report.html'); // open it in any browser, offline
 * ```
 */
export function renderHtml(report: EvaluationReport, options: HtmlOptions = {}): string {
  validateReport(report);
  const digits = options.digits ?? 4;
  if (!Number.isInteger(digits) || digits < 0 || digits > 12) {
    throw new Error(`renderHtml: digits must be an integer in [0, 12], got ${String(digits)}`);
  }
  const best = bestRows(report);
  const grouped = report.rows.some((row) => row.group !== undefined);

  const head = [
    ...(grouped ? ['<th class="text" scope="col">Group</th>'] : []),
    '<th class="text" scope="col">Method</th>',
    ...report.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`),
  ].join('');
  let previousGroup: string | undefined;
  const body = report.rows
    .map((row, i) => {
      const cells: string[] = [];
      if (grouped) {
        const show = row.group !== undefined && row.group !== previousGroup;
        previousGroup = row.group;
        cells.push(`<td class="text group">${show ? escapeHtml(row.group!) : ''}</td>`);
      }
      const note = row.note !== undefined ? ` <span class="note">(${escapeHtml(row.note)})</span>` : '';
      cells.push(`<th class="text" scope="row">${escapeHtml(row.method)}${note}</th>`);
      for (const column of report.columns) {
        const v = row.values[column];
        if (v === undefined) cells.push('<td class="missing">–</td>');
        else {
          const isBest = best[column]!.includes(i);
          cells.push(
            `<td${isBest ? ' class="best"' : ''} data-column="${escapeHtml(column)}">${v.toFixed(digits)}</td>`,
          );
        }
      }
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');

  const charts: string[] = [];
  let chartIndex = 0;
  const series = kSeriesOf(report);
  // One style per method across all charts: table order first, then any other names.
  const styleOf = new Map<string, number>();
  const names = [
    ...report.rows.map((r) => r.method),
    ...series.flatMap((s) => Object.keys(s.byMethod)),
    ...(report.trainingCurves ?? []).map((c) => c.method),
  ];
  for (const name of names) if (!styleOf.has(name)) styleOf.set(name, styleOf.size);
  if (series.length > 0) {
    charts.push('<h2>Metric vs K</h2><div class="charts">');
    for (const s of series) {
      const lines = Object.entries(s.byMethod).map(([name, y]) => ({ name, x: s.ks, y, style: styleOf.get(name)! }));
      charts.push(lineChart(`${s.metric}@K`, 'K', s.metric, lines, `chart-${chartIndex++}`));
    }
    charts.push('</div>');
  }
  const curves = report.trainingCurves ?? [];
  if (curves.length > 0) {
    charts.push('<h2>Training curves</h2><div class="charts">');
    const metrics = [...new Set(curves.map((c) => c.metric))];
    for (const metric of metrics) {
      const ofMetric = curves.filter((c) => c.metric === metric && c.x.length > 0);
      if (ofMetric.length === 0) continue;
      const xLabel = ofMetric[0]!.xLabel ?? 'epoch';
      const lines = ofMetric.map((c) => ({ name: c.method, x: c.x, y: c.y, style: styleOf.get(c.method)! }));
      charts.push(lineChart(`${metric} during training`, xLabel, metric, lines, `chart-${chartIndex++}`));
    }
    charts.push('</div>');
  }

  const figures = (report.figures ?? []).filter((f) => f.lines.some((l) => l.x.length > 0));
  if (figures.length > 0) {
    charts.push('<h2>Figures</h2><div class="charts">');
    for (const f of figures) {
      for (const l of f.lines) if (!styleOf.has(l.name)) styleOf.set(l.name, styleOf.size);
      const lines = f.lines.filter((l) => l.x.length > 0).map((l) => ({ name: l.name, x: l.x, y: l.y, style: styleOf.get(l.name)! }));
      charts.push(lineChart(f.title, f.xLabel, f.yLabel, lines, `chart-${chartIndex++}`));
    }
    charts.push('</div>');
  }

  const notes = (report.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n');
  const created = report.createdAt !== undefined ? ` · ${escapeHtml(report.createdAt)}` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="@rec/eval renderHtml">
<title>${escapeHtml(report.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(report.title)}</h1>
<p class="meta">Dataset: ${escapeHtml(report.dataset)}${created}</p>
<table class="results">
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<p class="protocol">Protocol: ${escapeHtml(report.protocol)}</p>
${notes}
${charts.join('\n')}
</main>
<script type="application/json" id="rec-report">${embeddedJson(report)}</script>
</body>
</html>
`;
}
