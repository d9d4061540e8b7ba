/**
 * The skip-gram benchmark's corpus and epoch, shared by `src/skipgram.ts` (ours against
 * gensim, and MRLR) and `src/peers.ts` (the peer table).
 *
 * Corpus: one "sentence" per user, the user's items in row order (chronological in
 * S3-Rec's files). Pairs: every (centre, context) within `window` positions, no
 * subsampling, no window shrinking (gensim `sample=0`, `shrink_windows=False`), so ours and
 * gensim train exactly the same pairs: Σ over positions of the neighbours in the window.
 */
import { writeFileSync } from 'node:fs';
import { AliasTable, Embedding, reshape, runKernel, sampleAliasNegatives, tensor, type Tensor, tidy, unigramWeights } from '@rec/core';
import type { Interactions } from '@rec/data';

/**
 * Word2vec's settings the skip-gram benchmarks use: d = 10, window 5, N = 5 negatives, lr 0.025 (gensim's alpha).
 * @example
 * ```ts
 * const { dim, window, negatives } = SKIPGRAM_SETTINGS;
 * ```
 */
export const SKIPGRAM_SETTINGS = { dim: 10, window: 5, negatives: 5, lr: 0.025 } as const;

/**
 * A corpus with its (centre, context) pairs and the unigram^0.75 alias table of its
 * negatives. `buildPairs` refills `centreIds` / `contextIds` (it is part of a timed
 * epoch, as gensim builds its pairs inside its own).
 * @example
 * ```ts
 * const corpus: SkipGramCorpus = skipGramCorpus(interactions);
 * corpus.buildPairs();
 * corpus.centreIds[0]; // the centre of the first pair
 * ```
 */
export interface SkipGramCorpus {
  readonly numItems: number;
  readonly sentences: readonly number[][];
  /** (centre, context) pairs per epoch. */
  readonly pairs: number;
  readonly centreIds: Int32Array;
  readonly contextIds: Int32Array;
  /** Writes every pair of the window into `centreIds` / `contextIds`, sentence by sentence. */
  buildPairs(): void;
  /** The alias table of unigram^0.75 (word2vec's noise distribution), as tensors. */
  readonly prob: Tensor;
  readonly alias: Tensor;
}

/**
 * Builds the corpus of `interactions` (one sentence per user) for a window of `window`.
 * @example
 * ```ts
 * const corpus = skipGramCorpus((await readDataset('amazon-s3rec/Toys_and_Games')).interactions);
 * corpus.buildPairs(); // corpus.pairs pairs in centreIds / contextIds
 * ```
 */
export function skipGramCorpus(interactions: Interactions, window: number = SKIPGRAM_SETTINGS.window): SkipGramCorpus {
  const sentences: number[][] = Array.from({ length: interactions.numUsers }, () => []);
  for (let r = 0; r < interactions.length; r++) sentences[interactions.users[r]!]!.push(interactions.items[r]!);
  const flat = Int32Array.from(sentences.flat());
  const starts = new Int32Array(sentences.length + 1);
  sentences.forEach((s, k) => (starts[k + 1] = starts[k]! + s.length));
  let pairs = 0;
  for (const s of sentences) for (let p = 0; p < s.length; p++) pairs += Math.min(s.length - 1, p + window) - Math.max(0, p - window);
  const centreIds = new Int32Array(pairs);
  const contextIds = new Int32Array(pairs);
  const buildPairs = (): void => {
    let at = 0;
    for (let k = 0; k < sentences.length; k++) {
      const lo = starts[k]!;
      const hi = starts[k + 1]!;
      for (let p = lo; p < hi; p++) {
        const qEnd = Math.min(hi - 1, p + window);
        for (let q = Math.max(lo, p - window); q <= qEnd; q++) {
          if (q !== p) {
            centreIds[at] = flat[p]!;
            contextIds[at++] = flat[q]!;
          }
        }
      }
    }
  };
  const counts = new Float64Array(interactions.numItems);
  for (let r = 0; r < interactions.length; r++) counts[interactions.items[r]!]!++;
  const table = AliasTable.fromWeights(unigramWeights(counts));
  return { numItems: interactions.numItems, sentences, pairs, centreIds, contextIds, buildPairs, prob: tensor(table.prob), alias: tensor(table.alias) };
}

/**
 * The tables one skip-gram model trains: input (context) vectors, output vectors, and an unused contextB row.
 * @example
 * ```ts
 * const { input, output }: SkipGramTables = skipGramTables(corpus);
 * ```
 */
export interface SkipGramTables {
  readonly input: Embedding;
  readonly output: Embedding;
  readonly unused: Embedding;
}

