/**
 * `melu`: MeLU (Lee, Im, Jang, Cho & Chung, "MeLU: Meta-Learned User Preference Estimator
 * for Cold-Start Recommendation", KDD 2019) as an item recommender on implicit data:
 * embeddings of the user's and the item's categorical contents (§3.1) into decision
 * layers (§3.2), meta-trained by Algorithm 1 (§3.3, second order) on each user's support
 * and query items with sampled negatives, and personalised at inference by the local
 * update on the user's history.
 *
 * `category-melu`: the same network, objective and local update with a category task's
 * categories as the ids (CCRec §6.2), each learning user's past categories the support
 * and their future ones the query; see {@link categoryMeluModel}.
 */
import { type NamedArray, Philox } from '@rec/core';
import { evaluateSampledRanking } from '@rec/eval';
import { z } from 'zod';
import { categoryRows, categoryValidation } from '../plugin/category-task.js';
import { targetBehavior, targetField, trainingFields } from '../plugin/config.js';
import type { ModelShape, TrainingData } from '../plugin/data.js';
import { defineModel, type ModelState } from '../plugin/define.js';
import { taskOf } from '../sasrec/fields.js';
import type { Validation } from '../training/trainer.js';
import { CategoryMeLU } from './category.js';
import { idFeaturesOf, userFieldsOf, userItemSets } from './inputs.js';
import { MeLU, type Personalisation, type UserHistories } from './melu.js';
import { type IdFeatures, MeLUNetwork, type UserField } from './network.js';
import { MetaObjective } from './objective.js';

export { CategoryMeLU } from './category.js';
export { MeLU, INFERENCE_STREAM, type Personalisation, type UserHistories } from './melu.js';
export { type IdFeatures, type LabelledRows, type LocalUpdate, MeLUNetwork, type MeLUNetworkConfig, type MetaOrder, type UserField } from './network.js';
export { MetaObjective, type MetaObjectiveOptions, type MetaTask, ORDER_STREAM, queryLoss, TASK_STREAM } from './objective.js';
export { AGE_GROUP_NAMES, AGE_GROUP_STARTS, drawNegatives, idFeaturesOf, labelled, userFieldsOf, type UserFieldOptions, userItemSets, userRng, WORDS_PER_USER } from './inputs.js';
export { finiteDifferenceMetaGradient, flatGradient, gradientAgreement, type GradientAgreement, metaGradient, postUpdateQueryLoss } from './meta-gradient.js';

/**
 * MeLU's fields. The paper and the authors' code: embeddings of 32 per content, two
 * decision layers of 64, Adam with global rate β = 5e-5, plain SGD in the local update
 * with α = 5e-6 and 1–5 steps, batches of 32 users, 20 epochs, MSE on 1–5 ratings.
 * Defaults here, for implicit data with binary cross-entropy, and why:
 * - `localLearningRate` α = 0.5 and `localSteps` 1. At the paper's α = 5e-6 the local
 *   update changes nothing a ranking can see (the first- and second-order meta-gradients
 *   agree to 4.5e-6: θ₂ᵘ is θ₂), so MeLU would be a non-personalised content model; the
 *   gradients of a mean BCE are of order 0.1–1. One step of 0.5 lowers the trained slice
 *   model's support loss from 0.593 to 0.446 (test/melu.test.ts). α = 1 gave the same or
 *   lower HR@10 (0.463 / 0.433 / 0.467 for seeds 1–3 against 0.483 / 0.437 / 0.460 at
 *   0.5); 3 steps gave 0.477 against 0.450 for one (seed 1, runs without L2 restored to
 *   their best validation epoch) at about 3× the training time, so one keeps it cheap.
 * - `learningRate` β = 1e-3 (Adam), what the full-ml-100k run below used (the test's slice:
 *   3e-3 on batches of 4); the paper's 5e-5 goes with its rating loss and was not tried.
 * - `querySize` 10 and `maxSupport` 90: the authors' data preparation keeps users with 13
 *   to 100 items and takes 10 of them as the query, the rest as the support.
 * - `order` `second`: MAML through the local step, as the authors' code. First order on
 *   the test's slice reached HR@10 0.410 against 0.483 (seed 1, same budget), its
 *   training loss 0.51 against 0.44; a longer first-order run learned a θ₂ whose own
 *   support loss was about 20, repaired only by the exact step it was trained with
 *   (scoring with α = 1 instead of 0.5 gave HR@10 0.20).
 * - `itemIds` true: ml-100k's only item content is 19 genres, where the paper's MovieLens
 *   items carry director and actors (near-identifying); genres alone gave HR@10 0.24
 *   against 0.45 with ids, and most-popular's 0.44 (the test's slice).
 * - `negatives` 1 per positive; 4 gave HR@10 0.463 against 0.450 (seed 1, restored runs)
 *   at 2.5× the support rows.
 * Measured on all of ml-100k (leave-last-out, 99 sampled negatives, native backend; dim
 * 16, hidden [64, 64], batches of 32, 30 epochs, best validation epoch): HR@10 0.468 and
 * NDCG@10 0.257 against most-popular's 0.409 and 0.225.
 * @example
 * ```ts
 * parseModelConfig({ model: 'melu', localSteps: 3, localLearningRate: 0.1 });
 * ```
 * @see Lee et al. 2019, §3.3 and §4.1 (settings).
 */
