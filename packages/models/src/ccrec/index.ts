/**
 * `ccrec`, `ccrec-mle`, `ccrec-mle-vae` and `ccrec-mle-cascade`: CCRec (Wang, Akash et al.,
 * "On Recommending Category: A Cascading Approach") and the models of its ablation
 * (§6.4.1, Tables 5–6), recommending categories from a {@link CategoryTask}.
 */
import { type Module, type NamedArray, tidy } from '@rec/core';
import { type Interactions, UserItemCSR, type UserFeatures } from '@rec/data';
import { z } from 'zod';
import { type CategoryTask, categoryRows, categoryValidation } from '../plugin/category-task.js';
import { trainingFields } from '../plugin/config.js';
import type { ModelShape, TrainingData } from '../plugin/data.js';
import { defineModel } from '../plugin/define.js';
import type { Predictor } from '../plugin/inference.js';
import { hostValues } from '../training/read.js';
import { CCRecModel } from './ccrec.js';
import { CategoryEncoder, EncoderInputs } from './encoder.js';
import { CascadeObjective, EncoderObjective, MleObjective } from './objectives.js';

export { CCRecModel, type CCRecConfig } from './ccrec.js';
export { CategoryMLE, sinusoidalPositions, type CategoryMLEConfig } from './mle.js';
export { CategoryEncoder, EncoderInputs, type CategoryEncoderConfig } from './encoder.js';
export { PrecisionRecommender, precisionLoss, type PrecisionRecommenderConfig } from './cascade.js';
export { CascadeObjective, EncoderObjective, MleObjective } from './objectives.js';

const paper = { cite: 'Wang, Akash, Kollia, Chang, Jiang & Von Brzeski, On Recommending Category: A Cascading Approach, 2025', section: '§5.1–5.3, §6.1, §6.4.1' };

/**
 * The fields of the four models. Defaults are §6.1's: embedding 64, VAE output 256, k = 10,
 * learning rate 0.0001, 100 epochs (early stopping on the validation users' NDCG@5 with patience 10,
 * a loose stop: §6.1 trains 100 epochs and names none);
 * Adam (the released final model's optimizer; §6.1 names none); |r_t| = 10 (the released
 * MLE's top 10; Fig. 7 sweeps it); batches of 256 examples (not stated).
 */
const fields = {
  ...trainingFields,
  optimizer: trainingFields.optimizer.removeDefault().default('adam'),
  learningRate: trainingFields.learningRate.removeDefault().default(0.0001),
  epochs: trainingFields.epochs.removeDefault().default(100),
  patience: trainingFields.patience.removeDefault().default(10),
  /** k: the past categories read per user (§6.1: 10; 5 for sparse sets). */
  maxPast: z.number().int().min(1).max(100).default(10),
  /** Attention heads of the MLE's encoder layer; must divide `dim`. */
  heads: z.number().int().min(1).max(64).default(2),
  /** |r_t|: candidates M1 hands to M2 (Fig. 7). */
  candidates: z.number().int().min(1).max(10_000).default(10),
  /** Width of the user-distinctive category embeddings (256, §6.1). */
  vaeDim: z.number().int().min(1).max(4096).default(256),
  /** Hidden width of the VAE's encoder and decoder. */
  vaeHidden: z.number().int().min(1).max(8192).default(512),
  /** Epochs of the VAE (no validation: it is unsupervised). */
  vaeEpochs: z.number().int().min(1).max(10_000).default(20),
};

type Settings = z.output<z.ZodObject<typeof fields>>;

const VARIANTS = [
  { name: 'ccrec-mle', title: 'MLE', vae: false, cascade: false, summary: 'the MLE sampler M1 alone: a transformer over the last k past categories, softmax over categories (§5.1)' },
  { name: 'ccrec-mle-vae', title: 'MLE+VAE', vae: true, cascade: false, summary: 'M1 reading the user-distinctive category embeddings of the §5.2 VAE instead of category embeddings' },
  { name: 'ccrec-mle-cascade', title: 'MLE+Cascading', vae: false, cascade: true, summary: 'M1 hands its candidates to the precision-centric recommender M2 (§5.3), without the VAE' },
  { name: 'ccrec', title: 'CCRec', vae: true, cascade: true, summary: 'M1 candidates re-scored by M2 with the user-distinctive category embeddings: all three modules (§5)' },
] as const;

