import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { download, OFFICIAL_ARCHIVES, type ArchiveChecksum } from './download.js';

// A miniature of the GroupLens archive: one top-level folder, as ml-100k.zip has.
const fixture = zipSync({
  'ml-100k/u.data': strToU8('196\t242\t3\t881250949\n186\t302\t3\t891717742\n'),
  'ml-100k/README': strToU8('SUMMARY & USAGE LICENSE\n'),
  'ml-100k/sub/u.genre': strToU8('unknown|0\n'),
});
const sha256 = createHash('sha256').update(fixture).digest('hex');
const good: Record<string, ArchiveChecksum> = { 'ml-100k': { algorithm: 'sha256', digest: sha256 } };

/** Only ever 127.0.0.1: every test passes this server's URL as baseUrl. */
let server: Server;
let baseUrl: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/ok/ml-100k.zip') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': fixture.length });
      res.end(Buffer.from(fixture));
    } else if (req.url === '/truncated/ml-100k.zip') {
      // Promise the whole archive, send half, then drop the connection.
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': fixture.length });
      res.write(Buffer.from(fixture.subarray(0, fixture.length >> 1)), () => res.socket?.destroy());
    } else {
      res.writeHead(404, 'Not Found', { 'content-type': 'text/plain' });
      res.end('no such file\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('download', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rec-download-'));
  });

  it('verifies, unpacks and renames the archive into place, leaving nothing else', async () => {
    const progress: number[] = [];
    const result = await download('ml-100k', root, {
      baseUrl: `${baseUrl}/ok/`,
      checksums: good,
      onProgress: (received, total) => {
        expect(total).toBe(fixture.length);
        progress.push(received);
      },
    });
    expect(result.dir).toBe(join(root, 'ml-100k'));
    expect(result.url).toBe(`${baseUrl}/ok/ml-100k.zip`);
    expect(result.files).toEqual(['README', 'sub/u.genre', 'u.data']);
    expect(result.checksum).toEqual({ algorithm: 'sha256', digest: sha256 });
    expect(progress.at(-1)).toBe(fixture.length);
    expect(readdirSync(root)).toEqual(['ml-100k']);
    expect(readdirSync(join(root, 'ml-100k')).sort()).toEqual(['README', 'sub', 'u.data']);
    expect(readFileSync(join(root, 'ml-100k', 'u.data'), 'utf8')).toContain('196\t242\t3');
    expect(readFileSync(join(root, 'ml-100k', 'sub', 'u.genre'), 'utf8')).toBe('unknown|0\n');

    await expect(download('ml-100k', root, { baseUrl: `${baseUrl}/ok/`, checksums: good })).rejects.toThrow(/already exists/);
  });

  it('accepts an md5 digest, the kind GroupLens publishes', async () => {
    const md5 = createHash('md5').update(fixture).digest('hex');
    const result = await download('ml-100k', root, { baseUrl: `${baseUrl}/ok/`, checksums: { 'ml-100k': { algorithm: 'md5', digest: md5.toUpperCase() } } });
    expect(result.checksum).toEqual({ algorithm: 'md5', digest: md5 });
  });

  it('refuses a checksum mismatch, naming both digests, and leaves nothing behind', async () => {
    const target = join(root, 'new-root'); // not there yet: download must not leave it either
    const wrong = 'ab'.repeat(32);
    const error = await download('ml-100k', target, {
      baseUrl: `${baseUrl}/ok/`,
      checksums: { 'ml-100k': { algorithm: 'sha256', digest: wrong } },
    }).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`expected sha256 ${wrong}`);
    expect((error as Error).message).toContain(`got ${sha256}`);
    expect(readdirSync(root)).toEqual([]);
  });

  it('cleans up when the data root cannot be used, naming the cause', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    await expect(download('ml-100k', join(file, 'data'), { baseUrl: `${baseUrl}/ok/`, checksums: good })).rejects.toThrow(
      /could not install .*ml-100k\.zip into .*: ENOTDIR.*nothing was left behind/,
    );
    expect(readdirSync(root)).toEqual(['a-file']);
  });

  it('reports an HTTP error with the URL and status', async () => {
    await expect(download('ml-100k', root, { baseUrl: `${baseUrl}/missing/`, checksums: good })).rejects.toThrow(
      `download: GET ${baseUrl}/missing/ml-100k.zip answered HTTP 404 Not Found`,
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('reports a truncated body and leaves nothing behind', async () => {
    await expect(download('ml-100k', root, { baseUrl: `${baseUrl}/truncated/`, checksums: good })).rejects.toThrow(
      new RegExp(`ml-100k\\.zip ended after \\d+ of ${fixture.length} bytes`),
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses before any transfer when no checksum is known', async () => {
    const before = requests.length;
    await expect(
      download('ml-100k', root, { baseUrl: `${baseUrl}/ok/`, checksums: { 'ml-100k': undefined } }),
    ).rejects.toThrow(/no published checksum is known for .*ml-100k\.zip.*refusing to install/);
    expect(requests.length).toBe(before);
    expect(readdirSync(root)).toEqual([]);
  });

  it('says where a dataset without an official archive comes from', async () => {
    const noFetch = (() => {
      throw new Error('must not fetch');
    }) as unknown as typeof fetch;
    await expect(download('tmall/mbcgcn', root, { fetch: noFetch })).rejects.toThrow(
      /no official archive.*SS-00-SS\/MBCGCN at commit 931f9c103817cdfa280353c506f4e3cb08306a1c/,
    );
    await expect(download('amazon-s3rec/Beauty', root, { fetch: noFetch })).rejects.toThrow(/RUCAIBox\/CIKM2020-S3Rec at commit 2a81540a/);
    await expect(download('nope', root, { fetch: noFetch })).rejects.toThrow(/no official archive is known for dataset "nope"; datasets with one: ml-100k, ml-1m/);
  });

  it('knows the official GroupLens archives and their published digests', () => {
    expect(OFFICIAL_ARCHIVES['ml-100k'].checksum).toEqual({ algorithm: 'md5', digest: '0e33842e24a9c977be4e0107933c0723' });
    expect(OFFICIAL_ARCHIVES['ml-1m'].checksum).toEqual({ algorithm: 'md5', digest: 'c4d9eecfca2ab87c1945afe126590906' });
    expect(`${OFFICIAL_ARCHIVES['ml-1m'].baseUrl}${OFFICIAL_ARCHIVES['ml-1m'].file}`).toBe('https://files.grouplens.org/datasets/movielens/ml-1m.zip');
  });
});
