/**
 * `bpr` and `mc-bpr`: BPR-MF trained by LearnBPR through the fused `bpr_step` kernel.
 */
import { z } from 'zod';
import { behaviorsField, funnelBehaviors, negativesField, targetField, rankingValidationFields, trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { behaviorLog } from '../training/log.js';
import { FusedBPRObjective } from '../training/objectives.js';
import { BPRMF } from './bpr-mf.js';

export { BPRMF, type BPRMFConfig } from './bpr-mf.js';

const paper = { cite: 'Rendle et al., BPR: Bayesian Personalized Ranking from Implicit Feedback, UAI 2009', section: '§4 (eq. 4, LearnBPR)' };

/**
 * LearnBPR's update is plain SGD, fused into the `bpr_step` kernel: no other optimizer
 * runs, so no other is accepted (it would be recorded in the config and ignored).
 */
const sgdOnly = {
  optimizer: z.literal('sgd').default('sgd'),
  /**
   * Run the native kernel Hogwild over threads: faster, and no longer the same model for
   * the same seed (rows are updated without ordering). Off by default: the deterministic
   * schedule gives the reference's model, byte for byte, for the same `lanes`.
   */
  hogwild: z.boolean().default(false),
  /**
   * The deterministic schedule's lanes (`bpr_step`'s attribute: each batch runs in a fixed
   * permutation whose lanes touch disjoint rows, so native threads run them at once). Unset:
   * from the thread count and the batch (`defaultLanes`: 1 on one thread, 2 for the default
   * batch on two or more), so the same REC_THREADS gives the same model; 1 keeps batch order,
   * the same model on any thread count. Refused with `hogwild`, which has no order.
   */
  lanes: z.number().int().min(1).max(16).optional(),
};

/** The factors start at N(0, 0.01²), LearnBPR's small random initialisation. */
const create = (config: { dim: number; seed: number }, shape: { numUsers: number; numItems: number }) =>
  new BPRMF({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, initStd: 0.01 });

/**
 * BPR-MF: x̂_ui = ⟨p_u, q_i⟩ trained on (u, i, j) triples by plain SGD with the per-triple
 * L2 prior (LearnBPR, §4.3), one fused kernel step per batch of triples; `learningRate`
 * is α and `l2` is λ_Θ. The optimizer is SGD, the kernel's own update.
 */
export const bprModel = defineModel({
  name: 'bpr',
  aliases: ['bpr-mf'],
  title: 'BPR',
  family: 'BPR',
  paper,
  summary: 'matrix factorisation trained on (user, positive, uniform negative) triples by LearnBPR',
  config: z.object({ ...trainingFields, ...sgdOnly, ...targetField, ...negativesField, ...rankingValidationFields }),
  outputs: ['items'],
  create,
  fit: async (data, config, context) => {
    const model = create(config, context.shape);
    const log = behaviorLog(data.train, context.shape.behaviors);
    const objective = new FusedBPRObjective(model, log, {
      batchSize: config.batchSize, negatives: config.negatives, seed: config.seed, sampler: { kind: 'uniform' }, learningRate: config.learningRate, l2: config.l2, hogwild: config.hogwild, lanes: config.lanes,
    });
    return { model, history: await context.train(model, objective) };
  },
});

/**
 * MC-BPR (Loni et al., RecSys 2016, as NMTR's multi-behaviour baseline): BPR whose
 * negative is drawn, with probability `viewedRate`, from items the user viewed or
 * carted but did not buy, else uniformly.
 */
export const mcBprModel = defineModel({
  name: 'mc-bpr',
  title: 'MC-BPR',
  family: 'BPR',
  paper: { cite: 'Loni et al., Bayesian Personalized Ranking with Multi-Channel User Feedback, RecSys 2016 (NMTR §IV-A2 baseline)', section: '§3' },
  summary: 'BPR whose negatives come from the weaker behaviours as well as the unseen items',
  config: z.object({
    ...trainingFields, ...sgdOnly, ...targetField, ...behaviorsField, ...negativesField, ...rankingValidationFields,
    /** Probability of drawing the negative from viewed/carted-not-bought items. */
    viewedRate: z.number().min(0).max(1).default(0.5),
  }),
  needs: { behaviors: 'required' },
  outputs: ['items'],
  behaviors: (config, train) => funnelBehaviors('mc-bpr', config, train),
  create,
  fit: async (data, config, context) => {
    const model = create(config, context.shape);
    const log = behaviorLog(data.train, context.shape.behaviors);
    const objective = new FusedBPRObjective(model, log, {
      batchSize: config.batchSize, negatives: config.negatives, seed: config.seed,
      sampler: { kind: 'multichannel', viewedRate: config.viewedRate }, learningRate: config.learningRate, l2: config.l2, hogwild: config.hogwild, lanes: config.lanes,
    });
    return { model, history: await context.train(model, objective) };
  },
});
