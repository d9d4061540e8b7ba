/**
 * `@rec/core/node`: the parts of `@rec/core` that need Node's file system —
 * parameter folders (`model.safetensors` + `config.json`) and atomic file
 * writes. The package root stays browser-safe; everything here imports
 * `node:fs`.
 *
 * @example
 * ```ts
 * import { loadParameters, saveParameters, writeFileAtomic } from '@rec/core/node';
 *
 * await saveParameters('runs/mf', { w: { dtype: 'f32', shape: [2], data: new Float32Array([1, 2]) } }, { dim: 2 });
 * const { tensors, config } = await loadParameters('runs/mf');
 * await writeFileAtomic('runs/mf/notes.txt', 'trained on ml-100k\n');
 * ```
 * @packageDocumentation
 */
export { writeFileAtomic, writeFilesAtomic, type AtomicFile } from './io/atomic.js';
export {
  CONFIG_FILE,
  loadParameters,
  PARAMETERS_FILE,
  saveParameters,
  type LoadedParameters,
  type SaveParametersOptions,
} from './io/params.js';
