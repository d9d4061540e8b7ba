import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFilesAtomic } from './atomic.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'rec-atomic-'));
});

afterEach(async () => {
  await chmod(root, 0o755).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates a file from a string (UTF-8) and from bytes, leaving no temporary behind', async () => {
    await writeFileAtomic(join(root, 'a.txt'), 'héllo\n');
    await writeFileAtomic(join(root, 'b.bin'), new Uint8Array([0, 1, 2, 255]));
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe('héllo\n');
    expect([...(await readFile(join(root, 'b.bin')))]).toEqual([0, 1, 2, 255]);
    expect((await readdir(root)).sort()).toEqual(['a.txt', 'b.bin']);
  });

  it('replaces an existing file whole, also with shorter content', async () => {
    const path = join(root, 'report.json');
    await writeFile(path, 'x'.repeat(10_000));
    await writeFileAtomic(path, '{}\n');
    expect(await readFile(path, 'utf8')).toBe('{}\n');
    expect(await readdir(root)).toEqual(['report.json']);
  });

  it('writes an empty file', async () => {
    await writeFileAtomic(join(root, 'empty'), new Uint8Array(0));
    expect((await readFile(join(root, 'empty'))).length).toBe(0);
  });

  it('writes bytes that are a view into a larger buffer: only the view', async () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    await writeFileAtomic(join(root, 'view'), backing.subarray(2, 5));
    expect([...(await readFile(join(root, 'view')))]).toEqual([1, 2, 3]);
  });

  it('fails with the file system error when the folder is missing, creating nothing', async () => {
    await expect(writeFileAtomic(join(root, 'missing', 'a.txt'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(root)).toEqual([]);
  });

  it('fails when the target is a directory, leaving the directory and no temporary', async () => {
    await mkdir(join(root, 'taken'));
    await expect(writeFileAtomic(join(root, 'taken'), 'x')).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    expect(await readdir(root)).toEqual(['taken']);
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('fails in a read-only folder and leaves the old file intact', async () => {
    const path = join(root, 'kept.txt');
    await writeFile(path, 'old');
    await chmod(root, 0o555);
    await expect(writeFileAtomic(path, 'new')).rejects.toMatchObject({ code: 'EACCES' });
    await chmod(root, 0o755);
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(root)).toEqual(['kept.txt']);
  });

  it('gives concurrent writers of one path distinct temporaries: the last rename wins, whole', async () => {
    const path = join(root, 'raced.bin');
    const contents = Array.from({ length: 8 }, (_, i) => new Uint8Array(64 * 1024).fill(i + 1));
    await Promise.all(contents.map((data) => writeFileAtomic(path, data)));
    const bytes = await readFile(path);
    expect(bytes.length).toBe(64 * 1024);
    expect(new Set(bytes).size).toBe(1);
    expect(await readdir(root)).toEqual(['raced.bin']);
  });
});

describe('writeFilesAtomic', () => {
  it('writes every file, across folders', async () => {
    await mkdir(join(root, 'sub'));
    await writeFilesAtomic([
      { path: join(root, 'model.safetensors'), data: new Uint8Array([1, 2, 3]) },
      { path: join(root, 'sub', 'config.json'), data: '{"dim":2}\n' },
    ]);
    expect([...(await readFile(join(root, 'model.safetensors')))]).toEqual([1, 2, 3]);
    expect(await readFile(join(root, 'sub', 'config.json'), 'utf8')).toBe('{"dim":2}\n');
    expect((await readdir(root)).sort()).toEqual(['model.safetensors', 'sub']);
  });

  it('accepts an empty list', async () => {
    await writeFilesAtomic([]);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a path listed twice (also spelled differently) before writing anything', async () => {
    await expect(
      writeFilesAtomic([
        { path: join(root, 'a'), data: '1' },
        { path: join(root, 'sub', '..', 'a'), data: '2' },
      ]),
    ).rejects.toThrow(/listed twice/);
    expect(await readdir(root)).toEqual([]);
  });

  it('changes no target when one file cannot be written, and removes every temporary', async () => {
    await writeFile(join(root, 'first'), 'old first');
    await expect(
      writeFilesAtomic([
        { path: join(root, 'first'), data: 'new first' },
        { path: join(root, 'missing', 'second'), data: 'new second' },
      ]),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(join(root, 'first'), 'utf8')).toBe('old first');
    expect(await readdir(root)).toEqual(['first']);
  });

  it('removes the temporaries not yet renamed when a rename fails', async () => {
    // The second target is a non-empty directory: its temporary is written,
    // then its rename fails (EISDIR / ENOTEMPTY / EEXIST by platform).
    await mkdir(join(root, 'dir'));
    await writeFile(join(root, 'dir', 'inside'), '');
    await expect(
      writeFilesAtomic([
        { path: join(root, 'first'), data: 'new first' },
        { path: join(root, 'dir'), data: 'x' },
        { path: join(root, 'third'), data: 'new third' },
      ]),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    // Renames run in order: the first is done, the rest never happened.
    expect(await readFile(join(root, 'first'), 'utf8')).toBe('new first');
    expect((await readdir(root)).sort()).toEqual(['dir', 'first']);
    expect(await readdir(join(root, 'dir'))).toEqual(['inside']);
  });
});
