import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { chiSquareCriticalValue, chiSquareStatistic, Philox } from '@rec/core';
import { skipOrFail } from '@rec/core/testing';
import { describe, expect, it } from 'vitest';
import type { ItemRows } from './full-ranking.js';
import {
  EVAL_NEGATIVES_STREAM,
  evaluateSampledRanking,
  sampleEvaluationNegatives,
  WORDS_PER_EVAL_SLOT,
  type ScorePairs,
} from './sampled-ranking.js';

function csr(rows: number[][]): ItemRows {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (indptr[u + 1] = indptr[u]! + row.length));
  return { indptr, indices: Int32Array.from(rows.flat()) };
}

/** Every user scores item i as itemScores[i]. */
function byItem(itemScores: number[]): { scorePairs: ScorePairs; scoreUsers: (users: Int32Array) => Float32Array } {
  return {
    scorePairs: (_users, items) => Float64Array.from(items, (i) => itemScores[i]!),
    scoreUsers: (users) => {
      const out = new Float32Array(users.length * itemScores.length);
      for (let b = 0; b < users.length; b++) out.set(itemScores, b * itemScores.length);
      return out;
    },
  };
}

describe('evaluateSampledRanking with fixed candidates', () => {
  // User 0's test item 2 scores 0.5; negatives 3 (0.9, above), 4 (0.5, tied), 5 (0.1, below).
  // The list also repeats 3 and names the positive 2 itself: both are dropped.
  const itemScores = [0, 0, 0.5, 0.9, 0.5, 0.1];
  const base = {
    numItems: 6,
    testItems: [Int32Array.of(2)],
    candidates: { kind: 'fixed' as const, source: 'hand-made list', negatives: [Int32Array.of(3, 4, 2, 5, 3)] },
    ks: [1, 2, 3],
    scorePairs: byItem(itemScores).scorePairs,
    perRow: true,
  };

  it('ranks a tie below the positive only under the optimistic convention', async () => {
    const pessimistic = await evaluateSampledRanking(base);
    expect(pessimistic.ties).toBe('pessimistic');
    expect(pessimistic.perRow!.ranks[0]).toBe(2);
    expect(pessimistic.metrics['HR@2']).toBe(0);
    expect(pessimistic.metrics['HR@3']).toBe(1);
    expect(pessimistic.metrics['NDCG@3']).toBeCloseTo(1 / Math.log2(4), 12);

    const optimistic = await evaluateSampledRanking({ ...base, ties: 'optimistic' });
    expect(optimistic.perRow!.ranks[0]).toBe(1);
    expect(optimistic.metrics['HR@1']).toBe(0);
    expect(optimistic.metrics['HR@2']).toBe(1);
    expect(optimistic.metrics['NDCG@2']).toBeCloseTo(1 / Math.log2(3), 12);

    // Average: the positive is at rank 1 or 2 with probability ½ each.
    const average = await evaluateSampledRanking({ ...base, ties: 'average' });
    expect(average.perRow!.ranks[0]).toBe(1.5);
    expect(average.metrics['HR@2']).toBe(0.5);
    expect(average.metrics['NDCG@3']).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(4)) / 2, 12);
  });

  it('drops repeats and the positive from fixed lists and says so', async () => {
    const result = await evaluateSampledRanking(base);
    expect(result.protocol).toBe('sampled-ranking');
    expect(result.candidates).toMatchObject({ kind: 'fixed', source: 'hand-made list', minNegatives: 3, maxNegatives: 3 });
    expect(result.candidates.droppedCandidates).toBe(2);
    expect(result.candidates.description).toBe(
      'fixed candidates from hand-made list: each test item ranked against 3 negatives ' +
        '(2 repeated or positive candidates dropped), ties pessimistic',
    );
    expect(Array.from(result.perRow!.numNegatives)).toEqual([3]);
  });

  it('gives the same result through scoreUsers as through scorePairs', async () => {
    const { scoreUsers } = byItem(itemScores);
    const { scorePairs: _unused, ...rest } = base;
    const viaRows = await evaluateSampledRanking({ ...rest, scoreUsers, ties: 'average' });
    const viaPairs = await evaluateSampledRanking({ ...base, ties: 'average' });
    expect(viaRows.metrics).toEqual(viaPairs.metrics);
  });

  it('refuses misaligned or out-of-range fixed lists and bad options', async () => {
    await expect(
      evaluateSampledRanking({ ...base, candidates: { ...base.candidates, negatives: [Int32Array.of(1), Int32Array.of(1)] } }),
    ).rejects.toThrow('candidates.negatives has 2 rows but testItems has 1 test rows');
    await expect(
      evaluateSampledRanking({ ...base, candidates: { ...base.candidates, negatives: [Int32Array.of(9)] } }),
    ).rejects.toThrow('fixed negative 9 of test row 0 (user 0) is outside [0, numItems = 6)');
    await expect(evaluateSampledRanking({ ...base, ties: 'random' as 'average' })).rejects.toThrow('ties must be');
    const { scorePairs: _unused, ...noModel } = base;
    await expect(evaluateSampledRanking(noModel)).rejects.toThrow('give the model as scorePairs (preferred) or scoreUsers');
    await expect(evaluateSampledRanking({ ...base, scorePairs: () => new Float32Array(2) })).rejects.toThrow(
      'scorePairs returned 2 scores for 4 (user, item) pairs; expected a Float32Array of 4',
    );
    await expect(evaluateSampledRanking({ ...base, scorePairs: () => Float32Array.of(NaN, 0, 0, 0) })).rejects.toThrow(
      'the score of user 0, item 2 is NaN',
    );
  });
});

