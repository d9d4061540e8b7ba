/**
 * Validation during training: one number per call, computed by the same protocol code
 * as the final evaluation, so early stopping selects on exactly what is reported.
 */
import { RANKING_METRICS } from '../metrics.js';
import { evaluateAUC, type AucProtocolOptions } from './auc-protocol.js';
import { evaluateCategoryRanking, type CategoryMetricName, type CategoryRankingOptions } from './category-ranking.js';
import { evaluateFullRanking, type FullRankingOptions, type ScoreUsers } from './full-ranking.js';
import { evaluateSampledRanking, type SampledRankingOptions, type ScorePairs } from './sampled-ranking.js';

/**
 * Options of {@link makeValidator}: a protocol's options without the model, plus the one
 * metric to return (`'NDCG@10'`, `'HR@20'`, `'F1@3'`, or `'AUC'` for the AUC protocol).
 * `ks` defaults to the metric's K; if given it must contain it.
 * @example
 * ```ts
 * const options: ValidatorOptions = {
 *   protocol: 'full-ranking', numItems, testItems: validItems, trainMask: trainItems, metric: 'NDCG@10',
 * };
 * ```
 */
export type ValidatorOptions =
  | (Omit<FullRankingOptions, 'scoreUsers' | 'ks' | 'metrics' | 'perUser'> & {
      protocol: 'full-ranking';
      metric: string;
      ks?: readonly number[];
    })
  | (Omit<SampledRankingOptions, 'scoreUsers' | 'scorePairs' | 'ks' | 'metrics' | 'perRow'> & {
      protocol: 'sampled-ranking';
      metric: string;
      ks?: readonly number[];
    })
  | (Omit<CategoryRankingOptions, 'scoreUsers' | 'ks' | 'metrics' | 'perUser'> & {
      protocol: 'category-ranking';
      metric: string;
      ks?: readonly number[];
    })
  | (Omit<AucProtocolOptions, 'scoreUsers' | 'perUser'> & { protocol: 'auc'; metric: 'AUC' });

/**
 * What a validator needs from a model; a `Recommender` from `@rec/models` fits. The
 * sampled protocol prefers `scorePairs` when present; the category protocol uses
 * `scoreCategories` when present, else `scoreUsers` (whose rows must then be categories).
 * @example
 * ```ts
 * const model: ValidationModel = { scoreUsers: (users) => bpr.scoreUsers(users) };
 * ```
 */
export interface ValidationModel {
  scoreUsers?: ScoreUsers;
  scorePairs?: ScorePairs;
  scoreCategories?: ScoreUsers;
}

/**
 * A validation function: evaluates a model and returns the chosen metric; higher is
 * better for every metric it accepts. `metric` and `protocol` say what it computes.
 * @example
 * ```ts
 * const score = await validate(model); // e.g. NDCG@10 on the validation split
 * validate.metric;                     // 'NDCG@10'
 * ```
 */
export interface Validator {
  (model: ValidationModel): Promise<number>;
  readonly metric: string;
  readonly protocol: ValidatorOptions['protocol'];
}

/** `'NDCG@10'` → `{ name: 'NDCG', k: 10 }`, validated against the protocol's metrics. */
function parseMetric(metric: string, protocol: string): { name: string; k: number } {
  const match = /^([A-Za-z0-9]+)@([0-9]+)$/.exec(metric);
  const known = [...new Set([...Object.keys(RANKING_METRICS), ...(protocol === 'category-ranking' ? ['F1'] : [])])];
  if (!match || !known.includes(match[1]!) || Number(match[2]) <= 0) {
    throw new Error(
      `makeValidator: metric must be NAME@K with NAME one of ${known.join(', ')} and K a positive integer ` +
        `(e.g. 'NDCG@10') for the ${protocol} protocol, got ${JSON.stringify(metric)}`,
    );
  }
  return { name: match[1]!, k: Number(match[2]) };
}

