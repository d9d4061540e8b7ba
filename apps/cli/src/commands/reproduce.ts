/**
 * `rec reproduce nmtr --data tmall|beibei`: NMTR's Table III, Table V and Fig. 5 with
 * the rules the paper lacks; see `../reproduce/nmtr.ts` for the protocol.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { createProgress } from '../progress.js';
import { NMTR_DATASETS, nmtrMethods, reproduceNmtr } from '../reproduce/nmtr.js';
import { type CommandContext, useBackend } from './context.js';

interface ReproduceOptions {
  data: string;
  out?: string;
  methods?: string;
  epochs?: string;
  dim?: string;
  backend?: string;
  seed?: string;
  tune?: string;
  tuneWeights?: string;
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

/** Registers `rec reproduce nmtr`. */
export function registerReproduceCommand(program: Command, context: CommandContext): void {
  const reproduce = program.command('reproduce').description("reproduce a paper's experiments on the shared datasets");
  reproduce
    .command('nmtr')
    .description('NMTR (Gao et al. 2019) Table III, Table V and Fig. 5, plus most-popular and the seen-weaker rule')
    .requiredOption('--data <name>', `dataset: ${Object.keys(NMTR_DATASETS).join(' or ')}`)
    .option('--out <dir>', 'report folder (default runs/reproduce/nmtr-<data>); finished methods there are reused')
    .option('--methods <ids>', `comma-separated subset of: ${nmtrMethods('tmall').map((m) => m.id).join(', ')}`)
    .option('--epochs <n>', 'cap on epochs per method (default 20, early stopping on the validation purchase)')
    .option('--dim <n>', 'embedding size (default 64)')
    .option('--backend <name>', 'js, native or webgpu (default: the fastest that loads)')
    .option('--seed <n>', 'seed of the validation split and of every model (default 1)')
    .option('--tune <rates>', 'comma-separated learning rates to tune each trained method on the validation purchase')
    .option('--tune-weights <grid>', "λ vectors for NMTR's and CMF's behaviour weights, ';'-separated, each comma-separated and summing to 1 (e.g. '0.5,0.5;0.3,0.7'); crossed with --tune")
    .option('--report-only', 'write the reports from the methods finished in --out, training nothing')
    .option('--quiet', 'no progress')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (opts: ReproduceOptions) => {
      const { io } = context;
      if (!Object.hasOwn(NMTR_DATASETS, opts.data)) throw new Error(`--data must be one of ${Object.keys(NMTR_DATASETS).join(', ')}, got '${opts.data}'`);
      const data = opts.data as keyof typeof NMTR_DATASETS;
      const out = opts.out ?? join('runs', 'reproduce', `nmtr-${data}`);
      const tune = opts.tune?.split(',').map((x) => {
        const v = Number(x);
        if (!(v > 0)) throw new Error(`--tune: '${x}' is not a positive learning rate`);
        return v;
      });
      const backend = await useBackend(io, opts.backend, opts.quiet);
      if (!opts.quiet) io.err(`backend: ${backend}\n`);
      const progress = opts.quiet ? undefined : createProgress({ enabled: io.errIsTTY, log: (line) => io.err(`${line}\n`) });
      const report = await reproduceNmtr({
        data, out,
        methods: opts.methods?.split(',').map((m) => m.trim()).filter(Boolean),
        epochs: positiveInt('epochs', opts.epochs),
        dim: positiveInt('dim', opts.dim),
        seed: opts.seed === undefined ? undefined : Number(opts.seed),
        tuneLearningRates: tune,
        tuneWeights: opts.tuneWeights?.split(';').map((vector) => {
          const w = vector.split(',').map(Number);
          if (w.some((x) => !(x >= 0 && x <= 1)) || Math.abs(w.reduce((a, b) => a + b, 0) - 1) > 1e-6) {
            throw new Error(`--tune-weights: '${vector}' must be weights in [0, 1] that sum to 1`);
          }
          return w;
        }),
        reportOnly: opts.reportOnly,
        readDataset: (name) => context.readDataset(name),
        log: (line) => {
          if (!opts.quiet) io.err(`${line}\n`);
        },
        onBatch: progress && ((method, done, total, loss, rate) => progress.update(method, done, total, { loss: loss.toFixed(4), rate: `${Math.round(rate)} rows/s` })),
      });
      progress?.stop();
      if (opts.json) io.out(`${JSON.stringify(report)}\n`);
      else io.out(`reports written to ${out}/report.{md,html,json}\n`);
    });
}
