/**
 * `nmtr-gmf`, `nmtr-mlp`, `nmtr-neumf` (NMTR, jointly trained) and `seq-nmtr-*`
 * (Table V's sequential training).
 */
import { z } from 'zod';
import { weightsField } from '../cmf/index.js';
import { UNIT_TITLES, unitFields } from '../ncf/index.js';
import { UNIT_KINDS, type UnitKind } from '../ncf/unit.js';
import { behaviorsField, funnelBehaviors, negativesField, rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import type { TrainingHistory } from '../training/trainer.js';
import { behaviorLog } from '../training/log.js';
import { PointwiseObjective } from '../training/objectives.js';
import { NMTR } from './nmtr.js';

export { NMTR, type NMTRConfig } from './nmtr.js';

const paper = { cite: 'Gao et al., Learning Recommender Systems from Multi-Behavior Data, ICDE 2019', section: '§III (eq. 4–9, loss eq. 12, batches §III-D)' };

const createNMTR = (unit: UnitKind) => (config: { dim: number; seed: number; layers?: number }, shape: { numUsers: number; numItems: number; behaviors: readonly string[] }) =>
  new NMTR({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, unit, layers: config.layers ?? 3, behaviors: shape.behaviors });

for (const unit of UNIT_KINDS) {
  const create = createNMTR(unit);
  defineModel({
    name: `nmtr-${unit}`,
    title: `NMTR-${UNIT_TITLES[unit]}`,
    family: 'NMTR',
    paper,
    summary: `NMTR with ${UNIT_TITLES[unit]} units cascaded over the behaviours, trained jointly on the multi-task loss`,
    config: z.object({ ...trainingFields, ...targetField, ...behaviorsField, ...negativesField, ...rankingValidationFields, ...weightsField, ...unitFields(unit) }),
    needs: { behaviors: 'required' },
    outputs: ['items'],
    behaviors: (config, train) => funnelBehaviors(`nmtr-${unit}`, config, train),
    create,
    fit: async (data, config, context) => {
      const model = create(config, context.shape);
      const objective = new PointwiseObjective(model, behaviorLog(data.train, context.shape.behaviors), {
        batchSize: config.batchSize, negatives: config.negatives, seed: config.seed, weights: config.weights,
      });
      return { model, history: await context.train(model, objective) };
    },
  });
  /**
   * Table V's sequential training: one phase per behaviour, lowest first, each on that
   * behaviour's instances only, with a fresh optimizer. The phases before the target run
   * ⌈epochs / R⌉ epochs without validation (the paper gives no schedule); the target phase
   * runs up to `epochs` with early stopping.
   */
  defineModel({
    name: `seq-nmtr-${unit}`,
    title: `Sequential-${UNIT_TITLES[unit]}`,
    family: 'NMTR',
    paper: { cite: paper.cite, section: '§IV-D, Table V (sequential training)' },
    summary: `NMTR-${UNIT_TITLES[unit]} trained one behaviour after another instead of jointly`,
    config: z.object({ ...trainingFields, ...targetField, ...behaviorsField, ...negativesField, ...rankingValidationFields, ...unitFields(unit) }),
    needs: { behaviors: 'required' },
    outputs: ['items'],
    behaviors: (config, train) => funnelBehaviors(`seq-nmtr-${unit}`, config, train),
    create,
    fit: async (data, config, context) => {
      const model = create(config, context.shape);
      const { behaviors } = context.shape;
      const log = behaviorLog(data.train, behaviors);
      const phases: TrainingHistory[] = [];
      const R = behaviors.length;
      for (let r = 0; r < R; r++) {
        const last = r === R - 1;
        const objective = new PointwiseObjective(model, log, { batchSize: config.batchSize, negatives: config.negatives, seed: config.seed, onlyBehavior: r });
        phases.push(await context.train(model, objective, { epochs: last ? config.epochs : Math.ceil(config.epochs / R), phase: behaviors[r], validate: last }));
      }
      return { model, history: phases[R - 1], phases };
    },
  });
}
