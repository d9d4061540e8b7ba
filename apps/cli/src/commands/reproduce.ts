/**
 * `rec reproduce`: the registered reproductions (`@rec/models`' recipes) and the one
 * runner that runs any of them (`runReproduction` of `@rec/models/node`).
 *
 *   rec reproduce                       the reproductions, their datasets and methods
 *   rec reproduce <paper> --data <key>  runs one: resume, --methods, --tune, --report-only
 *   rec reproduce <paper> --data <key> --data-file shop.yaml
 *                                       the same protocol and methods on your own dataset file
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expandMethodPatterns, getReproduction, listReproductions, type Reproduction, runReproduction, runReproductionSeeds } from '@rec/models/node';
import type { Command } from 'commander';
import { createProgress } from '../progress.js';
import { type CommandContext, prepareOutputFolder, useBackend } from './context.js';

interface ReproduceOptions {
  data?: string;
  dataFile?: string;
  out?: string;
  methods?: string;
  epochs?: string;
  dim?: string;
  backend?: string;
  seed?: string;
  seeds?: string;
  tune?: string;
  tuneWeights?: string;
  tuneBatch?: string;
  tuneNegatives?: string;
  quiet?: boolean;
  json?: boolean;
  reportOnly?: boolean;
}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, got '${text}'`);
  return n;
}

/** `--tune 0.01,0.05`: positive learning rates. */
function parseTune(text: string | undefined): number[] | undefined {
  return text?.split(',').map((x) => {
    const v = Number(x);
    if (!(v > 0)) throw new Error(`--tune: '${x}' is not a positive learning rate`);
    return v;
  });
}

/** `--tune-batch 64,128`, `--tune-negatives 1,5,10`: comma-separated positive whole numbers. */
function positiveInts(flag: string, text: string | undefined): number[] | undefined {
  return text?.split(',').map((x) => positiveInt(flag, x.trim())!);
}

/** `--tune-weights '0.5,0.5;0.3,0.7'`: ';'-separated vectors of weights in [0, 1] summing to 1. */
function parseTuneWeights(text: string | undefined): number[][] | undefined {
  return text?.split(';').map((vector) => {
    const w = vector.split(',').map(Number);
    if (w.some((x) => !(x >= 0 && x <= 1)) || Math.abs(w.reduce((a, b) => a + b, 0) - 1) > 1e-6) {
      throw new Error(`--tune-weights: '${vector}' must be weights in [0, 1] that sum to 1`);
    }
    return w;
  });
}

/** A reproduction's methods on one dataset, by group: `NMTR: nmtr-gmf, nmtr-mlp; Rules (ours): …`. */
function methodsByGroup(reproduction: Reproduction, data: string): string {
  const groups = new Map<string, string[]>();
  for (const m of reproduction.methods(data)) groups.set(m.group, [...(groups.get(m.group) ?? []), m.id]);
  return [...groups].map(([group, ids]) => `${group}: ${ids.join(', ')}`).join('; ');
}

