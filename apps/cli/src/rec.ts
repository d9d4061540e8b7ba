/**
 * The `rec` command: datasets, and models trained, evaluated and served from them.
 *
 *   rec data list                       registered datasets, present or not under the data root
 *   rec data download <name> [--dir D]  fetch, verify and unpack a dataset's official archive
 *   rec data stats <name> [--dir D]     read a dataset (through the cache) and print its size
 *
 *   rec models                          every registered model: paper, needs, outputs
 *   rec train <model> --data <dataset|file.yaml> [--split spec] [--config f.yaml|.json] [--set key=value …]
 *             [--epochs n] [--backend js|native|webgpu] [--out dir] [--fresh] [--quiet] [--json]
 *       train a registered model on a split (the dataset's default, or --split), validation rows held
 *       out for early stopping, checkpoint every epoch (a re-run resumes), save a standalone model
 *       folder to --out (default runs/<dataset, / as _>/<model>)
 *   rec eval <modelDir> [--data D] [--split spec] [-k 50,80,100,200] [--out dir] [--json]
 *       the test rows of the split the model was trained under (or the one asked): HR and NDCG of
 *       full ranking with only training target rows masked, or RMSE/MAE for rating models
 *   rec recommend <modelDir> --user <rawId> [--user …] [-k 10] [--output items|categories] [--json]
 *       top K by raw ids from the model folder alone, training target items excluded
 *   rec reproduce [<paper> --data <key> …]  list or run a registered paper reproduction
 *   rec serve <modelDir>… [--root <dir>] [--port 8080]   saved models over HTTP (runs @rec/server's program)
 *
 * The model commands live in `commands/` (one file each) and are registered below with one
 * line each. Run from sources with `node --conditions=@rec/source --import tsx src/rec.ts …`,
 * or through the `rec` bin (`bin/rec.js`). Every failure is one line on stderr and exit code 1.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { type Dataset, defaultSplitSpec, formatStats, resolveSplit, stats } from '@rec/data';
import {
  dataRoot,
  download,
  KNOWN_DATASETS,
  checkDatasetFiles,
  OFFICIAL_ARCHIVES,
  readDataset,
  readDatasetFile,
  repositorySource,
} from '@rec/data/node';
import { Command, CommanderError } from 'commander';
import { useCallerDirectory } from './caller-directory.js';
import { type CommandContext, isDatasetFile, table } from './commands/context.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerRecommendCommand } from './commands/recommend.js';
import { registerReproduceCommand } from './commands/reproduce.js';
import { registerServeCommand } from './commands/serve.js';
import { registerModelsCommand, registerTrainCommand } from './commands/train.js';

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

/**
 * `rec data list`: one row per registered dataset, present, incomplete or missing. A
 * dataset is incomplete when a file its reader needs is absent or not the size its
 * MANIFEST lists (`checkDatasetFiles`: a stat per file, no hashing); what is wrong is
 * printed under the table, one line each, so `rec data stats` is not the first to say.
 */
