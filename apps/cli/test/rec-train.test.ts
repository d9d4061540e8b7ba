/**
 * `rec train`, driven in process through `runRec` with a collecting RecIO and a
 * generated multi-behaviour dataset (see funnel-dataset.ts), on the js backend.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrainedModel } from '@rec/models/node';
import { describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO, FUNNEL_NAME, funnelDataset, type RecRun } from './funnel-dataset.js';

const dataset = funnelDataset();

async function rec(args: string[]): Promise<RecRun> {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io, { readDataset: async () => dataset });
  return { code, stdout: stdout(), stderr: stderr() };
}

const tiny = ['--backend', 'js', '--set', 'dim=8', '--set', 'validationUsers=40'];
const scratch = (name: string): string => join(mkdtempSync(join(tmpdir(), `rec-train-${name}-`)), 'model');

describe('rec train', () => {
  it('trains, prints one line per epoch and a summary, saves the model with its history', async () => {
    const out = scratch('nmtr');
    const run = await rec(['train', 'nmtr-gmf', '--data', FUNNEL_NAME, '--epochs', '2', '--out', out, ...tiny]);
    expect(run.stderr).toMatch(/^(epoch 1\/2: \d+ % \(loss [\d.]+, rate [\d,]+ rows\/s\)\n)+/);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^split: synthetic\/funnel published split default/);
    lines.shift();
    expect(lines[0]).toMatch(/^nmtr-gmf on synthetic\/funnel \(backend js\): [\d,]+ training rows of view, cart, buy, validation on 60 held-out rows$/);
    expect(lines[1]).toMatch(/^epoch 1\/2: loss \d\.\d{4}, HR@100 \d\.\d{4} \(best\), \d+\.\d s$/);
    expect(lines[2]).toMatch(/^epoch 2\/2: loss \d\.\d{4}, HR@100 \d\.\d{4}( \(best\))?, \d+\.\d s$/);
    expect(lines[3]).toMatch(/^nmtr-gmf on synthetic\/funnel: 2 epochs in [\d.]+ s \(backend js\); best epoch [12], validation HR@100 \d\.\d{4}$/);
    expect(lines[4]).toBe(`saved ${out} (model.safetensors, seen.safetensors, ids.json, config.json); evaluate with: rec eval ${out}`);
    expect(existsSync(join(out, 'checkpoint', 'model.safetensors'))).toBe(true);
    const loaded = await loadTrainedModel(out);
    expect(loaded.data?.name).toBe(FUNNEL_NAME);
    expect(loaded.trained.config).toMatchObject({ model: 'nmtr-gmf', dim: 8, epochs: 2, validationUsers: 40 });
    expect(loaded.trained.history?.epochs).toHaveLength(2);
    expect(loaded.data?.description).toMatch(/minus one random 'buy' row per user \(60 rows, seed 0\)/);
  });

  it('--json prints one object; a re-run with more epochs resumes from the checkpoint', async () => {
    const out = scratch('resume');
    const first = await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--epochs', '1', '--out', out, '--json', '--quiet', ...tiny]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a).toMatchObject({ model: 'gmf', dataset: FUNNEL_NAME, backend: 'js', out, checkpoint: join(out, 'checkpoint'), behaviors: ['buy'] });
    expect(a.files).toEqual(['model.safetensors', 'seen.safetensors', 'ids.json', 'config.json'].map((f) => join(out, f)));
    expect(a.history.epochs).toHaveLength(1);
    expect(a.validation).toEqual({ metric: 'HR@100', heldOut: 60 });

    const second = await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--epochs', '3', '--out', out, '--json', '--quiet', '--set', 'patience=9', ...tiny]);
    expect(second.code).toBe(0);
    const b = JSON.parse(second.stdout);
    expect(b.history.resumedFrom).toBe(1);
    expect(b.history.epochs).toHaveLength(3);
    expect(b.history.epochs[0]).toEqual(a.history.epochs[0]);
  });

  it('refuses to resume a checkpoint of another configuration, and --fresh starts over', async () => {
    const out = scratch('mismatch');
    expect((await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--epochs', '1', '--out', out, '--quiet', ...tiny])).code).toBe(0);
    const refused = await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--epochs', '1', '--out', out, '--quiet', ...tiny, '--set', 'learningRate=0.05']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `rec: ${out} holds a checkpoint of another configuration (learningRate 0.01 there, 0.05 now); ` +
        'run with that configuration to resume it, pass --fresh to start over, or choose another --out\n',
    );
    const fresh = await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--epochs', '1', '--out', out, '--json', '--quiet', '--fresh', ...tiny, '--set', 'learningRate=0.05']);
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout).history.resumedFrom).toBe(0);
  });

  it('merges a YAML config file with the command line, the command line winning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-train-yaml-'));
    const file = join(dir, 'train.yaml');
    writeFileSync(file, 'model: gmf\ndim: 4\nlearningRate: 0.02\nepochs: 7\nvalidationUsers: 30\n');
    const out = join(dir, 'model');
    const run = await rec(['train', 'mc-gmf', '--data', FUNNEL_NAME, '--config', file, '--epochs', '1', '--set', 'viewedRate=0.25', '--out', out, '--backend', 'js', '--quiet', '--json']);
    expect(run.code).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).config;
    expect(config).toMatchObject({ model: 'mc-gmf', dim: 4, learningRate: 0.02, epochs: 1, validationUsers: 30, viewedRate: 0.25 });
  });

  it('reads JSON config files too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-train-json-'));
    const file = join(dir, 'train.json');
    writeFileSync(file, JSON.stringify({ dim: 4, optimizer: 'adam', epochs: 1, validationUsers: 30 }));
    const run = await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--config', file, '--out', join(dir, 'm'), '--backend', 'js', '--quiet', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).config).toMatchObject({ model: 'gmf', dim: 4, optimizer: 'adam' });
    // bpr's update is the fused SGD kernel: another optimizer is refused, not recorded and ignored.
    const bpr = await rec(['train', 'bpr', '--data', FUNNEL_NAME, '--config', file, '--out', join(dir, 'b'), '--backend', 'js', '--quiet']);
    expect(bpr.stderr).toMatch(/^rec: config \(.*train.json\): optimizer: expected one of sgd\n$/);
  });

  it('an invalid configuration is one line naming the field and what it allows, exit code 1', async () => {
    const badValue = await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--set', 'optimizer=adamax']);
    expect(badValue.code).toBe(1);
    expect(badValue.stdout).toBe('');
    expect(badValue.stderr).toBe('rec: config (command line): optimizer: expected one of adagrad, adam, adamw, sgd\n');

    const badModel = await rec(['train', 'nmtr', '--data', FUNNEL_NAME]);
    expect(badModel.code).toBe(1);
    expect(badModel.stderr).toMatch(/^rec: config: model: expected one of most-popular, weaker-behavior, bpr, .*seq-nmtr-neumf, .*mrlr, .*, got 'nmtr'\n$/);

    const dir = mkdtempSync(join(tmpdir(), 'rec-train-bad-'));
    writeFileSync(join(dir, 'bad.yaml'), 'dim: 8\nlearning_rate: 0.1\n');
    const badKey = await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--config', join(dir, 'bad.yaml')]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(badKey.stderr).toContain(`rec: config (${join(dir, 'bad.yaml')}): unknown field 'learning_rate'; the fields are model, dim,`);

    const badSet = await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--set', 'dim']);
    expect(badSet.stderr).toBe("rec: --set expects key=value (e.g. --set learningRate=0.05), got 'dim'\n");
  });

  it('a behaviour the data lacks is named, as a behaviour or as the target', async () => {
    const run = await rec(['train', 'nmtr-gmf', '--data', FUNNEL_NAME, '--backend', 'js', '--set', 'behaviors=[click, buy]', '--out', scratch('click')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("rec: config: behaviors: the data has no behaviour 'click'; it has view, cart, buy\n");
    const target = await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--backend', 'js', '--set', 'target=click', '--out', scratch('click')]);
    expect(target.stderr).toBe("rec: config: target: the data has no behaviour 'click'; it has view, cart, buy\n");
  });

  it('fits the rules on the whole training split, without a checkpoint', async () => {
    const out = scratch('rule');
    const run = await rec(['train', 'weaker-behavior', '--data', FUNNEL_NAME, '--out', out, '--backend', 'js']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^split: synthetic\/funnel published split default.*\nweaker-behavior on synthetic\/funnel: fitted in [\d.]+ s \(a rule: nothing to train\)/);
    expect(run.stdout).toContain(`saved ${out} (model.safetensors, seen.safetensors, ids.json, config.json)`);
    expect(existsSync(join(out, 'checkpoint'))).toBe(false);
  });

  it('seq-nmtr trains one phase per behaviour, lowest first', async () => {
    const run = await rec(['train', 'seq-nmtr-gmf', '--data', FUNNEL_NAME, '--epochs', '2', '--out', scratch('seq'), ...tiny]);
    expect(run.code).toBe(0);
    const epochLines = run.stdout.split('\n').filter((l) => / epoch \d/.test(l) && l.includes(': loss'));
    expect(epochLines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(['view epoch 1/1', 'cart epoch 1/1', 'buy epoch 1/2', 'buy epoch 2/2']);
  });
});
