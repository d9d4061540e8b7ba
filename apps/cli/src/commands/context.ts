/**
 * What the model commands (`rec train`, `rec eval`, `rec recommend`) share: where their
 * output goes, how they read datasets (injectable, so tests can hand them a generated
 * one), the backend choice, the published split and the purchase-only mask.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveBackend } from '@rec/core';
import { type Dataset, type Interactions, positivesByBehavior, selectInteractions, UserItemCSR } from '@rec/data';
import { registerFastBackends } from '@rec/kernels';
import type { RecIO } from '../rec.js';

/**
 * The world a command runs in: its output streams and its dataset reader.
 * @example
 * ```ts
 * const context: CommandContext = { io, readDataset: (name) => readDataset(name) };
 * ```
 */
export interface CommandContext {
  readonly io: RecIO;
  /** Reads a dataset by registry name (the CLI reads through the binary cache). */
  readDataset(name: string): Promise<Dataset>;
}

/**
 * Reads a JSON file the toolkit wrote, or an error naming it when it is not valid JSON
 * (a file a person edited, or one cut short by a crash before writes were atomic).
 * @param what - what the file is, for the message.
 */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} (${what}) is not valid JSON: ${(err as Error).message}; remove it or pass --fresh to start over`);
  }
}

/**
 * Makes sure an output folder exists and can be written, before any long work: a path
 * that is a file, a read-only place or a missing permission is one line naming it.
 * @param option - the option that named the folder (`--out`), for the message.
 */
export async function prepareOutputFolder(dir: string, option: string): Promise<void> {
  const why = (err: unknown): string => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') return 'it (or a folder above it) is a file';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EROFS') return 'the file system is read-only';
    if (code === 'ENOSPC') return 'the disk is full';
    return (err as Error).message;
  };
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new Error(`${option} ${dir}: cannot create the folder: ${why(err)}`);
  }
  const probe = join(dir, `.rec-write-probe-${process.pid}`);
  try {
    await writeFile(probe, '');
  } catch (err) {
    throw new Error(`${option} ${dir}: cannot write there: ${why(err)}`);
  } finally {
    await rm(probe, { force: true });
  }
}

/** Whether a `--data` value names a dataset file (YAML or JSON) rather than a registered dataset. */
export const isDatasetFile = (data: string): boolean => /\.(ya?ml|json)$/i.test(data);

/** A Markdown-style table, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}

/** A count with thousands separators: `12,345`. */
export const count = (n: number): string => n.toLocaleString('en-US');

let fastBackendsOffered = false;

/**
 * Activates the backend new tensors go to: `prefer` (js, native, webgpu), else
 * `REC_BACKEND`, else the fastest that loads; each backend skipped on the way is one
 * line on stderr unless `quiet`. Returns its name.
 * @throws Error when the backend asked for is unknown or cannot load here.
 */
export async function useBackend(io: RecIO, prefer: string | undefined, quiet = false): Promise<string> {
  if (!fastBackendsOffered) {
    registerFastBackends();
    fastBackendsOffered = true;
  }
  const backend = await resolveBackend({ prefer, log: (line) => (quiet ? undefined : io.err(`${line}\n`)) });
  return backend.name;
}

/**
 * The items a user must not be recommended or credited for: their training rows of the
 * target behaviour only. On multi-behaviour data most test purchases were viewed or
 * carted in training, so masking every training row would remove the answer.
 */
export function targetMask(train: Interactions, target: string): UserItemCSR {
  const positives = positivesByBehavior(train);
  const mask = positives[target];
  if (!mask) throw new Error(`the training split has no behaviour '${target}'; it has ${Object.keys(positives).join(', ')}`);
  return mask;
}

/** The test rows of the target behaviour (all rows when the log has no behaviour types). */
export function targetRows(test: Interactions, target: string): Interactions {
  if (!test.behaviors || !test.behaviorNames) return test;
  const t = test.behaviorNames.indexOf(target);
  if (t < 0) throw new Error(`the test split has no behaviour '${target}'; it has ${test.behaviorNames.join(', ')}`);
  const rows: number[] = [];
  for (let r = 0; r < test.length; r++) if (test.behaviors[r] === t) rows.push(r);
  return rows.length === test.length ? test : selectInteractions(test, Int32Array.from(rows));
}

/**
 * The items each user is not recommended again and not credited for: their training
 * rows of the target behaviour (every training row for a log without behaviour types).
 */
export function seenItems(train: Interactions, target: string): UserItemCSR {
  return train.behaviorNames ? targetMask(train, target) : UserItemCSR.fromInteractions(train);
}

/** A comma-separated list of positive integers (`50,80,100`), or an error naming the option. */
export function parseCutoffs(text: string, option: string): number[] {
  const ks = text.split(',').map((s) => s.trim());
  const bad = ks.find((s) => !/^\d+$/.test(s) || Number(s) < 1);
  if (ks.length === 0 || bad !== undefined) throw new Error(`${option}: expected positive integers separated by commas (e.g. 50,80,100,200), got '${text}'`);
  return [...new Set(ks.map(Number))].sort((a, b) => a - b);
}
