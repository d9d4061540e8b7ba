/**
 * Stopping a run (`TrainerOptions.signal`, `FitHooks.signal`): a stop drops the
 * unfinished epoch and leaves the model at its best validated epoch, else its last
 * finished one — the very parameters of an uninterrupted run of that many epochs — or
 * rejects with an `AbortError` when no epoch had finished.
 */
import type { Module } from '@rec/core';
import { generateSyntheticInteractions } from '@rec/data';
import { describe, expect, it } from 'vitest';
import { behaviorLog, BPRMF, FusedBPRObjective, parseModelConfig, Trainer, type TrainedModel, trainModel } from '../src/index.js';

/** 200 users × 120 items, 15 rows each: 3,000 rows, 12 batches of 256 per epoch. */
const { interactions: log } = generateSyntheticInteractions({ numUsers: 200, numItems: 120, numClusters: 6, interactionsPerUser: 15, seed: 3 });
const config = (epochs: number) => parseModelConfig({ model: 'bpr', dim: 8, epochs, learningRate: 0.05, batchSize: 256, seed: 5 });

const bprModel = () => new BPRMF({ numUsers: log.numUsers, numItems: log.numItems, dim: 8, seed: 5, initStd: 0.01 });
const objectiveOf = (model: BPRMF) =>
  new FusedBPRObjective(model, behaviorLog(log, ['all']), { batchSize: 256, seed: 5, sampler: { kind: 'uniform' }, learningRate: 0.05, l2: 0 });

async function parameters(model: unknown): Promise<Float32Array[]> {
  return Promise.all((model as Module).parameters().map(async (p) => Float32Array.from((await p.read()) as Float32Array)));
}

async function trainedFor(epochs: number): Promise<TrainedModel> {
  return trainModel(config(epochs), { train: log });
}

describe('stopping training with an AbortSignal', () => {
  it('a stop between epochs ends with the last finished epoch, as an uninterrupted run of that length', async () => {
    const controller = new AbortController();
    const trained = await trainModel(config(10), { train: log }, {
      signal: controller.signal,
      onEpoch: (r) => r.epoch === 1 && controller.abort(),
    });
    const history = trained.history!;
    expect(history.stopped).toBe(true);
    expect(history.stoppedEarly).toBe(false);
    expect(history.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(history.bestEpoch).toBe(1);
    expect(await parameters(trained.model)).toEqual(await parameters((await trainedFor(2)).model));
  });

  it('a stop in the middle of an epoch drops that epoch\'s updates', async () => {
    const model = bprModel();
    const stop = new AbortController();
    const seen: string[] = [];
    const history = await new Trainer(model, objectiveOf(model), {
      epochs: 10, reportEvery: 1, signal: stop.signal,
      onBatch: (p) => {
        seen.push(`${p.epoch}:${p.batch}`);
        if (p.epoch === 2 && p.batch === 5) stop.abort();
      },
    }).fit();
    expect(history.stopped).toBe(true);
    expect(history.epochs).toHaveLength(2);
    expect(history.bestEpoch).toBe(1);
    expect(seen.at(-1)).toBe('2:5'); // batch 6 of epoch 3 never ran
    const reference = bprModel();
    await new Trainer(reference, objectiveOf(reference), { epochs: 2 }).fit();
    expect(await parameters(model)).toEqual(await parameters(reference));
    // …and the stopped epoch's updates did change the parameters before they were rolled back.
    const three = bprModel();
    await new Trainer(three, objectiveOf(three), { epochs: 3 }).fit();
    expect(await parameters(model)).not.toEqual(await parameters(three));
  });

  it('with a validation, a stop ends at the best validated epoch', async () => {
    const scores = [0.2, 0.7, 0.4, 0.3];
    const model = bprModel();
    const stop = new AbortController();
    let calls = 0;
    const history = await new Trainer(model, objectiveOf(model), {
      epochs: 10, reportEvery: 1, signal: stop.signal,
      validation: { name: 'fixed', patience: 10, evaluate: () => scores[calls++]! },
      onBatch: (p) => p.epoch === 3 && p.batch === 2 && stop.abort(),
    }).fit();
    expect(history.stopped).toBe(true);
    expect(history.epochs.map((e) => e.validation)).toEqual([0.2, 0.7, 0.4]);
    expect(history.bestEpoch).toBe(1);
    expect(history.bestValidation).toBe(0.7);
    const reference = bprModel();
    await new Trainer(reference, objectiveOf(reference), { epochs: 2 }).fit();
    expect(await parameters(model)).toEqual(await parameters(reference));
  });

  it('a stop before any epoch finished rejects with an AbortError that says nothing was trained', async () => {
    const model = bprModel();
    const controller = new AbortController();
    const run = new Trainer(model, objectiveOf(model), { epochs: 5, reportEvery: 1, signal: controller.signal, onBatch: (p) => p.batch === 3 && controller.abort() }).fit();
    await expect(run).rejects.toMatchObject({ name: 'AbortError', message: 'Trainer: stopped at epoch 1, batch 4 of 12, before any epoch finished: nothing was trained' });
    // Through the registry: a signal aborted before the fit starts.
    const already = new AbortController();
    already.abort();
    await expect(trainModel(config(5), { train: log }, { signal: already.signal })).rejects.toThrow(/stopped at epoch 1, batch 1 of 12/);
  });

  it('an abort from another task (a timer, a worker message) lands while a synchronous backend trains', async () => {
    const controller = new AbortController();
    const epochsDone: number[] = [];
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    const trained = await trainModel(config(10_000), { train: log }, { signal: controller.signal, onEpoch: (r) => epochsDone.push(r.epoch) });
    const seconds = (performance.now() - started) / 1000;
    expect(trained.history!.stopped).toBe(true);
    expect(epochsDone.length).toBeGreaterThan(0);
    expect(epochsDone.length).toBeLessThan(10_000);
    // The stop waits for at most STOP_POLL_MS (100 ms) and one batch after the timer.
    expect(seconds).toBeLessThan(5);
    expect(trained.history!.bestEpoch).toBe(epochsDone.at(-1));
  });

  it('without a signal the history has no stopped field and nothing changes', async () => {
    const trained = await trainedFor(2);
    expect(trained.history!.stopped).toBeUndefined();
    expect(trained.history!.epochs).toHaveLength(2);
  });
});
