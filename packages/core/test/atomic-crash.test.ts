/**
 * `writeFileAtomic` under SIGKILL: a child process writes generations of a
 * large file and is killed mid-write; the target must hold one complete
 * generation — never a prefix, never a mix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { generationContent } from './fixtures/atomic-generations.js';

const packageDir = join(import.meta.dirname, '..');
const writer = join(import.meta.dirname, 'fixtures', 'atomic-writer.ts');
/** Large enough that a write plus its fsync spans many milliseconds. */
const BYTES = 16 * 1024 * 1024;
const FILE = 'big.bin';

const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * A fresh folder, removed when `ctx`'s test finishes. The test's own context, not vitest's
 * global `onTestFinished`: the tests run concurrently, and the global one can attach to the
 * other test, whose end then removed this test's folder while it was still reading it (a
 * clean-clone CI run saw the stray temporary file gone).
 */
async function scratch(ctx: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rec-atomic-crash-'));
  ctx.onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Writer {
  /** Resolves when the child has printed `line`. */
  waitFor(line: string): Promise<void>;
  /** SIGKILLs the child and resolves once it is gone; returns the lines it printed. */
  kill(): Promise<string[]>;
}

/** Starts the writer child on `target`; see fixtures/atomic-writer.ts for `mode`. */
function startWriter(target: string, mode: 'loop' | 'hold'): Writer {
  const child = spawn(process.execPath, ['--conditions=@rec/source', '--import', 'tsx', writer, target, String(BYTES), mode], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  let stderr = '';
  let pending = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.line === line)) waiter.resolve();
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    waitFor: (line) =>
      new Promise<void>((resolve, reject) => {
        if (lines.includes(line)) return resolve();
        waiters.push({ line, resolve });
        void exited.then(() => reject(new Error(`writer exited before printing "${line}" (printed: ${lines.join(', ')}); stderr:\n${stderr}`)));
      }),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      expect(child.signalCode, `writer was not killed; stderr:\n${stderr}`).toBe('SIGKILL');
      return lines;
    },
  };
}

/** The generation the file holds, checked to be complete: exact length and every byte. */
async function generationOf(path: string): Promise<number> {
  const bytes = await readFile(path);
  expect(bytes.length, `${path} is ${bytes.length} bytes, a complete generation is ${BYTES}`).toBe(BYTES);
  const g = bytes.readUInt32LE(0);
  expect(bytes.equals(generationContent(g, BYTES)), `${path} is not a complete copy of generation ${g}`).toBe(true);
  return g;
}

const lastNumber = (lines: string[], word: string) =>
  Math.max(0, ...lines.filter((l) => l.startsWith(`${word} `)).map((l) => Number(l.slice(word.length + 1))));

// Concurrent: the time is mostly the children's start-up (tsx), which overlaps.
describe.concurrent('writeFileAtomic killed with SIGKILL', () => {
  it('leaves the old file intact when the kill lands after the temporary is complete but before the rename', async (ctx) => {
    const root = await scratch(ctx);
    const target = join(root, FILE);
    await writeFile(target, generationContent(0, BYTES));
    const child = startWriter(target, 'hold');
    await child.waitFor('renaming');
    await child.kill();

    expect(await generationOf(target)).toBe(0);
    // The killed writer could not clean up: its complete, flushed temporary is
    // the only other file, named so that it is recognizable as garbage.
    const stray = (await readdir(root)).filter((f) => f !== FILE);
    expect(stray).toEqual([expect.stringMatching(/^\.big\.bin\.\d+\.[0-9a-f]{12}\.tmp$/)]);
    expect(await generationOf(join(root, stray[0]!))).toBe(1);
  });

  it('leaves one complete generation, old or new, wherever a kill lands mid-write', async (ctx) => {
    // Kill points in a write: as it starts, and part-way through (a write plus
    // its fsync takes tens of ms); each in its own folder and child, side by side.
    const delays = [0, 15];
    await Promise.all(
      delays.map(async (delay) => {
        const dir = await scratch(ctx);
        const target = join(dir, FILE);
        await writeFile(target, generationContent(0, BYTES));
        const child = startWriter(target, 'loop');
        await child.waitFor('start 2'); // one generation complete, the next under way
        await new Promise((resolve) => setTimeout(resolve, delay));
        const lines = await child.kill();

        const g = await generationOf(target);
        const done = lastNumber(lines, 'done');
        const started = lastNumber(lines, 'start');
        expect(done, `kill after ${delay} ms`).toBeGreaterThanOrEqual(1);
        expect(g, `kill after ${delay} ms: generation ${g}, last done ${done}, last started ${started}`).toBeGreaterThanOrEqual(done);
        expect(g).toBeLessThanOrEqual(started);
        // At most the temporary of the write the kill interrupted is left.
        expect((await readdir(dir)).filter((f) => f !== FILE).length).toBeLessThanOrEqual(1);
      }),
    );
  });
});
