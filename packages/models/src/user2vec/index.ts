/**
 * `user2vec`: User2Vec (Grbovic et al., "E-commerce in Your Inbox: Product
 * Recommendations at Scale", KDD 2015, §3.3), MRLR's baseline that "considers the user as
 * a global context while learning item embedding" (MRLR §4.1 method 7) and "adopts CBOW"
 * (§4.3). The model, its objective and every choice are in `./user2vec.ts`.
 */
import { z } from 'zod';
import { negativesField, rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { CbowObjective, User2Vec, userSequences } from './user2vec.js';

export { CbowObjective, User2Vec, userSequences, type CbowBatch, type CbowOptions, type User2VecConfig, type UserSequences } from './user2vec.js';

/** Examples (sequence positions) per batch when the config leaves `batchSize` out. */
const USER2VEC_BATCH = 1024;

const create = (config: { dim: number; seed: number; scoring: 'logit' | 'cosine' }, shape: { numUsers: number; numItems: number }) =>
  new User2Vec({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, scoring: config.scoring });

/**
 * User2Vec: CBOW over each user's item sequence with the user vector as global context;
 * users rank items by ⟨u_u, v'_k⟩. Defaults: d = 10 (MRLR §4.1); window c = 5 and
 * N = 5 (word2vec's CBOW defaults); the shared trainer's Adagrad at γ = 0.1 (from MRLR's
 * grid {0.001, 0.01, 0.1, 1}; on a 5-core Amazon Toys slice it reached AUC 0.75 after 10
 * epochs and 0.76 after 20, where 0.05 gave 0.65 after 10 and 0.2 gave 0.70 after 20)
 * over 20 epochs, 1,024 examples per batch.
 */
export const user2vecModel = defineModel({
  name: 'user2vec',
  title: 'User2Vec',
  family: 'Embedding',
  paper: { cite: 'Grbovic et al., E-commerce in Your Inbox: Product Recommendations at Scale, KDD 2015 (MRLR §4.1 baseline)', section: '§3.3 (user2vec)' },
  summary: 'CBOW over each user\'s item sequence with the user vector as a global context; users ranked by ⟨u, v\'_k⟩',
  config: z.object({
    ...trainingFields,
    dim: trainingFields.dim.removeDefault().default(10),
    learningRate: trainingFields.learningRate.removeDefault().default(0.1),
    ...negativesField,
    negatives: negativesField.negatives.removeDefault().default(5),
    /**
     * How a user's items are ranked: ⟨u_u, v'_k⟩, the user vector alone as the CBOW
     * context (default), or cos(u_u, v_k) against the input vectors, the space the user
     * vector is averaged in (Grbovic et al. recommend the products nearest the user).
     */
    scoring: z.enum(['logit', 'cosine']).default('logit'),
    /** c: items on each side of the centre item in the CBOW context. */
    window: z.number().int().min(1).max(1000).default(5),
    ...targetField,
    ...rankingValidationFields,
  }),
  needs: { timestamps: 'optional' },
  outputs: ['items'],
  create,
  fit: async (data, config, context) => {
    const model = create(config, context.shape);
    const behaviors = context.shape.behaviors;
    const target = behaviors[behaviors.length - 1];
    const sequences = userSequences(data.train, data.train.behaviorNames ? target : undefined);
    const objective = new CbowObjective(model, sequences, { window: config.window, negatives: config.negatives, batchSize: config.batchSize ?? USER2VEC_BATCH, seed: config.seed });
    return { model, history: await context.train(model, objective) };
  },
});
