/**
 * Environment flags that turn a missing optional resource into a test failure.
 * CI sets them so that a skipped dataset or backend cannot pass silently.
 */
export type RequirementFlag = 'REC_REQUIRE_DATA' | 'REC_REQUIRE_NATIVE' | 'REC_REQUIRE_WEBGPU';

/** The subset of vitest's test context this helper needs. */
export interface SkippableContext {
  skip(note?: string): void;
}

/** True when `flag` is set to `1` in the environment. */
export function isRequired(flag: RequirementFlag): boolean {
  return process.env[flag] === '1';
}

/**
 * Skips the running test with `reason`, or fails it when `flag` is set to `1`.
 *
 * @example
 * ```ts
 * it('reads ml-100k', (ctx) => {
 *   const dir = locateDataset('ml-100k');
 *   if (!dir.ok) return skipOrFail(ctx, 'REC_REQUIRE_DATA', dir.reason);
 * });
 * ```
 */
export function skipOrFail(ctx: SkippableContext, flag: RequirementFlag, reason: string): void {
  if (isRequired(flag)) {
    throw new Error(`${reason} (this test is required because ${flag}=1)`);
  }
  ctx.skip(reason);
}