/**
 * Fresh tables for `corpus`: input ~ N(0, 0.1²), output zero (word2vec starts its output
 * vectors at zero).
 * @example
 * ```ts
 * const tables = skipGramTables(corpus);
 * ```
 */
export function skipGramTables(corpus: SkipGramCorpus, dim: number = SKIPGRAM_SETTINGS.dim): SkipGramTables {
  return {
    input: new Embedding(corpus.numItems, dim, { seed: 1, stream: 0, std: 0.1 }),
    output: new Embedding(corpus.numItems, dim, { seed: 1, stream: 1, std: 0 }),
    unused: new Embedding(1, dim, { seed: 1, stream: 2, std: 0 }),
  };
}

/**
 * Milliseconds per phase of the epochs run so far: building the pairs, drawing negatives apart, the kernel.
 * @example
 * ```ts
 * const phases: SkipGramPhases = { pairs: 0, sample: 0, step: 0 };
 * skipGramEpoch(corpus, tables, { fast: true, phases });
 * ```
 */
export interface SkipGramPhases {
  pairs: number;
  sample: number;
  step: number;
}

/**
 * Options of {@link skipGramEpoch}.
 * @example
 * ```ts
 * const options: SkipGramEpochOptions = { fast: true, fused: true, epoch: 2 };
 * ```
 */
export interface SkipGramEpochOptions {
  /** `skipgram_step`'s f32 path (`fast: true`) instead of the default, bit-equal to the js reference. */
  fast: boolean;
  /** Draw the negatives inside `skipgram_sample_step` instead of `neg_sample_alias` then `skipgram_step` (the same negatives). */
  fused?: boolean;
  /** Pairs per kernel call (default 8,192). */
  batch?: number;
  /** Epoch index: offsets the draws' Philox counter, so later epochs draw other negatives (default 0). */
  epoch?: number;
  /** Where to add the time of each phase. */
  phases?: SkipGramPhases;
}

/**
 * One epoch of word2vec's skip-gram over `corpus` on the current backend, in place on
 * `tables`: builds the pairs, then for each batch the context word predicts the centre
 * against N negatives (gensim's sg=1 loop). Returns the seconds and the mean loss per pair.
 * @example
 * ```ts
 * const { seconds, loss } = skipGramEpoch(corpus, skipGramTables(corpus), { fast: true, fused: true });
 * ```
 */
export function skipGramEpoch(corpus: SkipGramCorpus, tables: SkipGramTables, options: SkipGramEpochOptions): { seconds: number; loss: number } {
  const { pairs, centreIds, contextIds, prob, alias } = corpus;
  const { negatives, lr } = SKIPGRAM_SETTINGS;
  const { fast, fused = false, batch = 8192, epoch = 0 } = options;
  const phases = options.phases ?? { pairs: 0, sample: 0, step: 0 };
  const zeros = new Int32Array(batch);
  const attrs = { alpha1: 1, alpha2: 0, extraWeight: 0, lr, reg: 0, fast };
  let loss = 0;
  const t0 = performance.now();
  corpus.buildPairs();
  phases.pairs += performance.now() - t0;
  for (let at = 0; at < pairs; at += batch) {
    tidy(() => {
      const n = Math.min(batch, pairs - at);
      const counter = 2 * (epoch * pairs + at) * negatives;
      const rows = [tables.input.weight, tables.unused.weight, tables.output.weight, tensor(contextIds.subarray(at, at + n)), tensor(zeros.subarray(0, n)), tensor(centreIds.subarray(at, at + n))];
      let out: Tensor;
      if (fused) {
        const tk = performance.now();
        [out] = runKernel('skipgram_sample_step', [...rows, prob, alias], { ...attrs, negatives, seed: 1, stream: 0, counter });
        phases.step += performance.now() - tk;
      } else {
        const ts = performance.now();
        const negs = sampleAliasNegatives({ prob, alias }, n * negatives, { seed: 1, counter }).negatives;
        phases.sample += performance.now() - ts;
        const tk = performance.now();
        [out] = runKernel('skipgram_step', [...rows, reshape(negs, [n, negatives])], attrs);
        phases.step += performance.now() - tk;
      }
      loss += (out.readSync() as Float32Array)[0]! * n;
    });
  }
  return { seconds: (performance.now() - t0) / 1000, loss: loss / pairs };
}

/**
 * Writes the corpus as gensim's `LineSentence` reads it: one sentence per line, items as
 * words `i<id>`.
 * @example
 * ```ts
 * writeGensimCorpus(corpus, join(dir, 'corpus.txt'));
 * ```
 */
export function writeGensimCorpus(corpus: SkipGramCorpus, path: string): void {
  writeFileSync(path, corpus.sentences.map((s) => s.map((i) => `i${i}`).join(' ')).join('\n'));
}
