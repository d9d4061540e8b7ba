/**
 * `@rec/kernels`: the `native` (C++ through node-addon-api) and `webgpu`
 * (WGSL through WebGPU) backends. Each registers kernel implementations into
 * `@rec/core`'s registry under `<id>:native` / `<id>:webgpu` and a loader with
 * `registerBackendLoader`, so `resolveBackend()` picks the fastest one that
 * loads. Not built yet: until then every kernel runs on the `js` reference.
 */
export {};
