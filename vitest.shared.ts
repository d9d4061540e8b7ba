import { defineConfig } from 'vitest/config';

/**
 * One vitest configuration for every package: tests import workspace packages
 * through the `@rec/source` export condition, so they run against `src/`
 * without a prior build.
 */
export function recVitestConfig(options: { testTimeout?: number } = {}) {
  const conditions = ['@rec/source', 'module', 'node', 'import', 'default'];
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@rec/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 60_000,
      pool: 'forks',
      reporters: process.env.CI ? ['default'] : ['default'],
    },
  });
}
