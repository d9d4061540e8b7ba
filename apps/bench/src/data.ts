/**
 * Dataset loading: the first (uncached) load of a dataset against the second, served
 * from the binary cache, in the same process; and the memory a loaded Dataset takes
 * per interaction.
 *
 * For each of ml-100k, tmall/mbcgcn and amazon-s3rec/Beauty that is registered and
 * present under the data root:
 *  1. first load: `readDataset(name)` with an empty cache (hash the source files, parse
 *     them with the reader, write the cache file);
 *  2. second load: the same call again, served from the cache; checked to deep-equal the
 *     first load and to have left the cache file untouched (a hit); then 4 more cached
 *     loads for a median;
 *  3. warm uncached load: `readDataset(name, { cache: false })` after the reader has run
 *     once, so that a second ratio is not flattered by one-off start-up (DuckDB's, the JIT's);
 *  4. memory per interaction: the bytes of every typed array reachable from the Dataset
 *     (interactions, splits, side information) over `interactions.length`, and, as a
 *     second figure, the growth of heap + array buffers and of RSS that holding the
 *     Dataset costs, measured in a fresh child process (a cached load, forced GC and a
 *     pause on both sides), so that earlier loads' garbage does not blur it.
 *
 * The cache goes to this benchmark's own temporary REC_CACHE_DIR, cleared before and
 * removed after. Results: a table on stdout and apps/bench/results/data.json.
 *
 * Run: `cd apps/bench && node --conditions=@rec/source --import tsx src/data.ts`
 * (or `pnpm bench:data` at the root). Data root: REC_DATA_DIR (see `dataRoot()`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { writeFileAtomic } from '@rec/core/node';
import type { Dataset } from '@rec/data';
import { dataRoot, KNOWN_DATASETS, locateDataset, readDataset } from '@rec/data/node';
import { median } from './stats.js';

/** The datasets this benchmark loads, when registered and present. */
const BENCH_DATASETS = ['ml-100k', 'tmall/mbcgcn', 'amazon-s3rec/Beauty'] as const;
const CACHED_REPEATS = 5;
/** argv[2] of the child process that measures one Dataset's memory. */
const MEMORY_CHILD = '--memory-child';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** One dataset's measurements, as written to data.json. */
interface DataLoadResult {
  name: string;
  interactions: number;
  users: number;
  items: number;
  firstLoadMs: number;
  cachedLoadMs: number;
  cachedLoadMsRuns: number[];
  warmUncachedLoadMs: number;
  speedupFirstOverCached: number;
  speedupWarmOverCached: number;
  cacheFileBytes: number;
  typedArrayBytes: number;
  typedArrayBytesPerInteraction: number;
  heapDeltaBytesPerInteraction: number;
  rssDeltaBytesPerInteraction: number;
}

/** Sum of the byte lengths of every distinct typed array reachable from `root`. */
function typedArrayBytes(root: unknown): number {
  const seen = new Set<unknown>();
  let total = 0;
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      total += value.byteLength;
      return;
    }
    if (value instanceof Map) {
      for (const v of value.values()) visit(v);
      return;
    }
    for (const v of Object.values(value)) visit(v);
  };
  visit(root);
  return total;
}

/** Heap + array buffers and RSS after a full GC and a pause for the background freeing of buffers. */
async function settledMemory(): Promise<{ heap: number; rss: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await run();
  return { value, ms: performance.now() - t0 };
}

/**
 * The memory a Dataset holds once loaded, measured in a fresh process so that earlier
 * loads' garbage and the reader's scratch memory do not blur it: baseline after imports,
 * then a load from the (already written) cache, both after a full GC.
 */
