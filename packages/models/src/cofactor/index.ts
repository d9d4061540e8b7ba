/**
 * `cofactor`: CoFactor, the joint factorisation of the click matrix and the item SPPMI
 * matrix with shared item factors, fitted by closed-form ALS (MRLR §4.1's sixth baseline).
 */
import { z } from 'zod';
import { rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import type { ModelShape } from '../plugin/data.js';
import { defineModel, type FitContext } from '../plugin/define.js';
import { behaviorLog, behaviorRows } from '../training/log.js';
import type { EpochRecord, TrainingHistory } from '../training/trainer.js';
import { CoFactorALS, type CoFactorFactors, type CsrMatrix, itemCooccurrence, sppmi } from './als.js';
import { CoFactor } from './cofactor.js';

export { CoFactorALS, itemCooccurrence, solveSymmetric, sppmi, transposeCsr, type CoFactorFactors, type CoFactorWeights, type CsrMatrix } from './als.js';
export { CoFactor, type CoFactorConfig } from './cofactor.js';

/**
 * CoFactor's fields: only what its ALS uses (no optimizer, learning rate or batches).
 * - `l2` is λ_θ = λ_β (MRLR's λ_Θ grid {0.001, 0.01, 0.1, 1.0}), `l2Context` λ_γ;
 * - `c0`, `c1` the confidences of unobserved and observed clicks (WMF's c_ui);
 * - `negatives` the SPPMI shift k (SGNS's number of negatives; MRLR's N grid);
 * - `epochs` the ALS sweeps, with early stopping on the validation when there is one.
 * Defaults: d = 10 (MRLR §4.1); k = 1 (their released run's `k_ns = 1`); c1/c0 = 10 as
 * in that run, but at c0 = 1 rather than its 0.03, a scale that weighed 111k ML-20M
 * users' clicks against the SPPMI term and leaves the clicks too light on small data;
 * λ_θ = λ_β = λ_γ = 1, the top of MRLR's grid; 10 sweeps (their run stopped after 6),
 * early-stopped on the validation when there is one. Measured on the Toys slice of
 * `test/mrlr-baselines-mf.test.ts` (AUC after 10 sweeps): these defaults 0.70; c0 = 0.03
 * 0.65 (15 sweeps), c0 = 0.1 0.66; λ = 0.1 0.70; c1/c0 = 20 or k = 5 0.72, which a
 * reproduction's grid over N may pick.
 */
export const cofactorFields = {
  dim: trainingFields.dim.removeDefault().default(10),
  epochs: trainingFields.epochs.removeDefault().default(10),
  /** λ_θ = λ_β. */
  l2: trainingFields.l2.removeDefault().default(1),
  /** λ_γ: the context factors' prior. */
  l2Context: z.number().min(0).max(100).default(1),
  /** Confidence of an unobserved click (y = 0). */
  c0: z.number().min(0).max(1000).default(1),
  /** Confidence of an observed click (y = 1); must exceed c0. */
  c1: z.number().positive().max(1000).default(10),
  /** The SPPMI shift k: SPPMI = max(PMI − log k, 0). */
  negatives: z.number().int().min(1).max(100).default(1),
  seed: trainingFields.seed,
  patience: trainingFields.patience,
  ...targetField,
  ...rankingValidationFields,
};

const create = (config: { dim: number; seed: number }, shape: ModelShape) =>
  new CoFactor({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed });

/** What {@link alternate} reads of a config. */
interface SweepSettings {
  readonly epochs: number;
  readonly patience: number;
}

/**
 * Runs `settings.epochs` ALS sweeps, reporting each sub-step (users, items, contexts,
 * biases) as a batch and each sweep as an epoch whose loss is the objective L (§2.3)
 * after it; with a validation, keeps the best sweep's parameters and stops after
 * `patience` sweeps without a better score, as the shared trainer does. (The trainer's
 * per-epoch checkpoint is not available to a fit outside it: a sweep is seconds.)
 */
async function alternate(model: CoFactor, als: CoFactorALS, factors: CoFactorFactors, settings: SweepSettings, context: FitContext): Promise<TrainingHistory> {
  const validation = context.validation?.(model);
  const { onBatch, onEpoch } = context.hooks;
  const steps = [() => als.updateUsers(), () => als.updateItems(), () => als.updateContexts(), () => als.updateBiases()];
  const examples = als.userItems.indices.length + als.m.indices.length;
  const epochs: EpochRecord[] = [];
  let best: { epoch: number; value: number; factors: CoFactorFactors } | undefined;
  let stoppedEarly = false;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const t0 = performance.now();
    let loss = Number.NaN;
    for (let s = 0; s < steps.length; s++) {
      steps[s]();
      if (onBatch || s === steps.length - 1) loss = als.objective();
      const seconds = (performance.now() - t0) / 1000;
      onBatch?.({ epoch, batch: s + 1, batches: steps.length, loss, examplesPerSecond: ((s + 1) * examples) / steps.length / Math.max(seconds, 1e-9) });
    }
    if (!Number.isFinite(loss)) throw new Error(`cofactor: the objective became ${loss} at sweep ${epoch + 1}; raise l2 or l2Context`);
    model.writeFactors(factors);
    const seconds = (performance.now() - t0) / 1000;
    let value: number | undefined;
    if (validation) {
      value = await validation.evaluate();
      if (!best || value > best.value) best = { epoch, value, factors: copyFactors(factors) };
    }
    const record: EpochRecord = { epoch, loss, examples, seconds, ...(value === undefined ? {} : { validation: value }) };
    epochs.push(record);
    onEpoch?.({ ...record, ...(validation ? { metric: validation.name } : {}) });
    if (best && epoch - best.epoch >= (validation?.patience ?? settings.patience)) {
      stoppedEarly = true;
      break;
    }
  }
  if (best) model.writeFactors(best.factors);
  model.eval();
  return {
    epochs,
    bestEpoch: best ? best.epoch : epochs.length - 1,
    ...(best ? { bestValidation: best.value } : {}),
    ...(validation ? { metric: validation.name } : {}),
    stoppedEarly,
    resumedFrom: 0,
  };
}

