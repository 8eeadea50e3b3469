import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Native kernels use OpenMP threads of their own; two test files at a time is enough
    // for a 2-core machine.
    maxWorkers: 2,
    pool: 'forks',
  },
});
