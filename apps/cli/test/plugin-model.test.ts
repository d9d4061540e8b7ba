/**
 * A model is a plug-in: a toy model registered in this file, and nowhere else, trains,
 * saves, loads, evaluates and recommends through the CLI's code paths, and `rec models`
 * lists it. docs/adding-a-model.md walks through the same model.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Embedding, Module, noGrad, sum, tensor, tidy, type Tensor } from '@rec/core';
import {
  behaviorLog, type BehaviorRows, defineModel, PointwiseObjective, rankingValidationFields, targetField, trainingFields,
} from '@rec/models';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO, FUNNEL_NAME, funnelDataset } from './funnel-dataset.js';

/** An item-bias model: ŷ_ui = σ(b_i), the same ranking for everyone, learned by the log loss. */
class ItemBias extends Module {
  readonly bias: Embedding;
  readonly numBehaviors = 1;

  constructor(readonly numItems: number, seed: number) {
    super();
    this.bias = new Embedding(numItems, 1, { seed, stream: 0, std: 0.01 });
  }

  logits(rows: BehaviorRows): Tensor {
    return sum(this.bias.forward(rows.items), 1);
  }

  scoreUsers(users: Int32Array): Float32Array {
    const b = tidy(() => noGrad(() => this.bias.weight.readSync() as Float32Array).slice());
    const out = new Float32Array(users.length * this.numItems);
    for (let r = 0; r < users.length; r++) out.set(b, r * this.numItems);
    return out;
  }
}

defineModel({
  name: 'toy-item-bias',
  title: 'Toy item bias',
  paper: { cite: 'docs/adding-a-model.md', section: 'step 1' },
  summary: 'one learned bias per item',
  config: z.object({ ...trainingFields, ...targetField, ...rankingValidationFields, negatives: z.number().int().min(1).default(2) }),
  outputs: ['items'],
  create: (config, shape) => new ItemBias(shape.numItems, config.seed),
  fit: async (data, config, context) => {
    const model = new ItemBias(context.shape.numItems, config.seed);
    const objective = new PointwiseObjective(model, behaviorLog(data.train, context.shape.behaviors), { negatives: config.negatives, seed: config.seed });
    return { model, history: await context.train(model, objective) };
  },
});

const dataset = funnelDataset();

async function rec(args: string[]) {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io, { readDataset: async () => dataset });
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('a model registered in a test file', () => {
  it('trains, saves, loads, evaluates and recommends through the CLI, and rec models lists it', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rec-plugin-')), 'toy');
    const train = await rec(['train', 'toy-item-bias', '--data', FUNNEL_NAME, '--epochs', '3', '--out', out, '--backend', 'js', '--set', 'learningRate=0.1']);
    expect(train.stderr).not.toMatch(/^rec:/m);
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/toy-item-bias on synthetic\/funnel: 3 epochs/);

    const evaluated = await rec(['eval', out, '--json', '--backend', 'js', '-k', '10']);
    expect(evaluated.code).toBe(0);
    const result = JSON.parse(evaluated.stdout);
    expect(result).toMatchObject({ model: 'toy-item-bias', dataset: FUNNEL_NAME, split: 'default' });
    expect(result.metrics['HR@10']).toBeGreaterThan(0);

    const recommended = await rec(['recommend', out, '--user', '1000', '-k', '3', '--json', '--backend', 'js']);
    expect(recommended.code).toBe(0);
    const top = JSON.parse(recommended.stdout);
    expect(top.recommendations.map((r: { rank: number }) => r.rank)).toEqual([1, 2, 3]);
    expect(dataset.itemIds.has(top.recommendations[0].id)).toBe(true);

    const models = await rec(['models', '--json']);
    const toy = JSON.parse(models.stdout).find((m: { name: string }) => m.name === 'toy-item-bias');
    expect(toy).toMatchObject({ title: 'Toy item bias', outputs: ['items'], paper: { section: 'step 1' } });
    expect(JSON.parse(models.stdout).map((m: { name: string }) => m.name)).toContain('nmtr-gmf');
  });

  it('a dataset lacking a required input is refused in one line naming it', async () => {
    const single = { ...dataset, interactions: { ...dataset.interactions, behaviors: undefined, behaviorNames: undefined } };
    const { train, test } = dataset.splits.default;
    const strip = <T extends object>(log: T) => ({ ...log, behaviors: undefined, behaviorNames: undefined });
    const data = { ...single, splits: { default: { ...dataset.splits.default, train: strip(train), test: strip(test) } } };
    const { io, stderr } = collectingIO();
    const code = await runRec(['train', 'nmtr-gmf', '--data', FUNNEL_NAME, '--backend', 'js'], io, { readDataset: async () => data as never });
    expect(code).toBe(1);
    expect(stderr()).toBe('rec: nmtr-gmf needs several behaviour types, which synthetic/funnel lacks\n');
  });
});
