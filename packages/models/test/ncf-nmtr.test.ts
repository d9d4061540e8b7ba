import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backward, noGrad, RowSparse, tensor, tidy } from '@rec/core';
import { createInteractions, type Interactions } from '@rec/data';
import { describe, expect, it } from 'vitest';
import {
  behaviorLog, CMF, InteractionUnit, NCF, NMTR, parseModelConfig, PointwiseObjective, towerSizes, Trainer, trainModel,
} from '../src/index.js';
import { fileCheckpoints } from '../src/node.js';

/** A small random multi-behaviour log: views ⊇ carts ⊇ buys mostly, as in a funnel. */
function funnelLog(numUsers = 30, numItems = 40, seed = 1): Interactions {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const users: number[] = [];
  const items: number[] = [];
  const behaviors: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    for (let i = 0; i < numItems; i++) {
      const x = rand();
      if (x < 0.25) { users.push(u); items.push(i); behaviors.push(0); }
      if (x < 0.1) { users.push(u); items.push(i); behaviors.push(1); }
      if (x < 0.05 || (i === u % numItems)) { users.push(u); items.push(i); behaviors.push(2); }
    }
  }
  return createInteractions({
    users: Int32Array.from(users), items: Int32Array.from(items), behaviors: Uint8Array.from(behaviors),
    behaviorNames: ['view', 'cart', 'buy'], numUsers, numItems,
  });
}

describe('InteractionUnit', () => {
  it('halves the tower from 2E (NCF) and rejects a bad layer count', () => {
    expect(towerSizes(64, 3)).toEqual([128, 64, 32, 16]);
    expect(() => towerSizes(64, 6)).toThrow(/layers must be an integer in 1..5/);
  });

  for (const kind of ['gmf', 'mlp', 'neumf'] as const) {
    it(`${kind}: scoreAll (split first layer, broadcast) equals forward on every (user, item) pair`, () => {
      const unit = new InteractionUnit({ kind, dim: 8, layers: 2 }, { seed: 3 });
      const p = tensor(Float32Array.from({ length: 3 * 8 }, (_, k) => Math.sin(k)), [3, 8]);
      const q = tensor(Float32Array.from({ length: 5 * 8 }, (_, k) => Math.cos(k * 0.7)), [5, 8]);
      const all = noGrad(() => unit.scoreAll(p, q).readSync());
      const pRows = new Int32Array(15);
      const qRows = new Int32Array(15);
      for (let u = 0; u < 3; u++) for (let i = 0; i < 5; i++) { pRows[u * 5 + i] = u; qRows[u * 5 + i] = i; }
      const pairs = noGrad(() => {
        const rowsOf = (t: typeof p, ids: Int32Array) => tensor(Float32Array.from([...ids].flatMap((r) => [...t.readSync().subarray(r * 8, r * 8 + 8)])), [ids.length, 8]);
        const pp = rowsOf(p, pRows);
        const qq = rowsOf(q, qRows);
        return unit.forward(pp, qq).readSync();
      });
      for (let k = 0; k < 15; k++) expect(all[k]).toBeCloseTo(pairs[k], 5);
    });
  }
});

describe('NMTR', () => {
  it('cascades eq. 9: a row of behaviour r gets Σ_{k≤r} f^k + b^k, the same as scoring behaviour r over all items', async () => {
    const model = new NMTR({ numUsers: 4, numItems: 6, behaviors: ['view', 'cart', 'buy'], unit: 'neumf', dim: 8, layers: 2, seed: 2 });
    // Make the biases non-zero so they count.
    model.itemBias.forEach((b, r) => b.weight.assign(Float32Array.from({ length: 6 }, (_, i) => 0.1 * (r + 1) * (i - 2))));
    const users = Int32Array.of(0, 1, 2, 1, 3, 0);
    const items = Int32Array.of(5, 0, 3, 2, 1, 4);
    const behavior = [0, 0, 1, 1, 2, 2];
    const logits = noGrad(() => model.logits({ users: tensor(users), items: tensor(items), starts: [0, 2, 4, 6] }).readSync());
    for (let k = 0; k < 6; k++) {
      const row = await model.scoreBehavior(Int32Array.of(users[k]), behavior[k]);
      expect(logits[k]).toBeCloseTo(row[items[k]], 5);
    }
    // The target scores are out^R.
    expect([...(await model.scoreUsers(Int32Array.of(3)))].map((x) => x.toFixed(5))).toEqual([...(await model.scoreBehavior(Int32Array.of(3), 2))].map((x) => x.toFixed(5)));
  });

  it('a view row trains only unit 1; a purchase row reaches every unit, and embeddings get row-sparse gradients', () => {
    const model = new NMTR({ numUsers: 4, numItems: 6, behaviors: ['view', 'cart', 'buy'], unit: 'gmf', dim: 4, seed: 1 });
    const viewOnly = model.logits({ users: tensor(Int32Array.of(1)), items: tensor(Int32Array.of(2)), starts: [0, 1, 1, 1] });
    backward(viewOnly);
    expect(model.units[0].h.weight.grad).toBeDefined();
    expect(model.units[1].h.weight.grad ?? undefined).toBeUndefined();
    expect(model.users.weight.grad).toBeInstanceOf(RowSparse);
    model.zeroGrad();
    backward(model.logits({ users: tensor(Int32Array.of(1)), items: tensor(Int32Array.of(2)), starts: [0, 0, 0, 1] }));
    for (const unit of model.units) expect(unit.h.weight.grad).toBeDefined();
  });
});

