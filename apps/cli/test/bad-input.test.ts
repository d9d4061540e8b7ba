/**
 * Bad input a new user hit (issue 11), each one line naming the file, option or field:
 * an output path that is a file, a corrupt run record, a cut-off beyond the catalogue,
 * a model folder whose parameters are not finite, an explicit target on a log without
 * behaviour types.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '@rec/core';
import { describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO, FUNNEL_NAME, funnelDataset } from './funnel-dataset.js';

const dataset = funnelDataset();

async function rec(args: string[], data = dataset) {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io, { readDataset: async () => data });
  return { code, stdout: stdout(), stderr: stderr() };
}

/** One line on stderr, starting `rec: `, and exit code 1. */
function oneLine(run: { code: number; stderr: string }): string {
  expect(run.code).toBe(1);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^rec: /);
  return run.stderr.trimEnd();
}

const root = mkdtempSync(join(tmpdir(), 'rec-bad-input-'));
const tiny = ['--backend', 'js', '--quiet', '--set', 'dim=4', '--epochs', '1'];

describe('bad input is one line naming what and where', () => {
  it('--out that is a file', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(oneLine(await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--out', file, ...tiny]))).toBe(`rec: --out ${file}: cannot create the folder: it (or a folder above it) is a file`);
    expect(oneLine(await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--out', join(file, 'below'), ...tiny]))).toMatch(/cannot create the folder: it \(or a folder above it\) is a file$/);
  });

  it('a corrupt run.json beside a checkpoint', async () => {
    const out = join(root, 'corrupt');
    expect((await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--out', out, ...tiny])).code).toBe(0);
    writeFileSync(join(out, 'run.json'), '{"dataset": "synth');
    expect(oneLine(await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--out', out, ...tiny]))).toMatch(
      new RegExp(`^rec: ${join(out, 'run.json').replace(/[.]/g, '\\.')} \\(the configuration of the checkpoint beside it\\) is not valid JSON: .*; remove it or pass --fresh to start over$`),
    );
    expect((await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--out', out, '--fresh', ...tiny])).code).toBe(0);
  });

  it('a cut-off beyond the catalogue', async () => {
    const out = join(root, 'k');
    expect((await rec(['train', 'most-popular', '--data', FUNNEL_NAME, '--out', out, '--quiet'])).code).toBe(0);
    expect(oneLine(await rec(['eval', out, '-k', '1000000000']))).toBe('rec: -k: 1000000000 is more than the 30 items the model ranks');
  });

  it('a model folder whose parameters hold NaN', async () => {
    const out = join(root, 'nan');
    expect((await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--out', out, ...tiny])).code).toBe(0);
    const path = join(out, 'model.safetensors');
    const { tensors, metadata } = decodeSafetensors(readFileSync(path));
    const users = tensors['users.weight'];
    const poisoned = Float32Array.from(users.data);
    poisoned[3] = Number.NaN;
    writeFileSync(path, encodeSafetensors({ ...tensors, 'users.weight': { ...users, data: poisoned } }, metadata));
    expect(oneLine(await rec(['recommend', out, '--user', '1000']))).toBe(
      `rec: ${path}: parameter 'users.weight' holds NaN at position 3; a model with non-finite parameters cannot rank (was it saved from a diverged run?)`,
    );
  });

  it('an explicit target on a log without behaviour types, and an optimizer bpr does not run', async () => {
    const strip = <T extends object>(log: T) => ({ ...log, behaviors: undefined, behaviorNames: undefined });
    const { train, test } = dataset.splits.default;
    const plain = { ...dataset, interactions: strip(dataset.interactions), splits: { default: { ...dataset.splits.default, train: strip(train), test: strip(test) } } };
    expect(oneLine(await rec(['train', 'gmf', '--data', FUNNEL_NAME, '--set', 'target=foo', '--out', join(root, 't'), ...tiny], plain as never))).toBe(
      "rec: config: target: the data has no behaviour types (every row counts), so there is no target 'foo' to choose; leave target out",
    );
    expect(oneLine(await rec(['train', 'bpr', '--data', FUNNEL_NAME, '--set', 'optimizer=adam', ...tiny]))).toBe('rec: config (command line): optimizer: expected one of sgd');
  });
});
