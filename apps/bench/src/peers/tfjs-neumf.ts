/**
 * The tfjs peer of the NeuMF workload: the same model as @rec's NCF with unit 'neumf'
 * (shared embeddings into GMF p ⊙ q and an MLP tower over [p; q], h without bias over
 * [p ⊙ q; z_L]), built from tfjs ops on the WebAssembly backend without threads, trained
 * with `optimizer.minimize` and tfjs's Adagrad.
 *
 * tfjs is an optional peer (devDependencies of @rec/bench only) and is imported
 * dynamically: {@link loadTfjsWasm} returns a one-line reason when it is missing.
 *
 * Two things tfjs-core alone does not provide here, and how this file supplies them:
 * - Gradients. `@tensorflow/tfjs-core`'s Node entry registers no gradient functions (the
 *   `@tensorflow/tfjs` bundle imports `dist/register_all_gradients.js` for that). That file
 *   is ESM with extension-less relative imports, which Node's resolver refuses; a resolve
 *   hook limited to tfjs-core's `dist/` adds the `.js`, and tfjs's own gradients load into
 *   the registry all copies share.
 * - The gradient of `gather` on wasm. tfjs computes it with `UnsortedSegmentSum`, a kernel
 *   the wasm backend lacks; the embedding lookup here is `gather` with a custom gradient,
 *   `scatterND` of the rows' gradients into a dense table-shaped gradient (duplicates
 *   summed), which is what `UnsortedSegmentSum` computes. Adagrad then updates the whole
 *   tables each step, as tfjs does for any dense gradient.
 */
import { register } from 'node:module';
import type * as TF from '@tensorflow/tfjs-core';

/**
 * tfjs-core on the wasm backend, ready to train.
 * @example
 * ```ts
 * const { tf, version }: TfjsWasm = (await loadTfjsWasm()) as TfjsWasm;
 * ```
 */
export interface TfjsWasm {
  readonly tf: typeof TF;
  /** tfjs-core's version, and the wasm backend's. */
  readonly version: string;
}

/**
 * How to install the tfjs peer, for the skip line.
 * @example
 * ```ts
 * console.log(`tfjs skipped; ${TFJS_INSTALL}`);
 * ```
 */
export const TFJS_INSTALL = 'npx --yes pnpm@10.34.8 --filter @rec/bench add -D @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0';

/** Resolves tfjs-core's extension-less relative ESM imports inside its `dist/` to their `.js` files. */
const RESOLVE_TFJS_DIST = `export async function resolve(specifier, context, next) {
  if (context.parentURL && context.parentURL.includes('/@tensorflow/tfjs-core/dist/') && /^\\.\\.?\\//.test(specifier) && !specifier.endsWith('.js')) {
    return next(specifier + '.js', context);
  }
  return next(specifier, context);
}`;

/**
 * Loads tfjs-core with its gradients and the wasm backend, one thread, SIMD where the CPU has it.
 * @returns the library, or a one-line reason when it is not installed.
 * @example
 * ```ts
 * const tfjs = await loadTfjsWasm();
 * if (typeof tfjs === 'string') console.log(`tfjs skipped: ${tfjs}`);
 * ```
 */
export async function loadTfjsWasm(): Promise<TfjsWasm | string> {
  let tf: typeof TF;
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    tf = await import('@tensorflow/tfjs-core');
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return `tfjs not installed (${(error as Error).message.split('\n')[0]}); ${TFJS_INSTALL}`;
  }
  register(`data:text/javascript,${encodeURIComponent(RESOLVE_TFJS_DIST)}`);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) return 'the tfjs wasm backend did not initialise';
  return { tf, version: `tfjs-core ${tf.version_core}, tfjs-backend-wasm ${wasm.version_wasm}, ${wasm.getThreadsCount()} thread` };
}

/**
 * Shape and learning rate of {@link TfjsNeuMF}.
 * @example
 * ```ts
 * const config: TfjsNeuMFConfig = { numUsers: 6040, numItems: 3706, dim: 32, towerSizes: towerSizes(32, 3), learningRate: 0.01, seed: 1 };
 * ```
 */