function copyFactors(f: CoFactorFactors): CoFactorFactors {
  return { theta: f.theta.slice(), beta: f.beta.slice(), gamma: f.gamma.slice(), w: f.w.slice(), c: f.c.slice() };
}

/**
 * CoFactor: weighted MF of the clicks and a factorisation of the item SPPMI matrix
 * sharing the item factors β, by closed-form ALS; recommends by θ_uᵀβ_i.
 */
export const cofactorModel = defineModel({
  name: 'cofactor',
  title: 'CoFactor',
  family: 'Factorization',
  paper: {
    cite: 'Liang, Altosaar, Charlin & Blei, Factorization Meets the Item Embedding: Regularizing Matrix Factorization with Item Co-occurrence, RecSys 2016 (MRLR §4.1 baseline)',
    section: '§2.2 (SPPMI), §2.3 (the joint objective), §2.4 (closed-form ALS updates)',
  },
  summary: 'weighted MF of the clicks jointly with the item SPPMI matrix, shared item factors, closed-form ALS',
  config: z.object(cofactorFields),
  outputs: ['items'],
  create,
  fit: async (data, config, context) => {
    if (!(config.c1 > config.c0)) throw new Error(`config: c1 (${config.c1}) must be greater than c0 (${config.c0}): observed clicks are the confident ones`);
    const { shape } = context;
    const model = create(config, shape);
    const log = behaviorLog(data.train, shape.behaviors);
    const rows = behaviorRows(log, log.behaviors.length - 1);
    const clicks: CsrMatrix = { numRows: shape.numUsers, numCols: shape.numItems, indptr: rows.indptr, indices: rows.indices };
    const m = sppmi(itemCooccurrence(clicks), config.negatives);
    const factors = await model.readFactors();
    const als = new CoFactorALS(clicks, m, factors, config.dim, {
      c0: config.c0, c1: config.c1, lambdaTheta: config.l2, lambdaBeta: config.l2, lambdaGamma: config.l2Context,
    });
    return { model, history: await alternate(model, als, factors, config, context) };
  },
});