export const meluFields = {
  ...trainingFields,
  /** Embedding size of each content (the authors' `embedding_dim`: 32). */
  dim: trainingFields.dim.removeDefault().default(32),
  epochs: trainingFields.epochs.removeDefault().default(20),
  /** The global update's optimizer (the authors' code: Adam). */
  optimizer: trainingFields.optimizer.removeDefault().default('adam'),
  /** β, the global learning rate. */
  learningRate: trainingFields.learningRate.removeDefault().default(1e-3),
  /** Users (tasks) per meta-batch (default 32, the authors' `batch_size`). */
  batchSize: trainingFields.batchSize,
  ...targetField,
  /** Units of each decision-making layer (§3.2: two layers; the authors' code: 64 and 64). */
  hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([64, 64]),
  /** Differentiate the global update through the local one (`second`: MAML, the authors' code) or not (`first`). */
  order: z.enum(['first', 'second']).default('second'),
  /** Local update steps, in training and at inference (§3.3: 1 to 5). */
  localSteps: z.number().int().min(0).max(50).default(1),
  /** α, the local update's learning rate (plain SGD on the support loss). */
  localLearningRate: z.number().min(0).max(100).default(0.5),
  /** Query positives per task (the authors' data preparation: 10), at most half of a user's items. */
  querySize: z.number().int().min(1).max(1000).default(10),
  /** Support positives per task at most (the authors keep users with 13–100 items, so at most 90). */
  maxSupport: z.number().int().min(1).max(100_000).default(90),
  /** Sampled negatives per positive (support, query, and the local update at inference). */
  negatives: z.number().int().min(1).max(100).default(1),
  /** The user features to embed, by name (default: every categorical one of at most `maxVocabulary` values, and `age` as its age group). */
  userFeatures: z.array(z.string().min(1)).min(1).optional(),
  /** Categorical user features with more values are left out unless named (ml-100k's zip: 795 values on 943 users). */
  maxVocabulary: z.number().int().min(2).default(64),
  /** Give each item an embedding of its own as one more item content. */
  itemIds: z.boolean().default(true),
  /** Validation: HR@K of the held-out item among `validationNegatives` sampled ones. */
  validationK: z.number().int().min(1).max(1000).default(10),
  validationNegatives: z.number().int().min(1).max(10_000).default(99),
  /** Validation users (a seeded sample; all when fewer). */
  validationUsers: z.number().int().min(1).default(3000),
};

type MeLUSettings = z.output<z.ZodObject<typeof meluFields>>;

/** The personalisation of a config: its local update and negatives, seeded by its seed. */
const personalisationOf = (config: Pick<MeLUSettings, 'localSteps' | 'localLearningRate' | 'negatives' | 'seed'>): Personalisation => ({
  steps: config.localSteps, learningRate: config.localLearningRate, negatives: config.negatives, seed: config.seed,
});

/** The network of a config over the given inputs. */
const networkOf = (config: MeLUSettings, shape: ModelShape, userFields: readonly UserField[], idFeatures: IdFeatures | undefined): MeLUNetwork => {
  if (!idFeatures && !config.itemIds) throw new Error('melu: the items have no categories to embed and itemIds is false, so items cannot be told apart; give item categories or set itemIds: true');
  return new MeLUNetwork({
    numUsers: shape.numUsers, numIds: shape.numItems, userFields, ...(idFeatures ? { idFeatures } : {}), idEmbedding: config.itemIds,
    dim: config.dim, hidden: config.hidden, seed: config.seed,
  });
};

