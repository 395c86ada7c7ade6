/*
 * Once per test run: build dist/ when it is older than the sources (the CLI tests run dist/cli.js, so a
 * bare `vitest` would otherwise test yesterday's build), then start one embedded PostgreSQL (version
 * from PG_VERSION, default the installed newest). Test files get their own database from
 * `freshDatabase()` in ./db.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startEmbedded } from '../../src/io/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgMajor: number;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT_CLI = path.join(ROOT, 'dist', 'cli.js');
/** Two test runs started together must not both write dist/: the second waits for the first's build. */
const BUILD_LOCK = path.join(ROOT, 'node_modules', '.cache', 'reconcile-build.lock');
/** A lock this old was left by a run that died while building. */
const STALE_LOCK_MS = 5 * 60_000;

function newestChange(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))));
}

/** Why dist/ must be built, or undefined when it is newer than every source file and the tsconfig. */
function staleBecause(): string | undefined {
  if (!existsSync(BUILT_CLI)) return 'dist/cli.js is missing';
  // tsc writes every output on each build, so the CLI's time is the build's.
  const built = statSync(BUILT_CLI).mtimeMs;
  const sources = Math.max(newestChange(path.join(ROOT, 'src')), newestChange(path.join(ROOT, 'tsconfig.json')));
  return sources > built ? 'src/ changed since dist/ was built' : undefined;
}

/** Whether another run is building now; a lock left by a run that died is removed. */
function buildingElsewhere(): boolean {
  const lock = statSync(BUILD_LOCK, { throwIfNoEntry: false });
  if (lock === undefined) return false;
  if (Date.now() - lock.mtimeMs < STALE_LOCK_MS) return true;
  rmSync(BUILD_LOCK, { recursive: true, force: true });
  return false;
}

function tryLock(): boolean {
  mkdirSync(path.dirname(BUILD_LOCK), { recursive: true });
  try {
    mkdirSync(BUILD_LOCK);
    return true;
  } catch {
    return false;
  }
}

export async function buildIfStale(): Promise<void> {
  for (;;) {
    if (buildingElsewhere()) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    const reason = staleBecause();
    if (reason === undefined) return;
    if (!tryLock()) continue;
    try {
      process.stdout.write(`Building dist/ before the tests: ${reason}.\n`);
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
      // Type errors still emit JavaScript (npm test and CI fail on them before vitest starts); only a
      // build that left dist/ stale is fatal here.
      if (staleBecause() !== undefined) {
        throw new Error(`tsc -p tsconfig.json did not bring dist/ up to date (exit ${result.status ?? result.signal}); is a file in src/ dated in the future?`);
      }
      if (result.status !== 0) process.stdout.write('tsc reported type errors; testing the JavaScript it emitted.\n');
      return;
    } finally {
      rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildIfStale();
  const server = await startEmbedded({
    // No autovacuum: a worker that picks a test's table mid-test locks it (SHARE UPDATE EXCLUSIVE) and
    // rewrites its statistics, and tests that watch lock waits or print row estimates would see it.
    settings: { shared_preload_libraries: 'pg_stat_statements', max_locks_per_transaction: '256', autovacuum: 'off' },
  });
  project.provide('pgAdminUrl', server.url());
  project.provide('pgMajor', server.major);
  return () => server.stop();
}
