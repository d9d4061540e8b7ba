import { describe, expect, it } from 'vitest';
import { createInteractions } from './interactions.js';
import { readDataset } from './load.js';
import { behaviorOverlap, formatOverlap } from './overlap.js';
import { requireDataset } from './testing/index.js';

const NAMES = ['view', 'cart', 'buy'] as const;
const B = { view: 0, cart: 1, buy: 2 } as const;

/** Rows as [user, item, behaviour]. */
function log(rows: readonly [number, number, keyof typeof B][], behaviorNames: readonly string[] = NAMES) {
  return createInteractions({
    users: Int32Array.from(rows, (r) => r[0]),
    items: Int32Array.from(rows, (r) => r[1]),
    behaviors: Uint8Array.from(rows, (r) => behaviorNames.indexOf(r[2])),
    behaviorNames,
    numUsers: 4,
    numItems: 6,
  });
}

// u0 viewed and carted 1, viewed 2, bought 3; u1 carted 4 and viewed it twice;
// u2 bought 5; u3 viewed 0.
const train = log([
  [0, 1, 'view'],
  [0, 1, 'cart'],
  [0, 2, 'view'],
  [0, 3, 'buy'],
  [1, 4, 'cart'],
  [1, 4, 'view'],
  [1, 4, 'view'],
  [2, 5, 'buy'],
  [3, 0, 'view'],
]);
const test = log([
  [0, 1, 'buy'], // viewed and carted
  [0, 2, 'buy'], // viewed
  [1, 4, 'buy'], // carted and viewed (twice): counts once per behaviour
  [2, 5, 'buy'], // already bought in train: a leak
  [3, 2, 'buy'], // never seen (u0 viewed 2, not u3)
  [3, 0, 'view'], // not a target row: ignored
  [1, 0, 'buy'], // never seen (u3 viewed 0, not u1)
]);

