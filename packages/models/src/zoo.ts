import { type Module, Philox } from '@rec/core';
import { type Interactions, itemPopularityByBehavior, positivesByBehavior, UserItemCSR } from '@rec/data';
import { evaluateFullRanking } from '@rec/eval';
import { z } from 'zod';
import { MostPopular } from './baselines/most-popular.js';
import { WeakerBehaviorRule } from './baselines/weaker-behaviour.js';
import { BPRMF } from './bpr/bpr-mf.js';
import { CMF } from './cmf/cmf.js';
import { NCF } from './ncf/ncf.js';
import { NMTR } from './nmtr/nmtr.js';
import type { Recommender } from './recommender.js';
import { behaviorLog } from './training/log.js';
import { FusedBPRObjective, PairwiseObjective, PointwiseObjective, type Objective } from './training/objectives.js';
import { type BatchProgress, type EpochRecord, Trainer, type TrainingHistory, type Validation } from './training/trainer.js';

/**
 * Every model `rec train` knows, by name. Groups as in NMTR Table III:
 * single-behaviour (`bpr`, `gmf`, `mlp`, `neumf`), multi-behaviour baselines
 * (`cmf`, `mc-bpr`, `mc-gmf`, `mc-mlp`, `mc-neumf`), NMTR (`nmtr-*`), Table V's
 * sequentially trained NMTR (`seq-nmtr-*`), and two untrained rules:
 * `most-popular` and `weaker-behavior` (items the user viewed or carted but did
 * not buy first, by popularity; see `WeakerBehaviorRule`).
 */
export const MODEL_NAMES = [
  'most-popular', 'weaker-behavior', 'bpr', 'gmf', 'mlp', 'neumf', 'cmf', 'mc-bpr', 'mc-gmf', 'mc-mlp', 'mc-neumf',
  'nmtr-gmf', 'nmtr-mlp', 'nmtr-neumf', 'seq-nmtr-gmf', 'seq-nmtr-mlp', 'seq-nmtr-neumf',
] as const;

/** A model name of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * The training configuration of every model, validated with zod. Defaults
 * follow NMTR Table II and §IV-A3: embedding 64, Adagrad, learning rate 0.01,
 * 3 tower layers, 4 negatives per positive, uniform λ_r.
 */
export const TrainConfigSchema = z
  .object({
    model: z.enum(MODEL_NAMES),
    /** Embedding size E. */
    dim: z.number().int().min(1).max(4096).default(64),
    /** MLP tower layers (MLP and NeuMF units). */
    layers: z.number().int().min(1).max(5).default(3),
    /** Maximum epochs (early stopping on the validation item may end sooner). */
    epochs: z.number().int().min(1).max(10_000).default(20),
    optimizer: z.enum(['adagrad', 'adam', 'sgd']).default('adagrad'),
    learningRate: z.number().positive().max(10).default(0.01),
    /** L2 weight decay (for `bpr`/`mc-bpr`: LearnBPR's λ_Θ). */
    l2: z.number().min(0).max(1).default(0),
    /** Observed pairs (pointwise) or purchases (pairwise) per batch; default 256 / 1024. */
    batchSize: z.number().int().min(1).max(1 << 20).optional(),
    /** Negatives per positive. */
    negatives: z.number().int().min(1).max(100).default(4),
    /** λ_r of NMTR eq. 12 (or CMF's behaviour weights), one per behaviour, summing to 1; default uniform. */
    weights: z.array(z.number().min(0).max(1)).optional(),
    /** MC samplers: probability of drawing the negative from viewed/carted-not-bought items. */
    viewedRate: z.number().min(0).max(1).default(0.5),
    /** Behaviours to use, funnel order, target last; default every behaviour of the data (single-behaviour models use only the target). */
    behaviors: z.array(z.string().min(1)).min(1).optional(),
    /** The target behaviour. */
    target: z.string().min(1).default('buy'),
    seed: z.number().int().min(0).max(2 ** 31).default(0),
    /** Early stopping: epochs without a better validation score. */
    patience: z.number().int().min(1).max(1000).default(3),
    /** Validation cut-off K of HR@K. */
    validationK: z.number().int().min(1).max(1000).default(100),
    /** Validation users (a seeded sample; all when fewer). */
    validationUsers: z.number().int().min(1).default(3000),
  })
  .strict();

/** A validated training configuration (defaults filled in). */
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** A configuration as a user writes it: `model` plus any fields to override. */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/**
 * Validates a training configuration; an invalid one throws one error naming
 * each bad field with what it allows.
 *
 * @param where - names the source in the message (a file path, `--config`).
 * @example
 * ```ts
 * parseTrainConfig({ model: 'nmtr-gmf', learningRate: 0.05 }).optimizer; // 'adagrad'
 * parseTrainConfig({ model: 'nmtr', }); // Error: config: model: expected one of most-popular, bpr, …
 * ```
 */