/** What `rec reproduce` prints: each reproduction, its datasets and its methods. */
function describeReproductions(): string {
  const blocks = listReproductions().map((r) => {
    const keys = Object.keys(r.datasets);
    const width = Math.max(...keys.map((k) => k.length));
    const lines = [`${r.id}: ${r.title}`, `  ${r.citation}`, '  datasets (--data):'];
    for (const key of keys) lines.push(`    ${key.padEnd(width)}  ${r.datasets[key].dataset} — ${r.datasets[key].label}`);
    // Methods usually differ between datasets in settings only; list the ids once when they agree.
    const listed = keys.map((key) => [key, methodsByGroup(r, key)] as const);
    if (listed.every(([, text]) => text === listed[0][1])) lines.push(`  methods (--methods): ${listed[0][1]}`);
    else for (const [key, text] of listed) lines.push(`  methods on ${key} (--methods): ${text}`);
    lines.push(`  run: rec reproduce ${r.id} --data ${keys[0]}`);
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** Registers `rec reproduce [paper]`. */
export function registerReproduceCommand(program: Command, context: CommandContext): void {
  const ids = listReproductions().map((r) => r.id);
  // `(default the paper's: nmtr 20)`
  const defaults = (field: 'epochs' | 'dim' | 'seed'): string => `default the paper's: ${listReproductions().map((r) => `${r.id} ${r.defaults[field]}`).join(', ')}`;
  program
    .command('reproduce')
    .description("reproduce a paper's experiments on the shared datasets; without a paper, list the reproductions")
    .argument('[paper]', `the reproduction: ${ids.join(', ')}`)
    .option('--data <key>', "the reproduction's dataset (`rec reproduce` lists them)")
    .option('--data-file <file>', "run --data's settings on your own dataset file (YAML/JSON, see rec data describe) instead of the registered dataset")
    .option('--out <dir>', 'report folder (default runs/reproduce/<paper>-<data, or the file name>); finished methods there are reused when trained under the same settings (a wider --tune grid trains only its new candidates), and a run under others stops naming the difference')
    .option('--methods <ids>', 'comma-separated subset of the methods, exact ids or patterns with * (`*.tune`, `mrlr*.f1`; `rec reproduce` lists them)')
    .option('--epochs <n>', `cap on epochs per method (${defaults('epochs')}; early stopping on the validation data)`)
    .option('--dim <n>', `embedding size (${defaults('dim')})`)
    .option('--backend <name>', 'js, native or webgpu (default: the fastest that loads)')
    .option('--seed <n>', `seed of the validation split and of every model (${defaults('seed')})`)
    .option('--seeds <list>', 'run once per seed (comma-separated), each into <out>/seed-<n>, and write <out>/seeds.md: mean ± sd over the seeds and, where the recipe has claims, how often each held')
    .option('--tune <rates>', 'comma-separated learning rates to tune each trained method on the validation data')
    .option('--tune-weights <grid>', "behaviour-weight vectors λ for the methods that have them (NMTR's and CMF's), ';'-separated, each comma-separated and summing to 1 (e.g. '0.5,0.5;0.3,0.7'); crossed with --tune (the NMTR recipe only; the others refuse it)")
    .option('--tune-batch <sizes>', "comma-separated batch sizes to tune over, crossed with --tune (the second-hand recipe only, whose default is §4.2's 64,128,256; the others refuse it)")
    .option('--tune-negatives <counts>', "comma-separated numbers of negatives per positive N to search, crossed with the recipe's grid (MRLR §4.1: 1,5,10,20,50; its default grid has 5; the MRLR recipe only, the others refuse it)")
    .option('--report-only', 'write the reports from the methods finished in --out, training nothing (under the seed, epochs and dim they recorded, unless given)')
    .option('--quiet', 'no progress')
    .option('--json', 'print the report (or, without a paper, the reproductions) as JSON on stdout')
    .action(async (paper: string | undefined, opts: ReproduceOptions) => {
      const { io } = context;
      if (paper === undefined) {
        if (opts.json) {
          const listing = listReproductions().map((r) => ({
            id: r.id, title: r.title, citation: r.citation,
            datasets: Object.fromEntries(Object.entries(r.datasets).map(([key, d]) => [key, { ...d, methods: r.methods(key).map((m) => ({ id: m.id, name: m.name, group: m.group })) }])),
          }));
          io.out(`${JSON.stringify(listing)}\n`);
        } else io.out(describeReproductions());
        return;
      }
      if (!ids.includes(paper)) throw new Error(`unknown reproduction '${paper}'; the reproductions are ${ids.join(', ')} (\`rec reproduce\` lists them)`);
      const reproduction = getReproduction(paper);
      const keys = Object.keys(reproduction.datasets);
      if (opts.data === undefined) throw new Error(`--data is required: one of ${keys.join(', ')}`);
      if (!Object.hasOwn(reproduction.datasets, opts.data)) throw new Error(`--data must be one of ${keys.join(', ')}, got '${opts.data}'`);
      const data = opts.data;
      const source = opts.dataFile ? basename(opts.dataFile).replace(/\.(ya?ml|json)$/i, '') : data;
      const out = opts.out ?? join('runs', 'reproduce', `${paper}-${source}`);
      const tuneLearningRates = parseTune(opts.tune);
      const tuneWeights = parseTuneWeights(opts.tuneWeights);
      const tuneBatchSizes = positiveInts('tune-batch', opts.tuneBatch);
      const tuneNegatives = positiveInts('tune-negatives', opts.tuneNegatives);
      if (opts.seeds !== undefined && opts.seed !== undefined) throw new Error('--seed and --seeds: give one or the other');
      const seeds = opts.seeds?.split(',').map((x) => {
        const n = Number(x.trim());
        if (!Number.isInteger(n) || n < 0) throw new Error(`--seeds: '${x}' is not a whole number`);
        return n;
      });
      if (seeds && new Set(seeds).size !== seeds.length) throw new Error(`--seeds: '${opts.seeds}' repeats a seed`);
      const epochs = positiveInt('epochs', opts.epochs);
      const dim = positiveInt('dim', opts.dim);
      // Everything that can be checked without the data is checked before the first line of progress.
      const methods = opts.methods?.split(',').map((m) => m.trim()).filter(Boolean);
      // Checked (exact ids or `*` patterns) before the dataset is read.
      if (methods) expandMethodPatterns(methods, reproduction.methods(data), `reproduce ${paper}`);
      if (opts.dataFile && !existsSync(opts.dataFile)) throw new Error(`--data-file: ${opts.dataFile} does not exist`);
      await prepareOutputFolder(out, '--out');
      const backend = await useBackend(io, opts.backend, opts.quiet);
      if (!opts.quiet) io.err(`backend: ${backend}\n`);
      const progress = opts.quiet ? undefined : createProgress({ enabled: io.errIsTTY, log: (line) => io.err(`${line}\n`) });
      try {
        const shared = {
          data, out,
          ...(opts.dataFile ? { dataset: opts.dataFile } : {}),
          methods,
          epochs, dim,
          tuneLearningRates,
          tuneWeights,
          tuneBatchSizes,
          tuneNegatives,
          reportOnly: opts.reportOnly,
          readDataset: (name: string) => context.readDataset(name),
          log: (line: string) => {
            if (!opts.quiet) io.err(`${line}\n`);
          },
          onBatch: progress && ((method: string, done: number, total: number, loss: number, rate: number) => progress.update(method, done, total, { loss: loss.toFixed(4), rate: `${Math.round(rate)} rows/s` })),
        };
        if (seeds) {
          const { summary } = await runReproductionSeeds(reproduction, { ...shared, seeds });
          if (opts.json) io.out(`${JSON.stringify({ summary })}\n`);
          else io.out(`reports written to ${out}/seed-{${seeds.join(',')}}/report.{md,html,json}; over the seeds: ${out}/seeds.md\n`);
        } else {
          const { report } = await runReproduction(reproduction, { ...shared, seed: opts.seed === undefined ? undefined : Number(opts.seed) });
          if (opts.json) io.out(`${JSON.stringify(report)}\n`);
          else io.out(`reports written to ${out}/report.{md,html,json}\n`);
        }
      } finally {
        progress?.stop();
      }
    });
}
