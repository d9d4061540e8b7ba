/**
 * The built page in headless Chromium (Debian's `/usr/bin/chromium`, driven by
 * playwright-core), served by vite's preview server on `http://localhost` (a secure
 * context, which `navigator.gpu` needs): trains on the bundled log on js and on WebGPU,
 * stops a run, reads a malformed log, and loads model folders written in Node, comparing
 * their top-10 with what `rec recommend` answers (`loadTrainedModel` + `recommendMany`).
 *
 * A missing browser skips, or fails with `REC_REQUIRE_BROWSER=1`; a browser without a
 * WebGPU adapter skips the WebGPU steps, or fails with `REC_REQUIRE_WEBGPU=1`; missing
 * ml-100k skips the model folder step, or fails with `REC_REQUIRE_DATA=1`.
 *
 * Each step prints what it measured (samples/s per backend, the page's size).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBackend } from '@rec/core';
import { skipOrFail } from '@rec/core/testing';
import { leaveLastOut, UserItemCSR } from '@rec/data';
import { readMovieLens100K } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { interactionsHash, listModels, loadTrainedModel, parseModelConfig, rawIdsOf, saveTrainedModel, trainModel } from '@rec/models/node';
import type { Browser, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderBytes } from '../scripts/folder-bytes.js';

const CHROMIUM = '/usr/bin/chromium';
/** Set to 1 (as CI does) to turn a missing browser into a failure, as in `@rec/eval`'s HTML report test. */
const REQUIRE_BROWSER_FLAG = 'REC_REQUIRE_BROWSER';

/**
 * Headless Chromium's flags: `--enable-unsafe-webgpu` exposes `navigator.gpu` on Linux,
 * where it gives SwiftShader's Vulkan adapter when there is no GPU (nothing more is needed
 * here: `--enable-features=Vulkan`, `--use-angle=swiftshader` and
 * `--use-webgpu-adapter=swiftshader` change nothing); the rest keeps the browser off the
 * network.
 */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** HR@10 and NDCG@10 of a trained model must be at least this many times most-popular's on the bundled log. */
const MARGIN = 5;

const appDir = join(import.meta.dirname, '..');

const NO_BROWSER = `no browser at ${CHROMIUM} (Debian: apt-get install chromium)`;

/** Ends the test as skipped, or failed with `REC_REQUIRE_BROWSER=1`, when there is no browser. */
function needBrowser(ctx: { skip(note?: string): void }): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env[REQUIRE_BROWSER_FLAG] === '1') throw new Error(`${NO_BROWSER} (this test is required because ${REQUIRE_BROWSER_FLAG}=1)`);
  ctx.skip(NO_BROWSER);
}

interface Row {
  method: string;
  hr: number;
  ndcg: number;
}

