/**
 * The native edge: locating and loading the C++ addon built from `kernels/cpu`
 * (`build/Release/rec_kernels.node`), behind one typed interface. Only typed
 * arrays and numbers cross it; loading never throws.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { NATIVE_ENTRY_POINTS, NATIVE_KERNEL_IDS } from '../coverage.js';

/**
 * The addon's exports (kernels/cpu/addon.cc). Each kernel function takes its
 * inputs as typed arrays (outputs preallocated by the caller, in-place tensors
 * passed as they are) and its attributes as numbers (booleans as 0/1); it
 * validates lengths and index ranges and throws a JS Error naming the kernel
 * before writing anything when they are wrong.
 *
 * @example
 * ```ts
 * const native = loadNative();
 * if (native.ok) native.addon.setThreads(1);
 * ```
 */
export interface NativeAddon {
  /** The Node-API version the addon was built for (package.json `binary.napi_versions`). */
  readonly napiVersion: number;
  /** Compiler flags it was built with, e.g. `-O3 -march=native`. */
  readonly buildFlags: string;
  /**
   * What loading did to malloc: on glibc the addon raises the mmap threshold to 32 MiB and the
   * trim threshold to 128 MiB, process-wide, so tensor buffers are reused from the heap instead
   * of mapped and unmapped per op (REC_MALLOC_TUNING=0 before loading leaves malloc alone).
   */
  readonly mallocTuning: string;
  /** Threads of the addon's pool (REC_THREADS, default the hardware threads). */
  threads(): number;
  /** Resizes the pool; returns the new size. */
  setThreads(n: number): number;
  /**
   * Where the row-ordered (deterministic) kernels run on several threads: `auto` (REC_ORDERED
   * unset; times the pool and the caller alone per kernel and keeps the faster), `pool` or
   * `caller`. The same bits in every mode.
   */
  orderedMode(): OrderedMode;
  /** Sets {@link NativeAddon.orderedMode}; returns it. */
  setOrderedMode(mode: OrderedMode): OrderedMode;
  /** `neg_sample_exclude`; writes `out`, returns the exhausted-row count. */
  neg_sample_exclude(
    users: Int32Array, indptr: Int32Array, indices: Int32Array, out: Int32Array,
    numItems: number, keyLo: number, keyHi: number, stream: number, counter: number, maxTries: number,
  ): number;
  /** `neg_sample_alias`; `exclude` 0/1 (users/indptr/indices empty when 0, then `count` rows); writes `out`, returns the exhausted-row count. */
  neg_sample_alias(
    prob: Float32Array, alias: Int32Array, exclude: number, users: Int32Array, indptr: Int32Array, indices: Int32Array, count: number,
    out: Int32Array, keyLo: number, keyHi: number, stream: number, counter: number, maxTries: number,
  ): number;
  /** `neg_sample_category`; writes `out`, returns the exhausted-row count. */
  neg_sample_category(
    users: Int32Array, positives: Int32Array, itemCategory: Int32Array, catIndptr: Int32Array, catItems: Int32Array,
    sibIndptr: Int32Array, sibCats: Int32Array, userIndptr: Int32Array, userItems: Int32Array, out: Int32Array,
    siblingRate: number, keyLo: number, keyHi: number, stream: number, counter: number, maxTries: number,
  ): number;
  /** `neg_sample_multichannel`; writes `out` and `channel`, returns the exhausted-row count. */
  neg_sample_multichannel(
    users: Int32Array, viewedIndptr: Int32Array, viewedItems: Int32Array, seenIndptr: Int32Array, seenItems: Int32Array,
    out: Int32Array, channel: Int32Array, viewedRate: number, numItems: number,
    keyLo: number, keyHi: number, stream: number, counter: number, maxTries: number,
  ): number;
  /** `neg_sample_cascade`; `indptr` is behaviour-major [B·(U+1)]; writes `out` [n·B], returns the exhausted-slot count. */
  neg_sample_cascade(
    users: Int32Array, positives: Int32Array, indptr: Int32Array, indices: Int32Array, behaviours: number, out: Int32Array,
    numItems: number, keyLo: number, keyHi: number, stream: number, counter: number, maxTries: number,
  ): number;
  /** `sample_weighted_candidates`; writes `samples` and `sampleWeights` [rows·numSamples]. */
  sample_weighted_candidates(
    candidates: Int32Array, weights: Float32Array, rows: number, listLength: number, numSamples: number,
    samples: Int32Array, sampleWeights: Float32Array, keyLo: number, keyHi: number, stream: number, counter: number,
  ): void;
  /** `sparse_sgd`, in place; `velocity` is empty when momentum = 0. */
  sparse_sgd(
    param: Float32Array, width: number, indices: Int32Array, values: Float32Array, velocity: Float32Array,
    lr: number, momentum: number, nesterov: number, weightDecay: number,
  ): void;
  /** `sparse_adagrad`, in place. */
  sparse_adagrad(
    param: Float32Array, width: number, indices: Int32Array, values: Float32Array, sum: Float32Array,
    lr: number, eps: number, weightDecay: number,
  ): void;
  /** `sparse_adam`, in place. */
  sparse_adam(
    param: Float32Array, width: number, indices: Int32Array, values: Float32Array, m: Float32Array, v: Float32Array,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupledWeightDecay: number, step: number,
  ): void;
  /**
   * `bpr_step`, in place on both tables (and the category table when given: `extra` with the
   * items' category lists in CSR form, `extraIndptr` [items + 1] and `extraIndices`,
   * `extraWeight` β and `parts`, 1 to 64, default 1: the category table's per-part copies);
   * `hogwild` false keeps batch order per row (bit-identical to js for the same `parts`), or
   * without the category table runs `lanes` (1 to 16, default 1: batch order) row-disjoint lanes
   * of core's lane_strata.ts order at once (bit-identical to js for the same `lanes`);
   * returns the mean loss.
   */
  bpr_step(
    userFactors: Float32Array, itemFactors: Float32Array, dim: number,
    users: Int32Array, positives: Int32Array, negatives: Int32Array, lr: number, reg: number, hogwild: boolean,
    extra?: Float32Array, extraIndptr?: Int32Array, extraIndices?: Int32Array, extraWeight?: number, parts?: number, lanes?: number,
  ): number;
  /**
   * `bpr_sample_step`: `bpr_step` (no categories) with each negative drawn first, uniform over
   * the items outside the user's CSR row (indptr, indices), as `neg_sample_exclude` at
   * Philox (key, stream, counter) with `maxTries`, then `lanes` as `bpr_step`'s; returns the mean loss.
   */
  bpr_sample_step(
    userFactors: Float32Array, itemFactors: Float32Array, dim: number, users: Int32Array, positives: Int32Array, indptr: Int32Array, indices: Int32Array,
    lr: number, reg: number, hogwild: boolean, keyLo: number, keyHi: number, stream: number, counter: number, maxTries: number, lanes?: number,
  ): number;
  /** `rank_topk`; writes `topIndices` and `topScores` ([users·k] each); `itemBias` [items] or empty. */
  rank_topk(
    userFactors: Float32Array, itemFactors: Float32Array, dim: number, maskIndptr: Int32Array, maskIndices: Int32Array,
    k: number, topIndices: Int32Array, topScores: Float32Array, itemBias: Float32Array,
  ): void;
  /**
   * `matmul`: writes `out` [batch·m·n] = op(a)·op(b) per batch; `aStep`/`bStep`
   * are 0 (operand shared by every batch) or m·k / k·n; transposes as 0/1.
   */
  matmul(
    a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, aStep: number, bStep: number,
  ): void;
  /** `sampled_softmax`: writes the per-row `loss` [B]; `classBias` is empty when there is none. */
  sampled_softmax(
    hidden: Float32Array, classWeights: Float32Array, labels: Int32Array, sampled: Int32Array, labelLogQ: Float32Array,
    sampledLogQ: Float32Array, classBias: Float32Array, dim: number, removeAccidentalHits: number, loss: Float32Array,
  ): void;
  /** `sampled_softmax_grad`: writes `dHidden` [B·d], `dRows` [(B + S)·d] and `dBias` [B + S]. */
  sampled_softmax_grad(
    hidden: Float32Array, classWeights: Float32Array, labels: Int32Array, sampled: Int32Array, labelLogQ: Float32Array,
    sampledLogQ: Float32Array, classBias: Float32Array, dim: number, removeAccidentalHits: number, dLoss: Float32Array,
    dHidden: Float32Array, dRows: Float32Array, dBias: Float32Array,
  ): void;
  /**
   * `skipgram_step`, in place on all tables; `extraIndptr` [output rows + 1] and `extraIndices`
   * are the output rows' category lists in CSR form; `extra`, `extraIndptr` and `extraIndices`
   * are empty without a category table; `parts` (1 to 64, default 1) the category table's
   * per-part copies (ignored without it or under `hogwild`); returns the mean loss.
   */
  skipgram_step(
    contextA: Float32Array, contextB: Float32Array, output: Float32Array, extra: Float32Array, extraIndptr: Int32Array, extraIndices: Int32Array, dim: number,
    ctxA: Int32Array, ctxB: Int32Array, targets: Int32Array, negatives: Int32Array, negativesPerExample: number,
    alpha1: number, alpha2: number, extraWeight: number, lr: number, reg: number, hogwild: boolean, fast: boolean, parts?: number,
  ): number;
  /**
   * `skipgram_sample_step`: `skipgram_step` with its `negatives` per example drawn first from the
   * alias table (prob, alias) at Philox (key, stream, counter), as `neg_sample_alias`.
   */
  skipgram_sample_step(
    contextA: Float32Array, contextB: Float32Array, output: Float32Array, extra: Float32Array, extraIndptr: Int32Array, extraIndices: Int32Array, dim: number,
    ctxA: Int32Array, ctxB: Int32Array, targets: Int32Array, prob: Float32Array, alias: Int32Array, negatives: number,
    keyLo: number, keyHi: number, stream: number, counter: number,
    alpha1: number, alpha2: number, extraWeight: number, lr: number, reg: number, hogwild: boolean, fast: boolean, parts?: number,
  ): number;
  /** `dense_bias_act`: writes `y` [m·n] = act(x·W + b); activation 0 none, 1 relu, 2 sigmoid. */
  dense_bias_act(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, m: number, k: number, n: number, activation: number): void;
  /** `ncf_head`: writes `logits` [n] = Σ_j p·q·h + Σ_k z·h[E + k]; z is empty when Z = 0. */
  ncf_head(p: Float32Array, q: Float32Array, h: Float32Array, z: Float32Array, logits: Float32Array, n: number, e: number, zw: number): void;
  /** `ncf_head_grad`: writes dp, dq [n·E], dh [E + Z] and dz [n·Z] from dlogit [n]. */
  ncf_head_grad(
    g: Float32Array, p: Float32Array, q: Float32Array, h: Float32Array, z: Float32Array,
    dp: Float32Array, dq: Float32Array, dh: Float32Array, dz: Float32Array, n: number, e: number, zw: number,
  ): void;
  /** `dense_bias_act_grad`: writes `dx` [m·k] = g·Wᵀ, `dW` [k·n] = xᵀ·g and `db` [n] = Σ_rows g, g = dy ⊙ act′(y). */
  dense_bias_act_grad(
    dy: Float32Array, x: Float32Array, w: Float32Array, y: Float32Array, dx: Float32Array, dW: Float32Array, db: Float32Array,
    m: number, k: number, n: number, activation: number,
  ): void;
  /** `tower_score`: writes `S` [users·items]; `params` = W₁, b₁, …, W_L, b_L, h back to back, `widths` = H₀ … H_L. */
  tower_score(u: Float32Array, v: Float32Array, params: Float32Array, widths: Int32Array, s: Float32Array, users: number, items: number): void;
  /**
   * `gather_matvec`: writes `y` [n·R] = W[index[r]]·x[r] per row (`transpose` 0), or [n·C] =
   * W[index[r]]ᵀ·x[r] (`transpose` 1); W is [matrices·rows·cols], x [n·cols] or [n·rows], n = index.length.
   */
  gather_matvec(w: Float32Array, index: Int32Array, x: Float32Array, y: Float32Array, matrices: number, rows: number, cols: number, transpose: number): void;
  /**
   * `scatter_outer_add`: adds a[r] ⊗ b[r] into matrix index[r] of `out` [matrices·rows·cols], which
   * comes zero-filled; a is [n·rows], b [n·cols], n = index.length. Bit-identical for every thread count.
   */
  scatter_outer_add(a: Float32Array, b: Float32Array, index: Int32Array, out: Float32Array, matrices: number, rows: number, cols: number): void;
  /** `softmax` along the middle axis of x viewed as [outer, len, inner]; writes `y` (same size). */
  softmax(x: Float32Array, y: Float32Array, outer: number, len: number, inner: number): void;
  /** `log_softmax`, the same layout as {@link NativeAddon.softmax}. */
  log_softmax(x: Float32Array, y: Float32Array, outer: number, len: number, inner: number): void;
  /**
   * `reduce`: writes `y` (x's dtype, the reduced axes of `shape` kept as size 1);
   * `reduced` flags the reduced axes (0/1); fn 0 sum, 1 max, 2 min.
   */
  reduce(x: Float32Array | Int32Array | Uint32Array, y: Float32Array | Int32Array | Uint32Array, shape: Int32Array, reduced: Int32Array, fn: number): void;
  /** `unary` on f32: writes `y`; `fn` is the index of the function in core's UnaryFn list (0 neg … 14 log_sigmoid). */
  unary(x: Float32Array, y: Float32Array, fn: number): void;
  /**
   * `binary` with broadcasting: a and b of one dtype, `z` of the broadcast shape
   * `outShape` (a's dtype; f32 for the comparisons, fn ≥ 7); `fn` indexes
   * core's BinaryFn list (0 add … 9 greater_equal).
   */
  binary(
    a: Float32Array | Int32Array | Uint32Array, b: Float32Array | Int32Array | Uint32Array, z: Float32Array | Int32Array | Uint32Array,
    aShape: Int32Array, bShape: Int32Array, outShape: Int32Array, fn: number,
  ): void;
  /** `gather_rows`: writes `y` [indices.length·width] from the `rows` × `width` table (any 32-bit dtype, y the same). */
  gather_rows(table: Float32Array | Int32Array | Uint32Array, indices: Int32Array, y: Float32Array | Int32Array | Uint32Array, rows: number, width: number): void;
  /** `scatter_add_rows`: writes `y` = target with src row j added to row indices[j] (one dtype throughout). */
  scatter_add_rows(
    target: Float32Array | Int32Array | Uint32Array, indices: Int32Array, src: Float32Array | Int32Array | Uint32Array,
    y: Float32Array | Int32Array | Uint32Array, rows: number, width: number,
  ): void;
  /** `take_along_axis`: writes `y` [rows] = x[r·classes + indices[r]]; x is [rows·classes]. */
  take_along_axis(x: Float32Array, indices: Int32Array, y: Float32Array, classes: number): void;
  /** `put_along_axis`: adds x[r] at y[r·classes + indices[r]]; `y` [rows·classes] comes zero-filled. */
  put_along_axis(x: Float32Array, indices: Int32Array, y: Float32Array, classes: number): void;
  /** `dropout_mask`: writes `out` [n], element i from Philox word counter + i of (key, stream). */
  dropout_mask(out: Float32Array, p: number, keyLo: number, keyHi: number, stream: number, counter: number): void;
  /** `sgd_update`, in place on param and velocity; `velocity` is empty when momentum = 0. */
  sgd_update(param: Float32Array, grad: Float32Array, velocity: Float32Array, lr: number, momentum: number, nesterov: number, weightDecay: number): void;
  /** `adagrad_update`, in place on param and sum. */
  adagrad_update(param: Float32Array, grad: Float32Array, sum: Float32Array, lr: number, eps: number, weightDecay: number): void;
  /** `adam_update`, in place on param, m and v. */
  adam_update(
    param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupledWeightDecay: number, step: number,
  ): void;
  /**
   * `strided_copy` (the layout kernels' copy): dst[dstBase + Σ idx·dstStride] = src[srcBase + Σ idx·srcStride]
   * over `shape`, 32-bit words of any dtype; checks every reached offset first.
   */
  strided_copy(
    src: Float32Array | Int32Array | Uint32Array, srcBase: number, srcStride: Int32Array,
    dst: Float32Array | Int32Array | Uint32Array, dstBase: number, dstStride: Int32Array, shape: Int32Array,
  ): void;
  /**
   * `layer_norm` over rows of `dim`: writes `y` [rows·dim] and each row's `mean` and `rstd`
   * [rows] from x [rows·dim], gamma and beta [dim]; epsilon > 0.
   */
  layer_norm(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, rstd: Float32Array, rows: number, dim: number, epsilon: number): void;
  /**
   * `layer_norm_grad`: writes `dx` [rows·dim], `dgamma` and `dbeta` [dim] from dy, x
   * [rows·dim], gamma [dim] and the forward's `mean` and `rstd` [rows].
   */
  layer_norm_grad(
    dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, rows: number, dim: number,
  ): void;
  /**
   * `selective_scan`: writes `y` [batch·T·E] from u, delta [batch·T·E], A [E·N], B, C
   * [batch·T·N] and D [E].
   */
  selective_scan(u: Float32Array, delta: Float32Array, A: Float32Array, B: Float32Array, C: Float32Array, D: Float32Array, y: Float32Array, batch: number, T: number, E: number, N: number): void;
  /** `selective_scan_grad`: writes du, ddelta, dA, dB, dC and dD (each its input's size) from dy and the forward's inputs. */
  selective_scan_grad(
    dy: Float32Array, u: Float32Array, delta: Float32Array, A: Float32Array, B: Float32Array, C: Float32Array, D: Float32Array,
    du: Float32Array, ddelta: Float32Array, dA: Float32Array, dB: Float32Array, dC: Float32Array, dD: Float32Array,
    batch: number, T: number, E: number, N: number,
  ): void;
  /** STREAM triad over `n` floats with the pool's threads: best GB/s of `reps`. */
  bound_stream_triad(n: number, reps: number): number;
  /** Read-modify-write of the listed `width`-float rows of `table`: best GB/s of `reps`. */
  bound_gather_scatter(table: Float32Array, width: number, rows: Int32Array, reps: number): number;
  /** Independent vector FMA chains on every pool thread: GFLOP/s. */
  bound_fma_peak(iterations: number): number;
  /**
   * The hand-written LearnBPR loop (f32, FMA allowed, no loss, no bitwise contract) over the
   * given triples, Hogwild over the pool's threads, in place: best triples/s of `reps`.
   */
  bound_bpr_loop(P: Float32Array, Q: Float32Array, dim: number, users: Int32Array, positives: Int32Array, negatives: Int32Array, lr: number, reg: number, reps: number): number;
  /**
   * The hand-written row-sparse Adagrad loop (f32, no merge of repeated rows, no id checks, no
   * parity contract) over the listed rows and their gradient rows, in place: best rows/s of `reps`.
   */
  bound_adagrad_loop(param: Float32Array, sum: Float32Array, width: number, rows: Int32Array, values: Float32Array, lr: number, eps: number, reps: number): number;
  /**
   * word2vec's skip-gram negative-sampling loop as a user would write it in C (f32, FMA allowed,
   * no loss, no bitwise contract, no id checks) over the given pairs and negatives (`negatives`
   * per pair, row-major), Hogwild over the pool's threads, in place: best pairs/s of `reps`.
   */
  bound_sgns_loop(
    contextTable: Float32Array, outputTable: Float32Array, dim: number, contexts: Int32Array, positives: Int32Array, negatives: Int32Array,
    negativesPerPair: number, lr: number, reps: number,
  ): number;
}

