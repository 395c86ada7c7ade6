/*
 * One embedded PostgreSQL per test run (version from PG_VERSION, default the installed newest).
 * Test files get their own database from `freshDatabase()` in ./db.ts.
 */
import type { TestProject } from 'vitest/node';
import { startEmbedded } from '../../src/io/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgMajor: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmbedded({
    settings: { shared_preload_libraries: 'pg_stat_statements', max_locks_per_transaction: '256' },
  });
  project.provide('pgAdminUrl', server.url());
  project.provide('pgMajor', server.major);
  return () => server.stop();
}
