/*
 * Runs the queries indexes declare they serve, for `reconcile check`, and never anything that could
 * write:
 *
 * 1. the manifest reader admits only one plain SELECT per query (no second statement, no data-modifying
 *    WITH, no FOR UPDATE), and the command checks that again before anything is sent;
 * 2. each query runs inside BEGIN TRANSACTION READ ONLY … ROLLBACK, so PostgreSQL itself refuses a write
 *    hidden in a function the SELECT calls (`cannot execute INSERT in a read-only transaction`), and
 *    nothing a query did survives it.
 *
 * Timing (`--analyze`) uses EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON): planning plus execution time
 * as the server measured it. That leaves out the network between this tool and the server (a CI
 * runner far from the database would otherwise fail budgets the application meets) and the client's
 * work on the rows (EXPLAIN ANALYZE runs the query to the end but sends no rows, so a query returning a
 * million rows is not held in our memory); TIMING OFF avoids the per-node clock reads that would slow
 * the query itself. Each timed run is also the plan that really ran. One run before the timed ones
 * warms the caches and is not counted.
 *
 * A query's params are bound through the extended protocol (Parse/Bind with the values as untyped text,
 * as drivers send them), so the planner sees the values, as it does for the application's first
 * executions; on every version, and no value is ever spliced into SQL text. Without params, a query
 * with `$n` is planned generically (EXPLAIN (GENERIC_PLAN), PostgreSQL 16+).
 */
import type { BaselineDatabase } from '../core/check-baseline.js';
import {
  analyzedMs,
  checkReport,
  declaredChecks,
  evaluateCheck,
  explainMethod,
  type CheckReport,
  type CheckResult,
  type ExplainMethod,
  type QueryOutcome,
} from '../core/explain.js';
import { DatabaseRefused, Interrupted } from '../core/errors.js';
import { checkQuery } from '../core/query-check.js';
import type { DesiredState } from '../core/model.js';
import { quoteIdent } from '../core/sql.js';
import { readLiveState } from './catalog.js';
import { readDatabaseIdentity } from './database-identity.js';
import { withSession, type ConnectionTarget, type Session } from './db.js';
import { readRoleSearchPath } from './search-path.js';

export const DEFAULT_CHECK_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_CHECK_LOCK_TIMEOUT_MS = 3_000;

export interface QueryRunOptions {
  /** With --analyze: how many timed runs (after one warm-up run). 0: EXPLAIN only. */
  readonly runs: number;
  readonly statementTimeoutMs?: number;
  readonly lockTimeoutMs?: number;
  /** The search_path the query runs with: the role's own (sessions pin `pg_catalog`; queries name tables as the application does). */
  readonly searchPath: string;
  /** Its params bound (none when it has no `$n`), or a generic plan; see explainMethod. */
  readonly method: Exclude<ExplainMethod, { kind: 'unplannable' }>;
}

interface PlanRow {
  readonly 'QUERY PLAN': unknown;
}

function milliseconds(value: number): number {
  return Math.max(1, Math.round(value));
}

