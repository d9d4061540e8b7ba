/**
 * The README's examples run: every ```ts block after a `<!-- runnable -->`
 * marker is executed from sources and must exit cleanly, and every ```sh block after a
 * `<!-- runnable-sh -->` marker is run as written, line by line, from the repository
 * root, as a person would paste it (issue 11: the README's commands, checked).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/<!-- runnable -->\s*```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const scratch = join(import.meta.dirname, '..', '.readme-examples');
const shellExamples = [...readme.matchAll(/<!-- runnable-sh -->\s*```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
/** What the shell examples write under the repository root (`runs/` is ignored by git). */
const shellOutputs = [join(root, 'runs', 'shop'), join(root, 'runs', 'reproduce', 'nmtr-shop')];

describe('README examples', () => {
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    for (const path of shellOutputs) rmSync(path, { recursive: true, force: true });
  });

  it.each(shellExamples.map((code, i) => [i, code] as const))('shell example %i runs as written from the repository root', { timeout: 600_000 }, (_i, code) => {
    for (const path of shellOutputs) rmSync(path, { recursive: true, force: true });
    // -e: the first failing line fails the example; output is shown on failure.
    const out = execFileSync('bash', ['-e', '-c', code], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REC_BACKEND: 'js' } });
    // `# prints: text` lines state what the output must contain.
    for (const [, expected] of code.matchAll(/^# prints: (.*)$/gm)) expect(out).toContain(expected);
  });

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