describe('sampleEvaluationNegatives', () => {
  it('draws distinct, sorted items outside the exclusion list, reproducibly', () => {
    const excluded = Int32Array.of(0, 3, 4, 5, 17, 18, 19);
    const options = { numItems: 20, count: 10, seed: 42, slot: 7, excluded };
    const a = sampleEvaluationNegatives(options);
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    for (let j = 1; j < a.length; j++) expect(a[j]!).toBeGreaterThan(a[j - 1]!);
    for (const item of a) {
      expect(item).toBeGreaterThanOrEqual(0);
      expect(item).toBeLessThan(20);
      expect(Array.from(excluded)).not.toContain(item);
    }
    expect(Array.from(sampleEvaluationNegatives(options))).toEqual(Array.from(a));
    // Other slots and seeds give other draws.
    expect(Array.from(sampleEvaluationNegatives({ ...options, slot: 8 }))).not.toEqual(Array.from(a));
    // Asking for every allowed item returns all of them.
    expect(Array.from(sampleEvaluationNegatives({ ...options, count: 13 }))).toEqual([
      1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    ]);
  });

  it('follows the documented recipe: Floyd over allowed indexes, words from slot · 2^24', () => {
    const excluded = Int32Array.of(1, 2, 6);
    const numItems = 12;
    const allowed = [0, 3, 4, 5, 7, 8, 9, 10, 11];
    const rng = new Philox({ seed: 5, stream: EVAL_NEGATIVES_STREAM });
    rng.skipTo(3 * WORDS_PER_EVAL_SLOT);
    const taken = new Set<number>();
    for (let j = allowed.length - 4; j < allowed.length; j++) {
      const t = rng.int(j + 1);
      taken.add(taken.has(t) ? j : t);
    }
    const expected = [...taken].map((i) => allowed[i]!).sort((x, y) => x - y);
    expect(Array.from(sampleEvaluationNegatives({ numItems, count: 4, seed: 5, slot: 3, excluded }))).toEqual(expected);
  });

  it('is uniform over the allowed items (chi-square at p = 0.001)', () => {
    const excluded = Int32Array.of(2, 9, 10, 30);
    const numItems = 40;
    const counts = new Float64Array(numItems);
    const draws = 4000;
    for (let slot = 0; slot < draws; slot++) {
      for (const item of sampleEvaluationNegatives({ numItems, count: 5, seed: 11, slot, excluded })) counts[item]!++;
    }
    const observed: number[] = [];
    for (let i = 0; i < numItems; i++) {
      if (Array.from(excluded).includes(i)) expect(counts[i]).toBe(0);
      else observed.push(counts[i]!);
    }
    const expected = observed.map(() => (draws * 5) / observed.length);
    expect(chiSquareStatistic(observed, expected)).toBeLessThan(chiSquareCriticalValue(observed.length - 1, 0.001));
  });

  it('refuses impossible requests', () => {
    expect(() =>
      sampleEvaluationNegatives({ numItems: 5, count: 3, seed: 1, slot: 0, excluded: Int32Array.of(0, 1, 2) }),
    ).toThrow('only 2 items are left to sample from (5 items minus 3 excluded), fewer than the 3 negatives asked for');
    expect(() => sampleEvaluationNegatives({ numItems: 5, count: 1, seed: 1, slot: 0, excluded: Int32Array.of(2, 1) })).toThrow(
      'excluded must be sorted ascending',
    );
    expect(() => sampleEvaluationNegatives({ numItems: 5, count: 1, seed: 1, slot: 2 ** 29, excluded: new Int32Array(0) })).toThrow(
      'slot must be an integer in [0, 2^29)',
    );
  });
});

