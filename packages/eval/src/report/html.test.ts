import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml } from './html.js';
import { createReport, reportFromJSON, type EvaluationReport } from './result.js';

const CHROMIUM = '/usr/bin/chromium';
/**
 * Set to 1 (as CI does) to turn a missing browser into a failure, like the
 * REC_REQUIRE_DATA / NATIVE / WEBGPU flags of `skipOrFail` in `@rec/core/testing`.
 */
const REQUIRE_BROWSER_FLAG = 'REC_REQUIRE_BROWSER';

/** skipOrFail's semantics for a flag `@rec/core/testing` does not know. */
function skipOrFailBrowser(ctx: { skip(note?: string): void }, reason: string): void {
  if (process.env[REQUIRE_BROWSER_FLAG] === '1') {
    throw new Error(`${reason} (this test is required because ${REQUIRE_BROWSER_FLAG}=1)`);
  }
  ctx.skip(reason);
}

/** Beibei columns of NMTR's Table III (four rows), values as printed; curves illustrative. */
function beibeiReport(): EvaluationReport {
  const columns = ['HR@50', 'NDCG@50', 'HR@80', 'NDCG@80', 'HR@100', 'NDCG@100', 'HR@200', 'NDCG@200'];
  const rows: [string, string, number[]][] = [
    ['Our NMTR Model', 'NMTR-GMF', [0.205, 0.059, 0.2721, 0.0688, 0.3119, 0.0741, 0.4543, 0.0961]],
    ['Our NMTR Model', 'NMTR-NeuMF', [0.2079, 0.0609, 0.2689, 0.0683, 0.3193, 0.076, 0.4766, 0.0971]],
    ['Multi-behavior', 'MC-NeuMF', [0.2014, 0.0577, 0.2522, 0.0669, 0.301, 0.0719, 0.43, 0.0897]],
    ['Single-behavior', 'BPR <baseline> & "friends"', [0.1199, 0.0348, 0.1686, 0.0419, 0.2002, 0.0463, 0.3039, 0.0624]],
  ];
  return createReport({
    title: 'Top-K on Beibei </script><script>alert(1)</script>',
    dataset: 'Beibei (purchase target)',
    protocol: 'full ranking over all 7,977 items, train items masked',
    rows: rows.map(([group, method, values]) => ({
      method,
      group,
      values: Object.fromEntries(columns.map((c, i) => [c, values[i]!])),
    })),
    trainingCurves: [
      { method: 'NMTR-NeuMF', metric: 'HR@100', x: [1, 2, 3, 4, 5, 6], y: [0.12, 0.2, 0.25, 0.29, 0.31, 0.3193] },
      { method: 'BPR <baseline> & "friends"', metric: 'HR@100', x: [1, 2, 3, 4, 5, 6], y: [0.05, 0.1, 0.14, 0.17, 0.19, 0.2002] },
      { method: 'NMTR-NeuMF', metric: 'loss', x: [1, 2, 3, 4, 5, 6], y: [0.69, 0.5, 0.41, 0.37, 0.35, 0.34] },
    ],
    notes: ['Curves are illustrative.'],
  });
}

describe('renderHtml (static checks)', () => {
  it('escapes every piece of report text and references nothing external', () => {
    const html = renderHtml(beibeiReport());
    expect(escapeHtml(`<b>"R&D's"</b>`)).toBe('&lt;b&gt;&quot;R&amp;D&#39;s&quot;&lt;/b&gt;');
    expect(html).toContain('BPR &lt;baseline&gt; &amp; &quot;friends&quot;');
    expect(html).not.toContain('<script>alert(1)');
    // The one <script> element is the JSON data block, and it cannot be closed early.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<script type="application/json" id="rec-report">');
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    // The embedded JSON is the report.
    const json = /<script type="application\/json" id="rec-report">([^<]*)<\/script>/.exec(html)![1]!;
    expect(reportFromJSON(json)).toEqual(beibeiReport());
  });
});

