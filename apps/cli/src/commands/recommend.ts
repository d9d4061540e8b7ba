/**
 * `rec recommend <modelDir> --user <rawId>`: a user's top-K items from a saved model, by
 * raw ids as the dataset's files write them, without the items the user already bought
 * in training (the target behaviour; items only viewed or carted may be recommended, as
 * the evaluation protocol allows).
 */
import { join } from 'node:path';
import { loadTrainedModel, readSavedModelConfig, recommendTopK } from '@rec/models';
import type { Command } from 'commander';
import { checkIndexSpaces, type CommandContext, count, defaultSplit, indexOfRawId, table, targetMask, useBackend } from './context.js';

/** Options of `rec recommend`, as commander parses them. */
interface RecommendOptions {
  user: string;
  k: string;
  data?: string;
  backend?: string;
  json?: boolean;
}

/**
 * Registers `rec recommend` on `program`.
 * @example
 * ```ts
 * registerRecommendCommand(program, { io, readDataset: (name) => readDataset(name) });
 * await program.parseAsync(['recommend', 'runs/tmall_mbcgcn/nmtr-gmf', '--user', '1003', '-k', '5'], { from: 'user' });
 * ```
 */
export function registerRecommendCommand(program: Command, context: CommandContext): void {
  program
    .command('recommend')
    .description("top-K items for one user (by raw id) from a saved model, the user's training purchases excluded")
    .argument('<modelDir>', 'a model folder written by rec train')
    .requiredOption('--user <rawId>', "the user's id as in the dataset's files")
    .option('-k, --k <n>', 'how many items', '10')
    .option('--data <dataset>', "the dataset (default: the one in the model's config.json)")
    .option('--backend <name>', 'js, native or webgpu (default: REC_BACKEND, else the fastest that loads)')
    .option('--json', 'print one JSON object on stdout')
    .action((modelDir: string, opts: RecommendOptions) => recommend(context, modelDir, opts));
}

/** A score as short as it stays exact enough to compare: 6 significant digits. */
const formatScore = (score: number): string => String(Number(score.toPrecision(6)));

async function recommend(context: CommandContext, modelDir: string, opts: RecommendOptions): Promise<void> {
  const { io } = context;
  if (!/^\d+$/.test(opts.k) || Number(opts.k) < 1) throw new Error(`-k: expected a positive integer, got '${opts.k}'`);
  const k = Number(opts.k);
  const saved = await readSavedModelConfig(modelDir);
  const name = opts.data ?? saved.dataset;
  if (!name) throw new Error(`${join(modelDir, 'config.json')} names no dataset; pass --data <dataset>`);
  await useBackend(io, opts.backend, true);
  const dataset = await context.readDataset(name);
  const { train } = defaultSplit(dataset);
  checkIndexSpaces(saved, modelDir, dataset, train);
  const user = indexOfRawId(dataset.userIds, opts.user);
  if (user < 0) {
    const examples = Array.from({ length: Math.min(3, dataset.userIds.size) }, (_, i) => JSON.stringify(dataset.userIds.idOf(i)));
    throw new Error(`unknown user id '${opts.user}': ${dataset.name} has no such user (${count(dataset.userIds.size)} users; ids such as ${examples.join(', ')})`);
  }
  const loaded = await loadTrainedModel(modelDir, { train });
  const target = loaded.behaviors[loaded.behaviors.length - 1];
  const bought = targetMask(train, target).rowOf(user);
  const top = await recommendTopK(loaded.model, user, k, bought);
  const recommendations = [...top.items].map((item, r) => ({
    rank: r + 1,
    item: dataset.itemIds.idOf(item),
    ...(dataset.itemNames ? { name: dataset.itemNames[item] } : {}),
    score: top.scores[r],
  }));

  if (opts.json) {
    io.out(`${JSON.stringify({ user: dataset.userIds.idOf(user), model: loaded.name, dataset: dataset.name, k, excluded: bought.length, recommendations })}\n`);
    return;
  }
  io.out(
    `top ${recommendations.length} for user ${opts.user} from ${loaded.name} on ${dataset.name} ` +
      `(${bought.length} training '${target}' item${bought.length === 1 ? '' : 's'} excluded)\n`,
  );
  const header = ['rank', 'item', ...(dataset.itemNames ? ['name'] : []), 'score'];
  const rows = recommendations.map((r) => [String(r.rank), String(r.item), ...(dataset.itemNames ? [r.name ?? ''] : []), formatScore(r.score)]);
  io.out(table(header, rows));
}