describe('behaviorOverlap on a hand-made log', () => {
  it('counts, per training behaviour, the test purchases the user already had', () => {
    const o = behaviorOverlap(train, test);
    expect(o.target).toBe('buy');
    expect(o.behaviorNames).toEqual(NAMES);
    expect(o.total).toBe(6);
    expect(o.byBehavior).toEqual({
      view: { count: 3, fraction: 3 / 6 },
      cart: { count: 2, fraction: 2 / 6 },
      buy: { count: 1, fraction: 1 / 6 },
    });
    expect(o.anyWeaker).toEqual({ count: 3, fraction: 3 / 6 });
    expect(o.asTarget).toEqual({ count: 1, fraction: 1 / 6 });
    expect(o.neverSeen).toEqual({ count: 2, fraction: 2 / 6 });
    expect([...o.seenWeaker]).toEqual([1, 1, 1, 0, 0, 0, 0]);
  });

  it('takes another target: then buy is one of the weaker behaviours', () => {
    const o = behaviorOverlap(train, test, 'view');
    expect(o.total).toBe(1); // the one view row of test: (u3, 0), a training view
    expect(o.byBehavior).toEqual({ view: { count: 1, fraction: 1 }, cart: { count: 0, fraction: 0 }, buy: { count: 0, fraction: 0 } });
    expect(o.anyWeaker).toEqual({ count: 0, fraction: 0 });
    expect(o.asTarget).toEqual({ count: 1, fraction: 1 });
    expect(o.neverSeen).toEqual({ count: 0, fraction: 0 });
    expect([...o.seenWeaker]).toEqual([0, 0, 0, 0, 0, 0, 0]);

    const byCart = behaviorOverlap(train, log([[2, 5, 'cart'], [0, 3, 'cart']]), 'cart');
    expect(byCart.anyWeaker).toEqual({ count: 2, fraction: 1 }); // both bought in train
    expect([...byCart.seenWeaker]).toEqual([1, 1]);
  });

  it('finds the target rows of test by name, and takes a test log without behaviours as all target', () => {
    const buyOnly = log([[0, 1, 'buy'], [3, 2, 'buy']], ['buy']);
    expect(buyOnly.behaviors?.[0]).toBe(0); // index 0 here, 2 in train
    const o = behaviorOverlap(train, buyOnly);
    expect(o.total).toBe(2);
    expect(o.anyWeaker.count).toBe(1);
    expect([...o.seenWeaker]).toEqual([1, 0]);

    const plain = createInteractions({ users: Int32Array.of(0, 1, 2), items: Int32Array.of(2, 4, 5), numUsers: 4, numItems: 6 });
    const p = behaviorOverlap(train, plain);
    expect(p.total).toBe(3);
    expect(p.anyWeaker.count).toBe(2);
    expect(p.asTarget.count).toBe(1);
    expect([...p.seenWeaker]).toEqual([1, 1, 0]);
  });

  it('gives zero fractions, not NaN, without test purchases', () => {
    const o = behaviorOverlap(train, log([[3, 0, 'view']]));
    expect(o.total).toBe(0);
    expect(o.anyWeaker).toEqual({ count: 0, fraction: 0 });
    expect(o.neverSeen).toEqual({ count: 0, fraction: 0 });
  });

  it('rejects a train log without behaviours, an unknown target and mismatched index spaces', () => {
    const plain = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0) });
    expect(() => behaviorOverlap(plain, test)).toThrow(/behaviorOverlap: the log has no behaviour types/);
    expect(() => behaviorOverlap(train, test, 'like')).toThrow(/unknown behaviour 'like'; the log has 'view', 'cart', 'buy'/);
    const wide = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(9) });
    expect(() => behaviorOverlap(train, wide)).toThrow(/test spans 1 users × 10 items but train only 4 × 6/);
  });

  it('prints a Markdown table, one column per overlap', () => {
    const cartBuy = log([[1, 4, 'cart'], [0, 1, 'buy']], ['cart', 'buy']);
    const other = behaviorOverlap(cartBuy, log([[1, 4, 'buy'], [0, 2, 'buy']], ['cart', 'buy']));
    expect(formatOverlap([behaviorOverlap(train, test), other], { names: ['tiny', 'cart-buy'] })).toBe(
      [
        '| test buy pair seen in train as | tiny | cart-buy |',
        '| :-- | --: | --: |',
        '| view | 3 (50.0 %) | — |',
        '| cart | 2 (33.3 %) | 1 (50.0 %) |',
        '| buy (target) | 1 (16.7 %) | 0 (0.0 %) |',
        '| any non-target behaviour | 3 (50.0 %) | 1 (50.0 %) |',
        '| none | 2 (33.3 %) | 1 (50.0 %) |',
        '| test buy pairs | 6 | 2 |',
      ].join('\n'),
    );
    expect(formatOverlap(other).split('\n')[0]).toBe('| test buy pair seen in train as |  |');
  });
});

// Measured on the published default splits; fractions asserted to ±0.5 percentage points.
describe.each([
  { name: 'tmall/mbcgcn', total: 15_449, byBehavior: { view: 0.797, cart: 0.196 }, anyWeaker: 0.832 },
  { name: 'beibei/ghcf', total: 21_716, byBehavior: { cart: 0.623 }, anyWeaker: 0.623 },
  { name: 'taobao/ghcf', total: 48_749, byBehavior: { cart: 0.171 }, anyWeaker: 0.171 },
])('behaviorOverlap on $name (default split)', ({ name, total, byBehavior, anyWeaker }) => {
  it('finds most test purchases already in the user\'s weaker-behaviour training data, none in their purchases', async (ctx) => {
    requireDataset(ctx, name);
    const { train, test } = (await readDataset(name)).splits.default;
    const o = behaviorOverlap(train, test);
    expect(o.total).toBe(total);
    for (const [behavior, fraction] of Object.entries(byBehavior)) {
      expect(Math.abs(o.byBehavior[behavior].fraction - fraction), behavior).toBeLessThanOrEqual(0.005);
    }
    expect(Math.abs(o.anyWeaker.fraction - anyWeaker)).toBeLessThanOrEqual(0.005);
    expect(o.asTarget.count).toBe(0);
    expect(o.neverSeen.count).toBe(total - o.anyWeaker.count);
    expect(o.seenWeaker.reduce((sum, v) => sum + v, 0)).toBe(o.anyWeaker.count);
  }, 120_000);
});