describe('CMF', () => {
  it('scores behaviour r with ⟨p_u, q^r_i⟩ and ranks by the target table', async () => {
    const model = new CMF({ numUsers: 3, numItems: 4, behaviors: ['cart', 'buy'], dim: 3, seed: 5 });
    const p = model.users.weight.readSync();
    const q1 = model.items[1].weight.readSync();
    const q0 = model.items[0].weight.readSync();
    const dot = (a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number) => a[ao] * b[bo] + a[ao + 1] * b[bo + 1] + a[ao + 2] * b[bo + 2];
    const logits = noGrad(() => model.logits({ users: tensor(Int32Array.of(2, 0)), items: tensor(Int32Array.of(1, 3)), starts: [0, 1, 2] }).readSync());
    expect(logits[0]).toBeCloseTo(dot(p, 6, q0, 3), 6);
    expect(logits[1]).toBeCloseTo(dot(p, 0, q1, 9), 6);
    expect((await model.scoreUsers(Int32Array.of(0)))[3]).toBeCloseTo(dot(p, 0, q1, 9), 6);
  });
});

describe('behaviorLog and the NMTR batches (§III-D)', () => {
  const train = funnelLog();

  it('keeps every observed pair once with its behaviour bits', () => {
    const log = behaviorLog(train, ['view', 'cart', 'buy']);
    const expected = new Map<string, number>();
    for (let r = 0; r < train.length; r++) {
      const key = `${train.users[r]},${train.items[r]}`;
      expected.set(key, (expected.get(key) ?? 0) | (1 << train.behaviors![r]));
    }
    expect(log.pairs.users.length).toBe(expected.size);
    for (let k = 0; k < log.pairs.users.length; k++) expect(log.pairs.mask[k]).toBe(expected.get(`${log.pairs.users[k]},${log.pairs.items[k]}`));
    expect(() => behaviorLog(train, ['view', 'click'])).toThrow(/unknown behaviour 'click'/);
  });

  it('gives a positive and 4 negatives per observed behaviour of a pair, each negative outside that behaviour', async () => {
    const log = behaviorLog(train, ['view', 'cart', 'buy']);
    const model = new NMTR({ numUsers: train.numUsers, numItems: train.numItems, behaviors: log.behaviors, unit: 'gmf', dim: 4 });
    const objective = new PointwiseObjective(model, log, { batchSize: 64, seed: 3 });
    const ids = Int32Array.from({ length: 64 }, (_, k) => k);
    const rows = await objective.rows(0, 0, ids);
    let expectedRows = 0;
    for (const id of ids) for (let r = 0; r < 3; r++) if (log.pairs.mask[id] & (1 << r)) expectedRows += 5;
    expect(rows.users.length).toBe(expectedRows);
    const has = new Set<string>();
    for (let r = 0; r < train.length; r++) has.add(`${train.behaviors![r]}:${train.users[r]},${train.items[r]}`);
    for (let b = 0; b < 3; b++) {
      for (let k = rows.starts[b]; k < rows.starts[b + 1]; k++) {
        const observed = has.has(`${b}:${rows.users[k]},${rows.items[k]}`);
        expect(observed).toBe(rows.labels[k] === 1);
      }
    }
    expect(() => new PointwiseObjective(model, log, { weights: [0.5, 0.5, 0.5] })).toThrow(/sum to 1/);
  });
});