/** Where the native row-ordered kernels run (see {@link NativeAddon.orderedMode}). */
export type OrderedMode = 'auto' | 'pool' | 'caller';

/** What {@link loadNative} gives: the addon, or why it is not available. */
export type NativeLoadResult = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/**
 * Functions a current build exports; a build missing one is stale: the thread controls, the
 * bench's bound probes, and the function of every kernel claimed native in `coverage.ts`.
 */
const REQUIRED_EXPORTS = [
  'threads', 'setThreads', 'orderedMode', 'setOrderedMode', 'bound_stream_triad', 'bound_gather_scatter', 'bound_fma_peak', 'bound_bpr_loop', 'bound_adagrad_loop', 'bound_sgns_loop',
  ...new Set(NATIVE_KERNEL_IDS.map((id) => NATIVE_ENTRY_POINTS[id] ?? id)),
];

/** Where the build puts the addon; the same relative path from `src/native` and `dist/native`. */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../build/Release/rec_kernels.node', import.meta.url));

let cached: NativeLoadResult | undefined;

/**
 * Loads the native addon once (later calls return the same result). Never
 * throws: a missing, unloadable or stale build gives `{ ok: false, reason }`,
 * one line that says why and what to run.
 *
 * @example
 * ```ts
 * const native = loadNative();
 * console.log(native.ok ? `native: ${native.addon.threads()} threads` : `no native backend: ${native.reason}`);
 * ```
 */
export function loadNative(): NativeLoadResult {
  if (cached) return cached;
  cached = tryLoad();
  return cached;
}

function tryLoad(): NativeLoadResult {
  if (!existsSync(NATIVE_ADDON_PATH)) {
    const why = process.env.REC_SKIP_NATIVE_BUILD === '1' ? 'the build was skipped (REC_SKIP_NATIVE_BUILD=1)' : 'the addon is not built';
    return { ok: false, reason: `${why}: no ${NATIVE_ADDON_PATH} (build it with \`pnpm --filter @rec/kernels build:native\`)` };
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeAddon;
  } catch (err) {
    return { ok: false, reason: `the addon failed to load: ${(err as Error).message.split('\n')[0]}` };
  }
  const missing = REQUIRED_EXPORTS.filter((name) => typeof (addon as unknown as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) {
    return { ok: false, reason: `the addon is stale (missing ${missing.join(', ')}); rebuild with \`pnpm --filter @rec/kernels build:native\`` };
  }
  return { ok: true, addon, path: NATIVE_ADDON_PATH };
}
