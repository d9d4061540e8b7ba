/**
 * `rec recommend <modelDir> --user <rawId>`: a user's top K from a saved model, by raw
 * ids, read from the model folder alone (its id maps and the user's training items of
 * the target behaviour, which are left out; items only viewed or carted may be
 * recommended, as the evaluation protocol allows). `--output categories` asks a model
 * that scores categories.
 */
import { loadTrainedModel } from '@rec/models/node';
import type { Command } from 'commander';
import { type CommandContext, table, useBackend } from './context.js';

/** Options of `rec recommend`, as commander parses them. */
interface RecommendOptions {
  user: string[];
  k: string;
  output: string;
  backend?: string;
  json?: boolean;
}

/**
 * Registers `rec recommend` on `program`.
 * @example
 * ```ts
 * registerRecommendCommand(program, context);
 * await program.parseAsync(['recommend', 'runs/tmall_mbcgcn/nmtr-gmf', '--user', '1003', '-k', '5'], { from: 'user' });
 * ```
 */
export function registerRecommendCommand(program: Command, context: CommandContext): void {
  program
    .command('recommend')
    .description("top-K items (or categories) for users by raw id from a saved model, without reading the dataset; the user's training items excluded")
    .argument('<modelDir>', 'a model folder written by rec train')
    .requiredOption('--user <rawId>', "a user's id as in the dataset's files (repeatable: one batch)", (v: string, all: string[]) => [...all, v], [])
    .option('-k, --k <n>', 'how many', '10')
    .option('--output <kind>', 'items or categories (what the model predicts)', 'items')
    .option('--backend <name>', 'js, native or webgpu (default: REC_BACKEND, else the fastest that loads)')
    .option('--json', 'print one JSON object on stdout')
    .action((modelDir: string, opts: RecommendOptions) => recommend(context, modelDir, opts));
}

/** A score as short as it stays exact enough to compare: 6 significant digits. */
const formatScore = (score: number): string => String(Number(score.toPrecision(6)));

async function recommend(context: CommandContext, modelDir: string, opts: RecommendOptions): Promise<void> {
  const { io } = context;
  if (!/^\d+$/.test(opts.k) || Number(opts.k) < 1) throw new Error(`-k: expected a positive integer, got '${opts.k}'`);
  if (opts.output !== 'items' && opts.output !== 'categories') throw new Error(`--output: expected items or categories, got '${opts.output}'`);
  const k = Number(opts.k);
  await useBackend(io, opts.backend, true);
  const model = await loadTrainedModel(modelDir);
  const output = opts.output;
  const lists = await model.recommendMany(opts.user, { k, output });
  const target = model.trained.behaviors[model.trained.behaviors.length - 1];
  const dataset = model.data?.name ?? 'its data';
  const results = opts.user.map((raw, n) => {
    const u = model.userIndex(raw);
    return { user: model.users.idOf(u), excluded: output === 'items' ? model.seenCount(u) : 0, recommendations: lists[n] };
  });

  if (opts.json) {
    const one = results.length === 1;
    io.out(`${JSON.stringify({ model: model.name, dataset, output, k, ...(one ? results[0] : { users: results }) })}\n`);
    return;
  }
  // Items are named when the dataset names them; categories whenever the recommendations carry names.
  const names = output === 'items' ? model.ids.itemNames !== undefined : results.some((r) => r.recommendations.some((x) => x.name !== undefined));
  for (const r of results) {
    const excluded = output === 'items' ? ` (${r.excluded} training '${target}' item${r.excluded === 1 ? '' : 's'} excluded)` : '';
    io.out(`top ${r.recommendations.length} ${output === 'items' ? '' : 'categories '}for user ${r.user} from ${model.name} on ${dataset}${excluded}\n`);
    const header = ['rank', output === 'items' ? 'item' : 'category', ...(names ? ['name'] : []), 'score'];
    io.out(table(header, r.recommendations.map((x) => [String(x.rank), String(x.id), ...(names ? [x.name ?? ''] : []), formatScore(x.score)])));
  }
}