function measureInChild(name: string, cacheDir: string): { heap: number; rss: number } {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, script, MEMORY_CHILD, name, cacheDir], {
    encoding: 'utf8',
    env: process.env,
  });
  if (child.status !== 0) throw new Error(`${name}: memory measurement failed: ${child.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { heap: number; rss: number };
}

async function memoryChild(name: string, cacheDir: string): Promise<void> {
  const before = await settledMemory();
  const dataset = await readDataset(name, { cacheDir });
  const after = await settledMemory();
  console.log(JSON.stringify({ heap: after.heap - before.heap, rss: after.rss - before.rss, length: dataset.interactions.length }));
}

async function benchDataset(name: string, cacheDir: string): Promise<DataLoadResult> {
  const warn = (line: string): void => {
    throw new Error(`${name}: unexpected cache warning: ${line}`);
  };
  gc();
  const first = await timed(() => readDataset(name, { cacheDir, warn }));
  const dataset: Dataset = first.value;

  const files = readdirSync(cacheDir).filter((f) => f.startsWith(`${name.split('/').join('__')}-`));
  if (files.length !== 1) throw new Error(`${name}: expected one cache file after the first load, found ${files.length}`);
  const cacheFile = join(cacheDir, files[0]);
  const written = statSync(cacheFile);

  // A forced GC before each timed load, so that it does not pay for the previous one's garbage.
  gc();
  const second = await timed(() => readDataset(name, { cacheDir, warn }));
  // Check before reporting: the cached load is the same Dataset and did not rewrite the file.
  if (!isDeepStrictEqual(second.value, dataset)) throw new Error(`${name}: the cached Dataset differs from the first load`);
  if (statSync(cacheFile).mtimeMs !== written.mtimeMs) throw new Error(`${name}: the second load rewrote the cache (a miss)`);

  const cachedRuns: number[] = [second.ms];
  for (let i = 1; i < CACHED_REPEATS; i++) {
    gc();
    cachedRuns.push((await timed(() => readDataset(name, { cacheDir, warn }))).ms);
  }
  // The reader has now run once in this process: this is the uncached cost without start-up.
  gc();
  const warm = await timed(() => readDataset(name, { cache: false }));
  if (!isDeepStrictEqual(warm.value, dataset)) throw new Error(`${name}: a second uncached read differs from the first`);

  const n = dataset.interactions.length;
  const typed = typedArrayBytes(dataset);
  const held = measureInChild(name, cacheDir);
  return {
    name,
    interactions: n,
    users: dataset.interactions.numUsers,
    items: dataset.interactions.numItems,
    firstLoadMs: first.ms,
    cachedLoadMs: second.ms,
    cachedLoadMsRuns: cachedRuns,
    warmUncachedLoadMs: warm.ms,
    speedupFirstOverCached: first.ms / second.ms,
    speedupWarmOverCached: warm.ms / median(cachedRuns),
    cacheFileBytes: written.size,
    typedArrayBytes: typed,
    typedArrayBytesPerInteraction: typed / n,
    heapDeltaBytesPerInteraction: held.heap / n,
    rssDeltaBytesPerInteraction: held.rss / n,
  };
}

function formatTable(results: readonly DataLoadResult[]): string {
  const header = [
    'dataset', 'interactions', 'first load', 'second (cached) load', 'first / second', 'warm uncached', 'warm uncached / cached median',
    'cache file', 'typed arrays B/inter.', 'heap+buffers Δ B/inter.', 'RSS Δ B/inter.',
  ];
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  const rows = results.map((r) => [
    r.name,
    r.interactions.toLocaleString('en-US'),
    ms(r.firstLoadMs),
    `${ms(r.cachedLoadMs)} (median ${ms(median(r.cachedLoadMsRuns))})`,
    `${r.speedupFirstOverCached.toFixed(1)}×`,
    ms(r.warmUncachedLoadMs),
    `${r.speedupWarmOverCached.toFixed(1)}×`,
    `${(r.cacheFileBytes / 1e6).toFixed(1)} MB`,
    r.typedArrayBytesPerInteraction.toFixed(1),
    r.heapDeltaBytesPerInteraction.toFixed(1),
    r.rssDeltaBytesPerInteraction.toFixed(1),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const cacheDir = join(tmpdir(), `rec-bench-data-cache-${process.pid}`);
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  process.env.REC_CACHE_DIR = cacheDir;

  const results: DataLoadResult[] = [];
  const skipped: { name: string; reason: string }[] = [];
  try {
    for (const name of BENCH_DATASETS) {
      if (!Object.hasOwn(KNOWN_DATASETS, name)) {
        skipped.push({ name, reason: 'not in the reader registry' });
        continue;
      }
      const found = locateDataset(name);
      if (!found.ok) {
        skipped.push({ name, reason: found.reason });
        continue;
      }
      results.push(await benchDataset(name, cacheDir));
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }

  console.log(`Dataset loading, data root ${dataRoot()} (node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'})`);
  console.log(formatTable(results));
  for (const s of skipped) console.log(`skipped ${s.name}: ${s.reason}`);

  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'data.json');
  mkdirSync(dirname(out), { recursive: true });
  const json = JSON.stringify(
    { benchmark: 'data', date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, results, skipped },
    null,
    2,
  );
  await writeFileAtomic(out, `${json}\n`);
  console.log(`wrote ${out}`);
}

if (process.argv[2] === MEMORY_CHILD) await memoryChild(process.argv[3], process.argv[4]);
else await main();
