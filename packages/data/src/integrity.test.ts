import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkGzipStream, verifyDatasetSources } from './integrity.js';
import { readDataset } from './load.js';
import { checkDatasetFiles } from './locate.js';
import { MANIFEST_CHECKSUMS } from './readers/checksums.js';
import { datasetEntry } from './readers/index.js';
import { readInteractionsFile } from './readers/generic.js';
import { readDatasetFile } from './readers/dataset-file.js';
import { requireDataset } from './testing/index.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rec-integrity-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A user's interactions file: `rows` lines of user,item,rating, gzipped. */
function userCsvGz(rows: number): Buffer {
  const lines = ['user,item,rating'];
  for (let r = 0; r < rows; r++) lines.push(`u${r % 97},i${(r * 31) % 1013},${1 + (r % 5)}`);
  return gzipSync(Buffer.from(`${lines.join('\n')}\n`), { level: 9 });
}

describe('checkGzipStream', () => {
  it('passes a whole gzip file and a plain one, and names a truncated or corrupt one', async () => {
    const whole = userCsvGz(10_000);
    writeFileSync(join(tmp, 'whole.csv.gz'), whole);
    writeFileSync(join(tmp, 'plain.csv'), 'user,item\n1,2\n');
    await checkGzipStream(join(tmp, 'whole.csv.gz'));
    await checkGzipStream(join(tmp, 'plain.csv'));

    writeFileSync(join(tmp, 'cut.csv.gz'), whole.subarray(0, Math.floor(whole.length / 3)));
    await expect(checkGzipStream(join(tmp, 'cut.csv.gz'), 'reader')).rejects.toThrow(
      `reader: ${join(tmp, 'cut.csv.gz')} is a truncated or corrupt gzip file (zlib: unexpected end of file)`,
    );
    // The trailer's CRC-32 is checked too: one flipped bit in it, all data intact.
    const badCrc = Buffer.from(whole);
    badCrc[badCrc.length - 6] ^= 0x01;
    writeFileSync(join(tmp, 'crc.csv.gz'), badCrc);
    await expect(checkGzipStream(join(tmp, 'crc.csv.gz'))).rejects.toThrow(/crc\.csv\.gz is a truncated or corrupt gzip file \(zlib: incorrect data check\)/);
  });
});

