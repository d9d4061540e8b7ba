/**
 * The `webgpu` backend of `@rec/kernels`: WGSL from `kernels/wgsl/` run through
 * dawn-node (npm `webgpu`) in Node and `navigator.gpu` in a browser.
 *
 * A browser bundle gets the shaders from `shaders.generated.ts` (regenerate
 * with `node scripts/embed-wgsl.mjs` in packages/kernels; a test fails when it
 * is stale) and must leave the dynamic `import('webgpu')` unresolved or
 * external: it only runs when there is no `navigator.gpu`.
 */
export { loadWebGPU, destroyWebGPU, registerWebGPUBackend, type WebGPULoadResult } from './load.js';
export { WebGPUBackend, type GpuHandle } from './backend.js';
export { registerWebGPUKernels, SELECTIVE_SCAN_SCRATCH_BYTES, setSelectiveScanScratchBytes, WEBGPU_KERNELS } from './kernels/index.js';
