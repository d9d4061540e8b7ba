import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Interactions } from '../interactions.js';
import { requireDataset } from '../testing/index.js';
import { readTikTokDiffMM, tiktokDatasets } from './tiktok.js';

const pairKey = (log: Interactions, r: number): number => log.users[r]! * 1_000_000 + log.items[r]!;
const distinct = (column: Int32Array): number => new Set(column).size;

describe('tiktok-diffmm', () => {
  it('reads the published split and the features with the MANIFEST counts', async (ctx) => {
    const dir = requireDataset(ctx, 'tiktok-diffmm');
    const entry = tiktokDatasets.find((d) => d.name === 'tiktok-diffmm')!;
    const data = await entry.read(dir);
    const { train, valid, test } = data.splits['default']!;

    expect(data.name).toBe('tiktok-diffmm');
    expect([data.interactions.numUsers, data.interactions.numItems]).toEqual([9_308, 6_710]);
    expect([data.userIds.size, data.itemIds.size]).toEqual([9_308, 6_710]);
    expect([data.userIds.idOf(9_307), data.itemIds.indexOf(6_709)]).toEqual([9_307, 6_709]); // ids unchanged
    expect([train.length, valid!.length, test.length]).toEqual([59_541, 3_051, 6_130]);
    expect(data.interactions.length).toBe(59_541 + 3_051 + 6_130);
    for (const part of [train, valid!, test]) expect([part.numUsers, part.numItems]).toEqual([9_308, 6_710]);

    // Distinct users / items per split (MANIFEST "Counts").
    expect([distinct(train.users), distinct(train.items)]).toEqual([9_298, 6_245]);
    expect([distinct(valid!.users), distinct(valid!.items)]).toEqual([3_051, 1_272]);
    expect([distinct(test.users), distinct(test.items)]).toEqual([6_130, 1_855]);
    // All users and items occur somewhere.
    expect([distinct(data.interactions.users), distinct(data.interactions.items)]).toEqual([9_308, 6_710]);

    // No duplicate pairs; the three parts are pairwise disjoint.
    const all = new Set<number>();
    for (let r = 0; r < data.interactions.length; r++) all.add(pairKey(data.interactions, r));
    expect(all.size).toBe(data.interactions.length);

    // Documented cold-start rows: 5 test users and 340 test items have no training interaction.
    const trainUsers = new Set(train.users);
    const trainItems = new Set(train.items);
    expect(new Set(test.users.filter((u) => !trainUsers.has(u))).size).toBe(5);
    expect(new Set(test.items.filter((i) => !trainItems.has(i))).size).toBe(340);

    // Train per user 1 … 603 (mean 6.40), per item 1 … 315; train rows sorted by user.
    const perUser = new Int32Array(9_308);
    const perItem = new Int32Array(6_710);
    for (let r = 0; r < train.length; r++) {
      perUser[train.users[r]!]!++;
      perItem[train.items[r]!]!++;
    }
    const nonzero = (a: Int32Array): Int32Array => a.filter((n) => n > 0);
    expect([Math.min(...nonzero(perUser)), Math.max(...perUser)]).toEqual([1, 603]);
    expect((train.length / nonzero(perUser).length).toFixed(2)).toBe('6.40');
    expect([Math.min(...nonzero(perItem)), Math.max(...perItem)]).toEqual([1, 315]);
    expect(train.users.filter((u, r) => r > 0 && u < train.users[r - 1]!)).toHaveLength(0);
    expect(train.timestamps).toBeUndefined();

    // Features: 6,710 × 128 float16 each; image 0 … 13.11, audio −3.875 … 5.07; no NaN, no all-zero row.
    const { image, audio } = data.itemFeatures as Record<'image' | 'audio', { rows: number; dim: number; values: Float32Array }>;
    for (const [feature, min, max, sum] of [
      [image, 0, 13.109375, 2_309_677.059724629],
      [audio, -3.875, 5.0703125, 31_687.021550536156],
    ] as const) {
      expect([feature.rows, feature.dim, feature.values.length]).toEqual([6_710, 128, 6_710 * 128]);
      let lo = Infinity;
      let hi = -Infinity;
      let total = 0;
      let zeroRows = 0;
      for (let i = 0; i < feature.rows; i++) {
        let rowAbs = 0;
        for (let d = 0; d < feature.dim; d++) {
          const v = feature.values[i * feature.dim + d]!;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          total += v;
          rowAbs += Math.abs(v);
        }
        if (rowAbs === 0) zeroRows++;
      }
      expect([lo, hi]).toEqual([min, max]); // float16 values convert exactly
      expect(Number.isNaN(total)).toBe(false);
      expect(zeroRows).toBe(0);
      // Sum of all values as numpy computes it (float64 of the float16 data).
      expect(Math.abs(total - sum) / Math.abs(sum)).toBeLessThan(1e-9);
    }
    // numpy: audio_feat[0, :4] = [0.49755859375, -0.2568359375, 0.0634765625, -0.0020999908447265625]
    expect([...audio.values.subarray(0, 4)]).toEqual([0.49755859375, -0.2568359375, 0.0634765625, -0.0020999908447265625]);
  });
});

