/*
 * Catalog reads in one snapshot: a REPEATABLE READ, READ ONLY transaction with a short lock_timeout, and,
 * when a read times out, who holds or waits for the ACCESS EXCLUSIVE lock that stopped it.
 */
import { UserError } from '../core/errors.js';
import { isLockTimeout } from '../core/retry.js';
import { oneLine } from '../core/text.js';
import type { Session } from './db.js';
import { DECLARED_CTE, TARGETS_CTE } from './catalog-sql.js';

export interface TableName {
  readonly schema: string;
  readonly name: string;
}

export interface CatalogOptions {
  /** How long a catalog read may wait for a lock; default 3 s. */
  readonly lockTimeoutMs?: number;
}

export const DEFAULT_CATALOG_LOCK_TIMEOUT_MS = 3_000;

interface BlockerRow {
  readonly pid: number;
  /** holds / waits for ACCESS EXCLUSIVE, or is ahead of such a waiter. */
  readonly role: 'holds' | 'waits' | 'ahead';
  readonly relation: string | null;
  readonly waiter: number | null;
  readonly application_name: string | null;
  readonly state: string | null;
  readonly query: string | null;
}

// Only ACCESS EXCLUSIVE conflicts with the ACCESS SHARE our reads take. A request for it that is still
// waiting queues us too, so whoever that request waits for is named as well.
const BLOCKERS_SQL = `
WITH ${DECLARED_CTE}, ${TARGETS_CTE},
relations AS (
  SELECT oid FROM targets
  UNION
  SELECT i.indexrelid FROM pg_index i JOIN targets x ON x.oid = i.indrelid
),
exclusive AS (
  SELECT l.pid, bool_or(l.granted) AS granted, min(l.relation::regclass::text) AS relation
  FROM pg_locks l
  JOIN relations r ON r.oid = l.relation
  WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  GROUP BY l.pid
),
ahead AS (
  SELECT DISTINCT ON (b.pid) b.pid, e.pid AS waiter
  FROM exclusive e CROSS JOIN LATERAL unnest(pg_blocking_pids(e.pid)) AS b(pid)
  WHERE NOT e.granted AND b.pid <> pg_backend_pid() AND b.pid NOT IN (SELECT pid FROM exclusive)
  ORDER BY b.pid, e.pid
)
SELECT x.pid, x.role, x.relation, x.waiter, a.application_name, a.state, a.query
FROM (
  SELECT pid, CASE WHEN granted THEN 'holds' ELSE 'waits' END AS role, relation, NULL::int AS waiter FROM exclusive
  UNION ALL
  SELECT pid, 'ahead', NULL, waiter FROM ahead
) x
LEFT JOIN pg_stat_activity a ON a.pid = x.pid
ORDER BY CASE x.role WHEN 'holds' THEN 0 WHEN 'waits' THEN 1 ELSE 2 END, x.pid`;
export function nameArrays(tables: readonly TableName[]): [string[], string[]] {
  return [tables.map((t) => t.schema), tables.map((t) => t.name)];
}

/**
 * Runs `read` in one REPEATABLE READ, READ ONLY transaction with a short lock_timeout (two round trips
 * around it). A lock timeout becomes a UserError naming who blocks the declared tables; `what` starts
 * its message ("Reading the catalog").
 */
export async function readCatalog<T>(
  session: Session,
  tables: readonly TableName[],
  what: string,
  options: CatalogOptions,
  read: () => Promise<T>,
): Promise<T> {
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_CATALOG_LOCK_TIMEOUT_MS;
  await session.query(`BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
  try {
    const result = await read();
    await session.query('COMMIT');
    return result;
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    if (isLockTimeout(error)) throw await lockTimeoutError(session, tables, what, lockTimeoutMs);
    throw error;
  }
}

/**
 * The error for a read that timed out waiting for a lock on the declared tables (or their partitions
 * or indexes): names who holds or waits for an ACCESS EXCLUSIVE lock there. Run after the failed
 * transaction has been rolled back.
 */
export async function lockTimeoutError(
  session: Session,
  tables: readonly TableName[],
  what: string,
  lockTimeoutMs: number,
): Promise<UserError> {
  let blockers: BlockerRow[] = [];
  try {
    blockers = (await session.query<BlockerRow>(BLOCKERS_SQL, nameArrays(tables))).rows;
  } catch {
    // Naming the blocker is a courtesy; the timeout itself is the error to report.
  }
  const seconds = `${lockTimeoutMs / 1000}s`;
  if (blockers.length === 0) {
    return new UserError(
      `${what} waited more than ${seconds} for a lock on a declared table; the lock holder has gone since.`,
      'Run the command again.',
    );
  }
  const lines = blockers.map((b) => {
    const about = [b.application_name ? `application "${b.application_name}"` : 'no application_name', b.state].filter(Boolean).join(', ');
    const what =
      b.role === 'ahead'
        ? `holds a lock that pid ${b.waiter} waits for`
        : `${b.role === 'holds' ? 'holds' : 'waits for'} ACCESS EXCLUSIVE on ${b.relation}${b.role === 'waits' ? ' (reads queue behind it)' : ''}`;
    // An idle transaction's query is the last one it ran, not necessarily the one that took the lock.
    const label = b.state === 'active' ? 'running' : 'last query';
    return `pid ${b.pid} (${about}) ${what}; ${label}: ${b.query ? oneLine(b.query) : '(not visible to this role)'}`;
  });
  const holders = blockers.filter((b) => b.role !== 'waits').map((b) => b.pid);
  const toEnd = holders.length > 0 ? holders : blockers.map((b) => b.pid);
  return new UserError(
    `${what} waited more than ${seconds} for a lock on a declared table. Blocked by:\n  ${lines.join('\n  ')}`,
    `Let that transaction finish, or end it (${toEnd.map((pid) => `SELECT pg_terminate_backend(${pid})`).join('; ')}), then run again.`,
  );
}