/**
 * MeLU's validation: HR@K (default 10) of each validation user's held-out item ranked
 * among `validationNegatives` (default 99) items drawn uniformly from those the user has
 * not interacted with (`evaluateSampledRanking`, seeded by the config's seed), the user
 * personalised on the training history the model holds during training. Sampled rather
 * than the default full-ranking HR@100 because every user's scores take a local update and
 * a pass of every scored item through the user's own decision layers: 100 items per user
 * instead of the catalogue (17× fewer on ml-100k); and it is the protocol MeLU is tested
 * with here (1 positive + 99 negatives).
 * @example
 * ```ts
 * const validation = meluValidation(model, data, config);
 * await validation?.evaluate(); // sampled HR@10
 * ```
 */
export function meluValidation(model: MeLU, data: TrainingData, config: MeLUSettings): Validation | undefined {
  if (!data.valid) return undefined;
  const target = targetBehavior(config, data.train);
  const testItems = userItemSets([data.valid], target);
  const candidates: number[] = [];
  for (let u = 0; u + 1 < testItems.indptr.length; u++) if (testItems.indptr[u + 1]! > testItems.indptr[u]!) candidates.push(u);
  new Philox({ seed: config.seed, stream: 7 }).shuffle(candidates);
  const users = Int32Array.from(candidates.slice(0, config.validationUsers)).sort();
  const K = config.validationK;
  return {
    name: `HR@${K} (${config.validationNegatives} sampled negatives)`,
    patience: config.patience,
    evaluate: async () => {
      const result = await evaluateSampledRanking({
        numItems: model.numItems, testItems, trainItems: model.histories, users, ks: [K], metrics: ['HR'],
        candidates: { kind: 'sampled', numNegatives: config.validationNegatives, seed: config.seed },
        scorePairs: (u, i) => model.scorePairs(u, i),
      });
      return result.metrics[`HR@${K}`]!;
    },
  };
}

/** Keys of the inputs a saved model keeps next to its parameters. */
const KEYS = { historyIndptr: 'history.indptr', historyIndices: 'history.indices', featuresIndptr: 'features.indptr', featuresIndices: 'features.indices', userPrefix: 'user.' } as const;

const i32 = (data: Int32Array, shape: number[] = [data.length]): NamedArray => ({ dtype: 'i32', shape, data });

/**
 * A MeLU's saved tensors: its parameters, every user's history (`history.indptr`,
 * `history.indices`), each user field's codes (`user.<name>`, i32 `[numUsers]`) and the
 * items' feature lists (`features.indptr`, `features.indices`): what it scores from
 * without the dataset.
 * @example
 * ```ts
 * const { tensors } = await saveMeLU(model);
 * tensors['history.indptr'].shape; // [numUsers + 1]
 * ```
 */
export async function saveMeLU(model: MeLU): Promise<ModelState> {
  const tensors: Record<string, NamedArray> = {
    ...(await model.stateDict()),
    [KEYS.historyIndptr]: i32(model.histories.indptr),
    [KEYS.historyIndices]: i32(model.histories.indices),
  };
  for (const f of model.network.userFields) tensors[`${KEYS.userPrefix}${f.name}`] = i32(f.codes);
  const features = model.network.idFeatures;
  if (features) {
    tensors[KEYS.featuresIndptr] = i32(features.indptr);
    tensors[KEYS.featuresIndices] = i32(features.indices);
  }
  return { tensors };
}

/**
 * Rebuilds a MeLU from {@link saveMeLU}'s tensors, the sizes of each field from its
 * embedding table, the rest from `config` and `shape`.
 * @throws Error naming the tensor when one is missing or not i32.
 * @example
 * ```ts
 * const again = loadMeLU(await saveMeLU(model), config, shape);
 * ```
 */
export function loadMeLU(state: ModelState, config: MeLUSettings, shape: ModelShape): MeLU {
  const { parameters, userFields, idFeatures, histories } = savedMeLUInputs(state, 'melu');
  const model = new MeLU(networkOf(config, shape, userFields, idFeatures), histories, personalisationOf(config));
  model.loadStateDict(parameters);
  return model.eval();
}

