/**
 * `neg_sample_category`: for each (user, positive) row, a negative from the
 * positive's own leaf category or from a sibling category under the same
 * parent, never one of the user's positives — the second-hand paper's §3.3.1
 * sampler ("the negative items are from different categories while share the
 * same parent category with this positive item, or items in the same
 * lowest-level category of this positive item").
 *
 * Row r (positive i, leaf c = itemCategory[i]) uses the Philox words
 * k_r = counter + r·(1 + 2T) (T = maxTries):
 *
 *   word k_r:          mode = sibling if (word >>> 8)·2⁻²⁴ < siblingRate and c has siblings, else leaf
 *   try t, word k_r+1+2t:  sibling mode: s = siblings(c)[mulhi32(word, |siblings(c)|)]; leaf mode: s = c
 *   try t, word k_r+2+2t:  j = items(s)[mulhi32(word, |items(s)|)]
 *
 * so a sibling negative is uniform over sibling categories, then uniform
 * within the category. The paper is vague on how the two sources mix and on
 * the weighting across siblings; we choose a per-row coin with a given rate
 * (0 = leaf only, 1 = siblings only) and equal weight per sibling category,
 * which is what "balance the differences among different categories" asks.
 * A j in the user's sorted positives row is retried; after T tries, or when
 * the chosen category holds no items, the row keeps its last draw (-1 for an
 * empty category) and counts in `exhausted`.
 *
 * Inputs: users i32 [n]; positives i32 [n] (items); itemCategory i32 [V] (leaf
 * of each item); catIndptr i32 [C + 1], catItems i32 [·] (leaf → items);
 * sibIndptr i32 [C + 1], sibCats i32 [·] (leaf → sibling leaves, excluding
 * itself); userIndptr i32 [U + 1], userItems i32 [·] sorted per row.
 * Outputs: negatives i32 [n]; exhausted i32 [1].
 * Every word is a pure function of its counter: EXACT parity across backends.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { mulhi32 } from '../../random/philox.js';
import { u32At } from '../../random/rng.js';
import { sortedHas } from '../../search/sorted.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDrawAttrs } from './draw_attrs.js';
import { checkMaxTries, checkRate, checkSamplerIndptr, checkSamplerVector } from './sampler_inputs.js';

/** Attributes of `neg_sample_category`. */
export interface NegSampleCategoryAttrs {
  /** Probability in [0, 1] that a row draws from sibling categories rather than its leaf. */
  siblingRate: number;
  seed: number;
  stream: number;
  counter: number;
  maxTries: number;
}

const UNIFORM_STEP = 1 / 16_777_216;

export const negSampleCategorySpec = declareKernel({
  id: 'neg_sample_category',
  family: 'sampling',
  summary: "j ~ Uniform(items of the positive's leaf or a sibling leaf) \\ positives(u), bounded retry",
  check: checkNegSampleCategoryInputs,
});

type Ints = ArrayLike<number>;

const K = 'neg_sample_category';
const NAMES = ['users', 'positives', 'itemCategory', 'catIndptr', 'catItems', 'sibIndptr', 'sibCats', 'userIndptr', 'userItems'] as const;
/** How the messages write each input's length (the file header's layouts). */
const LENGTHS = ['n', 'n', 'V', 'C + 1', '·', 'C + 1', '·', 'U + 1', '·'] as const;

/**
 * The rule of `neg_sample_category` (its spec's `check`, run by `runKernel` on every
 * backend): nine i32 vectors (see the file's header) with positives as long as users, a
 * non-empty category indptr [C + 1], a sibling indptr of the same length and a non-empty
 * userIndptr; siblingRate in [0, 1], maxTries in [1, 2²⁰] and the Philox attributes, the
 * n·(1 + 2T) words from `counter` safe integers. It reads no tensor data (see
 * {@link checkNegSampleCategoryIds} for what does).
 *
 * @example
 * ```ts
 * checkNegSampleCategoryInputs(inputs, { siblingRate: 0.5, seed: 1, stream: 0, counter: 0, maxTries: 16 });
 * ```
 */
