/**
 * `neg_sample_multichannel`: MC-BPR negatives (Loni et al. 2016, "Bayesian
 * personalized ranking with multi-channel user feedback"; the baseline of
 * NMTR §IV-A2). For a purchase of user u, with probability p the negative is
 * an item u viewed but did not buy, else an item u never interacted with:
 *
 *   channel = viewed  if (word k_r >>> 8)·2⁻²⁴ < p and viewed(u) ≠ ∅, else unseen
 *   viewed:  j = viewed(u)[mulhi32(word k_r+1, |viewed(u)|)]
 *   unseen:  try t draws j = mulhi32(word k_r+1+t, V), retried while j ∈ seen(u)
 *
 * with k_r = counter + r·(1 + T) (T = maxTries; the viewed channel uses only
 * word k_r+1). `seen(u)` is the user's all-behaviour positives (it must include
 * the viewed items). A user with no viewed-not-bought items falls back to the
 * unseen channel, so every row gets a negative. After T tries the unseen row
 * keeps its last draw and counts in `exhausted`. The paper tunes p ("we tuned
 * the probability distribution"); it is an attribute here.
 *
 * Inputs: users i32 [n]; viewedIndptr i32 [U + 1], viewedItems i32 [·];
 * seenIndptr i32 [U + 1], seenItems i32 [·] sorted per row.
 * Outputs: negatives i32 [n]; channel i32 [n] (1 viewed, 0 unseen);
 * exhausted i32 [1]. EXACT parity across backends (counter-based words).
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { mulhi32 } from '../../random/philox.js';
import { u32At } from '../../random/rng.js';
import { sortedHas } from '../../search/sorted.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDrawAttrs } from './draw_attrs.js';
import { checkMaxTries, checkNumItems, checkRate, checkSamplerIndptr, checkSamplerVector } from './sampler_inputs.js';

/** Attributes of `neg_sample_multichannel`. */
export interface NegSampleMultichannelAttrs {
  /** Probability in [0, 1] of the viewed-but-not-bought channel. */
  viewedRate: number;
  numItems: number;
  seed: number;
  stream: number;
  counter: number;
  maxTries: number;
}

const UNIFORM_STEP = 1 / 16_777_216;

export const negSampleMultichannelSpec = declareKernel({
  id: 'neg_sample_multichannel',
  family: 'sampling',
  summary: 'MC-BPR: j ~ Uniform(viewed(u) \\ bought(u)) w.p. p, else Uniform(items \\ seen(u))',
  check: checkNegSampleMultichannelInputs,
});

type Ints = ArrayLike<number>;

const K = 'neg_sample_multichannel';
const NAMES = ['users', 'viewedIndptr', 'viewedItems', 'seenIndptr', 'seenItems'] as const;
/** How the messages write each input's length (the file header's layouts). */
const LENGTHS = ['n', 'U + 1', '·', 'U + 1', '·'] as const;

/**
 * The rule of `neg_sample_multichannel` (its spec's `check`, run by `runKernel` on every
 * backend): five i32 vectors (see the file's header), the two indptrs of one length with at
 * least one entry; viewedRate in [0, 1], numItems in [1, 2³¹), maxTries in [1, 2²⁰] and the
 * Philox attributes, the n·(1 + T) words from `counter` safe integers. It reads no tensor
 * data (see {@link checkNegSampleMultichannelIds} for what does).
 *
 * @example
 * ```ts
 * checkNegSampleMultichannelInputs(inputs, { viewedRate: 0.3, numItems: 100, seed: 1, stream: 0, counter: 0, maxTries: 16 });
 * ```
 */
