/**
 * `gmf`, `mlp`, `neumf` (NCF) and their multi-channel BPR variants `mc-gmf`, `mc-mlp`,
 * `mc-neumf` (NMTR's multi-behaviour baselines).
 */
import { z } from 'zod';
import { behaviorsField, funnelBehaviors, negativesField, rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { behaviorLog } from '../training/log.js';
import { PairwiseObjective, PointwiseObjective } from '../training/objectives.js';
import { NCF } from './ncf.js';
import { UNIT_KINDS, type UnitKind } from './unit.js';

export { InteractionUnit, towerSizes, UNIT_KINDS, type UnitKind, type UnitShape } from './unit.js';
export { NCF, type NCFConfig } from './ncf.js';
export type { BehaviorRows, PairwiseModel, PointwiseModel } from './rows.js';

/** The unit's display name. */
export const UNIT_TITLES: Record<UnitKind, string> = { gmf: 'GMF', mlp: 'MLP', neumf: 'NeuMF' };

/** Tower layers L of the MLP tower (MLP and NeuMF; 1–5, NMTR §IV-A3, default 3 of Table II). */
export const layersField = { layers: z.number().int().min(1).max(5).default(3) };

/** The fields of a unit: the tower depth for MLP and NeuMF only (GMF has no tower). */
export const unitFields = (unit: UnitKind) => (unit === 'gmf' ? {} : layersField);

const ncfPaper = { cite: 'He et al., Neural Collaborative Filtering, WWW 2017', section: '§3 (GMF eq. 9, MLP eq. 10, NeuMF eq. 11; log loss eq. 7)' };

const createNCF = (unit: UnitKind) => (config: { dim: number; seed: number; layers?: number }, shape: { numUsers: number; numItems: number }) =>
  new NCF({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, unit, layers: config.layers ?? 3 });

for (const unit of UNIT_KINDS) {
  const create = createNCF(unit);
  defineModel({
    name: unit,
    title: UNIT_TITLES[unit],
    family: 'NCF',
    paper: ncfPaper,
    summary: `NCF's ${UNIT_TITLES[unit]} on the target behaviour, pointwise log loss with sampled negatives`,
    config: z.object({ ...trainingFields, ...targetField, ...negativesField, ...rankingValidationFields, ...unitFields(unit) }),
    outputs: ['items'],
    create,
    fit: async (data, config, context) => {
      const model = create(config, context.shape);
      const objective = new PointwiseObjective(model, behaviorLog(data.train, context.shape.behaviors), { batchSize: config.batchSize, negatives: config.negatives, seed: config.seed });
      return { model, history: await context.train(model, objective) };
    },
  });
  defineModel({
    name: `mc-${unit}`,
    title: `MC-${UNIT_TITLES[unit]}`,
    family: 'NCF',
    paper: { cite: 'NMTR (Gao et al., ICDE 2019) §IV-A2: NCF units trained by the BPR criterion with MC-BPR\'s multi-channel negatives', section: '§IV-A2' },
    summary: `${UNIT_TITLES[unit]} trained by BPR with negatives from the weaker behaviours as well as the unseen items`,
    config: z.object({
      ...trainingFields, ...targetField, ...behaviorsField, ...negativesField, ...rankingValidationFields, ...unitFields(unit),
      /** Probability of drawing the negative from viewed/carted-not-bought items. */
      viewedRate: z.number().min(0).max(1).default(0.5),
    }),
    needs: { behaviors: 'required' },
    outputs: ['items'],
    behaviors: (config, train) => funnelBehaviors(`mc-${unit}`, config, train),
    create,
    fit: async (data, config, context) => {
      const model = create(config, context.shape);
      const objective = new PairwiseObjective(model, behaviorLog(data.train, context.shape.behaviors), {
        batchSize: config.batchSize, negatives: config.negatives, seed: config.seed, sampler: { kind: 'multichannel', viewedRate: config.viewedRate },
      });
      return { model, history: await context.train(model, objective) };
    },
  });
}