export function parseTrainConfig(input: unknown, where = 'config'): TrainConfig {
  const result = TrainConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const allowedKeys = Object.keys(TrainConfigSchema.shape).join(', ');
  const lines = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(top level)';
    if (issue.code === 'invalid_value') return `${field}: expected one of ${issue.values.map(String).join(', ')}`;
    if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; the fields are ${allowedKeys}`;
    return `${field}: ${issue.message}`;
  });
  throw new Error(`${where}: ${lines.join('; ')}`);
}

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  /** One held-out target item per user for early stopping (NMTR §IV-A3). */
  valid?: Interactions;
  checkpointDir?: string;
  onBatch?: (progress: BatchProgress & { phase?: string }) => void;
  onEpoch?: (record: EpochRecord & { phase?: string }) => void;
}

/** A trained model with what produced it. */
export interface TrainedModel {
  readonly name: ModelName;
  readonly config: TrainConfig;
  readonly model: Recommender & Partial<Module>;
  /** Behaviours the model was trained on, funnel order, target last. */
  readonly behaviors: readonly string[];
  readonly numUsers: number;
  readonly numItems: number;
  readonly history?: TrainingHistory;
  /** Sequential training: one history per phase, lowest behaviour first. */
  readonly phases?: readonly TrainingHistory[];
}

/** Which behaviours a model trains on. */
export function modelBehaviors(config: TrainConfig, train: Interactions): string[] {
  const names = train.behaviorNames ?? ['all'];
  const target = train.behaviorNames ? config.target : 'all';
  if (!names.includes(target)) throw new Error(`config: target: the data has no behaviour '${target}'; it has ${names.join(', ')}`);
  if (config.model === 'weaker-behavior') return [...names.filter((n) => n !== target), target];
  const single = ['most-popular', 'bpr', 'gmf', 'mlp', 'neumf'].includes(config.model);
  if (single) return [target];
  const chosen = config.behaviors ?? [...names.filter((n) => n !== target), target];
  for (const name of chosen) if (!names.includes(name)) throw new Error(`config: behaviors: the data has no behaviour '${name}'; it has ${names.join(', ')}`);
  if (chosen[chosen.length - 1] !== target) throw new Error(`config: behaviors: the last behaviour must be the target '${target}', got [${chosen.join(', ')}]`);
  if (chosen.length < 2) throw new Error(`config: ${config.model} is a multi-behaviour model and needs at least one behaviour besides '${target}'`);
  return chosen;
}

/** Builds the untrained model a configuration names (not the popularity baseline). */
export function createModel(config: TrainConfig, numUsers: number, numItems: number, behaviors: readonly string[]): Recommender & Module {
  const base = { numUsers, numItems, dim: config.dim, seed: config.seed };
  const unit = (config.model.split('-').pop() ?? 'gmf') as 'gmf' | 'mlp' | 'neumf';
  switch (config.model) {
    case 'bpr':
    case 'mc-bpr':
      return new BPRMF({ ...base, initStd: 0.01 });
    case 'gmf':
    case 'mlp':
    case 'neumf':
    case 'mc-gmf':
    case 'mc-mlp':
    case 'mc-neumf':
      return new NCF({ ...base, unit, layers: config.layers });
    case 'cmf':
      return new CMF({ ...base, behaviors });
    case 'nmtr-gmf':
    case 'nmtr-mlp':
    case 'nmtr-neumf':
    case 'seq-nmtr-gmf':
    case 'seq-nmtr-mlp':
    case 'seq-nmtr-neumf':
      return new NMTR({ ...base, unit, layers: config.layers, behaviors });
    default:
      throw new Error(`createModel: '${config.model}' has no trainable model`);
  }
}

/**
 * Trains the model a configuration names on `train` and returns it with its
 * history. The objective follows the model's paper:
 * - `bpr`, `mc-bpr`: LearnBPR by SGD through the fused `bpr_step` kernel, with
 *   uniform or multi-channel negatives;
 * - `gmf`, `mlp`, `neumf`: pointwise log loss on the target behaviour (NCF);
 * - `mc-gmf`, `mc-mlp`, `mc-neumf`: the BPR criterion with multi-channel negatives;
 * - `cmf`, `nmtr-*`: NMTR's multi-task pointwise loss (eq. 12, §III-D batches);
 * - `seq-nmtr-*`: Table V's sequential training — one phase per behaviour, lowest
 *   first, each on that behaviour's instances only, with a fresh optimizer. The
 *   phases before the target run ⌈epochs / R⌉ epochs without validation (the
 *   paper gives no schedule); the target phase runs up to `epochs` with early stopping.
 *
 * @throws Error naming the field when the configuration does not fit the data.
 */
export async function trainModel(config: TrainConfig, train: Interactions, options: TrainModelOptions = {}): Promise<TrainedModel> {
  const behaviors = modelBehaviors(config, train);
  const { numUsers, numItems } = train;
  const common = { name: config.model, config, behaviors, numUsers, numItems } as const;
  if (config.model === 'most-popular') {
    // Counts of the target behaviour (`all` for a log without behaviour types).
    const counts = itemPopularityByBehavior(train)[behaviors[behaviors.length - 1]];
    return { ...common, model: MostPopular.fromCounts(counts) };
  }
  if (config.model === 'weaker-behavior') {
    return { ...common, model: WeakerBehaviorRule.fit(train, { target: behaviors[behaviors.length - 1] }) };
  }
  const model = createModel(config, numUsers, numItems, behaviors);
  const log = behaviorLog(train, behaviors);
  const validation = options.valid ? validationOf(model, train, options.valid, config, behaviors[behaviors.length - 1]) : undefined;
  const trainerOptions = {
    optimizer: config.optimizer, learningRate: config.learningRate, l2: config.l2, checkpointDir: options.checkpointDir,
  };
  const pointwise = { batchSize: config.batchSize, negatives: config.negatives, seed: config.seed };
  const pairwise = { batchSize: config.batchSize, negatives: config.negatives, seed: config.seed };
  const sampler = config.model.startsWith('mc-') ? { kind: 'multichannel' as const, viewedRate: config.viewedRate } : { kind: 'uniform' as const };
  const run = (objective: Objective, epochs: number, phase?: string, withValidation = true): Promise<TrainingHistory> =>
    new Trainer(model, objective, {
      ...trainerOptions,
      epochs,
      checkpointDir: options.checkpointDir && phase ? `${options.checkpointDir}/${phase}` : options.checkpointDir,
      validation: withValidation ? validation : undefined,
      onBatch: options.onBatch && ((p) => options.onBatch!({ ...p, phase })),
      onEpoch: options.onEpoch && ((r) => options.onEpoch!({ ...r, phase })),
    }).fit();
  switch (config.model) {
    case 'bpr':
    case 'mc-bpr': {
      const objective = new FusedBPRObjective(model as BPRMF, log, { ...pairwise, sampler, learningRate: config.learningRate, l2: config.l2 });
      return { ...common, model, history: await run(objective, config.epochs) };
    }
    case 'mc-gmf':
    case 'mc-mlp':
    case 'mc-neumf':
      return { ...common, model, history: await run(new PairwiseObjective(model as NCF, log, { ...pairwise, sampler }), config.epochs) };
    case 'seq-nmtr-gmf':
    case 'seq-nmtr-mlp':
    case 'seq-nmtr-neumf': {
      const phases: TrainingHistory[] = [];
      const R = behaviors.length;
      for (let r = 0; r < R; r++) {
        const last = r === R - 1;
        const objective = new PointwiseObjective(model as NMTR, log, { ...pointwise, onlyBehavior: r });
        phases.push(await run(objective, last ? config.epochs : Math.ceil(config.epochs / R), behaviors[r], last));
      }
      return { ...common, model, history: phases[R - 1], phases };
    }
    default: {
      const objective = new PointwiseObjective(model as NCF | NMTR | CMF, log, { ...pointwise, weights: config.weights });
      return { ...common, model, history: await run(objective, config.epochs) };
    }
  }
}

/**
 * HR@K on one held-out target item per user (a seeded sample of at most
 * `validationUsers` users), ranking all items but the user's training targets:
 * the early-stopping signal and the tuning criterion of §IV-A3.
 */
function validationOf(model: Recommender, train: Interactions, valid: Interactions, config: TrainConfig, target: string): Validation {
  const mask = train.behaviorNames ? positivesByBehavior(train)[target] : UserItemCSR.fromInteractions(train);
  const testItems = UserItemCSR.fromInteractions(valid);
  const candidates: number[] = [];
  for (let u = 0; u < valid.numUsers; u++) if (testItems.rowLength(u) > 0) candidates.push(u);
  new Philox({ seed: config.seed, stream: 7 }).shuffle(candidates);
  const users = Int32Array.from(candidates.slice(0, config.validationUsers)).sort();
  const name = `HR@${config.validationK}`;
  return {
    name,
    patience: config.patience,
    evaluate: async () => {
      const result = await evaluateFullRanking({
        numItems: train.numItems, testItems, trainMask: mask, users, ks: [config.validationK], metrics: ['HR'],
        scoreUsers: (block) => model.scoreUsers(block),
      });
      return result.metrics[name];
    },
  };
}
