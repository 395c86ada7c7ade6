import { defineConfig } from 'vitest/config';

// The Citus suite: a real coordinator and two workers from ../shared/citus (`npm run test:citus`), not part of `npm test`.
const jsonReport = process.env.VITEST_JSON_REPORT ? `${process.env.VITEST_JSON_REPORT}.citus.json` : undefined;

export default defineConfig({
  test: {
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
    include: ['test/citus/**/*.test.ts'],
    globalSetup: ['test/citus/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One cluster for the run; its files each get their own database, two at a time on two cores.
    maxWorkers: 2,
  },
});