/**
 * What {@link saveMeLU}'s tensors hold: the network's parameters, and the inputs it scores
 * from — its user fields (sizes from their embedding tables), id features and histories.
 * @param name the model named in error messages.
 * @throws Error naming the tensor when one is missing or not i32.
 */
function savedMeLUInputs(state: ModelState, name: string): { parameters: Record<string, NamedArray>; userFields: UserField[]; idFeatures: IdFeatures | undefined; histories: UserHistories } {
  const parameters: Record<string, NamedArray> = {};
  const inputs: Record<string, NamedArray> = {};
  for (const [key, value] of Object.entries(state.tensors)) (key.startsWith('network.') ? parameters : inputs)[key] = value;
  const ints = (key: string, what: string): Int32Array => {
    const a = inputs[key];
    if (a?.dtype !== 'i32') throw new Error(`the ${name} model's '${key}' (${what}) is missing or not i32`);
    return a.data as Int32Array;
  };
  const names = Object.keys(inputs).filter((k) => k.startsWith(KEYS.userPrefix)).map((k) => k.slice(KEYS.userPrefix.length)).sort();
  const userFields = names.map((field, k): UserField => {
    const table = parameters[`network.userEmbeddings.${k}.weight`];
    if (!table) throw new Error(`the ${name} model has user field '${field}' but no 'network.userEmbeddings.${k}.weight'`);
    return { name: field, codes: ints(`${KEYS.userPrefix}${field}`, `the users' ${field}`), size: table.shape[0]! - 1 };
  });
  let idFeatures: IdFeatures | undefined;
  if (inputs[KEYS.featuresIndptr]) {
    const table = parameters['network.features.weight'];
    if (!table) throw new Error(`the ${name} model has item features but no 'network.features.weight'`);
    idFeatures = { indptr: ints(KEYS.featuresIndptr, 'the items\' features'), indices: ints(KEYS.featuresIndices, 'the items\' features'), numFeatures: table.shape[0]! - 1 };
  }
  const histories: UserHistories = { indptr: ints(KEYS.historyIndptr, 'the users\' histories'), indices: ints(KEYS.historyIndices, 'the users\' histories') };
  return { parameters, userFields, idFeatures, histories };
}

/**
 * MeLU on implicit data: user contents (ml-100k: age group, gender, occupation; none on
 * Amazon) and item contents (the mean of its categories' embeddings — genres, attribute
 * ids — and its own embedding) into two ReLU decision layers, meta-trained by
 * first-order Algorithm 1 with each user's task split into support and query items with
 * sampled negatives; a user is scored after the local update on the training and
 * validation items.
 * @example
 * ```ts
 * const dataset = await readDataset('ml-100k');
 * const trained = await trainModel(parseModelConfig({ model: 'melu', epochs: 5 }), trainingDataOf(dataset, train, valid));
 * await trained.model.scoreUsers!(Int32Array.of(0)); // 1 × numItems
 * ```
 * @see Lee et al. 2019, §3.1–3.3.
 */
export const meluModel = defineModel({
  name: 'melu',
  title: 'MeLU',
  family: 'Meta-learning',
  paper: {
    cite: 'Lee, Im, Jang, Cho & Chung, MeLU: Meta-Learned User Preference Estimator for Cold-Start Recommendation, KDD 2019',
    section: '§3.1 (user and item embeddings), §3.2 (decision-making layers), §3.3 (local and global update, Algorithm 1, second order)',
  },
  summary: 'user and item content embeddings into ReLU decision layers, meta-learned so a few gradient steps on a user\'s items personalise them',
  config: z.object(meluFields),
  needs: { userFeatures: 'optional', categories: 'optional' },
  outputs: ['items'],
  fit: async (data, config, context) => {
    if (!data.userFeatures && !data.itemCategories) {
      throw new Error('melu needs user features or item categories (the user and item contents it embeds, §3.1), and the data has neither');
    }
    const { shape } = context;
    const userFields = userFieldsOf(data.userFeatures, shape.numUsers, { ...(config.userFeatures ? { features: config.userFeatures } : {}), maxVocabulary: config.maxVocabulary });
    const network = networkOf(config, shape, userFields, idFeaturesOf(data.itemCategories, shape.numItems));
    const target = targetBehavior(config, data.train);
    const model = new MeLU(network, userItemSets([data.train], target), personalisationOf(config));
    const objective = new MetaObjective(network, model.histories, {
      batchSize: config.batchSize ?? 32, querySize: config.querySize, maxSupport: config.maxSupport, negatives: config.negatives,
      local: { steps: config.localSteps, learningRate: config.localLearningRate }, order: config.order, seed: config.seed,
    });
    const history = await context.train(model, objective);
    if (data.valid) model.setHistories(userItemSets([data.train, data.valid], target));
    return { model, history };
  },
  validation: (model, data, config) => meluValidation(model, data, config),
  save: (model) => saveMeLU(model),
  load: (state, config, shape) => loadMeLU(state, config, shape),
});

