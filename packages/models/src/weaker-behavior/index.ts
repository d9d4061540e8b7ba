/**
 * `weaker-behavior`: items the user viewed or carted but did not buy, first.
 */
import { UserItemCSR } from '@rec/data';
import { z } from 'zod';
import { funnelBehaviors, targetField } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { WeakerBehaviorRule } from './weaker-behaviour.js';

export { WeakerBehaviorRule, type WeakerBehaviorRuleOptions } from './weaker-behaviour.js';

/**
 * The seen-weaker rule ({@link WeakerBehaviorRule}); it saves its popularity scores and
 * each user's seen-weaker items, so a saved rule answers without the training log.
 */
export const weakerBehaviorModel = defineModel({
  name: 'weaker-behavior',
  aliases: ['seen-weaker'],
  title: 'Seen-weaker rule',
  family: 'Rules',
  paper: { cite: 'ours; the rule NMTR (Gao et al., ICDE 2019) lacks under its own protocol', section: 'NMTR §IV-A1' },
  summary: "each user's items seen under a non-target behaviour but not the target come first, by popularity",
  // A rule draws nothing at random: no seed to set.
  config: z.object({ ...targetField }),
  needs: { behaviors: 'required' },
  outputs: ['items'],
  rule: true,
  // Every behaviour, the target last: the rule reads all of them.
  behaviors: (config, train) => funnelBehaviors('weaker-behavior', { target: config.target }, train, 1),
  fit: (data, _config, context) => ({
    model: WeakerBehaviorRule.fit(data.train, { target: context.shape.behaviors[context.shape.behaviors.length - 1] }),
  }),
  save: (rule) => ({
    tensors: {
      popularityOrder: { dtype: 'i32', shape: [rule.numItems], data: rule.popularityOrder.slice() },
      'seenWeaker.indptr': { dtype: 'i32', shape: [rule.numUsers + 1], data: rule.seenWeaker.indptr.slice() },
      'seenWeaker.indices': { dtype: 'i32', shape: [rule.seenWeaker.nnz], data: rule.seenWeaker.indices.slice() },
    },
  }),
  load: (state, _config, shape) => {
    const get = (name: string) => {
      const t = state.tensors[name];
      if (!t || t.dtype !== 'i32') throw new Error(`parameter '${name}' of weaker-behavior must be an i32 tensor, found ${t ? t.dtype : 'none'}`);
      return t.data as Int32Array;
    };
    const seenWeaker = new UserItemCSR({ numUsers: shape.numUsers, numItems: shape.numItems, indptr: get('seenWeaker.indptr'), indices: get('seenWeaker.indices') });
    return WeakerBehaviorRule.fromState(shape.behaviors[shape.behaviors.length - 1], get('popularityOrder'), seenWeaker);
  },
});
