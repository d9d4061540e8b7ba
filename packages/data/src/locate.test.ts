import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { datasetCacheDir } from './cache.js';
import { dataRoot, KNOWN_DATASETS, locateDataset, userCacheDir } from './locate.js';
import { DATASETS } from './readers/index.js';

describe('dataRoot and locateDataset', () => {
  const saved = { REC_DATA_DIR: process.env.REC_DATA_DIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, REC_CACHE_DIR: process.env.REC_CACHE_DIR };
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rec-locate-'));
  });
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('keeps parsed-dataset caches in REC_CACHE_DIR or the per-user cache, never in the data root', () => {
    process.env.REC_DATA_DIR = root;
    delete process.env.REC_CACHE_DIR;
    process.env.XDG_CACHE_HOME = '/tmp/xdg-cache';
    if (process.platform !== 'win32') {
      expect(userCacheDir()).toBe(join('/tmp/xdg-cache', 'rec', 'cache'));
      expect(datasetCacheDir()).toBe(join('/tmp/xdg-cache', 'rec', 'cache', 'datasets'));
    }
    process.env.REC_CACHE_DIR = join(root, 'c');
    expect(datasetCacheDir()).toBe(join(root, 'c', 'datasets'));
    expect(datasetCacheDir().startsWith(join(dataRoot(), 'ml-100k'))).toBe(false);
  });

  it('prefers REC_DATA_DIR, else the XDG cache', () => {
    process.env.REC_DATA_DIR = root;
    expect(dataRoot()).toBe(root);
    delete process.env.REC_DATA_DIR;
    process.env.XDG_CACHE_HOME = '/tmp/xdg-cache';
    if (process.platform !== 'win32') expect(dataRoot()).toBe(join('/tmp/xdg-cache', 'rec', 'datasets'));
    process.env.XDG_CACHE_HOME = 'relative/path'; // invalid per the XDG spec: ignored
    if (process.platform !== 'win32') expect(dataRoot()).toMatch(/\.cache[/\\]rec[/\\]datasets$/);
  });

  it('says where it looked and how to get a missing dataset', () => {
    process.env.REC_DATA_DIR = root;
    const found = locateDataset('ml-100k');
    expect(found.ok).toBe(false);
    if (found.ok) return;
    expect(found.reason).toContain(join(root, 'ml-100k'));
    expect(found.reason).toContain('REC_DATA_DIR');
    expect(found.reason).toContain('Download it from https://grouplens.org/datasets/movielens/100k/');
    expect(found.reason).toContain('https://grouplens.org/datasets/movielens/100k/');
  });

  it('reports a known dataset with its key file missing as incomplete', () => {
    process.env.REC_DATA_DIR = root;
    mkdirSync(join(root, 'ml-100k'));
    const incomplete = locateDataset('ml-100k');
    expect(incomplete.ok).toBe(false);
    if (!incomplete.ok) expect(incomplete.reason).toContain(join(root, 'ml-100k', 'u.data.gz'));
    writeFileSync(join(root, 'ml-100k', 'u.data'), '1\t1\t5\t0\n');
    // The registry's reader needs more than the ratings (titles, users, the published splits).
    const rest = KNOWN_DATASETS['ml-100k'].files.slice(1);
    if (rest.length > 0) {
      const next = locateDataset('ml-100k');
      expect(next.ok).toBe(false);
      if (!next.ok) expect(next.reason).toContain(join(root, 'ml-100k', rest[0][0]));
    }
    for (const alternatives of rest) writeFileSync(join(root, 'ml-100k', alternatives[0]), '');
    expect(locateDataset('ml-100k')).toEqual({ ok: true, dir: join(root, 'ml-100k') });
  });

  it('finds an unknown dataset by its folder alone, and refuses path-like names', () => {
    process.env.REC_DATA_DIR = root;
    mkdirSync(join(root, 'my-log'));
    expect(locateDataset('my-log')).toEqual({ ok: true, dir: join(root, 'my-log') });
    expect(() => locateDataset('../etc')).toThrow('must be a plain folder name');
  });

  it('finds a registry name in its folder, and derives KNOWN_DATASETS from the reader registry', () => {
    process.env.REC_DATA_DIR = root;
    expect(Object.keys(KNOWN_DATASETS)).toEqual(DATASETS.map((entry) => entry.name));
    expect(KNOWN_DATASETS['ml-100k'].homepage).toBe('https://grouplens.org/datasets/movielens/100k/');
    const variant = DATASETS.find((entry) => entry.name.includes('/'));
    if (variant === undefined) return;
    const missing = locateDataset(variant.name);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.reason).toContain(`no folder ${join(root, variant.folder)}`);
    for (const alternatives of variant.files) {
      mkdirSync(dirname(join(root, variant.folder, alternatives[0])), { recursive: true });
      writeFileSync(join(root, variant.folder, alternatives[0]), '');
    }
    expect(locateDataset(variant.name)).toEqual({ ok: true, dir: join(root, variant.folder) });
    const elsewhere = mkdtempSync(join(tmpdir(), 'rec-locate-other-'));
    const other = locateDataset(variant.name, { dataRoot: elsewhere });
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.reason).toContain('from the dataRoot option');
  });
});
