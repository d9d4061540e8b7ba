/**
 * Parity testing across backends: every parity test is written once and runs
 * on each backend present — `js` (the reference, always) and every candidate
 * a test passes in (`native`, `webgpu`, …) — through {@link forEachBackend}.
 *
 * Contract:
 * - A candidate is `{ name, load, requiredBy?, release? }`: `load` is the same
 *   {@link BackendLoader} the backend offers to `resolveBackend` (never throws;
 *   `{ ok: false, reason }` when it cannot load here).
 * - A candidate that loads is registered (`registerBackend`) and gets its own
 *   `describe(name)` block holding the suite; `release` runs after that block
 *   (WebGPU: destroy the device so the process can exit).
 * - A candidate that does not load gets one test that is skipped with its
 *   reason — or fails, when its `requiredBy` flag (`REC_REQUIRE_NATIVE`,
 *   `REC_REQUIRE_WEBGPU`) is `1`, as CI sets them.
 * - Comparisons: {@link assertClose} for floats (|a − r| ≤ atol + rtol·|r|),
 *   {@link assertExact} for integers and ids; both name the first few
 *   mismatches (index, actual, expected) in the error.
 *
 * New backends plug in by adding a candidate to the list a test file builds
 * (in `@rec/kernels`: `test/parity/backends.ts`); no test changes.
 */
import { afterAll, describe, it } from 'vitest';
import type { Backend } from '../tensor/backend.js';
import { getBackend, registerBackend } from '../tensor/engine.js';
import type { BackendLoader } from '../tensor/resolve.js';
import { type RequirementFlag, skipOrFail } from './required.js';

/** A backend a parity suite may run on, besides the `js` reference. */
export interface ParityBackend {
  /** Backend name (`native`, `webgpu`); the suite's `describe` title. */
  readonly name: string;
  /** Loads it; the loader it registers with `registerBackendLoader`. */
  readonly load: BackendLoader;
  /** The flag that turns "cannot load here" from a skip into a failure. */
  readonly requiredBy?: RequirementFlag;
  /** Called once after the suite on this backend (e.g. destroy a GPU device). */
  readonly release?: () => void | Promise<void>;
}

/** Absolute and relative tolerance: |actual − ref| ≤ atol + rtol·|ref|. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * Declares `suite(backend)` once per backend present: the `js` reference, then
 * each candidate that loads. Await it at the top level of a test file, since
 * loaders may be asynchronous (WebGPU adapters).
 *
 * @param candidates backends besides `js`; missing ones are a skip (or a
 *   failure under their `requiredBy` flag) with the loader's reason.
 * @param suite declares the tests (`it`) for one backend; create tensors with
 *   `{ backend }` so kernels dispatch to it.
 *
 * @example
 * ```ts
 * await forEachBackend(parityBackends(), (backend) => {
 *   it('matches the reference', () => {
 *     const x = tensor(new Float32Array([1, 2]), [2], { backend });
 *     assertClose(hostF32(x), new Float32Array([1, 2]), { atol: 0, rtol: 0 }, 'identity');
 *   });
 * });
 * ```
 */
export async function forEachBackend(candidates: readonly ParityBackend[], suite: (backend: Backend) => void): Promise<void> {
  describe('js', () => suite(getBackend('js')));
  for (const c of candidates) {
    const loaded = await c.load();
    if (!loaded.ok) {
      const reason = `backend ${c.name} is not available: ${loaded.reason}`;
      describe(c.name, () => {
        it('is available', (ctx) => {
          if (c.requiredBy) skipOrFail(ctx, c.requiredBy, reason);
          else ctx.skip(reason);
        });
      });
      continue;
    }
    registerBackend(loaded.backend);
    describe(c.name, () => {
      if (c.release) afterAll(c.release);
      suite(loaded.backend);
    });
  }
}

/** How many mismatches an assertion names. */
const SHOWN_MISMATCHES = 5;

function report(label: string, mismatches: string[], total: number, length: number, rule: string): never {
  throw new Error(
    `${label}: ${total} of ${length} values differ (${rule}); first ${mismatches.length}:\n  ${mismatches.join('\n  ')}`,
  );
}

/**
 * Throws unless |actual[i] − expected[i]| ≤ atol + rtol·|expected[i]| for
 * every i (equal infinities and NaN against NaN count as equal), naming the
 * first few mismatches.
 *
 * @example
 * ```ts
 * assertClose(new Float32Array([1.0000001]), new Float32Array([1]), { atol: 0, rtol: 1e-6 }, 'p'); // passes
 * ```
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: ${actual.length} values, expected ${expected.length}`);
  const shown: string[] = [];
  let total = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const r = expected[i];
    const same = a === r || (a !== a && r !== r) || Math.abs(a - r) <= tol.atol + tol.rtol * Math.abs(r);
    if (!same) {
      total++;
      if (shown.length < SHOWN_MISMATCHES) shown.push(`[${i}] ${a} vs ${r} (|diff| ${Math.abs(a - r).toExponential(2)})`);
    }
  }
  if (total > 0) report(label, shown, total, expected.length, `atol ${tol.atol} + rtol ${tol.rtol}·|ref|`);
}

/**
 * Throws unless `actual` equals `expected` element for element (integers,
 * ids, sampled indices), naming the first few mismatches.
 *
 * @example
 * ```ts
 * assertExact(new Int32Array([3, 1]), new Int32Array([3, 1]), 'negatives'); // passes
 * ```
 */
export function assertExact(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: ${actual.length} values, expected ${expected.length}`);
  const shown: string[] = [];
  let total = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      total++;
      if (shown.length < SHOWN_MISMATCHES) shown.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
    }
  }
  if (total > 0) report(label, shown, total, expected.length, 'exact');
}
