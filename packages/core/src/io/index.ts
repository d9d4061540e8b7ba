/**
 * Reading and writing model parameters in the safetensors format.
 *
 * `DType` itself is exported by the tensor module; it is not re-exported here
 * so that the package root can `export *` from both without a name clash.
 *
 * @example
 * ```ts
 * import { saveParameters, loadParameters } from '@rec/core';
 *
 * await saveParameters('runs/mf', { w: { dtype: 'f32', shape: [2], data: new Float32Array([1, 2]) } }, { dim: 2 });
 * const { tensors, config } = await loadParameters('runs/mf');
 * ```
 * @packageDocumentation
 */
export { decodeSafetensors, encodeSafetensors, SafetensorsError, type NamedArray } from './safetensors.js';
export {
  CONFIG_FILE,
  loadParameters,
  PARAMETERS_FILE,
  saveParameters,
  type LoadedParameters,
  type SaveParametersOptions,
} from './params.js';
