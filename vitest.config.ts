import { defineConfig } from 'vitest/config';

// vitest 5's reporter calls Map.groupBy (Node ≥ 21) when it prints failures; on Node 20 the failure
// report itself would crash and hide which test failed. This config runs in the main process.
const mapCtor = Map as unknown as { groupBy?: unknown };
mapCtor.groupBy ??= <K, V>(items: Iterable<V>, key: (v: V, i: number) => K): Map<K, V[]> => {
  const out = new Map<K, V[]>();
  let i = 0;
  for (const v of items) {
    const k = key(v, i++);
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
};

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Loading tfjs/wasm and scoring real checkpoints takes seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: forks keep tfjs/wasm state per file without oversubscribing the machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
