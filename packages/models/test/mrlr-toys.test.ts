/**
 * MRLR on a slice of Amazon Toys (the first 3,000 users, 5-core, re-indexed; fold 1
 * of 5; exact AUC over every non-interacted item), js backend, 8 epochs: its margin over
 * most-popular, and the findings of docs/reproductions/mrlr.md pinned so that a change
 * that moves them is noticed — with the paper's α1 = 0.8 MRLR trails Item2Vec (and, on
 * this small dense slice, BPR), and a smaller α1 does better.
 */
import { currentBackend, setBackend } from '@rec/core';
import { compactInteractions, type Interactions, ItemCategories, kCore, kFoldSplit, selectUsers, UserItemCSR } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateAUC } from '@rec/eval';
import { afterEach, describe, expect, it } from 'vitest';
import { parseModelConfig, trainModel, type TrainingData } from '../src/index.js';
import '../src/models.js';

describe('MRLR on an Amazon Toys slice (AUC, fold 1 of 5)', () => {
  const backend = currentBackend().name;
  afterEach(() => {
    setBackend(backend);
  });

  it('beats most-popular by ≥ 0.12 AUC; with the paper\'s α1 = 0.8 it trails BPR and Item2Vec, and α1 = 0 does better (the findings of docs/reproductions/mrlr.md)', { timeout: 600_000 }, async (ctx) => {
    requireDataset(ctx, 'amazon-s3rec/Toys_and_Games');
    setBackend('js');
    const full = await readDataset('amazon-s3rec/Toys_and_Games');
    const slice = kCore(selectUsers(full.interactions, Int32Array.from({ length: 3000 }, (_, u) => u)), 5);
    const { interactions: log, items } = compactInteractions(slice);
    const categories = ItemCategories.fromLists(Array.from(items.oldOf, (i) => full.itemCategories!.of(i)), full.itemCategories!.names);
    const [fold] = kFoldSplit(log, { k: 5, seed: 1 });
    const data: TrainingData = { train: fold!.train, itemCategories: categories };
    const auc = async (config: Record<string, unknown> & { model: string }, train: Interactions = fold!.train): Promise<number> => {
      const { model } = await trainModel(parseModelConfig(config), { ...data, train });
      const r = await evaluateAUC({
        numItems: log.numItems, testItems: UserItemCSR.fromInteractions(fold!.test), trainItems: UserItemCSR.fromInteractions(train),
        negatives: 'all-non-interacted', scoreUsers: (users) => model.scoreUsers!(users),
      });
      return r.metrics.AUC!;
    };
    const mrlr = await auc({ model: 'mrlr', seed: 1, epochs: 8, learningRate: 0.1, l2: 0.01 });
    const mrlrAlpha0 = await auc({ model: 'mrlr', seed: 1, epochs: 8, learningRate: 0.1, l2: 0.01, alpha1: 0 });
    const bpr = await auc({ model: 'bpr', seed: 1, dim: 10, epochs: 8, learningRate: 0.1, l2: 0.01 });
    const item2vec = await auc({ model: 'item2vec', seed: 1, epochs: 8, learningRate: 0.1 });
    const popular = await auc({ model: 'most-popular' });
    // Measured (js, this slice): MRLR 0.767, α1 = 0 0.775, BPR 0.781, Item2Vec 0.796, most-popular 0.592.
    expect(mrlr).toBeGreaterThan(popular + 0.12);
    expect(mrlrAlpha0).toBeGreaterThan(mrlr);
    expect(bpr).toBeGreaterThan(mrlr);
    expect(item2vec).toBeGreaterThan(mrlr + 0.01);
  });
});