describe('evaluateSampledRanking with sampled negatives', () => {
  const numItems = 50;
  // 4 users; user 1 has two test items (two rows).
  const testItems = csr([[3], [7, 20], [], [41]]);
  const trainItems = csr([[0, 1, 2], [8, 9], [5], [40, 42, 43]]);

  it('never draws a train or test item of the user, and states seed, stream and counts', async () => {
    const seen: Int32Array[] = [];
    const result = await evaluateSampledRanking({
      numItems,
      testItems,
      trainItems,
      candidates: { kind: 'sampled', numNegatives: 30, seed: 9 },
      scorePairs: (users, items) => {
        seen.push(items.slice());
        return new Float32Array(items.length);
      },
      ks: [10],
      perRow: true,
    });
    expect(result.numRows).toBe(4);
    expect(result.numUsers).toBe(3);
    expect(Array.from(result.perRow!.users)).toEqual([0, 1, 1, 3]);
    expect(Array.from(result.perRow!.items)).toEqual([3, 7, 20, 41]);
    expect(result.candidates).toMatchObject({ kind: 'sampled', seed: '9', stream: EVAL_NEGATIVES_STREAM, minNegatives: 30, maxNegatives: 30 });
    expect(result.candidates.description).toBe(
      '30 sampled negatives, seed 9: each test item ranked against them ' +
        '(uniform over items the user has not interacted with; Philox stream 0x4556414C), ties pessimistic',
    );
    const items = seen[0]!;
    const forbidden = [[0, 1, 2, 3], [7, 8, 9, 20], [7, 8, 9, 20], [40, 41, 42, 43]];
    for (let r = 0; r < 4; r++) {
      const negatives = Array.from(items.subarray(r * 31 + 1, (r + 1) * 31));
      expect(new Set(negatives).size).toBe(30);
      for (const f of forbidden[r]!) expect(negatives).not.toContain(f);
    }
    // All scores equal: the pessimistic rank is 30, beyond K.
    expect(result.metrics['HR@10']).toBe(0);
  });

  it("keeps a user's negatives when other users are left out (slot = row position)", async () => {
    const collect = async (users?: Int32Array): Promise<Map<string, number[]>> => {
      const byRow = new Map<string, number[]>();
      await evaluateSampledRanking({
        numItems,
        testItems,
        trainItems,
        candidates: { kind: 'sampled', numNegatives: 5, seed: 3 },
        scorePairs: (u, items) => {
          for (let start = 0; start < items.length; start += 6) {
            byRow.set(`${u[start]}:${items[start]}`, Array.from(items.subarray(start + 1, start + 6)));
          }
          return new Float32Array(items.length);
        },
        ks: [1],
        ...(users ? { users } : {}),
      });
      return byRow;
    };
    const all = await collect();
    const some = await collect(Int32Array.of(3, 1));
    expect(some.get('3:41')).toEqual(all.get('3:41'));
    expect(some.get('1:20')).toEqual(all.get('1:20'));
  });

  it('splits scoring calls by the memory budget', async () => {
    const calls: number[] = [];
    await evaluateSampledRanking({
      numItems,
      testItems,
      trainItems,
      candidates: { kind: 'sampled', numNegatives: 9, seed: 3 },
      scorePairs: (_u, items) => {
        calls.push(items.length);
        return new Float32Array(items.length);
      },
      ks: [1],
      memoryBudgetBytes: 12 * 25, // 25 pairs: two rows of 10 candidates per call
    });
    expect(calls).toEqual([20, 20]);
  });

  it('gives the same ranks through scoreUsers blocks as through scorePairs', async () => {
    const rng = new Philox({ seed: 12 });
    const table = Float32Array.from({ length: 4 * numItems }, () => Math.round(rng.uniform() * 16) / 16);
    const options = {
      numItems,
      testItems,
      trainItems,
      candidates: { kind: 'sampled' as const, numNegatives: 12, seed: 21 },
      ks: [1, 5, 10],
      metrics: ['HR', 'NDCG', 'MRR'] as const,
      ties: 'average' as const,
      perRow: true,
    };
    const userBlocks: number[] = [];
    const viaRows = await evaluateSampledRanking({
      ...options,
      scoreUsers: (users) => {
        userBlocks.push(users.length);
        const out = new Float32Array(users.length * numItems);
        users.forEach((u, b) => out.set(table.subarray(u * numItems, (u + 1) * numItems), b * numItems));
        return out;
      },
      memoryBudgetBytes: 2 * numItems * 4, // two users per call
    });
    const viaPairs = await evaluateSampledRanking({
      ...options,
      scorePairs: (users, items) => Float32Array.from(items, (item, i) => table[users[i]! * numItems + item]!),
    });
    expect(userBlocks).toEqual([2, 1]); // users 0 and 1 (two rows), then user 3
    expect(Array.from(viaRows.perRow!.ranks)).toEqual(Array.from(viaPairs.perRow!.ranks));
    expect(viaRows.metrics).toEqual(viaPairs.metrics);
  });

  it('needs trainItems and a satisfiable sample', async () => {
    const options = {
      numItems,
      testItems,
      candidates: { kind: 'sampled' as const, numNegatives: 5, seed: 1 },
      scorePairs: (_u: Int32Array, items: Int32Array) => new Float32Array(items.length),
      ks: [1],
    };
    await expect(evaluateSampledRanking(options)).rejects.toThrow('sampled negatives need trainItems');
    await expect(
      evaluateSampledRanking({ ...options, trainItems, candidates: { kind: 'sampled', numNegatives: 47, seed: 1 } }),
    ).rejects.toThrow('user 0: sampleEvaluationNegatives: only 46 items are left to sample from');
  });
});