describe('renderHtml in headless Chromium', () => {
  it('renders the table and SVG charts offline, with no request leaving the page', async (ctx) => {
    if (!existsSync(CHROMIUM)) {
      return skipOrFailBrowser(ctx, `no browser at ${CHROMIUM} (Debian's chromium package renders the HTML report)`);
    }
    const { chromium } = await import('playwright-core');
    const dir = mkdtempSync(join(tmpdir(), 'rec-report-'));
    const htmlPath = join(dir, 'report.html');
    const pngPath = join(dir, 'report.png');
    writeFileSync(htmlPath, renderHtml(beibeiReport()));
    const pageUrl = pathToFileURL(htmlPath).href;

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      // Every request goes through here: the page's own file is let through, anything
      // else is recorded and aborted (a self-contained page makes none).
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url === pageUrl) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      page.on('request', (request) => {
        if (request.url() !== pageUrl) requests.push(request.url());
      });
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      await page.goto(pageUrl, { waitUntil: 'load' });

      expect(await page.title()).toBe('Top-K on Beibei </script><script>alert(1)</script>');
      const headers = await page.locator('table.results thead th').allTextContents();
      expect(headers).toEqual([
        'Group', 'Method', 'HR@50', 'NDCG@50', 'HR@80', 'NDCG@80', 'HR@100', 'NDCG@100', 'HR@200', 'NDCG@200',
      ]);
      expect(await page.locator('table.results tbody tr').count()).toBe(4);
      expect(await page.locator('table.results tbody th').allTextContents()).toEqual([
        'NMTR-GMF', 'NMTR-NeuMF', 'MC-NeuMF', 'BPR <baseline> & "friends"',
      ]);
      expect(await page.locator('table.results td.best').allTextContents()).toEqual([
        '0.2721', '0.0688', // NMTR-GMF: HR@80, NDCG@80
        '0.2079', '0.0609', '0.3193', '0.0760', '0.4766', '0.0971', // NMTR-NeuMF
      ]);
      expect(await page.locator('p.protocol').textContent()).toBe(
        'Protocol: full ranking over all 7,977 items, train items masked',
      );

      // Charts: HR@K and NDCG@K (a line per method), then HR@100 and loss during training.
      const charts = page.locator('svg[data-chart]');
      expect(await charts.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-chart')))).toEqual([
        'HR@K', 'NDCG@K', 'HR@100 during training', 'loss during training',
      ]);
      const hrLines = page.locator('svg[data-chart="HR@K"] polyline');
      expect(await hrLines.count()).toBe(4);
      const points = (await hrLines.first().getAttribute('points'))!.trim().split(/\s+/);
      expect(points).toHaveLength(4); // K = 50, 80, 100, 200
      for (const p of points) expect(p).toMatch(/^\d+(\.\d+)?,\d+(\.\d+)?$/);
      // x grows with K and y falls (SVG y points down) as HR grows.
      const xy = points.map((p) => p.split(',').map(Number) as [number, number]);
      for (let i = 1; i < xy.length; i++) {
        expect(xy[i]![0]).toBeGreaterThan(xy[i - 1]![0]);
        expect(xy[i]![1]).toBeLessThan(xy[i - 1]![1]);
      }
      expect(await page.locator('svg[data-chart="HR@100 during training"] polyline').count()).toBe(2);
      const box = await hrLines.first().boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      // Escaped text reaches the chart legend as text, not markup.
      expect(await page.locator('svg[data-chart="HR@K"] g.series').evaluateAll((g) => g.map((n) => n.getAttribute('data-series')))).toContain(
        'BPR <baseline> & "friends"',
      );

      // Nothing that could fetch: the CSP would block it, so check the markup too.
      expect(await page.locator('[src], [href], link, img, iframe, object, embed, script:not([type="application/json"])').count()).toBe(0);

      await page.screenshot({ path: pngPath, fullPage: true });
      expect(statSync(pngPath).size).toBeGreaterThan(10_000);
      expect(readFileSync(pngPath).subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(requests).toEqual([]);
      expect(consoleErrors).toEqual([]);
      console.log(`HTML report screenshot: ${pngPath}`);
    } finally {
      await browser.close();
    }
  });
});