/**
 * `category-melu`'s fields: MeLU's network, local update and meta-training, with CCRec's
 * category-level settings where §6.1–6.2 give one, and less what has no meaning over
 * categories (the target behaviour, `itemIds`: a category's id is its only content; the
 * sampled item validation: a category model validates on the task's validation users,
 * NDCG@5). Defaults, and why:
 * - `learningRate` β = 0.0001 (Adam), at most 100 `epochs`, `patience` 10: §6.2 "a learning
 *   rate of 0.0001 for our model and all the baselines", §6.1 "trained all the models for
 *   100 epochs", and the patience of the other category baselines (`sequenceCategoryFields`).
 *   MeLU's own β is 5e-5, so CCRec's rate is of its order.
 * - `dim` 32 per content, `hidden` [64, 64], batches of 32 users: §6.2 "reused the same
 *   architecture and other hyperparameters as the source codes provided by the authors" —
 *   MeLU's `embedding_dim` 32 and two layers of 64. CCRec's 64 (§6.1) sizes its own
 *   embedding layers; MeLU concatenates one embedding per content, so with ml-100k's three
 *   demographics and the category x₀ is 128 wide at 32, 256 at 64, for 19 categories.
 * - `localSteps` 1, `localLearningRate` α = 0.5, `order` `second`, `negatives` 1: the
 *   item level's, measured there (`meluFields`: at MeLU's α = 5e-6 the local update changes
 *   nothing a ranking sees; one step of 0.5 is as good as more at a third of the cost).
 * - `querySize` 10 and `maxSupport` 90 cap a task's future and past categories (a seeded
 *   sample when more): CCRec's protocol keeps at most 3 future and 10 past events per
 *   user, so neither binds there.
 * @example
 * ```ts
 * parseModelConfig({ model: 'category-melu', localSteps: 3, userFeatures: ['gender', 'age'] });
 * ```
 * @see Lee et al. 2019, §3.3 and §4.1; CCRec §6.1–6.2.
 */
export const categoryMeluFields = (() => {
  const { target: _target, itemIds: _itemIds, validationK: _k, validationNegatives: _negatives, validationUsers: _users, ...shared } = meluFields;
  return {
    ...shared,
    epochs: meluFields.epochs.removeDefault().default(100),
    learningRate: meluFields.learningRate.removeDefault().default(0.0001),
    patience: meluFields.patience.removeDefault().default(10),
    /** Future (query) categories per task at most (a seeded sample when more). */
    querySize: meluFields.querySize,
    /** Past (support) categories per task at most (a seeded sample when more). */
    maxSupport: meluFields.maxSupport,
  };
})();

type CategoryMeLUSettings = z.output<z.ZodObject<typeof categoryMeluFields>>;

/** The network of a category config: the user fields and each category's own embedding. */
const categoryNetworkOf = (config: CategoryMeLUSettings, numUsers: number, numCategories: number, userFields: readonly UserField[]): MeLUNetwork =>
  new MeLUNetwork({ numUsers, numIds: numCategories, userFields, idEmbedding: true, dim: config.dim, hidden: config.hidden, seed: config.seed });

/** A CSR's arrays (what MeLU keeps and saves of it). */
const arraysOf = ({ indptr, indices }: UserHistories): UserHistories => ({ indptr, indices });