export interface TfjsNeuMFConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Embedding size E. */
  readonly dim: number;
  /** MLP tower sizes, input 2E first (@rec's `towerSizes`). */
  readonly towerSizes: readonly number[];
  readonly learningRate: number;
  readonly seed: number;
}

/**
 * NeuMF in tfjs: embeddings ~ N(0, 0.01²), Glorot-uniform weights, zero biases; mean binary
 * cross-entropy with logits; Adagrad.
 *
 * tfjs's Adagrad needs a positive initial accumulator (its default is 0.1); 1e-10 stands in
 * for @rec's and PyTorch's 0.
 *
 * @example
 * ```ts
 * const model = new TfjsNeuMF(tfjs.tf, { numUsers: 100, numItems: 50, dim: 8, towerSizes: [16, 8, 4, 2], learningRate: 0.01, seed: 1 });
 * const loss = model.step(Int32Array.of(0, 1), Int32Array.of(3, 4), Float32Array.of(1, 0));
 * ```
 */
export class TfjsNeuMF {
  readonly #tf: typeof TF;
  readonly #users: TF.Variable;
  readonly #items: TF.Variable;
  readonly #layers: { weight: TF.Variable; bias: TF.Variable }[];
  readonly #h: TF.Variable;
  readonly #optimizer: TF.Optimizer;
  readonly #lookup: (table: TF.Tensor, ids: TF.Tensor) => TF.Tensor;

  constructor(tf: typeof TF, config: TfjsNeuMFConfig) {
    this.#tf = tf;
    const { numUsers, numItems, dim, towerSizes, seed } = config;
    const glorot = (fanIn: number, fanOut: number, s: number) => {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.variable(tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', s));
    };
    this.#users = tf.variable(tf.randomNormal([numUsers, dim], 0, 0.01, 'float32', seed));
    this.#items = tf.variable(tf.randomNormal([numItems, dim], 0, 0.01, 'float32', seed + 1));
    this.#layers = towerSizes.slice(1).map((out, l) => ({ weight: glorot(towerSizes[l]!, out, seed + 2 + l), bias: tf.variable(tf.zeros([out])) }));
    this.#h = glorot(dim + towerSizes[towerSizes.length - 1]!, 1, seed + 10);
    this.#optimizer = tf.train.adagrad(config.learningRate, 1e-10);
    // gather whose gradient is a scatterND (see the file's header: wasm has no UnsortedSegmentSum).
    this.#lookup = tf.customGrad((...args: (TF.Tensor | TF.GradSaveFunc)[]) => {
      const [table, ids, save] = args as [TF.Tensor, TF.Tensor, TF.GradSaveFunc];
      save([ids]);
      return {
        value: tf.gather(table, ids),
        gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => [tf.scatterND(tf.expandDims(saved[0]!, 1), dy, table.shape), tf.zerosLike(saved[0]!)],
      };
    }) as unknown as (table: TF.Tensor, ids: TF.Tensor) => TF.Tensor;
  }

  /** One Adagrad step on the batch (users, items, labels); returns the batch's mean loss. */
  step(users: Int32Array, items: Int32Array, labels: Float32Array): number {
    const tf = this.#tf;
    return tf.tidy(() => {
      const u = tf.tensor1d(users, 'int32');
      const i = tf.tensor1d(items, 'int32');
      const y = tf.tensor1d(labels, 'float32');
      const loss = this.#optimizer.minimize(() => {
        const p = this.#lookup(this.#users, u);
        const q = this.#lookup(this.#items, i);
        let z = tf.concat([p, q], 1);
        for (const { weight, bias } of this.#layers) z = tf.relu(tf.add(tf.matMul(z, weight), bias));
        const logits = tf.reshape(tf.matMul(tf.concat([tf.mul(p, q), z], 1), this.#h), [users.length]);
        // log loss with logits, stably: softplus(x) − y·x
        return tf.mean(tf.sub(tf.softplus(logits), tf.mul(y, logits))) as TF.Scalar;
      }, true);
      return loss!.dataSync()[0]!;
    });
  }
}
