/**
 * Test helpers for code that reads real datasets (export path `@rec/data/testing`).
 */
import { skipOrFail, type SkippableContext } from '@rec/core/testing';
import { locateDataset } from '../locate.js';

/**
 * The folder of dataset `name` (see `locateDataset`), or a skip of the running test
 * that says where it looked and how to get the data. With `REC_REQUIRE_DATA=1` (CI)
 * the skip becomes a failure, so a missing dataset cannot pass silently.
 *
 * @param ctx the vitest test context (`it('…', (ctx) => …)`).
 * @example
 * ```ts
 * it('reads ml-100k', async (ctx) => {
 *   const dir = requireDataset(ctx, 'ml-100k');
 *   const { interactions } = await readMovieLens100K(dir);
 *   expect(interactions.length).toBe(100_000);
 * });
 * ```
 */
export function requireDataset(ctx: SkippableContext, name: string): string {
  const found = locateDataset(name);
  if (found.ok) return found.dir;
  skipOrFail(ctx, 'REC_REQUIRE_DATA', found.reason);
  // vitest's ctx.skip() throws to end the test; a context whose skip returns must not
  // run on without its data.
  throw new Error(found.reason);
}
