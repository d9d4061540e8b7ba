/**
 * SGD on the skip-gram-with-negative-sampling objective of Item2Vec and Meta-Prod2Vec
 * through the fused `skipgram_step` kernel, in place: word2vec's update, one example
 * after the other, with its linearly decaying learning rate.
 */
import { add, mul, runKernel, tensor, type Tensor } from '@rec/core';
import type { Objective } from '../training/objectives.js';
import type { MaybePromise } from '../training/read.js';
import type { ItemEmbeddings } from './item-embeddings.js';
import type { ItemPairSampler, SkipGramBatch, SkipGramExamples, SkipGramPairs } from './pairs.js';

/** Options of {@link FusedSkipGramObjective}. */
export interface FusedSkipGramOptions {
  /** α₀, the starting SGD step (word2vec's skip-gram default 0.025). */
  readonly learningRate: number;
  /** λ_Θ on every row a step touches (0 in word2vec). */
  readonly l2: number;
  /** Meta-Prod2Vec's λ: the side-information examples step with λ·α (0 or absent: none run). */
  readonly lambda?: number;
  /**
   * Decay the step linearly to α₀·10⁻⁴ over `epochs` (word2vec.c's schedule, which both
   * papers' implementations inherit); false keeps α₀.
   */
  readonly decay: boolean;
  /** The run's epochs (the decay's horizon). */
  readonly epochs: number;
  /** Native kernel on several threads without ordering: faster, no longer reproducible. */
  readonly hogwild: boolean;
  /** `skipgram_step`'s f32 variant on native (`fast`). */
  readonly fastMath?: boolean;
}

/**
 * Each batch runs `skipgram_step` over its L_{J|I} examples with step α and, for
 * Meta-Prod2Vec, over its side-information examples with step λ·α (the λ of
 * L = L_{J|I} + λ·(…): scaling a term's loss scales its SGD step). The kernel's context
 * is α1·a + α2·b; here a is the input table, α1 = 1 and α2 = 0 — plain skip-gram.
 * The kernel takes its b table (unused at α2 = 0) as a separate tensor: a zero table
 * with one row per example, so no two examples share a b row and the native ordered
 * schedule does not serialise the batch on a shared dummy row.
 *
 * The loss reported per pair is L_{J|I} + λ·(side-information loss of the pair).
 *
 * Without side information (Item2Vec) a batch's negatives are drawn inside the step
 * (`skipgram_sample_step`, from {@link ItemPairSampler.pairs}): the same draws as the
 * sampler's `batch` makes, so the same model, with no negatives array between the sampler and
 * the kernel (and none read back from webgpu). Meta-Prod2Vec's batches draw on the host.
 *
 * @example
 * ```ts
 * const objective = new FusedSkipGramObjective(model, sampler, { learningRate: 0.025, l2: 0, decay: true, epochs: 10, hogwild: false });
 * await new Trainer(model, objective, { epochs: 10 }).fit();
 * ```
 */
export class FusedSkipGramObjective implements Objective<SkipGramBatch | SkipGramPairs> {
  readonly fused = true;
  readonly #unusedB: Tensor;
  readonly #rowIds: Int32Array;

  constructor(readonly model: ItemEmbeddings, readonly sampler: ItemPairSampler, readonly options: FusedSkipGramOptions) {
    const { learningRate, l2, lambda = 0, epochs } = options;
    if (!(learningRate > 0)) throw new Error(`FusedSkipGramObjective: learningRate must be > 0, got ${learningRate}`);
    if (!(l2 >= 0)) throw new Error(`FusedSkipGramObjective: l2 must be ≥ 0, got ${l2}`);
    if (!(lambda >= 0)) throw new Error(`FusedSkipGramObjective: lambda must be ≥ 0, got ${lambda}`);
    if (!(Number.isInteger(epochs) && epochs >= 1)) throw new Error(`FusedSkipGramObjective: epochs must be a positive integer, got ${epochs}`);
    if (sampler.vocabulary !== model.input.shape[0]) throw new Error(`FusedSkipGramObjective: the sampler's vocabulary has ${sampler.vocabulary} tokens, the model ${model.input.shape[0]}`);
    // Up to 4 side-information examples per pair.
    const rows = sampler.options.batchSize * (sampler.options.metadata ? 4 : 1);
    const dim = model.input.shape[1];
    this.#unusedB = tensor(new Float32Array(rows * dim), [rows, dim]);
    this.#rowIds = Int32Array.from({ length: rows }, (_, r) => r);
  }

  batches(epoch: number): number {
    return this.sampler.batches(epoch);
  }

  prepare(epoch: number, index: number): MaybePromise<SkipGramBatch | SkipGramPairs> {
    return this.sampler.options.metadata ? this.sampler.batch(epoch, index) : this.sampler.pairs(epoch, index);
  }

  /** α at batch `index` of `epoch`: α₀·max(10⁻⁴, 1 − progress) with decay, else α₀. */
  learningRateAt(epoch: number, index: number): number {
    const { learningRate, decay, epochs } = this.options;
    if (!decay) return learningRate;
    const progress = (epoch + index / Math.max(1, this.sampler.batches(epoch))) / epochs;
    return learningRate * Math.max(1e-4, 1 - progress);
  }

  #step(examples: SkipGramExamples | SkipGramPairs, lr: number): Tensor {
    const { model } = this;
    const n = examples.contexts.length;
    const N = this.sampler.options.negatives;
    const attrs = { alpha1: 1, alpha2: 0, extraWeight: 0, lr, reg: this.options.l2, hogwild: this.options.hogwild, fast: this.options.fastMath ?? false };
    const head = [model.input, this.#unusedB, model.output, tensor(examples.contexts), tensor(this.#rowIds.subarray(0, n)), tensor(examples.targets)];
    if ('draw' in examples) {
      const [loss] = runKernel('skipgram_sample_step', [...head, examples.noise.prob, examples.noise.alias], { ...attrs, negatives: N, ...examples.draw });
      return loss;
    }
    const [loss] = runKernel('skipgram_step', [...head, tensor(examples.negatives, [n, N])], attrs);
    return loss;
  }

  batch(epoch: number, index: number, b: SkipGramBatch | SkipGramPairs): { loss: Tensor; examples: number } {
    const lr = this.learningRateAt(epoch, index);
    const lambda = this.options.lambda ?? 0;
    let loss = this.#step(b, lr);
    const m = b.contexts.length;
    if ('meta' in b && b.meta && lambda > 0 && b.meta.contexts.length > 0) {
      const meta = this.#step(b.meta, lambda * lr);
      loss = add(loss, mul(meta, (lambda * b.meta.contexts.length) / m));
    }
    return { loss, examples: m };
  }
}
