/**
 * The safetensors format, in memory: encoding and decoding named typed arrays.
 * Browser-safe; reading and writing parameter folders on disk
 * (`saveParameters` / `loadParameters`) lives in `@rec/core/node`.
 *
 * `DType` itself is exported by the tensor module; it is not re-exported here
 * so that the package root can `export *` from both without a name clash.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from '@rec/core';
 *
 * const bytes = encodeSafetensors({ w: { dtype: 'f32', shape: [2], data: new Float32Array([1, 2]) } }, { step: '1' });
 * const { tensors, metadata } = decodeSafetensors(bytes);
 * ```
 * @packageDocumentation
 */
export { decodeSafetensors, encodeSafetensors, SafetensorsError, type NamedArray } from './safetensors.js';
