/**
 * The README's examples run: every ```ts block after a `<!-- runnable -->`
 * marker is executed from sources and must exit cleanly.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/<!-- runnable -->\s*```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const scratch = join(import.meta.dirname, '..', '.readme-examples');

describe('README examples', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has runnable examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((code, i) => [i, code] as const))('example %i runs', (i, code) => {
    mkdirSync(scratch, { recursive: true });
    const file = join(scratch, `example-${i}.ts`);
    writeFileSync(file, code);
    const out = execFileSync(process.execPath, ['--conditions=@rec/source', '--import', 'tsx', file], {
      cwd: join(import.meta.dirname, '..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out.length).toBeGreaterThan(0);
  });
});
