/**
 * The `rec` command: datasets, and models trained, evaluated and served from them.
 *
 *   rec data list                       registered datasets, present or not under the data root
 *   rec data download <name> [--dir D]  fetch, verify and unpack a dataset's official archive
 *   rec data stats <name> [--dir D]     read a dataset (through the cache) and print its size
 *
 *   rec train <model> --data <dataset> [--config f.yaml|.json] [--set key=value …] [--epochs n]
 *             [--backend js|native|webgpu] [--out dir] [--fresh] [--quiet] [--json]
 *       train on the dataset's default split, one random purchase per user held out for early
 *       stopping (NMTR §IV-A3), checkpoint every epoch (a re-run resumes), save the model to
 *       --out (default runs/<dataset, / as _>/<model>)
 *   rec eval <modelDir> [--data D] [--protocol full] [-k 50,80,100,200] [--out dir] [--json]
 *       HR and NDCG on the published test split, full ranking with only training purchases
 *       masked; --out writes report.json, report.md and report.html
 *   rec recommend <modelDir> --user <rawId> [-k 10] [--json]
 *       a user's top K by raw ids (and item names where the data has them), training purchases excluded
 *
 * The model commands live in `commands/` (one file each) and are registered below with one
 * line each. Run from sources with `node --conditions=@rec/source --import tsx src/rec.ts …`,
 * or through the `rec` bin (`bin/rec.js`). Every failure is one line on stderr and exit code 1.
 */
import { pathToFileURL } from 'node:url';
import {
  type Dataset,
  dataRoot,
  download,
  formatStats,
  KNOWN_DATASETS,
  locateDataset,
  OFFICIAL_ARCHIVES,
  readDataset,
  repositorySource,
  stats,
} from '@rec/data';
import { Command, CommanderError } from 'commander';
import { type CommandContext, table } from './commands/context.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerRecommendCommand } from './commands/recommend.js';
import { registerReproduceCommand } from './commands/reproduce.js';
import { registerTrainCommand } from './commands/train.js';

/**
 * Where the command's output goes; tests and embedders pass their own.
 * @example
 * ```ts
 * const lines: string[] = [];
 * const io: RecIO = { out: (s) => lines.push(s), err: (s) => lines.push(s), errIsTTY: false };
 * ```
 */
export interface RecIO {
  /** Writes to standard output (text ends with its own newline). */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Whether stderr is a terminal (progress is drawn in place only then). */
  errIsTTY: boolean;
}

const processIO: RecIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTTY: Boolean(process.stderr.isTTY),
};

const count = (n: number): string => n.toLocaleString('en-US');