describe('the page in headless Chromium', () => {
  let outDir: string;
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) return;
    outDir = await mkdtemp(join(tmpdir(), 'rec-web-dist-'));
    await build({ root: appDir, logLevel: 'error', build: { outDir, emptyOutDir: true } });
    server = await preview({ root: appDir, build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'error' });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    const address = server.httpServer.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await page.goto(`http://localhost:${port}/`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  async function useBackend(name: 'js' | 'webgpu'): Promise<string | undefined> {
    await page.selectOption('#backend-choice', name);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#backend-status')?.textContent !== 'loading…');
    const got = await page.getAttribute('#backend-status', 'data-backend');
    return got === name ? undefined : (await page.textContent('#backend-status')) ?? 'no status';
  }

  async function train(model: string, settings: { epochs?: number } = {}): Promise<{ state: string; text: string; rows: Row[]; samplesPerSecond: number; epochs: number }> {
    await page.selectOption('#model', model);
    if (settings.epochs !== undefined) await page.fill('#epochs', String(settings.epochs));
    await page.click('#train-button');
    await page.waitForSelector('#train-status:not([data-state="running"])', { timeout: 120_000 });
    const state = (await page.getAttribute('#train-status', 'data-state'))!;
    const rows = await page.$$eval('#metrics tr[data-method]', (trs) => trs.map((tr) => ({ method: tr.dataset.method!, hr: Number(tr.dataset.hr), ndcg: Number(tr.dataset.ndcg) })));
    return {
      state, text: (await page.textContent('#train-status'))!, rows,
      samplesPerSecond: Number(await page.getAttribute('#train-status', 'data-samples-per-second')),
      epochs: Number(await page.getAttribute('#train-status', 'data-epochs')),
    };
  }

  async function topK(input: string, button: string, table: string, status: string, user: string): Promise<{ id: string; score: number }[]> {
    await page.fill(input, user);
    await page.click(button);
    await page.waitForSelector(`${status}[data-user], ${status}[data-error]`);
    if (await page.getAttribute(status, 'data-error')) throw new Error((await page.textContent(status))!);
    return page.$$eval(`${table} tr[data-item]`, (trs) => trs.map((tr) => ({ id: tr.dataset.item!, score: Number(tr.dataset.score) })));
  }

  it('is small: the built page, measured, and it keeps every model registration', async (ctx) => {
    needBrowser(ctx);
    const bytes = folderBytes(outDir);
    console.log(`built page: ${bytes} bytes (${(bytes / 1024).toFixed(0)} KiB) in ${outDir}`);
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
    // A loaded folder may be of any registered model: the bundle must not tree-shake a registration away.
    expect(await page.getAttribute('body', 'data-registered-models')).toBe(listModels().map((m) => m.name).join(','));
  });

  it('trains BPR and GMF on the bundled log on js, each beating most-popular\'s HR@10 and NDCG@10 at least 5-fold, and recommends', async (ctx) => {
    needBrowser(ctx);
    expect(await useBackend('js')).toBeUndefined();
    await page.click('#use-synthetic');
    await page.waitForSelector('#log-status[data-rows]');
    expect(await page.getAttribute('#log-status', 'data-rows')).toBe('12000');
    for (const model of ['bpr', 'gmf']) {
      const run = await train(model);
      expect(run.state, run.text).toBe('done');
      const [trained, popular] = run.rows;
      expect(trained!.method).toBe('model');
      expect(popular!.method).toBe('most-popular');
      expect(popular!.hr).toBeGreaterThan(0);
      expect(trained!.hr, `${model} HR@10 ${trained!.hr} vs most-popular ${popular!.hr}`).toBeGreaterThan(MARGIN * popular!.hr);
      expect(trained!.ndcg).toBeGreaterThan(MARGIN * popular!.ndcg);
      const points = (await page.getAttribute('#loss-chart polyline', 'data-points'))!.split(' ').map((p) => Number(p.split(':')[1]));
      expect(points).toHaveLength(run.epochs);
      expect(points.at(-1)).toBeLessThan(points[0]!);
      console.log(`js ${model}: ${Math.round(run.samplesPerSecond)} samples/s, HR@10 ${trained!.hr.toFixed(4)} vs most-popular ${popular!.hr.toFixed(4)}`);
    }
    const top = await topK('#user', '#recommend-button', '#top-k', '#recommend-status', 'u1');
    expect(top).toHaveLength(10);
    expect(await page.textContent('#recommend-status')).toMatch(/^top 10 for user u1 \(19 training items left out\)$/);
    await expect(topK('#user', '#recommend-button', '#top-k', '#recommend-status', 'nobody')).rejects.toThrow(/unknown user id 'nobody'/);
  });

  it('stop ends a run with the last finished epoch, a usable model', async (ctx) => {
    needBrowser(ctx);
    expect(await useBackend('js')).toBeUndefined();
    await page.selectOption('#model', 'bpr');
    await page.fill('#epochs', '10000');
    await page.click('#train-button');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#progress')?.dataset.epochsDone) >= 3);
    await page.click('#stop-button');
    await page.waitForSelector('#train-status:not([data-state="running"])');
    expect(await page.getAttribute('#train-status', 'data-state')).toBe('stopped');
    const epochs = Number(await page.getAttribute('#train-status', 'data-epochs'));
    expect(epochs).toBeGreaterThanOrEqual(3);
    expect(epochs).toBeLessThan(10_000);
    expect(await page.textContent('#train-status')).toContain(`stopped: the model holds epoch ${epochs}, the last finished one`);
    const [trained, popular] = await page.$$eval('#metrics tr[data-method]', (trs) => trs.map((tr) => Number(tr.dataset.hr)));
    expect(trained).toBeGreaterThan(MARGIN * popular!);
    expect(await topK('#user', '#recommend-button', '#top-k', '#recommend-status', 'u2')).toHaveLength(10);
    await page.fill('#epochs', '10');
  });

  it('names the line of a malformed log and keeps the log it had', async (ctx) => {
    needBrowser(ctx);
    await page.setInputFiles('#log-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('user,item,rating\nu1,i1,5\nu2,i2\n') });
    await page.waitForSelector('#log-error:not([hidden])');
    expect(await page.textContent('#log-error')).toBe('bad.csv, line 3: expected 3 fields separated by commas (user, item, rating), found 2: "u2,i2"');
    await page.setInputFiles('#log-file', { name: 'small.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from('a\tx\na\ty\nb\tx\nb\tz\n') });
    await page.waitForSelector('#log-status[data-rows="4"]');
    expect(await page.isHidden('#log-error')).toBe(true);
  });

  it('trains on WebGPU (the same WGSL kernels), stops a run that has no finished epoch, and beats most-popular', async (ctx) => {
    needBrowser(ctx);
    const why = await useBackend('webgpu');
    if (why !== undefined) return skipOrFail(ctx, 'REC_REQUIRE_WEBGPU', `no WebGPU in headless Chromium: ${why}`);
    expect(await page.textContent('#backend-status')).toMatch(/^webgpu on /);
    await page.click('#use-synthetic');
    await page.waitForSelector('#log-status[data-rows="12000"]');

    await page.selectOption('#model', 'bpr');
    await page.fill('#epochs', '5');
    await page.click('#train-button');
    await page.click('#stop-button'); // SwiftShader takes seconds per epoch: no epoch finishes first
    await page.waitForSelector('#train-status:not([data-state="running"])');
    expect(await page.getAttribute('#train-status', 'data-state')).toBe('nothing-trained');
    expect(await page.textContent('#train-status')).toMatch(/^stopped before the first epoch finished: nothing was trained/);

    const run = await train('bpr', { epochs: 3 });
    expect(run.state, run.text).toBe('done');
    expect(await page.getAttribute('#train-status', 'data-backend')).toBe('webgpu');
    const [trained, popular] = run.rows;
    expect(trained!.hr).toBeGreaterThan(MARGIN * popular!.hr);
    expect(trained!.ndcg).toBeGreaterThan(MARGIN * popular!.ndcg);
    console.log(`webgpu bpr (${await page.textContent('#backend-status')}): ${Math.round(run.samplesPerSecond)} samples/s, HR@10 ${trained!.hr.toFixed(4)} vs most-popular ${popular!.hr.toFixed(4)}`);
    expect(await topK('#user', '#recommend-button', '#top-k', '#recommend-status', 'u1')).toHaveLength(10);
  });

  describe('a model folder rec train wrote (ml-100k, leave-last-out)', () => {
    const folders: string[] = [];
    afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

    it.for([
      ['bpr', { dim: 16, epochs: 3, learningRate: 0.05 }],
      ['gmf', { dim: 8, epochs: 1, optimizer: 'adam', learningRate: 0.01 }],
    ] as const)('%s: the page\'s top-10 is rec recommend\'s, on js exactly and on WebGPU', async ([model, settings], ctx) => {
      needBrowser(ctx);
      const data = requireDataset(ctx, 'ml-100k');
      await resolveBackend({ prefer: 'js', log: () => undefined });
      const dataset = await readMovieLens100K(data);
      const { train } = leaveLastOut(dataset.interactions, { seed: 0 });
      const trained = await trainModel(parseModelConfig({ model, ...settings }), { train }, { dataName: 'ml-100k' });
      const root = await mkdtemp(join(tmpdir(), 'rec-web-model-'));
      folders.push(root);
      const dir = join(root, model);
      await saveTrainedModel(dir, trained, {
        ids: rawIdsOf(dataset), seen: UserItemCSR.fromInteractions(train),
        data: { name: 'ml-100k', split: 'leave-one-out', description: 'each user\'s latest rating held out', hash: interactionsHash(train) },
      });
      const users = ['196', '1', '943'];
      const expected = await (await loadTrainedModel(dir)).recommendMany(users, { k: 10 });

      for (const backend of ['js', 'webgpu'] as const) {
        const why = await useBackend(backend);
        if (why !== undefined) {
          if (backend === 'webgpu' && process.env.REC_REQUIRE_WEBGPU !== '1') continue;
          throw new Error(`backend ${backend}: ${why}`);
        }
        await page.setInputFiles('#model-folder', dir);
        await page.waitForSelector(`#loaded-status[data-model="${model}"], #loaded-error:not([hidden])`);
        expect(await page.isHidden('#loaded-error'), (await page.textContent('#loaded-error')) ?? '').toBe(true);
        expect(await page.textContent('#loaded-status')).toContain(`from ${model}, trained on ml-100k: 943 users, 1,682 items, on ${backend}`);
        for (const [n, user] of users.entries()) {
          const got = await topK('#loaded-user', '#loaded-recommend', '#loaded-top-k', '#loaded-recommend-status', user);
          const want = expected[n]!;
          expect(got.map((r) => r.id), `${model} on ${backend}, user ${user}`).toEqual(want.map((r) => String(r.id)));
          const names = await page.$$eval('#loaded-top-k tr[data-item] td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
          expect(names).toEqual(want.map((r) => r.name ?? ''));
          if (backend === 'js') expect(got.map((r) => r.score)).toEqual(want.map((r) => r.score));
          else got.forEach((r, k) => expect(Math.abs(r.score - want[k]!.score)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want[k]!.score)));
        }
        await page.evaluate(() => {
          const status = document.querySelector<HTMLElement>('#loaded-status')!;
          delete status.dataset.model;
        });
      }
    });
  });

  it('without a WebGPU adapter (no --enable-unsafe-webgpu), auto says why and uses js; webgpu by name is refused', async (ctx) => {
    needBrowser(ctx);
    const { chromium } = await import('playwright-core');
    const plain = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu') });
    try {
      const other = await plain.newPage();
      await other.goto(page.url());
      await other.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
      expect(await other.getAttribute('#backend-status', 'data-backend')).toBe('js');
      expect(await other.textContent('#backend-status')).toMatch(/^js \(WebGPU unavailable: navigator\.gpu gave no adapter/);
      await other.selectOption('#backend-choice', 'webgpu');
      await other.waitForSelector('#backend-status[data-backend="none"]');
      expect(await other.textContent('#backend-status')).toMatch(/^WebGPU was asked for but cannot be used here: /);
      await other.selectOption('#backend-choice', 'auto');
      await other.waitForSelector('#backend-status[data-backend="js"]');
      await other.click('#use-synthetic');
      await other.waitForSelector('#log-status[data-rows="12000"]');
      await other.fill('#epochs', '2');
      await other.click('#train-button');
      await other.waitForSelector('#train-status:not([data-state="running"])');
      expect(await other.getAttribute('#train-status', 'data-state')).toBe('done');
      expect(await other.getAttribute('#train-status', 'data-backend')).toBe('js');
    } finally {
      await plain.close();
    }
  });

  it('raised no error in the page', (ctx) => {
    needBrowser(ctx);
    expect(pageErrors).toEqual([]);
  });
});
