/**
 * `pmf`: probabilistic matrix factorisation fitted as rating prediction on the binary
 * matrix (MRLR §4.1's first baseline).
 */
import { z } from 'zod';
import { negativesField, rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { behaviorLog } from '../training/log.js';
import { SquaredPointwiseObjective } from '../training/squared.js';
import { PMF } from './pmf.js';

export { PMF, type PMFConfig } from './pmf.js';

/**
 * PMF's fields. Defaults: d = 10 (MRLR §4.1); Adam (the trainer's momentum method; the
 * PMF paper trained by mini-batch gradient descent with momentum) at learning rate 0.05 with
 * λ = 0.01 (λ from MRLR's grid {0.001, 0.01, 0.1, 1.0}), measured on the Toys slice of
 * `test/mrlr-baselines-mf.test.ts`: AUC 0.69 after 10 epochs, where 0.01 is still
 * climbing (0.61) and 0.1 overshoots (0.68); N = 5 negatives per observed pair (MRLR's
 * grid {1, 5, 10, 20, 50}; N = 1 gave 0.62); batches of 1,024 observed pairs.
 */
export const pmfFields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(10),
  optimizer: trainingFields.optimizer.removeDefault().default('adam'),
  learningRate: trainingFields.learningRate.removeDefault().default(0.05),
  l2: trainingFields.l2.removeDefault().default(0.01),
  ...targetField,
  negatives: negativesField.negatives.removeDefault().default(5),
  ...rankingValidationFields,
};

const create = (config: { dim: number; seed: number; l2: number }, shape: { numUsers: number; numItems: number }) =>
  new PMF({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, l2: config.l2 });

/**
 * PMF: r̂_ui = ⟨p_u, q_i⟩ by squared error on the observed pairs (target 1) and sampled
 * unobserved pairs (target 0), Gaussian priors per case (`l2` = λ_U = λ_V).
 */
export const pmfModel = defineModel({
  name: 'pmf',
  title: 'PMF',
  family: 'Factorization',
  paper: { cite: 'Mnih & Salakhutdinov, Probabilistic Matrix Factorization, NIPS 2007 (MRLR §4.1 baseline)', section: '§2 (eq. 1–4)' },
  summary: 'matrix factorisation by squared error on observed (1) and sampled unobserved (0) pairs with Gaussian priors',
  config: z.object(pmfFields),
  outputs: ['items'],
  create,
  fit: async (data, config, context) => {
    const model = create(config, context.shape);
    const objective = new SquaredPointwiseObjective(model, behaviorLog(data.train, context.shape.behaviors), {
      batchSize: config.batchSize ?? 1024, negatives: config.negatives, seed: config.seed,
    });
    // The prior is in the loss (PMF.predictRows): no weight decay on top.
    return { model, history: await context.train(model, objective, { l2: 0 }) };
  },
});