/** The dataset's statistics table (`formatStats`), then its published splits. */
function describeDataset(dataset: Dataset): string {
  const splits = Object.keys(dataset.splits);
  const lines = [formatStats(stats(dataset))];
  if (splits.length > 0) lines.push('', `published splits: ${splits.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

async function listDatasets(io: RecIO, dir: string | undefined): Promise<void> {
  const rows = Object.entries(KNOWN_DATASETS).map(([name, known]) => {
    const found = locateDataset(name, { dataRoot: dir });
    const state = found.ok ? 'present' : found.reason.includes('is incomplete') ? 'incomplete' : 'missing';
    const how = Object.hasOwn(OFFICIAL_ARCHIVES, name) ? `rec data download ${name}` : repositorySource(name) ? 'by hand (GitHub, see MANIFEST.md)' : `by hand (${known.homepage})`;
    return [name, state, known.title, how];
  });
  io.out(`data root: ${dir ?? dataRoot()}\n`);
  io.out(table(['dataset', 'state', 'title', 'get it'], rows));
}

async function downloadDataset(io: RecIO, name: string, dir: string | undefined): Promise<void> {
  const root = dir ?? dataRoot();
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  let lastDrawn = 0;
  const result = await download(name, root, {
    onProgress: (received, total) => {
      const now = Date.now();
      if (!io.errIsTTY || (now - lastDrawn < 100 && received !== total)) return;
      lastDrawn = now;
      io.err(`\rdownloading ${name}: ${mb(received)}${total !== undefined ? ` / ${mb(total)}` : ''} MB`);
    },
  });
  if (io.errIsTTY) io.err('\n');
  io.out(
    `${name}: ${count(result.bytes)} bytes from ${result.url}, ${result.checksum.algorithm} ${result.checksum.digest} verified; ` +
      `${result.files.length} files in ${result.dir}\n`,
  );
}

async function printStats(io: RecIO, name: string, dir: string | undefined, cache: boolean): Promise<void> {
  const dataset = await readDataset(name, { dataRoot: dir, cache, warn: (line) => io.err(`${line}\n`) });
  io.out(describeDataset(dataset));
}

/**
 * What a `rec` program reads besides its arguments; tests pass a generated dataset.
 * @example
 * ```ts
 * const options: RecProgramOptions = { readDataset: async () => tinyDataset };
 * ```
 */
export interface RecProgramOptions {
  /** Reads a dataset by registry name (default: `readDataset` of @rec/data, through the cache). */
  readDataset?: (name: string) => Promise<Dataset>;
}

/**
 * The `rec` program, its actions writing to `io`. Errors thrown by an action propagate
 * to the caller ({@link runRec} turns them into one line and exit code 1).
 *
 * @param options - where the model commands get datasets from.
 * @example
 * ```ts
 * await createRecProgram().parseAsync(['data', 'list'], { from: 'user' });
 * ```
 */
export function createRecProgram(io: RecIO = processIO, options: RecProgramOptions = {}): Command {
  const context: CommandContext = {
    io,
    readDataset: options.readDataset ?? ((name) => readDataset(name, { warn: (line) => io.err(`${line}\n`) })),
  };
  const program = new Command('rec')
    .description('@rec: recommenders that use categories, behaviour funnels and side information')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  const data = program.command('data').description('datasets: list, download, stats');
  data
    .command('list')
    .description('list the registered datasets and whether each is present under the data root')
    .option('--dir <dataRoot>', 'data root to look in (default: REC_DATA_DIR or ~/.cache/rec/datasets)')
    .action((opts: { dir?: string }) => listDatasets(io, opts.dir));
  data
    .command('download')
    .description("fetch a dataset's official archive, verify its checksum and unpack it under the data root")
    .argument('<name>', 'registry name, e.g. ml-100k')
    .option('--dir <dataRoot>', 'data root to put it in (default: REC_DATA_DIR or ~/.cache/rec/datasets)')
    .action((name: string, opts: { dir?: string }) => downloadDataset(io, name, opts.dir));
  data
    .command('stats')
    .description('read a dataset (through the binary cache) and print users, items, interactions and behaviours')
    .argument('<name>', 'registry name, e.g. ml-100k or tmall/mbcgcn')
    .option('--dir <dataRoot>', 'data root to read from (default: REC_DATA_DIR or ~/.cache/rec/datasets)')
    .option('--no-cache', 'parse the source files even when a cache file exists, and write none')
    .action((name: string, opts: { dir?: string; cache: boolean }) => printStats(io, name, opts.dir, opts.cache));
  registerTrainCommand(program, context);
  registerEvalCommand(program, context);
  registerRecommendCommand(program, context);
  registerReproduceCommand(program, context);
  return program;
}

/**
 * Runs `rec` with `args` (without the node and script paths) and returns the exit code:
 * 0 on success, 1 on any error, which is printed as one line on stderr.
 *
 * @param io - where output goes (tests collect it).
 * @param options - see {@link RecProgramOptions}.
 * @example
 * ```ts
 * process.exitCode = await runRec(['data', 'stats', 'ml-100k']);
 * ```
 */
export async function runRec(args: readonly string[], io: RecIO = processIO, options: RecProgramOptions = {}): Promise<number> {
  const program = createRecProgram(io, options);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its own message (usage errors) or the help text.
      return err.exitCode === 0 ? 0 : 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.err(`rec: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runRec(process.argv.slice(2));
}
