/**
 * The Philox attributes of a kernel that draws (the samplers, `dropout_mask`, and
 * `skipgram_sample_step` and `bpr_sample_step`, which draw inside): one check, one
 * set of messages, part of each one's spec rule.
 */

/** Where a kernel's draws start: Philox (seed, stream) and the first word. */
export interface DrawAttrs {
  seed: number;
  stream: number;
  counter: number;
}

/**
 * Checks `seed` (an integer), `stream` (in [0, 2³²)) and that the `words` the call uses from
 * `counter` stay safe integers; `formula` is how the message writes that count (e.g. `2·b·N`).
 *
 * @example
 * ```ts
 * checkDrawAttrs('bpr_sample_step', attrs, n * maxTries, `${n}·${maxTries}`);
 * ```
 */
export function checkDrawAttrs(K: string, attrs: DrawAttrs, words: number, formula: string): void {
  const { seed, stream, counter } = attrs;
  if (!Number.isInteger(seed)) throw new Error(`${K}: seed must be an integer, got ${seed}`);
  if (!(Number.isInteger(stream) && stream >= 0 && stream < 2 ** 32)) throw new Error(`${K}: stream must be an integer in [0, 2³²), got ${stream}`);
  if (!(Number.isSafeInteger(counter) && counter >= 0 && Number.isSafeInteger(counter + words))) {
    throw new Error(`${K}: counter must be a non-negative integer with counter + ${formula} a safe integer, got ${counter}`);
  }
}
