/**
 * Reading tensors back on every backend without slowing the host ones down.
 *
 * `js` and `native` keep values in host typed arrays and read them at once, with no
 * copy (`readSync`); `webgpu` can only read asynchronously (`await t.read()`, a copy
 * through a staging buffer). The helpers here stay synchronous where the backend
 * allows it and return a promise only where it does not, so the training loop and
 * the scorers run exactly as before on js and native (no extra copy, no microtask
 * per batch) and still work on webgpu.
 */
import type { Tensor, TypedArray } from '@rec/core';

/** A value now, or a promise of it (on backends that can only read asynchronously). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The values of `t` on the host: synchronously where its backend keeps them there
 * (a view of the tensor's own storage, valid until the tensor is written or
 * disposed — copy it to keep it), else a promise of a copy (`webgpu`).
 *
 * @example
 * ```ts
 * const v = hostValues(loss);
 * const value = (v instanceof Promise ? await v : v)[0];
 * ```
 */
export function hostValues(t: Tensor): MaybePromise<TypedArray> {
  return t.backend.readSync?.(t.handle) ?? t.read();
}

/**
 * Like {@link hostValues}, but always a copy the caller owns: the backend's own copy
 * on asynchronous backends, `slice()` of the view on host ones.
 */
export function hostCopy(t: Tensor): MaybePromise<TypedArray> {
  const now = t.backend.readSync?.(t.handle);
  return now ? now.slice() : t.read();
}

/**
 * `fn(value)`, synchronously when `value` is not a promise, so chained host reads
 * add no microtask on `js` and `native`. (Not named `then`: a module exporting
 * `then` is a thenable, and `await import()` of it would call it.)
 *
 * @example
 * ```ts
 * const first = andThen(hostValues(t), (v) => v[0]); // a number on js, a Promise<number> on webgpu
 * ```
 */
export function andThen<T, U>(value: MaybePromise<T>, fn: (v: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/**
 * A host copy of a tensor the caller owns, with the tensor disposed once read: how a
 * model's `scoreUsers` hands back the scores it computed inside a `tidy`, and how an
 * objective or sampler takes the negatives it drew. `T` names the tensor's array type.
 *
 * @example
 * ```ts
 * return readAndDispose(tidy(() => noGrad(() => matmul(u, items, { transposeB: true }))));
 * const negatives = readAndDispose<Int32Array>(drawn);
 * ```
 */
export function readAndDispose<T extends TypedArray = Float32Array>(t: Tensor): MaybePromise<T> {
  return andThen(hostCopy(t), (values) => {
    t.dispose();
    return values as T;
  });
}