/** A version 1.0 `<f4` .npy file of `rows` × `dim` values i·dim + d. */
function npyMatrix(rows: number, dim: number): Uint8Array {
  const values = Float32Array.from({ length: rows * dim }, (_, k) => k);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`;
  header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 11, ' ') + '\n';
  const out = new Uint8Array(10 + header.length + values.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(values.buffer), 10 + header.length);
  return out;
}

describe('readTikTokDiffMM on small folders', () => {
  const folder = (files: Record<string, string | Uint8Array>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-tiktok-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  };
  const base = {
    'train.tsv': '0\t0\n0\t2\n1\t1\n',
    'valid.tsv': '1\t2\n',
    'test.tsv': '2\t3\n',
    'image_feat.npy.gz': gzipSync(npyMatrix(4, 3)),
    'audio_feat.npy': npyMatrix(4, 2),
  };

  it('reads a minimal folder: split as published, union, features, plain or gzipped .npy', async () => {
    const data = await readTikTokDiffMM(folder(base));
    const { train, valid, test } = data.splits['default']!;
    expect([data.interactions.numUsers, data.interactions.numItems]).toEqual([3, 4]);
    expect([...train.items]).toEqual([0, 2, 1]);
    expect([...valid!.users, ...test.users]).toEqual([1, 2]);
    expect([...data.interactions.users]).toEqual([0, 0, 1, 1, 2]);
    expect([...data.interactions.items]).toEqual([0, 2, 1, 2, 3]);
    expect(data.itemFeatures!['image']!.dim).toBe(3);
    expect([...data.itemFeatures!['audio']!.values.subarray(6, 8)]).toEqual([6, 7]);
  });

  it('names the file, line and id of an item without a feature row', async () => {
    const dir = folder({ ...base, 'test.tsv': '2\t3\n0\t4\n' });
    await expect(readTikTokDiffMM(dir)).rejects.toThrow(
      `${join(dir, 'test.tsv')}: line 2: item 4 has no feature row: ${join(dir, 'image_feat.npy.gz')} and ${join(dir, 'audio_feat.npy')} have 4 rows`,
    );
  });

  it('names the feature file whose row count differs', async () => {
    const dir = folder({ ...base, 'audio_feat.npy': npyMatrix(5, 2) });
    await expect(readTikTokDiffMM(dir)).rejects.toThrow(`${join(dir, 'audio_feat.npy')}: has 5 rows but ${join(dir, 'image_feat.npy.gz')} has 4`);
  });

  it('names the file and line of a malformed or negative row', async () => {
    const bad = folder({ ...base, 'valid.tsv': '1\t2\n1\tx\n' });
    await expect(readTikTokDiffMM(bad)).rejects.toThrow(new RegExp(`valid\\.tsv.*Line: 2`, 's'));
    const negative = folder({ ...base, 'train.tsv': '0\t0\n-1\t2\n' });
    await expect(readTikTokDiffMM(negative)).rejects.toThrow(`${join(negative, 'train.tsv')}: line 2: user -1, item 2; expected 0-based (non-negative) ids`);
  });

  it('names a truncated feature file and a missing one', async () => {
    const truncated = folder({ ...base, 'audio_feat.npy': npyMatrix(4, 2).subarray(0, 128 + 20) });
    await expect(readTikTokDiffMM(truncated)).rejects.toThrow(
      `${join(truncated, 'audio_feat.npy')}: the data holds 20 bytes but shape (4, 2) of <f4 needs 32; the file is truncated`,
    );
    const { ['image_feat.npy.gz']: _, ...withoutImage } = base;
    const missing = folder(withoutImage);
    await expect(readTikTokDiffMM(missing)).rejects.toThrow(`file not found: looked for ${join(missing, 'image_feat.npy.gz')} and ${join(missing, 'image_feat.npy')}`);
  });
});