export function checkNegSampleCategoryInputs(inputs: readonly Tensor[], attrs: NegSampleCategoryAttrs): void {
  if (inputs.length !== NAMES.length) throw new Error(`${K}: expected ${NAMES.length} inputs (${NAMES.join(', ')}), got ${inputs.length}`);
  for (let i = 0; i < NAMES.length; i++) checkSamplerVector(K, NAMES[i], inputs[i], 'i32', LENGTHS[i]);
  const [users, positives, , catIndptr, , sibIndptr, , userIndptr] = inputs;
  if (positives.size !== users.size) throw new Error(`${K}: positives has ${positives.size} entries but users has ${users.size}`);
  if (catIndptr.size === 0) throw new Error(`${K}: the category indptr is empty`);
  if (sibIndptr.size !== catIndptr.size) throw new Error(`${K}: sibling categories indptr has ${sibIndptr.size} entries, expected ${catIndptr.size}`);
  checkSamplerIndptr(K, 'userIndptr', userIndptr, 'numUsers');
  const { siblingRate, maxTries } = attrs;
  checkRate(K, 'siblingRate', siblingRate);
  checkMaxTries(K, maxTries);
  const n = users.size;
  checkDrawAttrs(K, attrs, n * (1 + 2 * maxTries), `${n}·(1 + 2·${maxTries})`);
}

function checkCsr(ptr: Ints, values: Ints, rows: number, range: number, what: string): void {
  for (let r = 0; r < rows; r++) {
    if (ptr[r] < 0 || ptr[r] > ptr[r + 1] || ptr[r + 1] > values.length) throw new Error(`${K}: ${what} indptr is not a valid CSR row pointer at row ${r}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= range) throw new Error(`${K}: ${what} entry ${values[i]} at position ${i} is outside [0, ${range})`);
  }
}

/**
 * The part of `neg_sample_category`'s checks that reads the data (CSR pointers, id ranges),
 * naming what and where; run by the reference and by native (whose C++ messages are terser)
 * after {@link checkNegSampleCategoryInputs}. webgpu checks what the batch reaches on the GPU.
 *
 * @example
 * ```ts
 * checkNegSampleCategoryIds(users, positives, itemCategory, catIndptr, catItems, sibIndptr, sibCats, userIndptr);
 * ```
 */
export function checkNegSampleCategoryIds(users: Ints, positives: Ints, itemCategory: Ints, catIndptr: Ints, catItems: Ints, sibIndptr: Ints, sibCats: Ints, userIndptr: Ints): void {
  const numItems = itemCategory.length;
  const numCats = catIndptr.length - 1;
  for (let i = 0; i < numItems; i++) {
    if (itemCategory[i] < 0 || itemCategory[i] >= numCats) throw new Error(`${K}: itemCategory[${i}] = ${itemCategory[i]} is outside [0, ${numCats})`);
  }
  checkCsr(catIndptr, catItems, numCats, numItems, 'category items');
  checkCsr(sibIndptr, sibCats, numCats, numCats, 'sibling categories');
  const numUsers = userIndptr.length - 1;
  for (let r = 0; r < users.length; r++) {
    if (users[r] < 0 || users[r] >= numUsers) throw new Error(`${K}: user ${users[r]} at position ${r} is out of range for ${numUsers} users`);
    if (positives[r] < 0 || positives[r] >= numItems) throw new Error(`${K}: positive ${positives[r]} at position ${r} is out of range for ${numItems} items`);
  }
}

registerKernel<NegSampleCategoryAttrs>('neg_sample_category', 'js', ({ inputs, attrs, backend }) => {
  const [users, positives, itemCategory, catIndptr, catItems, sibIndptr, sibCats, userIndptr, userItems] = inputs.map((t) => hostData(t));
  checkNegSampleCategoryIds(users, positives, itemCategory, catIndptr, catItems, sibIndptr, sibCats, userIndptr);
  const { siblingRate, seed, stream, counter, maxTries } = attrs;
  const n = users.length;
  const out = allocArray('i32', n);
  let exhausted = 0;
  for (let r = 0; r < n; r++) {
    const leaf = itemCategory[positives[r]];
    const lo = userIndptr[users[r]];
    const hi = userIndptr[users[r] + 1];
    const base = counter + r * (1 + 2 * maxTries);
    const sibLo = sibIndptr[leaf];
    const sibCount = sibIndptr[leaf + 1] - sibLo;
    const sibling = sibCount > 0 && (u32At(seed, stream, base) >>> 8) * UNIFORM_STEP < siblingRate;
    let item = -1;
    let t = 0;
    for (; t < maxTries; t++) {
      const cat = sibling ? sibCats[sibLo + mulhi32(u32At(seed, stream, base + 1 + 2 * t), sibCount)] : leaf;
      const size = catIndptr[cat + 1] - catIndptr[cat];
      if (size === 0) continue;
      item = catItems[catIndptr[cat] + mulhi32(u32At(seed, stream, base + 2 + 2 * t), size)];
      if (!sortedHas(userItems, item, lo, hi)) break;
    }
    if (t === maxTries) exhausted++;
    out[r] = item;
  }
  return [hostOutput(backend, [n], 'i32', out), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
});