/**
 * Builds a validator for early stopping and model selection: `await validate(model)`
 * runs the chosen protocol (`evaluateFullRanking`, `evaluateSampledRanking`,
 * `evaluateCategoryRanking` or `evaluateAUC`) on the given split and returns one metric.
 * Only the metric's own column is computed. The options are checked here, once, so a
 * misspelt metric fails before training starts rather than after the first epoch.
 * Sampled negatives are redrawn from the same seed on every call, so successive
 * validations compare models on identical candidates.
 *
 * @throws Error when `metric` is not NAME@K (or 'AUC' for the AUC protocol), `ks` lacks
 * the metric's K, or the protocol is unknown; the protocol's own checks run on each call.
 * @example
 * ```ts
 * const validate = makeValidator({
 *   protocol: 'full-ranking',
 *   numItems: train.numItems,
 *   testItems: UserItemCSR.fromInteractions(valid),
 *   trainMask: UserItemCSR.fromInteractions(train),
 *   metric: 'NDCG@10',
 * });
 * for (let epoch = 0; epoch < 50; epoch++) {
 *   trainOneEpoch(model);
 *   const ndcg = await validate(model);
 * }
 * ```
 */
export function makeValidator(options: ValidatorOptions): Validator {
  const { protocol } = options;
  const metric = options.metric;
  let run: (model: ValidationModel) => Promise<number>;
  if (protocol === 'auc') {
    if (metric !== 'AUC') {
      throw new Error(`makeValidator: the auc protocol computes 'AUC', got metric ${JSON.stringify(metric)}`);
    }
    const { protocol: _p, metric: _m, ...rest } = options;
    run = async (model) => {
      const scoreUsers = requireScorer(model, 'scoreUsers', protocol);
      return (await evaluateAUC({ ...rest, scoreUsers })).metrics.AUC!;
    };
  } else if (protocol === 'full-ranking' || protocol === 'sampled-ranking' || protocol === 'category-ranking') {
    const { name, k } = parseMetric(options.metric, protocol);
    const ks = options.ks ?? [k];
    if (!ks.includes(k)) {
      throw new Error(`makeValidator: ks [${ks.join(', ')}] does not contain ${k}, the K of ${options.metric}`);
    }
    const key = `${name}@${k}`;
    if (protocol === 'full-ranking') {
      const { protocol: _p, metric: _m, ks: _k, ...rest } = options;
      const metrics = [name as keyof typeof RANKING_METRICS];
      run = async (model) => {
        const scoreUsers = requireScorer(model, 'scoreUsers', protocol);
        return (await evaluateFullRanking({ ...rest, ks, metrics, scoreUsers })).metrics[key]!;
      };
    } else if (protocol === 'sampled-ranking') {
      const { protocol: _p, metric: _m, ks: _k, ...rest } = options;
      const metrics = [name as keyof typeof RANKING_METRICS];
      run = async (model) => {
        if (model.scorePairs === undefined && model.scoreUsers === undefined) {
          throw new Error('makeValidator: the sampled-ranking protocol needs a model with scorePairs or scoreUsers');
        }
        const { scorePairs: pairs, scoreUsers: rows } = model;
        const result = await evaluateSampledRanking({
          ...rest,
          ks,
          metrics,
          ...(pairs ? { scorePairs: (u: Int32Array, i: Int32Array) => pairs.call(model, u, i) } : {}),
          ...(rows ? { scoreUsers: (u: Int32Array) => rows.call(model, u) } : {}),
        });
        return result.metrics[key]!;
      };
    } else {
      const { protocol: _p, metric: _m, ks: _k, ...rest } = options;
      const metrics = [name as CategoryMetricName];
      run = async (model) => {
        const score = requireScorer(model, model.scoreCategories ? 'scoreCategories' : 'scoreUsers', protocol);
        return (await evaluateCategoryRanking({ ...rest, ks, metrics, scoreUsers: score })).metrics[key]!;
      };
    }
  } else {
    throw new Error(
      `makeValidator: protocol must be 'full-ranking', 'sampled-ranking', 'category-ranking' or 'auc', ` +
        `got ${JSON.stringify(protocol)}`,
    );
  }
  return Object.assign((model: ValidationModel) => run(model), { metric, protocol });
}

/** `model[name]`, called with `this = model` so class methods work unbound. */
function requireScorer(
  model: ValidationModel,
  name: 'scoreUsers' | 'scoreCategories',
  protocol: string,
): ScoreUsers {
  const scorer = model[name];
  if (typeof scorer !== 'function') {
    throw new Error(`makeValidator: the ${protocol} protocol needs a model with ${name}`);
  }
  return (users) => scorer.call(model, users);
}