/** EXPLAINs one declared query (and with runs > 0, times it) in a read-only transaction that is rolled back. */
export async function runDeclaredQuery(session: Session, sql: string, options: QueryRunOptions): Promise<QueryOutcome> {
  const statementTimeout = milliseconds(options.statementTimeoutMs ?? DEFAULT_CHECK_STATEMENT_TIMEOUT_MS);
  const lockTimeout = milliseconds(options.lockTimeoutMs ?? DEFAULT_CHECK_LOCK_TIMEOUT_MS);
  await session.query(
    `BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${statementTimeout}; SET LOCAL lock_timeout = ${lockTimeout}`,
  );
  try {
    await session.query(`SELECT set_config('search_path', $1, true)`, [options.searchPath]);
    const { method } = options;
    if (method.kind === 'generic') {
      const explained = await session.query<PlanRow>(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${sql}`);
      return { kind: 'explained', plan: explained.rows[0]?.['QUERY PLAN'], timingsMs: [], generic: true };
    }
    // No values: the simple protocol, as before params existed (pg sends an empty list that way too).
    const params = method.params.length > 0 ? method.params : undefined;
    const explained = await session.query<PlanRow>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    const plan = explained.rows[0]?.['QUERY PLAN'];
    const timingsMs: number[] = [];
    for (let run = 0; options.runs > 0 && run <= options.runs; run += 1) {
      const analyzed = await session.query<PlanRow>(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`, params);
      if (run > 0) timingsMs.push(analyzedMs(analyzed.rows[0]?.['QUERY PLAN']));
    }
    return { kind: 'explained', plan, timingsMs };
  } catch (error) {
    if (error instanceof DatabaseRefused) return { kind: 'failed', message: error.message, ...(error.code ? { code: error.code } : {}) };
    throw error;
  } finally {
    await session.query('ROLLBACK').catch(() => undefined);
  }
}

export interface CheckRunOptions {
  readonly manifestFile: string;
  /** Time the queries too (EXPLAIN ANALYZE). */
  readonly analyze: boolean;
  /** Timed runs per query with analyze. */
  readonly runs: number;
  /** Aborted on Ctrl-C: the running query is cancelled and Interrupted thrown. */
  readonly signal: AbortSignal;
  /** A fleet's tenant schema: put before the role's search_path, as the tenant's application has it. */
  readonly schemaFirst?: string;
}

export interface CheckRun {
  readonly report: CheckReport;
  /** The database measured, for a baseline; undefined when no query was declared (nothing connected). */
  readonly database?: BaselineDatabase;
}

/** The manifest reader admitted each query as one read-only SELECT; nothing else may reach the server. */
function assertPlainSelects(desired: DesiredState): void {
  for (const check of declaredChecks(desired)) {
    const issue = checkQuery(check.sql).issue;
    if (issue) throw new Error(`a declared query passed the manifest check but is not one plain SELECT (${issue.message}): ${check.sql}`);
  }
}

/** Runs every query the manifest declares (see runDeclaredQuery), in manifest order, and judges each. */
export async function runDeclaredChecks(target: ConnectionTarget, desired: DesiredState, options: CheckRunOptions): Promise<CheckRun> {
  const { analyze, runs, signal } = options;
  assertPlainSelects(desired);
  const checks = declaredChecks(desired);
  if (checks.length === 0) return { report: checkReport(options.manifestFile, { analyze, runs }, []) };
  // The catalog is read the way every read of the tool's is (jit off); the queries run on a session
  // of their own that keeps the server's jit, as the application's sessions do.
  const { live, identity } = await withSession(target, async (session) => ({
    live: await readLiveState(session, desired.tables),
    identity: await readDatabaseIdentity(session),
  }));
  const role = (await readRoleSearchPath(target)).setting;
  const searchPath = options.schemaFirst === undefined ? role : [quoteIdent(options.schemaFirst), role].filter((part) => part !== '').join(', ');
  const results = await withSession(
    target,
    async (session) => {
      const done: CheckResult[] = [];
      // Ctrl-C cancels the query running now; the transaction is rolled back either way.
      const onAbort = (): void => void session.cancel().catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for (const check of checks) {
          if (signal.aborted) throw new Interrupted();
          const method = explainMethod(check, { analyze, serverVersionNum: live.serverVersionNum });
          const outcome: QueryOutcome =
            method.kind === 'unplannable'
              ? { kind: 'failed', message: method.message }
              : await runDeclaredQuery(session, check.sql, { runs: analyze ? runs : 0, searchPath, method });
          if (signal.aborted) throw new Interrupted();
          done.push(evaluateCheck(check, outcome, live));
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      return done;
    },
    { applicationQueries: true },
  );
  return {
    report: checkReport(options.manifestFile, { analyze, runs, searchPath }, results),
    database: { ...identity, serverVersion: live.serverVersion },
  };
}
