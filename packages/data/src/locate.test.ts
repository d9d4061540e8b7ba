import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataRoot, locateDataset } from './locate.js';

describe('dataRoot and locateDataset', () => {
  const saved = { REC_DATA_DIR: process.env.REC_DATA_DIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
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
    expect(locateDataset('ml-100k')).toEqual({ ok: true, dir: join(root, 'ml-100k') });
  });

  it('finds an unknown dataset by its folder alone, and refuses path-like names', () => {
    process.env.REC_DATA_DIR = root;
    mkdirSync(join(root, 'my-log'));
    expect(locateDataset('my-log')).toEqual({ ok: true, dir: join(root, 'my-log') });
    expect(() => locateDataset('../etc')).toThrow('must be a plain folder name');
  });
});
