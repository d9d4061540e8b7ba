import { describe, expect, it } from 'vitest';
import { UserItemCSR, itemPopularity } from './csr.js';
import { createInteractions } from './interactions.js';

// user 0: items 3, 1, 3 (a repeat); user 1: none; user 2: items 0, 4
const log = createInteractions({
  users: Int32Array.of(0, 2, 0, 2, 0),
  items: Int32Array.of(3, 4, 1, 0, 3),
  numUsers: 3,
  numItems: 5,
});

describe('UserItemCSR', () => {
  const csr = UserItemCSR.fromInteractions(log);

  it('sorts and deduplicates each row', () => {
    expect(Array.from(csr.indptr)).toEqual([0, 2, 2, 4]);
    expect(Array.from(csr.indices)).toEqual([1, 3, 0, 4]);
    expect(csr.nnz).toBe(4);
    expect(Array.from(csr.rowOf(0))).toEqual([1, 3]);
    expect(csr.rowOf(1).length).toBe(0);
    expect(csr.rowLength(2)).toBe(2);
  });

  it('answers membership by binary search', () => {
    const expected = [
      [false, true, false, true, false],
      [false, false, false, false, false],
      [true, false, false, false, true],
    ];
    for (let u = 0; u < 3; u++) for (let i = 0; i < 5; i++) expect(csr.has(u, i)).toBe(expected[u]![i]);
    expect(() => csr.has(3, 0)).toThrow('user 3 is outside [0, numUsers = 3)');
  });

  it('rejects broken arrays with the invariant named', () => {
    const base = { numUsers: 2, numItems: 5 };
    expect(() => new UserItemCSR({ ...base, indptr: Int32Array.of(0, 2), indices: Int32Array.of(1, 2) })).toThrow(
      'indptr has 2 entries, expected numUsers + 1 = 3',
    );
    expect(() => new UserItemCSR({ ...base, indptr: Int32Array.of(0, 2, 2), indices: Int32Array.of(2, 1) })).toThrow(
      'not strictly ascending',
    );
    expect(() => new UserItemCSR({ ...base, indptr: Int32Array.of(0, 1, 1), indices: Int32Array.of(5) })).toThrow(
      'outside [0, numItems = 5)',
    );
  });

  it('matches a brute-force set on random data', () => {
    let state = 12345;
    const next = (n: number) => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const n = 2000;
    const users = Int32Array.from({ length: n }, () => next(50));
    const items = Int32Array.from({ length: n }, () => next(80));
    const random = UserItemCSR.fromInteractions(createInteractions({ users, items, numUsers: 50, numItems: 80 }));
    const truth = new Set(Array.from(users, (u, r) => u * 80 + items[r]!));
    for (let u = 0; u < 50; u++) for (let i = 0; i < 80; i++) expect(random.has(u, i)).toBe(truth.has(u * 80 + i));
    expect(random.nnz).toBe(truth.size);
  });
});

describe('itemPopularity', () => {
  it('counts rows per item, repeats included', () => {
    expect(Array.from(itemPopularity(log))).toEqual([1, 1, 0, 2, 1]);
  });
});
