/**
 * A generated multi-behaviour dataset for the model-command tests, small enough to train
 * in well under a second: users in three taste groups view, cart and buy items mostly of
 * their group's third of the catalogue; the published test split holds one more purchase
 * per user. Raw ids differ from indexes (users 1000…, items `sku-…`) and items have
 * names, so the commands' id mapping is exercised.
 */
import { Philox } from '@rec/core';
import { createInteractions, type Dataset, IdMap, type Interactions, selectInteractions } from '@rec/data';
import type { RecIO } from '../src/rec.js';

export const FUNNEL_NAME = 'synthetic/funnel';
const NUM_USERS = 60;
const NUM_ITEMS = 30;

/**
 * The dataset `rec train --data synthetic/funnel` reads in these tests.
 * @param options.timed give each row a timestamp (its row number: a user's views, carts and
 *   buys in the order generated), for the sequential models.
 */
export function funnelDataset(options: { timed?: boolean } = {}): Dataset<number, string> {
  const rng = new Philox({ seed: 11 });
  const users: number[] = [];
  const items: number[] = [];
  const behaviors: number[] = [];
  const testRows: number[] = [];
  for (let u = 0; u < NUM_USERS; u++) {
    const group = u % 3;
    const seen = new Set<number>();
    while (seen.size < 8) {
      const inGroup = rng.uniform() < 0.8;
      seen.add(inGroup ? group * 10 + rng.int(10) : rng.int(NUM_ITEMS));
    }
    [...seen].forEach((item, k) => {
      // 8 views; the first 4 carted; the first 3 bought, the third of which is the test purchase.
      const depth = k < 3 ? 3 : k < 4 ? 2 : 1;
      for (let b = 0; b < depth; b++) {
        if (b === 2 && k === 2) testRows.push(users.length);
        users.push(u);
        items.push(item);
        behaviors.push(b);
      }
    });
  }
  const interactions = createInteractions({
    users: Int32Array.from(users), items: Int32Array.from(items), behaviors: Uint8Array.from(behaviors),
    behaviorNames: ['view', 'cart', 'buy'], numUsers: NUM_USERS, numItems: NUM_ITEMS,
    ...(options.timed ? { timestamps: Float64Array.from(users, (_, r) => r) } : {}),
  });
  const isTest = new Uint8Array(interactions.length);
  for (const r of testRows) isTest[r] = 1;
  const rowsWhere = (want: number): Int32Array => Int32Array.from([...isTest.keys()].filter((r) => isTest[r] === want));
  const train: Interactions = selectInteractions(interactions, rowsWhere(0));
  const test: Interactions = selectInteractions(interactions, rowsWhere(1));
  return {
    name: FUNNEL_NAME,
    interactions,
    userIds: new IdMap(Array.from({ length: NUM_USERS }, (_, u) => 1000 + u)),
    itemIds: new IdMap(Array.from({ length: NUM_ITEMS }, (_, i) => `sku-${i}`)),
    itemNames: Array.from({ length: NUM_ITEMS }, (_, i) => `item ${i} of group ${Math.floor(i / 10)}`),
    splits: { default: { train, test, description: 'generated: one purchase per user held out' } },
  };
}

/** Output collected from one in-process `rec` run. */
export interface RecRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A RecIO that collects what a run writes. */
export function collectingIO(): { io: RecIO; stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    io: { out: (s) => void (stdout += s), err: (s) => void (stderr += s), errIsTTY: false },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
