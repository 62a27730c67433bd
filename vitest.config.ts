import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Loading tfjs/wasm and scoring real checkpoints takes seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: forks keep tfjs/wasm state per file without oversubscribing the machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
