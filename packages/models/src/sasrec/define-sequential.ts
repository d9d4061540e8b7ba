/**
 * One sequence encoder, two registered models: the item-level recommender (`sasrec`: each
 * user's items in time order, the next item scored) and the category-level one
 * (`category-sasrec`: CCRec §6.2's "categories as items", the category task's past and
 * future events). The encoder, its objective and its fields are written once; the level
 * decides the vocabulary, the sequences, the validation and the defaults a user expects at
 * that level (CCRec's settings for categories, the model paper's for items).
 */
import { z } from 'zod';
import { categoryValidation } from '../plugin/category-task.js';
import { rankingValidationFields } from '../plugin/config.js';
import { defineModel, type ModelDefinition, type PaperRef } from '../plugin/define.js';
import type { Objective } from '../training/objectives.js';
import { NextCategoryModel, pastWindowsOf, saveWithPast, splitPast, WindowScorer } from './category.js';
import { sequenceCategoryFields, sequenceItemFields, taskOf } from './fields.js';
import { NextItemModel } from './items.js';
import { eventSequences, type EventSequences, historySequences, lastWindows, learningSequences, type SequenceEncoder } from './sequences.js';

/** Which sequences a registration reads: each user's items, or the category task's categories. */
export type SequenceLevel = 'items' | 'categories';

/** The fields every sequential registration has at `level`. */
export type LevelFields<L extends SequenceLevel> = L extends 'items' ? typeof sequenceItemFields : typeof sequenceCategoryFields;

/** The settings every encoder factory reads. */
export interface EncoderSettings {
  readonly dim: number;
  readonly maxLength: number;
  readonly blocks: number;
  readonly seed: number;
}

/**
 * What a sequential model gives {@link defineSequentialModels}.
 * @typeParam F - its own config fields (beyond the level's shared ones).
 * @typeParam E - its encoder.
 */
export interface SequentialModelSpec<F extends z.ZodRawShape, E extends SequenceEncoder> {
  /** The item-level name (`sasrec`); the category-level one is `category-<name>`. */
  readonly name: string;
  /** Item-level aliases; each gets a `category-` twin. */
  readonly aliases?: readonly string[];
  /** How tables name it (`SASRec`). */
  readonly title: string;
  /** Its own paper (the category registration adds CCRec §6.2). */
  readonly paper: PaperRef;
  /** One sentence on the encoder; the level's part is added. */
  readonly summary: string;
  /** Its own fields at `level` (defaults may differ: SASRec's dropout is 0.5 on sparse items, 0.2 on a few dozen categories). */
  fields(level: SequenceLevel): F;
  /** The encoder over `vocabularySize` ids. @throws Error naming a bad field. */
  encoder(config: z.output<z.ZodObject<F>> & EncoderSettings, vocabularySize: number): E;
  /** Its training objective on `sequences` (each user's ids in time order). */
  objective(encoder: E, sequences: EventSequences, config: z.output<z.ZodObject<F>> & EncoderSettings & { batchSize?: number }): Objective;
}

/**
 * Registers a sequence model at both levels:
 * - `<name>` (outputs `items`, needs timestamps): trained on every user's training items
 *   in time order, validated by the default full-ranking HR@K on `data.valid` from the
 *   training history, and after training scoring from each user's training then
 *   validation items ({@link historySequences}: S3-Rec's leave-last-out tests the last item
 *   given all before it).
 * - `category-<name>` (outputs `categories`, needs a category task): trained on each
 *   learning user's past then future category events, validated by NDCG@5 on the task's
 *   validation users, scoring from each user's past window.
 * Both save the users' windows with the parameters, so a saved model scores without the
 * dataset.
 * @returns the two definitions.
 * @throws Error when a name is already registered.
 * @example
 * ```ts
 * export const { items: sasrecModel, categories: categorySasrecModel } = defineSequentialModels({
 *   name: 'sasrec', title: 'SASRec', paper, summary: 'causal self-attention …',
 *   fields: (level) => ({ heads: z.number().int().min(1).default(1), dropout: z.number().min(0).lt(1).default(level === 'items' ? 0.5 : 0.2) }),
 *   encoder: (config, V) => new SASRec({ vocabularySize: V, ...config }),
 *   objective: (encoder, sequences, config) => new NextItemObjective(encoder, sequences, { positions: 'all', seed: config.seed }),
 * });
 * ```
 */
