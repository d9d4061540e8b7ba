import { defaultClientConditions, defineConfig } from 'vite';

/**
 * The page bundles the libraries from their sources (`@rec/source` condition), as the
 * tests do, so no build of the packages comes first. `base: './'` lets the built page be
 * served from any folder of a static host.
 */
export default defineConfig({
  base: './',
  resolve: { conditions: ['@rec/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // The worker holds every registered model (the registry is what the page asks):
    // over a megabyte of JavaScript, on purpose.
    chunkSizeWarningLimit: 2048,
  },
});
