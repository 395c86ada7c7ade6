import { configDefaults, defineConfig } from 'vitest/config';

// One report per server version: npm test runs the integration tests on the newest and the oldest.
const jsonReport = process.env.VITEST_JSON_REPORT ? `${process.env.VITEST_JSON_REPORT}.pg${process.env.PG_VERSION ?? 'default'}.json` : undefined;

export default defineConfig({
  test: {
    // .ci/run reads the JSON report to print its `N passed, N failed` line.
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
    include: ['test/**/*.test.{ts,tsx}'],
    // The Citus suite needs a real cluster: `npm run test:citus` (vitest.citus.config.ts).
    exclude: [...configDefaults.exclude, 'test/citus/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files each get their own database; two workers keep a 2-core machine responsive.
    maxWorkers: process.env.CI ? 2 : undefined,
  },
});
