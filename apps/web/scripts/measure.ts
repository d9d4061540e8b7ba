/**
 * Measures the page: the built size, and training speed (samples/s) in headless Chromium
 * on js and on WebGPU, for each model the page offers, on the bundled log. Prints one
 * line per run and the machine's load.
 *
 *   npx --yes pnpm@10.34.8 --filter @rec/web measure [epochs on js] [epochs on webgpu]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { folderBytes } from './folder-bytes.js';

const appDir = join(import.meta.dirname, '..');
const [jsEpochs = '10', gpuEpochs = '2'] = process.argv.slice(2);

const outDir = await mkdtemp(join(tmpdir(), 'rec-web-measure-'));
await build({ root: appDir, logLevel: 'error', build: { outDir, emptyOutDir: true } });
console.log(`built page: ${folderBytes(outDir)} bytes (${(folderBytes(outDir) / 1024).toFixed(0)} KiB) in ${outDir}`);
const server = await preview({ root: appDir, build: { outDir }, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
const address = server.httpServer.address();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${typeof address === 'object' && address ? address.port : 0}/`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const backend of ['js', 'webgpu'] as const) {
    await page.selectOption('#backend-choice', backend);
    await page.waitForFunction(() => document.querySelector('#backend-status')?.textContent !== 'loading…');
    const status = await page.textContent('#backend-status');
    if ((await page.getAttribute('#backend-status', 'data-backend')) !== backend) {
      console.log(`${backend}: unavailable (${status})`);
      continue;
    }
    await page.click('#use-synthetic');
    await page.waitForSelector('#log-status[data-rows="12000"]');
    for (const model of ['bpr', 'gmf', 'neumf']) {
      await page.selectOption('#model', model);
      await page.fill('#epochs', backend === 'js' ? jsEpochs : gpuEpochs);
      await page.click('#train-button');
      await page.waitForSelector('#train-status:not([data-state="running"])', { timeout: 600_000 });
      const hr = await page.$$eval('#metrics tr[data-method]', (trs) => trs.map((tr) => Number(tr.dataset.hr).toFixed(4)));
      const samples = Number(await page.getAttribute('#train-status', 'data-samples-per-second'));
      console.log(`${status} | ${model} | ${await page.getAttribute('#train-status', 'data-epochs')} epochs | ${Math.round(samples).toLocaleString('en-US')} samples/s | HR@10 ${hr[0]} (most-popular ${hr[1]})`);
    }
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await browser.close();
  await server.close();
  await rm(outDir, { recursive: true, force: true });
}