export function checkNegSampleMultichannelInputs(inputs: readonly Tensor[], attrs: NegSampleMultichannelAttrs): void {
  if (inputs.length !== NAMES.length) throw new Error(`${K}: expected ${NAMES.length} inputs (${NAMES.join(', ')}), got ${inputs.length}`);
  for (let i = 0; i < NAMES.length; i++) checkSamplerVector(K, NAMES[i], inputs[i], 'i32', LENGTHS[i]);
  const [users, viewedIndptr, , seenIndptr] = inputs;
  if (viewedIndptr.size !== seenIndptr.size) throw new Error(`${K}: viewed indptr has ${viewedIndptr.size} entries but seen indptr has ${seenIndptr.size}`);
  checkSamplerIndptr(K, 'seenIndptr', seenIndptr, 'numUsers');
  const { viewedRate, numItems, maxTries } = attrs;
  checkRate(K, 'viewedRate', viewedRate);
  checkNumItems(K, numItems);
  checkMaxTries(K, maxTries);
  const n = users.size;
  checkDrawAttrs(K, attrs, n * (1 + maxTries), `${n}·(1 + ${maxTries})`);
}

/**
 * The part of `neg_sample_multichannel`'s checks that reads the data: the viewed CSR's row
 * pointers and items, users in range (the C++ makes the same checks with the same messages).
 * Run after {@link checkNegSampleMultichannelInputs}.
 *
 * @example
 * ```ts
 * checkNegSampleMultichannelIds(users, viewedIndptr, viewedItems, seenIndptr, 100);
 * ```
 */
export function checkNegSampleMultichannelIds(users: Ints, viewedIndptr: Ints, viewedItems: Ints, seenIndptr: Ints, numItems: number): void {
  const numUsers = seenIndptr.length - 1;
  for (let u = 0; u < numUsers; u++) {
    if (viewedIndptr[u] < 0 || viewedIndptr[u] > viewedIndptr[u + 1] || viewedIndptr[u + 1] > viewedItems.length) throw new Error(`${K}: viewed indptr is not a valid CSR row pointer at user ${u}`);
  }
  for (let i = 0; i < viewedItems.length; i++) {
    if (viewedItems[i] < 0 || viewedItems[i] >= numItems) throw new Error(`${K}: viewed item ${viewedItems[i]} at position ${i} is outside [0, ${numItems})`);
  }
  for (let r = 0; r < users.length; r++) {
    if (users[r] < 0 || users[r] >= numUsers) throw new Error(`${K}: user ${users[r]} at position ${r} is out of range for ${numUsers} users`);
  }
}

registerKernel<NegSampleMultichannelAttrs>('neg_sample_multichannel', 'js', ({ inputs, attrs, backend }) => {
  const [users, viewedIndptr, viewedItems, seenIndptr, seenItems] = inputs.map((t) => hostData(t));
  const { viewedRate, numItems, seed, stream, counter, maxTries } = attrs;
  checkNegSampleMultichannelIds(users, viewedIndptr, viewedItems, seenIndptr, numItems);
  const n = users.length;
  const out = allocArray('i32', n);
  const channel = allocArray('i32', n);
  let exhausted = 0;
  for (let r = 0; r < n; r++) {
    const u = users[r];
    const base = counter + r * (1 + maxTries);
    const vLo = viewedIndptr[u];
    const vCount = viewedIndptr[u + 1] - vLo;
    if (vCount > 0 && (u32At(seed, stream, base) >>> 8) * UNIFORM_STEP < viewedRate) {
      out[r] = viewedItems[vLo + mulhi32(u32At(seed, stream, base + 1), vCount)];
      channel[r] = 1;
      continue;
    }
    const lo = seenIndptr[u];
    const hi = seenIndptr[u + 1];
    let item = 0;
    let t = 0;
    for (; t < maxTries; t++) {
      item = mulhi32(u32At(seed, stream, base + 1 + t), numItems);
      if (!sortedHas(seenItems, item, lo, hi)) break;
    }
    if (t === maxTries) exhausted++;
    out[r] = item;
  }
  return [hostOutput(backend, [n], 'i32', out), hostOutput(backend, [n], 'i32', channel), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
});
