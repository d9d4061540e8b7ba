/**
 * The fuzz corpus of tools/fuzz (issue 11): at least 200 malformed inputs — data files,
 * dataset descriptors, configs, model folders, checkpoints, command lines — each run
 * through the real `rec` program. Every one must end with exit code 0, or with exit
 * code 1 and exactly one line on stderr that names the file, field or option, with no
 * stack trace, no `Invalid typed array length` and no raw errno without a path.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runRec } from '@rec/cli';
// @ts-expect-error plain ESM without types
import { buildCorpus } from '../fuzz/cases.mjs';

interface FuzzCase { id: string; args: string[]; names: string; ok: boolean }

const shop = fileURLToPath(new URL('../../examples/shop/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'rec-fuzz-'));

async function rec(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runRec(args, { out: (s) => void (stdout += s), err: (s) => void (stderr += s), errIsTTY: false });
  return { code, stdout, stderr };
}

/** Why a failing run's stderr is not the one clear line the corpus asks for, or undefined. */
function problem(c: FuzzCase, run: { code: number; stderr: string }): string | undefined {
  if (run.code === 0) return c.ok ? undefined : undefined; // a valid input that succeeded is fine
  const lines = run.stderr.trimEnd().split('\n');
  if (run.code !== 1) return `exit code ${run.code}`;
  if (lines.length !== 1) return `${lines.length} lines on stderr`;
  const [line] = lines;
  if (!/^(rec: |error: )/.test(line)) return 'not a rec error line';
  if (/\n\s+at |Invalid typed array length|^rec: E[A-Z]+:|\[object Object\]|undefined$/.test(line)) return 'raw error';
  if (!line.includes(c.names)) return `does not name '${c.names}'`;
  return undefined;
}

let cases: FuzzCase[] = [];

describe('the fuzz corpus', () => {
  beforeAll(async () => {
    const model = join(root, 'fixtures', 'model');
    const checkpointRun = join(root, 'fixtures', 'run');
    const shopFile = join(shop, 'shop.yaml');
    const trained = await rec(['train', 'bpr', '--data', shopFile, '--out', model, '--quiet', '--backend', 'js', '--set', 'dim=4', '--epochs', '1']);
    expect(trained.stderr).toBe('');
    const resumable = await rec(['train', 'gmf', '--data', shopFile, '--out', checkpointRun, '--quiet', '--backend', 'js', '--set', 'dim=4', '--epochs', '2']);
    expect(resumable.stderr).toBe('');
    cases = buildCorpus(join(root, 'corpus'), { shop, model, checkpointRun });
  }, 120_000);

  it('has at least 200 cases, and every one ends cleanly', { timeout: 900_000 }, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const failures: string[] = [];
    for (const c of cases) {
      const run = await rec(c.args);
      const why = problem(c, run);
      if (why) failures.push(`${c.id}: ${why}: ${JSON.stringify(run.stderr.slice(0, 400))}`);
    }
    expect(failures, `${failures.length} of ${cases.length} cases`).toEqual([]);
  });
});