export function defineSequentialModels<F extends z.ZodRawShape, E extends SequenceEncoder>(
  spec: SequentialModelSpec<F, E>,
): { items: ModelDefinition; categories: ModelDefinition } {
  type Settings = z.output<z.ZodObject<F>> & EncoderSettings & { batchSize?: number };
  const itemConfig = z.object({ ...sequenceItemFields, ...rankingValidationFields, ...spec.fields('items') });
  const categoryConfig = z.object({ ...sequenceCategoryFields, ...spec.fields('categories') });
  const settings = (config: object): Settings => config as Settings;
  const categoryName = `category-${spec.name}`;

  const items = defineModel({
    name: spec.name,
    ...(spec.aliases ? { aliases: spec.aliases } : {}),
    title: spec.title,
    family: 'Sequential',
    paper: spec.paper,
    summary: `${spec.summary}; each user's next item after their last items`,
    config: itemConfig,
    needs: { timestamps: 'required' },
    outputs: ['items'],
    fit: async (data, config, context) => {
      const { train, valid } = data;
      const s = settings(config);
      const V = train.numItems;
      const encoder = spec.encoder(s, V);
      const sequences = eventSequences(train);
      const model = new NextItemModel(encoder, lastWindows(sequences, s.maxLength, V), spec.name);
      const history = await context.train(model, spec.objective(encoder, sequences, s));
      if (valid) model.setWindows(lastWindows(historySequences(train, valid), s.maxLength, V));
      return { model, history };
    },
    save: (model) => saveWithPast(model as WindowScorer),
    load: (state, config, shape) => {
      const s = settings(config);
      const { past, parameters } = splitPast(state.tensors, spec.name, s.maxLength);
      const model = new NextItemModel(spec.encoder(s, shape.numItems), past, spec.name);
      model.loadStateDict(parameters);
      return model.eval();
    },
  });

  const categories = defineModel({
    name: categoryName,
    aliases: (spec.aliases ?? []).map((alias) => `category-${alias}`),
    title: spec.title,
    family: 'Sequential',
    paper: { cite: `${spec.paper.cite} (CCRec §6.2 baseline, categories as items)`, section: `${spec.paper.section}; CCRec §6.1–6.2 (settings)` },
    summary: `${spec.summary}; each user's next category after their last past categories`,
    config: categoryConfig,
    needs: { categoryEvents: 'required' },
    outputs: ['categories'],
    fit: async (data, config, context) => {
      const s = settings(config);
      const task = taskOf(data, context.shape, categoryName);
      const encoder = spec.encoder(s, task.numCategories);
      const model = new NextCategoryModel(encoder, pastWindowsOf(task.past, s.maxLength, task.numCategories), categoryName);
      return { model, history: await context.train(model, spec.objective(encoder, learningSequences(task), s)) };
    },
    validation: (model, data, config) => categoryValidation(model, data.categoryTask!, (config as { patience: number }).patience),
    save: (model) => saveWithPast(model as WindowScorer),
    load: (state, config, shape) => {
      const s = settings(config);
      const { past, parameters } = splitPast(state.tensors, categoryName, s.maxLength);
      if (shape.numCategories === undefined) throw new Error(`the ${categoryName} model's shape has no numCategories`);
      const model = new NextCategoryModel(spec.encoder(s, shape.numCategories), past, categoryName);
      model.loadStateDict(parameters);
      return model.eval();
    },
  });
  return { items: items as unknown as ModelDefinition, categories: categories as unknown as ModelDefinition };
}