/** The task of `data`, or one clear error. */
function taskOf(data: TrainingData, name: string): CategoryTask {
  if (!data.categoryTask) throw new Error(`${name} needs a category task (past and future category events), which the data lacks`);
  return data.categoryTask;
}

/** Categorical user features with more values than this are identifiers more than demographics (ml-100k's zip codes: 795), and are left out of f_t. */
export const MAX_FEATURE_VALUES = 100;

/**
 * f_t as indexes into one concatenated one-hot: each categorical feature's code (features
 * with more than {@link MAX_FEATURE_VALUES} values left out: §6.1's demographics are age
 * group, parental status and gender, not near-unique codes), and each numeric feature cut
 * into 5 equal-frequency bins (the industry set's age *groups*).
 */
export function featureCodesOf(features: UserFeatures | undefined, numUsers: number): { codes: Int32Array; perUser: number; width: number } | undefined {
  if (!features) return undefined;
  const columns: { codes: Int32Array; size: number }[] = [];
  for (const [name, feature] of Object.entries(features.categorical)) {
    if (feature.codes.length !== numUsers) throw new Error(`user feature '${name}' has ${feature.codes.length} users, the data ${numUsers}`);
    if (feature.vocabulary.length > MAX_FEATURE_VALUES) continue;
    columns.push({ codes: feature.codes, size: feature.vocabulary.length });
  }
  for (const [name, values] of Object.entries(features.numeric)) {
    if (values.length !== numUsers) throw new Error(`user feature '${name}' has ${values.length} users, the data ${numUsers}`);
    const finite = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
    const cuts = [1, 2, 3, 4].map((q) => finite[Math.floor((q * finite.length) / 5)] ?? Infinity);
    columns.push({ codes: Int32Array.from(values, (v) => (Number.isFinite(v) ? cuts.filter((cut) => v >= cut).length : -1)), size: 5 });
  }
  if (columns.length === 0) return undefined;
  const perUser = columns.length;
  const codes = new Int32Array(numUsers * perUser);
  let offset = 0;
  columns.forEach((column, f) => {
    for (let u = 0; u < numUsers; u++) codes[u * perUser + f] = column.codes[u]! >= 0 ? offset + column.codes[u]! : -1;
    offset += column.size;
  });
  return { codes, perUser, width: offset };
}

/** π's space: each item's leaf category when the data has a tree, else the item itself (see `CategoryEncoder`). */
function profileOf(data: TrainingData): { profileOf: Int32Array; profileSize: number } {
  if (data.categoryTree && data.itemLeafCategory) return { profileOf: data.itemLeafCategory, profileSize: data.categoryTree.size };
  const items = data.train.numItems;
  return { profileOf: Int32Array.from({ length: items }, (_, i) => i), profileSize: items };
}

/** Each distinct (user, category) pair of the past events. */
function pastPairs(past: Interactions): { users: Int32Array; categories: Int32Array } {
  const rows = UserItemCSR.fromInteractions(past);
  const users: number[] = [];
  const categories: number[] = [];
  for (let u = 0; u < rows.numUsers; u++) for (const c of rows.rowOf(u)) (users.push(u), categories.push(c));
  return { users: Int32Array.from(users), categories: Int32Array.from(categories) };
}

/** μ of every user's past positions, `[numUsers × k × vaeDim]`, zeros at padding. */
async function embeddingTable(encoder: CategoryEncoder, inputs: EncoderInputs, sequences: Int32Array, numUsers: number, k: number, numCategories: number): Promise<Float32Array> {
  const dim = encoder.config.embeddingDim;
  const table = new Float32Array(numUsers * k * dim);
  const positions: number[] = [];
  for (let p = 0; p < numUsers * k; p++) if (sequences[p]! < numCategories) positions.push(p);
  encoder.eval();
  const block = 512;
  for (let start = 0; start < positions.length; start += block) {
    const chunk = positions.slice(start, start + block);
    const mu = tidy(() => encoder.encode(inputs.tensor(chunk.map((p) => Math.floor(p / k)), chunk.map((p) => sequences[p]!))).mu);
    const values = await hostValues(mu);
    chunk.forEach((p, n) => table.set(values.subarray(n * dim, (n + 1) * dim), p * dim));
    mu.dispose();
  }
  return table;
}

