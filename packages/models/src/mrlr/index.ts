/**
 * `mrlr`, `mrlr-rlr`, `mrlr-rl`, `mrlr-pr`: MRLR and the variants of its Fig. 1, trained
 * through the fused `skipgram_step` (eq. 5, 9) and `bpr_step` (eq. 6) kernels.
 */
import { z } from 'zod';
import { negativesField, rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import { defineModel, type ModelDefinition } from '../plugin/define.js';
import { behaviorLog, behaviorRows } from '../training/log.js';
import { MRLR, MrlrObjective, VARIANT_TERMS, type MrlrVariant } from './mrlr.js';
import { MrlrSampler } from './sampler.js';

export { MRLR, MrlrObjective, VARIANT_TERMS, type MRLRConfig, type MrlrVariant, type RowLists } from './mrlr.js';
export { MrlrSampler, type MrlrBatch, type MrlrSamplerOptions } from './sampler.js';

const paper = { cite: 'Sun et al., MRLR: Multi-level Representation Learning for Personalized Ranking in Recommendation, IJCAI 2017', section: '§3 (eq. 5–9, Algorithm 1), Fig. 1' };

/**
 * The MRLR fields. Defaults: d = 10 (§4.1); α1 = 0.8 and α3 = 0.1, where the paper's
 * Fig. 2 peaks ("maximum reached at around 0.8", "optimal settings range from 0.1 to
 * 0.2") — on Amazon Toys validation α1 = 0.1 and α3 = 1 did better
 * (docs/reproductions/mrlr.md), but the defaults stay the paper's; N = 5; γ = 0.1,
 * λ = 0.01 and 15 epochs as `rec reproduce mrlr` tuned them on fold 1 of Toys.
 */
const mrlrFields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(10),
  epochs: trainingFields.epochs.removeDefault().default(15),
  learningRate: trainingFields.learningRate.removeDefault().default(0.1),
  l2: trainingFields.l2.removeDefault().default(0.01),
  /** Algorithm 1's update is plain SGD inside the fused kernels; no other optimizer runs. */
  optimizer: z.literal('sgd').default('sgd'),
  /**
   * Native kernels over threads without ordering: faster, no longer the same model for a seed.
   * Off (the default), the same seed, data and REC_THREADS give the same model: the examples
   * keep batch order on the user and item rows, and with categories each thread's part of a
   * batch updates its own copy of the category rows, merged after the batch (the kernels'
   * `parts`, set to the thread count; one thread is Algorithm 1's serial order exactly). Why:
   * the few category rows are in nearly every example, so one shared order for them would run
   * the threads one after another.
   */
  hogwild: z.boolean().default(false),
  /**
   * Native only: the eq. 5 (D_c) updates in f32 with a polynomial σ (`skipgram_step`'s `fast`);
   * MRLR trains 1.4× faster on one thread (`bench:skipgram`, Toys; eq. 6 and the category
   * rows keep their cost). Still the same model for a seed and thread count, but not bit-equal
   * to the js backend's.
   */
  fastMath: z.boolean().default(false),
  ...targetField,
  ...negativesField,
  negatives: negativesField.negatives.removeDefault().default(5),
  ...rankingValidationFields,
  /**
   * Negatives: `uniform` over the user's unrated items (eq. 9's P(D⁻_c), D⁻_c = D_r), or
   * `unigram` (count^0.75, word2vec's) — an ablation for docs/reproductions/mrlr.md.
   */
  negativeDistribution: z.enum(['uniform', 'unigram']).default('uniform'),
};

const alpha1 = { alpha1: z.number().min(0).max(1).default(0.8) };
const alpha3 = { alpha3: z.number().min(0).max(10).default(0.1) };

/** The parsed config every variant has (α1 and α3 only where the variant uses them). */
type VariantConfig = z.output<z.ZodObject<typeof mrlrFields>> & { readonly alpha1?: number; readonly alpha3?: number };

function variantModel<S extends z.ZodObject>(variant: MrlrVariant, name: string, title: string, summary: string, schema: S): ModelDefinition<S, MRLR> {
  const terms = VARIANT_TERMS[variant];
  const build = (parsed: unknown, shape: { numUsers: number; numItems: number; numCategories?: number }) => {
    const config = parsed as VariantConfig;
    return new MRLR({
      variant, numUsers: shape.numUsers, numItems: shape.numItems, numCategories: shape.numCategories, dim: config.dim, seed: config.seed,
      alpha1: config.alpha1 ?? 1, alpha3: config.alpha3 ?? 0,
    });
  };
  return defineModel({
    name,
    title,
    family: 'MRLR',
    paper,
    summary,
    config: schema,
    ...(terms.categories ? { needs: { categories: 'required' as const } } : {}),
    outputs: ['items'],
    create: build,
    fit: async (data, parsed, context) => {
      const config = parsed as unknown as VariantConfig;
      const model = build(config, context.shape);
      const log = behaviorLog(data.train, context.shape.behaviors);
      const rated = behaviorRows(log, log.behaviors.length - 1);
      const categories = terms.categories ? { indptr: data.itemCategories!.indptr, indices: data.itemCategories!.indices } : undefined;
      const sampler = new MrlrSampler(rated.indptr, rated.indices, log.numItems, {
        coRated: terms.coRated, ranking: terms.ranking, negatives: config.negatives, batchSize: config.batchSize ?? 4096, seed: config.seed,
        negativeDistribution: config.negativeDistribution,
      });
      model.live(rated, categories);
      const objective = new MrlrObjective(model, sampler, categories, { learningRate: config.learningRate, l2: config.l2, hogwild: config.hogwild, fastMath: config.fastMath });
      const history = await context.train(model, objective);
      await model.freeze();
      return { model, history };
    },
  });
}

/** MRLR: eq. 5 + eq. 6 with the multi-level item vectors of eq. 7. */
export const mrlrModel = variantModel('mrlr', 'mrlr', 'MRLR', 'user, item and category embeddings from co-rated (eq. 5) and ranking (eq. 6) triples with multi-level item vectors (eq. 7)', z.object({ ...mrlrFields, ...alpha1, ...alpha3 }));
/** RLR: eq. 5 + eq. 6, no categories. */
export const rlrModel = variantModel('rlr', 'mrlr-rlr', 'RLR', 'MRLR without categories: co-rated (eq. 5) and ranking (eq. 6) triples', z.object({ ...mrlrFields, ...alpha1 }));
/** RL: eq. 5 only. */
export const rlModel = variantModel('rl', 'mrlr-rl', 'RL', 'MRLR\'s representation-learning term only: skip-gram over co-rated triples with the user as context (eq. 5)', z.object({ ...mrlrFields, ...alpha1 }));
/** PR: eq. 6 only. */
export const prModel = variantModel('pr', 'mrlr-pr', 'PR', 'MRLR\'s personalised-ranking term only: ranking triples with negative sampling (eq. 6)', z.object(mrlrFields));