describe('a user file that ends mid-stream', () => {
  it('is an error through readInteractionsFile, not 1,144 of 10,000 rows', async () => {
    const whole = userCsvGz(10_000);
    const cut = join(tmp, 'cut.csv.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 4)));
    const columns = { user: 'user', item: 'item', rating: 'rating' };
    await expect(readInteractionsFile(cut, { columns })).rejects.toThrow(/readInteractionsFile: .*cut\.csv\.gz is a truncated or corrupt gzip file/);

    const good = join(tmp, 'good.csv.gz');
    writeFileSync(good, whole);
    expect((await readInteractionsFile(good, { columns })).interactions.length).toBe(10_000);
  });

  it('is an error through readDatasetFile', async () => {
    const whole = userCsvGz(10_000);
    writeFileSync(join(tmp, 'ratings.csv.gz'), whole.subarray(0, whole.length - 100));
    writeFileSync(
      join(tmp, 'shop.yaml'),
      'interactions:\n  path: ratings.csv.gz\n  columns: { user: user, item: item, rating: rating }\n',
    );
    await expect(readDatasetFile(join(tmp, 'shop.yaml'))).rejects.toThrow(/ratings\.csv\.gz is a truncated or corrupt gzip file/);
  });
});

describe('MANIFEST_CHECKSUMS', () => {
  it('lists each stored file with the size and sha256 it has under the data root', (ctx) => {
    const root = join(requireDataset(ctx, 'ml-100k'), '..');
    for (const [folder, files] of Object.entries(MANIFEST_CHECKSUMS)) {
      const manifest = readFileSync(join(root, folder, 'MANIFEST.md'), 'utf8');
      for (const [file, { bytes, sha256 }] of Object.entries(files)) {
        expect(manifest, `${folder}/${file}`).toContain(sha256);
        const data = readFileSync(join(root, folder, file));
        expect(data.length, `${folder}/${file}`).toBe(bytes);
        expect(createHash('sha256').update(data).digest('hex'), `${folder}/${file}`).toBe(sha256);
      }
    }
  });
});

describe('a registered dataset with a damaged file', () => {
  let shared: string;
  beforeEach((ctx) => {
    shared = requireDataset(ctx, 'ml-100k');
  });
  /** A data root whose ml-100k links to the shared files, except the ones given here. */
  function ml100kWith(replaced: Record<string, Buffer | null>): { root: string; cacheDir: string } {
    const root = join(tmp, 'data');
    mkdirSync(join(root, 'ml-100k'), { recursive: true });
    for (const file of readdirSync(shared)) {
      if (Object.hasOwn(replaced, file)) continue;
      symlinkSync(join(shared, file), join(root, 'ml-100k', file));
    }
    for (const [file, bytes] of Object.entries(replaced)) if (bytes !== null) writeFileSync(join(root, 'ml-100k', file), bytes);
    return { root, cacheDir: join(tmp, 'cache') };
  }
  const sharedFile = (file: string): Buffer => readFileSync(join(shared, file));

  it('a truncated u.data.gz is one error naming the file, both sizes and the MANIFEST, cached or not', async () => {
    // readDataset sees it by size before anything is read (checkDatasetFiles); the sha256
    // check behind it (verifyDatasetSources) is the next test's.
    const whole = sharedFile('u.data.gz');
    const { root, cacheDir } = ml100kWith({ 'u.data.gz': whole.subarray(0, 200_000) });
    for (const cache of [true, false]) {
      const error = await readDataset('ml-100k', { dataRoot: root, cacheDir, cache }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain(join(root, 'ml-100k', 'u.data.gz'));
      expect(message).toContain('ml-100k/MANIFEST.md');
      expect(message).toContain('expected 827905 bytes');
      expect(message).toContain('found 200000 bytes');
      expect(message).not.toContain('\n');
    }
    // Past the size pre-check, the verification itself says the same with the hashes.
    const entry = datasetEntry('ml-100k');
    await expect(verifyDatasetSources(entry, join(root, 'ml-100k'), ['u.data.gz'])).rejects.toThrow(
      `expected 827905 bytes, sha256 ${MANIFEST_CHECKSUMS['ml-100k']!['u.data.gz']!.sha256}; found 200000 bytes. `,
    );
    // Nothing was cached from the short file.
    expect(() => readdirSync(cacheDir)).toThrow();
    // `rec data list` sees it by size alone.
    const located = checkDatasetFiles('ml-100k', { dataRoot: root });
    expect(located.ok).toBe(false);
    expect(located.ok ? '' : located.reason).toMatch(
      /is incomplete: .*u\.data\.gz does not match ml-100k\/MANIFEST\.md: expected 827905 bytes, found 200000 bytes/,
    );
  });

  it('a file of the right size with other bytes is one error with the expected and found sha256', async () => {
    const item = Buffer.from(sharedFile('u.item'));
    item[1000] = item[1000] === 0x41 ? 0x42 : 0x41;
    const { root, cacheDir } = ml100kWith({ 'u.item': item });
    expect(checkDatasetFiles('ml-100k', { dataRoot: root }).ok).toBe(true); // the size is right
    const found = createHash('sha256').update(item).digest('hex');
    await expect(readDataset('ml-100k', { dataRoot: root, cacheDir })).rejects.toThrow(
      `u.item does not match ml-100k/MANIFEST.md: expected 236344 bytes, sha256 ${MANIFEST_CHECKSUMS['ml-100k']!['u.item']!.sha256}; ` +
        `found 236344 bytes, sha256 ${found}`,
    );
  });

  it('a short plain u.data in place of the stored .gz (no hash applies) fails on the row count', async () => {
    const text = gunzipSync(sharedFile('u.data.gz')).toString('latin1');
    const first = text.split('\n').slice(0, 24_381).join('\n') + '\n';
    const { root, cacheDir } = ml100kWith({ 'u.data.gz': null, 'u.data': Buffer.from(first, 'latin1') });
    await expect(readDataset('ml-100k', { dataRoot: root, cacheDir })).rejects.toThrow(
      /dataset "ml-100k": read 24381 interactions from .*, but ml-100k\/MANIFEST\.md counts 100000/,
    );
    // The whole plain file reads (and its split files still verify by hash).
    writeFileSync(join(root, 'ml-100k', 'u.data'), text, 'latin1');
    expect((await readDataset('ml-100k', { dataRoot: root, cacheDir })).interactions.length).toBe(100_000);
  });

  it('the intact files read, and a cache hit does not verify again', async () => {
    const { root, cacheDir } = ml100kWith({});
    expect((await readDataset('ml-100k', { dataRoot: root, cacheDir })).interactions.length).toBe(100_000);
    expect((await readDataset('ml-100k', { dataRoot: root, cacheDir })).interactions.length).toBe(100_000);
  });
});
