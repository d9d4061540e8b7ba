/**
 * `meta-prod2vec`: Meta-Prod2Vec (Vasile, Smirnova & Conneau, "Meta-Prod2Vec: Product
 * Embeddings Using Side-Information for Recommendation", RecSys 2016, §3.2), MRLR's
 * baseline that "fuses item category based on Item2Vec" (MRLR §4.1 method 5, Table 2).
 *
 * Item2Vec's pairs (every ordered pair (i, j) of a user's distinct training items) with
 * the paper's loss
 *
 *   L = L_{J|I} + λ·(L_{M|I} + L_{J|M} + L_{M|M} + L_{I|M})
 *
 * where M is an item's metadata — here its categories (`itemCategories`, several per
 * item) — each L an SGNS loss over one vocabulary of items and categories (one input
 * and one output table over items ∪ categories, as the paper embeds products and
 * metadata in one space). Per pair (i, j), with m_i, m_j categories of i and j:
 * J|I: i → j, M|I: i → m_j, J|M: m_i → j, M|M: m_i → m_j, I|M: m_i → i. The λ-weighted
 * examples run as their own `skipgram_step` call with step λ·α (a term's weight in the
 * loss is its SGD step's scale). How m_i, m_j are drawn, and the negatives of each
 * kind, are in `../embedding/pairs.ts`; scoring is Item2Vec's (the mean input vector of
 * the user's items against the items' output vectors), `../embedding/item-embeddings.ts`.
 *
 * Choices: λ = 1 by default — the loss as written, the five conditionals weighed alike
 * (the paper tunes λ; MRLR does not report it), to be set on validation; the rest as
 * Item2Vec (`../embedding/fit.ts`).
 */
import { z } from 'zod';
import { createItemEmbeddings, fitSkipGram, skipGramFields } from '../embedding/fit.js';
import { defineModel } from '../plugin/define.js';

/** Meta-Prod2Vec: Item2Vec plus the λ-weighted item/category conditionals, one vocabulary of items and categories. */
export const metaProd2vecModel = defineModel({
  name: 'meta-prod2vec',
  aliases: ['mp2vec'],
  title: 'Meta-Prod2Vec',
  family: 'Embedding',
  paper: { cite: 'Vasile, Smirnova & Conneau, Meta-Prod2Vec: Product Embeddings Using Side-Information for Recommendation, RecSys 2016 (MRLR §4.1 baseline)', section: '§3.2 (L = L_J|I + λ(L_M|I + L_J|M + L_M|M + L_I|M))' },
  summary: 'Item2Vec whose items and categories share one vocabulary, with the λ-weighted item/category skip-gram terms',
  config: z.object({
    ...skipGramFields,
    /** λ, the weight of the side-information terms (their SGD step is λ·α). */
    lambda: z.number().min(0).max(100).default(1),
  }),
  needs: { categories: 'required' },
  outputs: ['items'],
  create: (config, shape) => createItemEmbeddings('meta-prod2vec', config, shape, true),
  fit: (data, config, context) => fitSkipGram('meta-prod2vec', data, config, context, config.lambda),
});
