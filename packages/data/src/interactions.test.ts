import { describe, expect, it } from 'vitest';
import { createInteractions, IdMap, selectInteractions } from './interactions.js';

describe('createInteractions', () => {
  it('derives index spaces and keeps only the columns given', () => {
    const log = createInteractions({ users: Int32Array.of(0, 2), items: Int32Array.of(1, 0) });
    expect(log).toMatchObject({ numUsers: 3, numItems: 2, length: 2 });
    expect('ratings' in log).toBe(false);
  });

  it('names the offending column and row', () => {
    expect(() => createInteractions({ users: Int32Array.of(0, 5), items: Int32Array.of(0, 0), numUsers: 3 })).toThrow(
      'users[1] = 5 is outside [0, numUsers = 3)',
    );
    expect(() => createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0, 1) })).toThrow(
      'items has 2 rows, users has 1',
    );
    expect(() =>
      createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0), timestamps: Float64Array.of(NaN) }),
    ).toThrow('timestamps[0] = NaN');
    expect(() =>
      createInteractions({
        users: Int32Array.of(0),
        items: Int32Array.of(0),
        behaviors: Uint8Array.of(2),
        behaviorNames: ['view', 'buy'],
      }),
    ).toThrow('behaviors[0] = 2');
  });

  it('selectInteractions gathers every column and keeps the index spaces', () => {
    const log = createInteractions({
      users: Int32Array.of(0, 1, 2),
      items: Int32Array.of(3, 4, 5),
      ratings: Float32Array.of(1, 2, 3),
      timestamps: Float64Array.of(10, 20, 30),
      behaviors: Uint8Array.of(0, 1, 0),
      behaviorNames: ['view', 'buy'],
    });
    const picked = selectInteractions(log, Int32Array.of(2, 0));
    expect(picked.numUsers).toBe(3);
    expect(picked.numItems).toBe(6);
    expect(Array.from(picked.users)).toEqual([2, 0]);
    expect(Array.from(picked.items)).toEqual([5, 3]);
    expect(Array.from(picked.ratings!)).toEqual([3, 1]);
    expect(Array.from(picked.timestamps!)).toEqual([30, 10]);
    expect(Array.from(picked.behaviors!)).toEqual([0, 0]);
    expect(picked.behaviorNames).toEqual(['view', 'buy']);
    expect(() => selectInteractions(log, Int32Array.of(3))).toThrow('rows[0] = 3 is outside [0, 3)');
  });
});

describe('IdMap', () => {
  it('encodes numbers in ascending numeric order', () => {
    const { ids, indexes } = IdMap.encode(Int32Array.of(100, 9, 100, 20));
    expect(ids.toArray()).toEqual([9, 20, 100]);
    expect(Array.from(indexes)).toEqual([2, 0, 2, 1]);
    expect(ids.indexOf(20)).toBe(1);
    expect(ids.indexOf(21)).toBe(-1);
    expect(ids.idOf(2)).toBe(100);
    expect(() => ids.idOf(3)).toThrow('index 3 is outside [0, 3)');
  });

  it('encodes strings by code unit and keeps "1" apart from 1', () => {
    const { ids, indexes } = IdMap.encode(['b', 'B', 'a', 'b']);
    expect(ids.toArray()).toEqual(['B', 'a', 'b']);
    expect(Array.from(indexes)).toEqual([2, 0, 1, 2]);
    expect(() => IdMap.encode<string | number>(['1', 1])).toThrow('mix numbers and strings');
  });

  it('refuses repeated ids', () => {
    expect(() => new IdMap([1, 2, 1])).toThrow('id 1 appears at index 0 and again at 2');
  });
});
