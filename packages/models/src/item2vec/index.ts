/**
 * `item2vec`: Item2Vec (Barkan & Koenigstein, "Item2Vec: Neural Item Embedding for
 * Collaborative Filtering", MLSP 2016, §3), one of MRLR's representation-learning
 * baselines (MRLR §4.1 method 4, Table 2).
 *
 * Skip-gram with negative sampling over item sets: a user's distinct training items are
 * one "sentence" whose window is the whole set (the paper ignores the order), so every
 * ordered pair (i, j), i ≠ j, is an example, maximising eq. 1
 *
 *   ln σ(v_i·v'_j) + Σ_{n=1..N} ln σ(−v_i·v'_n),   n ~ unigram^{3/4}
 *
 * by word2vec's SGD (fused `skipgram_step` kernel, α₀ decaying linearly). The examples,
 * their order, the negatives and the optional subsampling of frequent items are in
 * `../embedding/pairs.ts`; the model, its initialisation and how it ranks a user's items
 * — ⟨p_u, v'_k⟩ with p_u the mean input vector of the user's training items, i.e. the
 * SGNS logit averaged over I_u — in `../embedding/item-embeddings.ts`; the defaults and
 * their reasons in `../embedding/fit.ts`.
 *
 * Choices the paper leaves open: the item set is the target behaviour's distinct items
 * of the user (a repeated item is one set member); the model is not personalised beyond
 * the user's item set (Item2Vec has no user vector), as MRLR §2 describes it.
 */
import { z } from 'zod';
import { defineModel } from '../plugin/define.js';
import { createItemEmbeddings, fitSkipGram, skipGramFields } from '../embedding/fit.js';

export { ItemEmbeddings, type ItemEmbeddingsConfig, type ItemLists } from '../embedding/item-embeddings.js';
export { ItemPairSampler, META_TERMS, type ItemPairSamplerOptions, type MetaTerm, type SkipGramBatch, type SkipGramExamples, type SkipGramPairs } from '../embedding/pairs.js';
export { FusedSkipGramObjective, type FusedSkipGramOptions } from '../embedding/objective.js';

/** Item2Vec: SGNS over every ordered pair of a user's items; a user ranks items by the logit averaged over their items. */
export const item2vecModel = defineModel({
  name: 'item2vec',
  title: 'Item2Vec',
  family: 'Embedding',
  paper: { cite: 'Barkan & Koenigstein, Item2Vec: Neural Item Embedding for Collaborative Filtering, MLSP 2016 (MRLR §4.1 baseline)', section: '§3 (eq. 1, subsampling)' },
  summary: 'skip-gram with negative sampling over every pair of items a user shares; users ranked by ⟨mean of their item vectors, v\'_k⟩',
  config: z.object(skipGramFields),
  outputs: ['items'],
  create: (config, shape) => createItemEmbeddings('item2vec', config, shape, false),
  fit: (data, config, context) => fitSkipGram('item2vec', data, config, context),
});