/** The shared datasets folder: REC_DATA_DIR, else ../shared/datasets beside the repository. */
function datasetsRoot(): string {
  const fromEnv = process.env.REC_DATA_DIR;
  if (fromEnv) return fromEnv;
  return join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/datasets');
}

describe("NCF's fixed ml-1m test split", () => {
  it('ranks each test item among its 99 negatives as NCF does (random and oracle scores)', async (ctx) => {
    const dir = join(datasetsRoot(), 'ml-1m-ncf');
    const ratingPath = join(dir, 'ml-1m.test.rating');
    const negativePath = join(dir, 'ml-1m.test.negative.gz');
    if (!existsSync(ratingPath) || !existsSync(negativePath)) {
      return skipOrFail(ctx, 'REC_REQUIRE_DATA', `NCF's ml-1m test files are not in ${dir}`);
    }
    const ratingLines = readFileSync(ratingPath, 'utf8').trimEnd().split('\n');
    const negativeLines = gunzipSync(readFileSync(negativePath)).toString('utf8').trimEnd().split('\n');
    expect(ratingLines).toHaveLength(6040);
    expect(negativeLines).toHaveLength(6040);
    const testItems: Int32Array[] = [];
    const negatives: Int32Array[] = [];
    ratingLines.forEach((line, r) => {
      const [user, item] = line.split('\t').map(Number) as [number, number];
      expect(user).toBe(r); // one line per user, users 0..6039 in order
      testItems[user] = Int32Array.of(item);
      const fields = negativeLines[r]!.split('\t');
      expect(fields[0]).toBe(`(${user},${item})`);
      negatives.push(Int32Array.from(fields.slice(1), Number));
    });
    const numItems = 3706;
    const candidates = { kind: 'fixed' as const, source: 'NCF ml-1m.test.negative', negatives };

    // Oracle: the test item scores 1, everything else 0 → every row is a hit at rank 0.
    const testOf = (u: number): number => testItems[u]![0]!;
    const oracle = await evaluateSampledRanking({
      numItems,
      testItems,
      candidates,
      scorePairs: (users, items) => Float32Array.from(items, (item, i) => (item === testOf(users[i]!) ? 1 : 0)),
      ks: [10],
    });
    expect(oracle.metrics['HR@10']).toBe(1);
    expect(oracle.metrics['NDCG@10']).toBe(1);
    // The MANIFEST's known quirk: 156 rows list their own positive among the 99.
    expect(oracle.candidates.droppedCandidates).toBe(156);
    expect(oracle.candidates.minNegatives).toBe(98);
    expect(oracle.candidates.maxNegatives).toBe(99);
    expect(oracle.numRows).toBe(6040);

    // Constant scores: pessimistic puts every positive last, average gives exactly
    // HR@10 = 10 / (negatives + 1) per row.
    const constant: ScorePairs = (_users, items) => new Float32Array(items.length);
    const pessimistic = await evaluateSampledRanking({ numItems, testItems, candidates, scorePairs: constant, ks: [10] });
    expect(pessimistic.metrics['HR@10']).toBe(0);
    const average = await evaluateSampledRanking({ numItems, testItems, candidates, scorePairs: constant, ks: [10], ties: 'average' });
    expect(average.metrics['HR@10']).toBeCloseTo((5884 * (10 / 100) + 156 * (10 / 99)) / 6040, 12);

    // Random scores (Philox): HR@10 ≈ 10/100; σ over 6040 rows is 0.0039, allow 4σ.
    const rng = new Philox({ seed: 2017 });
    const random = await evaluateSampledRanking({
      numItems,
      testItems,
      candidates,
      scorePairs: (_users, items) => Float32Array.from(items, () => rng.uniform()),
      ks: [10],
    });
    expect(Math.abs(random.metrics['HR@10']! - 0.1)).toBeLessThan(0.016);
  });
});