async function listDatasets(io: RecIO, dir: string | undefined): Promise<void> {
  const problems: string[] = [];
  const rows = Object.entries(KNOWN_DATASETS).map(([name, known]) => {
    const found = checkDatasetFiles(name, { dataRoot: dir });
    const incomplete = !found.ok && found.reason.includes('is incomplete');
    const state = found.ok ? 'present' : incomplete ? 'incomplete' : 'missing';
    if (incomplete) {
      // The reason's middle: "<path> is missing", or "<path> does not match <MANIFEST>: …".
      const what = found.reason.replace(/^.*? is incomplete: /, '').replace(/ \(data root .*$/, '');
      problems.push(`${name}: incomplete: ${what}`);
    }
    const how = Object.hasOwn(OFFICIAL_ARCHIVES, name) ? `rec data download ${name}` : repositorySource(name) ? 'by hand (GitHub, see MANIFEST.md)' : `by hand (${known.homepage})`;
    return [name, state, known.title, how];
  });
  io.out(`data root: ${dir ?? dataRoot()}\n`);
  io.out(table(['dataset', 'state', 'title', 'get it'], rows));
  if (problems.length > 0) io.out(`\n${problems.join('\n')}\n`);
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
 * `rec data describe <file>`: reads a dataset file (`readDatasetFile`) and prints what was
 * understood — the statistics table, ratings, timestamps, behaviours, side inputs, splits
 * and the default split. A bare interactions file is refused with a template, because
 * the column roles are stated, never guessed.
 */
async function describeDatasetFile(io: RecIO, file: string): Promise<void> {
  if (/\.(csv|tsv|tab|parquet|jsonl|ndjson)(\.gz)?$/i.test(file)) {
    throw new Error(
      `data describe: ${file} is an interactions file; describe reads a dataset file (.yaml, .yml or .json) that names its ` +
        `columns, e.g. shop.yaml with: interactions: { path: ${file}, columns: { user: <user column>, item: <item column> } } ` +
        `(see "Your own data" in @rec/data's README)`,
    );
  }
  const dataset = await readDatasetFile(file, { warn: (line) => io.err(`${line}\n`) });
  const log = dataset.interactions;
  const range = (values: ArrayLike<number>): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < values.length; r++) {
      lo = Math.min(lo, values[r]!);
      hi = Math.max(hi, values[r]!);
    }
    return [lo, hi];
  };
  // Unix seconds after 1973 print as UTC dates; smaller values (sequence positions) as numbers.
  const time = (t: number): string => (t >= 1e8 ? new Date(t * 1000).toISOString().replace('.000Z', 'Z') : String(t));
  const lines = [`dataset ${dataset.name} (${file})`, '', formatStats(stats(dataset)), ''];
  const [rLo, rHi] = log.ratings ? range(log.ratings) : [0, 0];
  lines.push(`ratings:         ${log.ratings ? `yes, ${rLo} to ${rHi}` : 'none'}`);
  const [tLo, tHi] = log.timestamps ? range(log.timestamps) : [0, 0];
  lines.push(`timestamps:      ${log.timestamps ? `yes, ${time(tLo)} to ${time(tHi)}` : 'none'}`);
  const behaviors = log.behaviorNames;
  lines.push(`behaviours:      ${behaviors ? `${behaviors.join(' → ')} (target: ${behaviors.at(-1)})` : 'none'}`);
  const cats = dataset.itemCategories;
  if (cats) {
    let placed = 0;
    for (let i = 0; i < cats.numItems; i++) if (cats.indptr[i + 1]! > cats.indptr[i]!) placed++;
    lines.push(`categories:      ${count(cats.numCategories)}, ${count(placed)} of ${count(cats.numItems)} items have one (${(cats.indices.length / Math.max(placed, 1)).toFixed(2)} per item)`);
  } else lines.push('categories:      none');
  const tree = dataset.categoryTree;
  if (tree) {
    const leaves = dataset.itemLeafCategory ?? new Int32Array(0);
    const placed = leaves.reduce((n, c) => n + (c >= 0 ? 1 : 0), 0);
    lines.push(`hierarchy:       ${count(tree.size)} nodes, depth ${tree.levels}, ${count(placed)} items placed`);
  } else lines.push('hierarchy:       none');
  const features = Object.entries(dataset.itemFeatures ?? {});
  lines.push(`item features:   ${features.length > 0 ? features.map(([name, f]) => `${name} (${f.dim}-d)`).join(', ') : 'none'}`);
  const users = dataset.userFeatures;
  const userParts = users
    ? [...Object.keys(users.numeric).map((name) => `${name} (numeric)`), ...Object.entries(users.categorical).map(([name, c]) => `${name} (${c.vocabulary.length} values)`)]
    : [];
  lines.push(`user features:   ${userParts.length > 0 ? userParts.join(', ') : 'none'}`);
  const splits = Object.entries(dataset.splits);
  lines.push(
    `splits:          ${splits.length > 0 ? splits.map(([name, s]) => `${name} (${count(s.train.length)} train${s.valid ? ` / ${count(s.valid.length)} valid` : ''} / ${count(s.test.length)} test)`).join(', ') : 'none published'}`,
  );
  const spec = defaultSplitSpec(dataset);
  let made: string;
  try {
    made = resolveSplit(dataset, spec).description;
  } catch (error) {
    made = `cannot be made here: ${(error as Error).message}`;
  }
  lines.push(`default split:   ${spec} — ${made}`);
  io.out(`${lines.join('\n')}\n`);
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
    readDataset: options.readDataset ?? ((name) => {
      const warn = (line: string): void => io.err(`${line}\n`);
      // A path to a dataset file (YAML or JSON) is the user's own data; anything else a registry name.
      return isDatasetFile(name) ? readDatasetFile(name, { warn }) : readDataset(name, { warn });
    }),
  };
  const program = new Command('rec')
    .description('@rec: recommenders that use categories, behaviour funnels and side information')
    // package.json sits one folder up from both src/rec.ts and dist/rec.js.
    .version(createRequire(import.meta.url)('../package.json').version, '-V, --version', "print @rec/cli's version")
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  const data = program.command('data').description('datasets: list, download, stats, describe');
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
  data
    .command('describe')
    .description('read a dataset file (YAML/JSON naming your interaction and side files) and print what was understood')
    .argument('<file>', 'dataset file, e.g. shop.yaml')
    .action((file: string) => describeDatasetFile(io, file));
  registerModelsCommand(program, context);
  registerTrainCommand(program, context);
  registerEvalCommand(program, context);
  registerRecommendCommand(program, context);
  registerReproduceCommand(program, context);
  registerServeCommand(program, context);
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

/**
 * The `rec` process: runs `runRec` on `args` as a command-line program should behave —
 * a reader that stops early (`rec data list | head -1`) ends it quietly, relative paths
 * resolve from where a package script was typed (`useCallerDirectory`), and a wrapper
 * that starts it with an IPC channel (`bin/rec.js` in the checkout) takes it down when
 * the wrapper dies, even by `kill -9`.
 * @returns the exit code.
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  // The channel closes when the parent exits, however it exits.
  const parentGone = (): never => process.exit(129);
  if (process.send) process.on('disconnect', parentGone);
  useCallerDirectory();
  const code = await runRec(args);
  // Done: close the channel ourselves (it would keep the process alive), not as a death.
  process.off('disconnect', parentGone);
  process.disconnect?.();
  return code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
