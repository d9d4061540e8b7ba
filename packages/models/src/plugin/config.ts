/**
 * Model configurations: the fields every trained model shares, composed into each
 * model's own zod schema, and one parser that finds the model's schema through the
 * registry and turns any invalid field into one line naming it and what it allows.
 */
import { z } from 'zod';

/**
 * The fields every trained model shares (spread them into a model's `z.object`).
 * Defaults follow NMTR Table II and §IV-A3, the first paper the toolkit reproduced:
 * embedding 64, Adagrad, learning rate 0.01, 20 epochs with patience 3.
 * @example
 * ```ts
 * const config = z.object({ ...trainingFields, layers: z.number().int().min(1).default(3) });
 * ```
 */
export const trainingFields = {
  /** Embedding size E. */
  dim: z.number().int().min(1).max(4096).default(64),
  /** Maximum epochs (early stopping on the validation may end sooner). */
  epochs: z.number().int().min(1).max(10_000).default(20),
  optimizer: z.enum(['adagrad', 'adam', 'adamw', 'sgd']).default('adagrad'),
  learningRate: z.number().positive().max(10).default(0.01),
  /** L2 weight decay. */
  l2: z.number().min(0).max(1).default(0),
  /** Adam's β₂ (default 0.999; SASRec's code uses 0.98); an error with another optimizer. */
  adamBeta2: z.number().min(0).lt(1).optional(),
  /** Rows or pairs per batch; each model documents its default. */
  batchSize: z.number().int().min(1).max(1 << 20).optional(),
  seed: z.number().int().min(0).max(2 ** 31).default(0),
  /** Early stopping: validations without a better score. */
  patience: z.number().int().min(1).max(1000).default(3),
};

/**
 * Which behaviour a model predicts (`target`; `buy` when left out), for models that
 * read one behaviour of a multi-behaviour log. A log without behaviour types has no
 * target to name: giving one there is an error, not a setting silently ignored.
 * @example
 * ```ts
 * z.object({ ...trainingFields, ...targetField });
 * ```
 */
export const targetField = {
  /** The target behaviour (default `buy` on multi-behaviour data). */
  target: z.string().min(1).optional(),
};

/**
 * The behaviours a multi-behaviour model trains on, funnel order, target last
 * (default: every behaviour of the data).
 * @example
 * ```ts
 * z.object({ ...trainingFields, ...targetField, ...behaviorsField });
 * ```
 */
export const behaviorsField = {
  behaviors: z.array(z.string().min(1)).min(1).optional(),
};

/**
 * The validation of item-ranking models (NMTR §IV-A3): HR@K over all items on one
 * held-out target row per user, on a seeded sample of users.
 * @example
 * ```ts
 * z.object({ ...trainingFields, ...targetField, ...rankingValidationFields });
 * ```
 */
export const rankingValidationFields = {
  /** Validation cut-off K of HR@K. */
  validationK: z.number().int().min(1).max(1000).default(100),
  /** Validation users (a seeded sample; all when fewer). */
  validationUsers: z.number().int().min(1).default(3000),
};

/**
 * A validated configuration: the model's registered name plus its schema's fields,
 * defaults filled in. A schema holds only the fields its model uses, so nothing is
 * recorded that did not take effect.
 */
export type ModelConfig = { readonly model: string } & Readonly<Record<string, unknown>>;

/** A configuration as a user writes it: the model's name (or alias) and fields to override. */
export type ModelConfigInput = { readonly model: string } & Readonly<Record<string, unknown>>;

/**
 * One line per zod issue: the field and what it allows.
 * @param allowedKeys - the schema's fields, listed when an unknown one is given.
 */
export function describeIssues(error: z.ZodError, allowedKeys: readonly string[]): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length ? issue.path.join('.') : '(top level)';
      if (issue.code === 'invalid_value') return `${field}: expected one of ${issue.values.map(String).join(', ')}`;
      if (issue.code === 'unrecognized_keys') {
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; the fields are ${allowedKeys.join(', ')}`;
      }
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Negatives per positive of the sampled objectives (NMTR §IV-A3: "negative sampling
 * ratio as 4 for all methods").
 * @example
 * ```ts
 * z.object({ ...trainingFields, ...negativesField });
 * ```
 */
export const negativesField = {
  negatives: z.number().int().min(1).max(100).default(4),
};

/**
 * A numeric field of a config, or `fallback` when the model's schema has no such field
 * (the shared code reads fields such as `seed` or `epochs` that not every model has).
 * @example
 * ```ts
 * numberField(config, 'validationK', 100);
 * ```
 */
export function numberField(config: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = config[key];
  return typeof value === 'number' ? value : fallback;
}

/**
 * The behaviour a config predicts: its `target` (default `buy`), checked against the
 * log's behaviours; `all` for a log without behaviour types.
 * @throws Error naming the field when the log has no such behaviour.
 * @example
 * ```ts
 * targetBehavior({ target: 'buy' }, train); // 'buy'
 * ```
 */
export function targetBehavior(config: Readonly<Record<string, unknown>>, train: { behaviorNames?: readonly string[] }): string {
  if (!train.behaviorNames) {
    if (config.target !== undefined) throw new Error(`config: target: the data has no behaviour types (every row counts), so there is no target '${String(config.target)}' to choose; leave target out`);
    return 'all';
  }
  const target = typeof config.target === 'string' ? config.target : 'buy';
  if (!train.behaviorNames.includes(target)) throw new Error(`config: target: the data has no behaviour '${target}'; it has ${train.behaviorNames.join(', ')}`);
  return target;
}

/**
 * The behaviours of a multi-behaviour model: `config.behaviors`, else every behaviour
 * of the log with the target moved last. Needs at least one behaviour besides the target.
 * @throws Error naming the config field when the data does not fit.
 * @example
 * ```ts
 * funnelBehaviors('nmtr-gmf', { target: 'buy' }, train); // ['view', 'cart', 'buy']
 * ```
 */
export function funnelBehaviors(model: string, config: Readonly<Record<string, unknown>> & { behaviors?: readonly string[] }, train: { behaviorNames?: readonly string[] }, minimum = 2): string[] {
  const names = train.behaviorNames ?? ['all'];
  const target = targetBehavior(config, train);
  const chosen = config.behaviors ? [...config.behaviors] : [...names.filter((n) => n !== target), target];
  for (const name of chosen) if (!names.includes(name)) throw new Error(`config: behaviors: the data has no behaviour '${name}'; it has ${names.join(', ')}`);
  if (chosen[chosen.length - 1] !== target) throw new Error(`config: behaviors: the last behaviour must be the target '${target}', got [${chosen.join(', ')}]`);
  if (chosen.length < minimum) throw new Error(`config: ${model} is a multi-behaviour model and needs at least one behaviour besides '${target}'`);
  return chosen;
}