const build = (config: Settings & { vae: boolean; cascade: boolean }, shape: ModelShape): CCRecModel => {
  if (config.dim % config.heads !== 0) throw new Error(`config: heads (${config.heads}) must divide dim (${config.dim})`);
  return new CCRecModel({
    numUsers: shape.numUsers, numCategories: shape.numCategories!, maxPast: config.maxPast, dim: config.dim, heads: config.heads,
    vaeDim: config.vaeDim, vae: config.vae, cascade: config.cascade, candidates: config.candidates, seed: config.seed,
  });
};

for (const variant of VARIANTS) {
  const { vae, cascade } = variant;
  defineModel({
    name: variant.name,
    title: variant.title,
    family: 'CCRec',
    paper,
    summary: variant.summary,
    config: z.object(fields),
    needs: { categoryEvents: 'required', userFeatures: 'optional' },
    outputs: ['categories'],
    validation: (model, data, config) => categoryValidation(model as Predictor, taskOf(data, variant.name), config.patience),
    fit: async (data, config, context) => {
      const task = taskOf(data, variant.name);
      if (!context.shape.numCategories) throw new Error(`${variant.name}: the category task has no categories`);
      const model = build({ ...config, vae, cascade }, context.shape).setPast(task.past);
      const batch = { batchSize: config.batchSize ?? 256, seed: config.seed };
      const phases = [];
      if (vae) {
        const inputs = new EncoderInputs({
          numCategories: task.numCategories,
          ...profileOf(data),
          featureCodes: featureCodesOf(data.userFeatures, data.train.numUsers),
          userItems: UserItemCSR.fromInteractions(data.train),
          itemCategories: { indptr: task.itemCategories.indptr, indices: task.itemCategories.indices },
        });
        const encoder = new CategoryEncoder({ inputDim: inputs.inputDim, hiddenDim: config.vaeHidden, embeddingDim: config.vaeDim, seed: config.seed });
        const pairs = pastPairs(task.past);
        phases.push(await context.train(encoder as unknown as Module & Predictor, new EncoderObjective(encoder, inputs, pairs.users, pairs.categories, batch), {
          phase: 'vae', validate: false, epochs: config.vaeEpochs,
        }));
        model.setVaeTable(await embeddingTable(encoder, inputs, model.sequences, context.shape.numUsers, config.maxPast, task.numCategories));
      }
      const future = task.future;
      phases.push(await context.train(model, new MleObjective(model, future.users, future.items, batch), { phase: 'mle' }));
      model.invalidateMle();
      if (cascade) {
        const futureRows = categoryRows(future);
        const learners = Int32Array.from(new Set(future.users)).sort();
        model.setCascadeReady(true);
        phases.push(await context.train(model, new CascadeObjective(model, learners, futureRows, batch), { phase: 'cascade' }));
      }
      return { model: model.eval(), history: phases[phases.length - 1], phases };
    },
    save: async (model: CCRecModel) => ({
      tensors: { ...(await model.stateDict()), ...model.inputState() },
      json: { cascadeReady: cascade },
    }),
    load: (state, config, shape) => {
      const { 'past.sequences': sequences, 'vae.table': table, ...parameters } = state.tensors as Record<string, NamedArray | undefined>;
      if (sequences?.dtype !== 'i32') throw new Error(`the ${variant.name} model's 'past.sequences' (each user's last k past categories) is missing or not i32`);
      const model = build({ ...config, vae, cascade }, shape).setSequences(sequences.data as Int32Array);
      if (vae) {
        if (table?.dtype !== 'f32') throw new Error(`the ${variant.name} model's 'vae.table' (the user-distinctive category embeddings) is missing or not f32`);
        model.setVaeTable(table.data as Float32Array);
      }
      model.loadStateDict(parameters as Record<string, NamedArray>);
      if (cascade) model.setCascadeReady(true);
      return model.eval();
    },
  });
}
