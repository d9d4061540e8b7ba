/**
 * `rec eval <modelDir>`: evaluates a saved model on its dataset's published test split.
 *
 * Protocol `full` (the only one so far): every test user's held-out purchase is ranked
 * against the whole catalogue, with only the user's training purchases (the target
 * behaviour) removed from the candidates. On Tmall, Beibei and Taobao most test purchases
 * were viewed or carted in training, so removing every training item would remove the
 * answer; this is the mask `multiBehaviorLeaveOneOut` documents. HR and NDCG at each K
 * (default 50, 80, 100, 200, NMTR §IV-B).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserItemCSR } from '@rec/data';
import { createReport, evaluateFullRanking, renderHtml, renderMarkdown, reportToJSON, rowFromResult, type TrainingCurve } from '@rec/eval';
import { loadTrainedModel, readSavedModelConfig, type TrainingHistory } from '@rec/models';
import type { Command } from 'commander';
import { createProgress } from '../progress.js';
import {
  checkIndexSpaces, type CommandContext, count, defaultSplit, parseCutoffs, table, targetMask, targetRows, useBackend,
} from './context.js';

/** Options of `rec eval`, as commander parses them. */
interface EvalOptions {
  data?: string;
  protocol: string;
  k: string;
  out?: string;
  backend?: string;
  json?: boolean;
}

/** Evaluation protocols `rec eval` knows. */
const PROTOCOLS = ['full'] as const;

/** NMTR §IV-B's cut-offs. */
const DEFAULT_KS = '50,80,100,200';

/**
 * Registers `rec eval` on `program`.
 * @example
 * ```ts
 * registerEvalCommand(program, { io, readDataset: (name) => readDataset(name) });
 * await program.parseAsync(['eval', 'runs/tmall_mbcgcn/nmtr-gmf', '-k', '50,100'], { from: 'user' });
 * ```
 */
export function registerEvalCommand(program: Command, context: CommandContext): void {
  program
    .command('eval')
    .description("evaluate a saved model on its dataset's published test split (full ranking, training purchases masked)")
    .argument('<modelDir>', 'a model folder written by rec train')
    .option('--data <dataset>', "the dataset (default: the one in the model's config.json)")
    .option('--protocol <name>', `evaluation protocol: ${PROTOCOLS.join(', ')}`, 'full')
    .option('-k, --k <list>', 'cut-offs, comma-separated', DEFAULT_KS)
    .option('--out <dir>', 'also write report.json, report.md and report.html there')
    .option('--backend <name>', 'js, native or webgpu (default: REC_BACKEND, else the fastest that loads)')
    .option('--json', 'print one JSON object (metrics, paths) on stdout')
    .action((modelDir: string, opts: EvalOptions) => evaluate(context, modelDir, opts));
}

/** Training curves of a history: validation HR@K and loss per epoch. */
function curvesOf(method: string, history: TrainingHistory | undefined, validationK: number): TrainingCurve[] {
  if (!history || history.epochs.length === 0) return [];
  const x = history.epochs.map((e) => e.epoch + 1);
  const curves: TrainingCurve[] = [{ method, metric: 'training loss', x, y: history.epochs.map((e) => e.loss) }];
  const validated = history.epochs.filter((e) => e.validation !== undefined);
  if (validated.length > 0) {
    curves.push({ method, metric: `validation HR@${validationK}`, x: validated.map((e) => e.epoch + 1), y: validated.map((e) => e.validation!) });
  }
  return curves;
}

async function evaluate(context: CommandContext, modelDir: string, opts: EvalOptions): Promise<void> {
  const { io } = context;
  if (!(PROTOCOLS as readonly string[]).includes(opts.protocol)) {
    throw new Error(`--protocol: expected one of ${PROTOCOLS.join(', ')}, got '${opts.protocol}'`);
  }
  const ks = parseCutoffs(opts.k, '-k');
  const saved = await readSavedModelConfig(modelDir);
  const name = opts.data ?? saved.dataset;
  if (!name) throw new Error(`${join(modelDir, 'config.json')} names no dataset; pass --data <dataset>`);
  const backend = await useBackend(io, opts.backend, Boolean(opts.json));
  const dataset = await context.readDataset(name);
  const { train, test } = defaultSplit(dataset);
  checkIndexSpaces(saved, modelDir, dataset, train);
  const loaded = await loadTrainedModel(modelDir, { train });
  const target = loaded.behaviors[loaded.behaviors.length - 1];
  const testRows = targetRows(test, target);

  const progress = createProgress({ enabled: io.errIsTTY && !opts.json, log: () => undefined });
  const t0 = performance.now();
  const result = await evaluateFullRanking({
    numItems: loaded.numItems,
    testItems: UserItemCSR.fromInteractions(testRows),
    trainMask: targetMask(train, target),
    scoreUsers: (users) => loaded.model.scoreUsers(users),
    ks,
    metrics: ['HR', 'NDCG'],
    onProgress: (done, total) => progress.update('ranking', done, total, { loss: '-', rate: `${count(done)} users` }),
  });
  progress.stop();
  const elapsed = (performance.now() - t0) / 1000;
  const masked = target === 'all' ? 'training items' : `training '${target}' items`;
  const protocol =
    `full ranking over all ${count(result.numItems)} items, each user's ${masked} masked` +
    `${target === 'all' ? '' : ' (items only viewed or carted stay candidates)'}; ${count(result.numUsers)} test users, one held-out '${target}' item each`;

  let reports: { json: string; markdown: string; html: string } | undefined;
  if (opts.out) {
    const method = loaded.name;
    const note = loaded.history?.bestValidation !== undefined
      ? `best epoch ${loaded.history.bestEpoch + 1} of ${loaded.history.epochs.length}, validation HR@${loaded.config.validationK} ${loaded.history.bestValidation.toFixed(4)}`
      : undefined;
    const report = createReport({
      title: `${method} on ${dataset.name}`,
      dataset: `${dataset.name} (published default split, target '${target}')`,
      protocol,
      rows: [rowFromResult(method, result, note ? { note } : {})],
      trainingCurves: curvesOf(method, loaded.history, loaded.config.validationK),
      notes: [`model: ${modelDir}`, ...(loaded.trainedOn ? [`trained on ${loaded.trainedOn}`] : [])],
    });
    await mkdir(opts.out, { recursive: true });
    reports = { json: join(opts.out, 'report.json'), markdown: join(opts.out, 'report.md'), html: join(opts.out, 'report.html') };
    await writeFile(reports.json, reportToJSON(report));
    await writeFile(reports.markdown, renderMarkdown(report));
    await writeFile(reports.html, renderHtml(report));
  }

  if (opts.json) {
    io.out(`${JSON.stringify({
      model: loaded.name, modelDir, dataset: dataset.name, backend, protocol: opts.protocol, description: protocol,
      target, numUsers: result.numUsers, numItems: result.numItems, ks, metrics: result.metrics, seconds: elapsed,
      reports: reports ?? null,
    })}\n`);
    return;
  }
  io.out(`${loaded.name} on ${dataset.name} (${modelDir}; backend ${backend}, ${elapsed.toFixed(1)} s)\n`);
  const rows = ['HR', 'NDCG'].map((metric) => [metric, ...ks.map((k) => result.metrics[`${metric}@${k}`].toFixed(4))]);
  io.out(table(['metric', ...ks.map((k) => `@${k}`)], rows));
  io.out(`${protocol}\n`);
  if (reports) io.out(`reports: ${reports.json}, ${reports.markdown}, ${reports.html}\n`);
}
