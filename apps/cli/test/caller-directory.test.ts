/**
 * Relative paths resolve from where the person ran `pnpm rec`, not from apps/cli where
 * pnpm runs the script (issue 11: the README's `REC_DATA_DIR=../shared/datasets` quietly
 * found nothing). Runs the real entry in a child process, as pnpm would start it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('..', import.meta.url));
const examples = fileURLToPath(new URL('../../../examples/shop/', import.meta.url));

describe('a command run through a package script', () => {
  it('reads --data relative to the folder it was typed in (INIT_CWD)', { timeout: 60_000 }, () => {
    const mine = mkdtempSync(join(tmpdir(), 'rec-caller-'));
    for (const f of ['shop.yaml', 'events.csv', 'products.csv']) copyFileSync(join(examples, f), join(mine, f));
    const out = execFileSync(process.execPath, ['--conditions=@rec/source', '--import', 'tsx', 'src/rec.ts', 'data', 'describe', 'shop.yaml'], {
      cwd: cli, env: { ...process.env, INIT_CWD: mine, npm_lifecycle_event: 'rec' }, encoding: 'utf8',
    });
    expect(out).toMatch(/behaviours: +view → cart → buy/);
  });
});
