/**
 * A dataset that cannot be read is said to be incomplete, never read short (issue 11: a
 * truncated u.data.gz loaded as 24,381 interactions with exit 0): `rec data list` names
 * what is wrong, `rec data stats` and `rec train` fail with that one line.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDataset } from '@rec/data/testing';
import { describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO } from './funnel-dataset.js';

async function rec(args: string[]) {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('an incomplete dataset', () => {
  it('a truncated u.data.gz: listed as incomplete, stats and train fail in one line naming the file', { timeout: 120_000 }, async (ctx) => {
    const source = requireDataset(ctx, 'ml-100k');
    const root = mkdtempSync(join(tmpdir(), 'rec-incomplete-'));
    const copy = join(root, 'ml-100k');
    mkdirSync(copy);
    for (const f of readdirSync(source)) copyFileSync(join(source, f), join(copy, f));
    const data = readFileSync(join(source, 'u.data.gz'));
    writeFileSync(join(copy, 'u.data.gz'), data.subarray(0, 200_000));
    const cache = join(root, 'cache');
    process.env.REC_CACHE_DIR = cache;
    try {
      const list = await rec(['data', 'list', '--dir', root]);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/\| ml-100k +\| incomplete/);
      expect(list.stdout).toMatch(/ml-100k: incomplete: .*u\.data\.gz does not match ml-100k\/MANIFEST\.md: expected \d+ bytes, found 200000 bytes/);
      const stats = await rec(['data', 'stats', 'ml-100k', '--dir', root]);
      expect(stats.code).toBe(1);
      expect(stats.stdout).toBe('');
      expect(stats.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stats.stderr).toMatch(/u\.data\.gz/);
    } finally {
      delete process.env.REC_CACHE_DIR;
    }
  });
});
