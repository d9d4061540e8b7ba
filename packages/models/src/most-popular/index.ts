/**
 * `most-popular`: the trivial baseline every personalised model must beat.
 */
import { itemPopularityByBehavior } from '@rec/data';
import { z } from 'zod';
import { targetField } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { MostPopular } from './most-popular.js';

export { MostPopular, type ItemLog } from './most-popular.js';

/**
 * Items ranked by their number of training rows of the target behaviour (all rows for
 * a log without behaviour types); the same list for every user.
 */
export const mostPopularModel = defineModel({
  name: 'most-popular',
  aliases: ['popularity'],
  title: 'Most popular',
  family: 'Rules',
  paper: { cite: 'the popularity baseline (ItemPop) of every paper here', section: 'e.g. NMTR §IV-A2' },
  summary: 'every user gets the items with the most training rows of the target behaviour',
  // A rule draws nothing at random: no seed to set.
  config: z.object({ ...targetField }),
  outputs: ['items'],
  rule: true,
  fit: (data, _config, context) => {
    const target = context.shape.behaviors[context.shape.behaviors.length - 1];
    return { model: MostPopular.fromCounts(itemPopularityByBehavior(data.train)[target]) };
  },
  save: (model) => ({ tensors: { counts: { dtype: 'f32', shape: [model.numItems], data: model.counts.slice() } } }),
  load: (state, _config, shape) => {
    const counts = state.tensors.counts;
    if (!counts || counts.dtype !== 'f32' || counts.shape.length !== 1 || counts.shape[0] !== shape.numItems) {
      throw new Error(`parameter 'counts' of most-popular must be f32 [${shape.numItems}]`);
    }
    for (let i = 0; i < counts.data.length; i++) {
      const c = counts.data[i];
      if (!(Number.isInteger(c) && c >= 0)) throw new Error(`counts[${i}] = ${c} is not a whole number of interactions`);
    }
    return MostPopular.fromCounts(counts.data);
  },
});