describe('Trainer', () => {
  const train = funnelLog(20, 30, 4);

  it('lowers the NMTR loss, and a run resumed from its checkpoint ends where an uninterrupted one does', async () => {
    const config = parseModelConfig({ model: 'nmtr-mlp', dim: 8, layers: 2, epochs: 4, learningRate: 0.05, batchSize: 32, seed: 9 });
    const full = await trainModel(config, { train });
    const losses = full.history!.epochs.map((e) => e.loss);
    expect(losses[3]).toBeLessThan(losses[0]);
    const dir = mkdtempSync(join(tmpdir(), 'rec-trainer-'));
    try {
      await trainModel({ ...config, epochs: 2 }, { train }, { checkpoints: fileCheckpoints(dir) });
      const resumed = await trainModel(config, { train }, { checkpoints: fileCheckpoints(dir) });
      expect(resumed.history!.resumedFrom).toBe(2);
      expect(resumed.history!.epochs.map((e) => e.loss)).toEqual(losses);
      expect(resumed.model.scoreUsers!(Int32Array.of(3))).toEqual(full.model.scoreUsers!(Int32Array.of(3)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a checkpoint whose state was edited, or that has more epochs done than asked for', async () => {
    const config = parseModelConfig({ model: 'gmf', dim: 4, epochs: 2, batchSize: 32, seed: 9 });
    const dir = mkdtempSync(join(tmpdir(), 'rec-trainer-bad-'));
    try {
      await trainModel(config, { train }, { checkpoints: fileCheckpoints(dir) });
      const file = join(dir, 'checkpoint', 'config.json');
      await expect(trainModel({ ...config, epochs: 1 }, { train }, { checkpoints: fileCheckpoints(dir) })).rejects.toThrow(
        /the checkpoint in .*checkpoint has 2 epochs done, more than the 1 asked for; ask for at least 2 epochs or start fresh/,
      );
      const state = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, JSON.stringify({ ...state, nextEpoch: 1000 }));
      await expect(trainModel({ ...config, epochs: 2000 }, { train }, { checkpoints: fileCheckpoints(dir) })).rejects.toThrow(
        /is not valid \(it records 2 epochs but nextEpoch is 1000\); use a fresh checkpoint folder/,
      );
      writeFileSync(file, JSON.stringify({ ...state, nextEpoch: 'two' }));
      await expect(trainModel(config, { train }, { checkpoints: fileCheckpoints(dir) })).rejects.toThrow(/nextEpoch "two" is not a positive integer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adamBeta2 reaches Adam (another β₂, another model) and is refused with another optimizer', async () => {
    const config = parseModelConfig({ model: 'gmf', dim: 4, epochs: 2, batchSize: 32, seed: 9, optimizer: 'adam', learningRate: 0.01 });
    const scores = async (extra: Record<string, unknown>) => (await trainModel({ ...config, ...extra }, { train })).model.scoreUsers!(Int32Array.of(3));
    const base = await scores({});
    expect(await scores({ adamBeta2: 0.999 })).toEqual(base);
    expect(await scores({ adamBeta2: 0.98 })).not.toEqual(base);
    expect(() => parseModelConfig({ model: 'gmf', adamBeta2: 1 })).toThrow(/^config: adamBeta2: Too big: expected number to be <1$/);
    await expect(trainModel(parseModelConfig({ model: 'gmf', dim: 4, epochs: 1, adamBeta2: 0.98 }), { train })).rejects.toThrow(/^Trainer: adamBeta2 is Adam's, but the optimizer is 'adagrad'$/);
  });

  it('stops early on a validation score that stops improving and restores the best epoch', async () => {
    const model = new NCF({ numUsers: 20, numItems: 30, unit: 'gmf', dim: 4 });
    const objective = new PointwiseObjective(model, behaviorLog(train, ['buy']), { batchSize: 16 });
    const scores = [0.1, 0.3, 0.2, 0.2, 0.2, 0.9];
    let calls = 0;
    let bestParams: Float32Array | undefined;
    const history = await new Trainer(model, objective, {
      epochs: 6,
      validation: {
        name: 'fake', patience: 2, evaluate: () => {
          if (calls === 1) bestParams = (model.items.weight.readSync() as Float32Array).slice();
          return scores[calls++];
        },
      },
    }).fit();
    expect(history.stoppedEarly).toBe(true);
    expect(history.epochs.length).toBe(4);
    expect(history.bestEpoch).toBe(1);
    expect(model.items.weight.readSync()).toEqual(bestParams);
  });

  it('rejects bad options with the field named', () => {
    const model = new NCF({ numUsers: 2, numItems: 3, unit: 'gmf', dim: 2 });
    const objective = new PointwiseObjective(model, behaviorLog(train, ['buy']));
    expect(() => new Trainer(model, objective, { epochs: 0 })).toThrow(/epochs must be a positive integer/);
    expect(() => new Trainer(model, objective, { optimizer: 'rmsprop' as never })).toThrow(/one of adagrad, adam, adamw, sgd/);
    expect(() => tidy(() => parseModelConfig({ model: 'nmtr' }))).toThrow(/model: expected one of most-popular/);
    expect(() => parseModelConfig({ model: 'gmf', lr: 0.1 })).toThrow(/unknown field 'lr'; the fields are model, dim/);
    expect(() => parseModelConfig({ model: 'gmf', optimizer: 'sgdm' })).toThrow(/optimizer: expected one of adagrad, adam, adamw, sgd/);
  });
});