/**
 * MeLU with categories as items (CCRec §6.2: "we directly use categories as items in the
 * original model"; Tables 3–4's MeLU row, run where the data has demographics). The
 * choices the transfer leaves open, and why:
 * - **Items are the task's categories.** A category's content is its id (q_c, an embedding
 *   of its own): categories carry no genre, director or actor, the item contents of §4.1.
 * - **User contents are the demographics the data has** (`userFieldsOf`, as the item level:
 *   ml-100k's age group, gender, occupation; the near-identifying zip left out), what
 *   VAERec+ reads too. Without user features the user part is absent and the model is the
 *   category embeddings and decision layers alone, personalised only by the local update:
 *   CCRec runs MeLU only where there are demographics (Appendix A), so a recipe should too.
 * - **A task is a learning user's past then future** (§3.3's support and query sets): the
 *   support set is the user's distinct past categories with as many sampled categories
 *   outside them, the query set their future categories with sampled categories outside
 *   those (`MetaObjective`'s `queries`). The local update so learns from what a user has
 *   at inference — the past — and the global update from what comes next, where the
 *   item level splits one history at random (its test item is one more of the same kind).
 * - **At inference** every user is personalised on their past categories with negatives
 *   drawn as in training (a user without past events keeps the global θ₂) and scored
 *   against every category, past ones included (returning to a category is a hit).
 * Saved with the users' past categories and demographic codes, so a saved model scores
 * without the dataset.
 * @example
 * ```ts
 * const { task, train } = ccrecSplit(log, { cutoff, itemCategories }).fold(0);
 * const trained = await trainModel(parseModelConfig({ model: 'category-melu' }), { train, categoryTask: task, userFeatures: ml100k.userFeatures });
 * await trained.model.scoreCategories!(Int32Array.of(0)); // 1 × numCategories logits
 * ```
 * @see Lee et al. 2019, §3.1–3.3; CCRec §6.1–6.2.
 */
export const categoryMeluModel = defineModel({
  name: 'category-melu',
  title: 'MeLU',
  family: 'Meta-learning',
  paper: {
    cite: 'Lee, Im, Jang, Cho & Chung, MeLU: Meta-Learned User Preference Estimator for Cold-Start Recommendation, KDD 2019 (CCRec §6.2 baseline, categories as items)',
    section: '§3.1–3.3 (embeddings, decision layers, Algorithm 1, second order); CCRec §6.1–6.2 (settings)',
  },
  summary: 'demographic and category embeddings into ReLU decision layers, meta-learned so a gradient step on a user\'s past categories personalises them to the future ones',
  config: z.object(categoryMeluFields),
  needs: { categoryEvents: 'required', userFeatures: 'optional' },
  outputs: ['categories'],
  fit: async (data, config, context) => {
    const task = taskOf(data, context.shape, 'category-melu');
    if (config.userFeatures && !data.userFeatures) throw new Error(`category-melu: userFeatures names ${config.userFeatures.join(', ')}, but the data has no user features`);
    const numUsers = task.past.numUsers;
    const userFields = userFieldsOf(data.userFeatures, numUsers, { ...(config.userFeatures ? { features: config.userFeatures } : {}), maxVocabulary: config.maxVocabulary, model: 'category-melu' });
    const network = categoryNetworkOf(config, numUsers, task.numCategories, userFields);
    const model = new CategoryMeLU(network, arraysOf(categoryRows(task.past)), personalisationOf(config));
    const objective = new MetaObjective(network, model.histories, {
      batchSize: config.batchSize ?? 32, querySize: config.querySize, maxSupport: config.maxSupport, negatives: config.negatives,
      local: { steps: config.localSteps, learningRate: config.localLearningRate }, order: config.order, seed: config.seed,
      queries: arraysOf(categoryRows(task.future)), name: 'category-melu',
    });
    return { model, history: await context.train(model, objective) };
  },
  validation: (model, data, config) => categoryValidation(model, data.categoryTask!, config.patience),
  save: (model) => saveMeLU(model),
  load: (state, config, shape) => {
    if (shape.numCategories === undefined) throw new Error('the category-melu model\'s shape has no numCategories');
    const { parameters, userFields, histories } = savedMeLUInputs(state, 'category-melu');
    const model = new CategoryMeLU(categoryNetworkOf(config, histories.indptr.length - 1, shape.numCategories, userFields), histories, personalisationOf(config));
    model.loadStateDict(parameters);
    return model.eval();
  },
});
