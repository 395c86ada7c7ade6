/*
 * One apply at a time per database: a session-level advisory lock on a fixed key, held on a dedicated
 * connection for the whole apply. A second apply does not queue behind the first: it refuses at once
 * and says who holds the lock, so the operator can tell a colleague's run from a forgotten one.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../core/errors.js';
import { APPLICATION_NAME, connect, type ConnectionTarget, type Session } from './db.js';

function keyFor(name: string): bigint {
  // The first 8 bytes of a hash of the tool's name, as a signed 64-bit integer (what bigint takes).
  return createHash('sha256').update(name).digest().readBigInt64BE(0);
}

/** The advisory lock key every reconcile apply takes. */
export const APPLY_LOCK_KEY: bigint = keyFor('pg-index-reconciler apply');

/** How a bigint key shows in pg_locks: classid = high 32 bits, objid = low 32 bits, objsubid = 1. */
function lockTag(key: bigint): { classid: string; objid: string } {
  const unsigned = BigInt.asUintN(64, key);
  return { classid: (unsigned >> 32n).toString(), objid: (unsigned & 0xffffffffn).toString() };
}

export interface ApplyLock {
  /** Backend pid of the session that holds the lock. */
  readonly pid: number;
  /** Releases the lock and closes its session; safe to call twice. */
  release(): Promise<void>;
  /** Called if the lock's connection dies (the server then released the lock). */
  onLost(listener: (error: Error) => void): void;
}

export interface LockHolder {
  readonly pid: number;
  readonly applicationName?: string;
  readonly user?: string;
  readonly clientAddress?: string;
  readonly backendStart?: string;
  readonly queryStart?: string;
  readonly state?: string;
}

interface HolderRow {
  pid: number;
  application_name: string | null;
  usename: string | null;
  client_addr: string | null;
  backend_start: string | null;
  query_start: string | null;
  state: string | null;
}

/** Who holds the apply lock on the session's database, if anybody. */
export async function findLockHolder(session: Session, key: bigint = APPLY_LOCK_KEY): Promise<LockHolder | undefined> {
  const tag = lockTag(key);
  const { rows } = await session.query<HolderRow>(
    `SELECT l.pid, a.application_name, a.usename::text AS usename, host(a.client_addr) AS client_addr,
            to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS backend_start,
            to_char(a.query_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS query_start, a.state
       FROM pg_locks l
       LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1
      LIMIT 1`,
    [tag.classid, tag.objid],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    pid: row.pid,
    ...(row.application_name ? { applicationName: row.application_name } : {}),
    ...(row.usename ? { user: row.usename } : {}),
    ...(row.client_addr ? { clientAddress: row.client_addr } : {}),
    ...(row.backend_start ? { backendStart: row.backend_start } : {}),
    ...(row.query_start ? { queryStart: row.query_start } : {}),
    ...(row.state ? { state: row.state } : {}),
  };
}

/** The refusal of an apply whose database another apply holds (a fleet reports the target `busy`). */
export class ApplyLockHeld extends UserError {}

/** The refusal a second apply prints. */
export function lockHeldError(holder: LockHolder | undefined, database: string): UserError {
  if (!holder) {
    return new ApplyLockHeld(
      `Another reconcile apply holds the apply lock on ${database} (it ended just now).`,
      'Run apply again.',
    );
  }
  const who: string[] = [];
  if (holder.applicationName) who.push(`application_name "${holder.applicationName}"`);
  if (holder.user) who.push(`user ${holder.user}`);
  if (holder.clientAddress) who.push(`from ${holder.clientAddress}`);
  if (holder.backendStart) who.push(`connected since ${holder.backendStart}`);
  if (holder.queryStart) who.push(`last statement at ${holder.queryStart}`);
  return new ApplyLockHeld(
    `Another reconcile apply is running on ${database}: pid ${holder.pid}${who.length > 0 ? ` (${who.join(', ')})` : ''}.`,
    `Wait for it to finish. If it is a leftover, end it with SELECT pg_terminate_backend(${holder.pid}); its lock goes with its session.`,
  );
}

export interface ApplyLockOptions {
  /** Shown in pg_stat_activity (and to a second apply); default `reconcile`. */
  readonly applicationName?: string;
  readonly key?: bigint;
}

/**
 * Takes the apply lock without waiting, or throws a UserError naming its holder. The lock lives as
 * long as the returned session: release() ends both, and so does a dead connection.
 */
export async function acquireApplyLock(target: ConnectionTarget, options: ApplyLockOptions = {}): Promise<ApplyLock> {
  const key = options.key ?? APPLY_LOCK_KEY;
  const session = await connect(target, { applicationName: options.applicationName ?? APPLICATION_NAME });
  let released = false;
  try {
    const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key.toString()]);
    if (!rows[0]?.locked) {
      const holder = await findLockHolder(session, key);
      const database = (await session.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db ?? 'this database';
      throw lockHeldError(holder, database);
    }
    // An idle session may be ended by idle_session_timeout (14+), which would drop the lock silently.
    await session.query(`SELECT set_config('idle_session_timeout', '0', false)`).catch(() => undefined);
  } catch (error) {
    await session.end();
    throw error;
  }
  return {
    pid: session.pid,
    async release() {
      if (released) return;
      released = true;
      await session.query('SELECT pg_advisory_unlock($1::bigint)', [key.toString()]).catch(() => undefined);
      await session.end();
    },
    onLost(listener) {
      session.onError((error) => {
        if (!released) listener(error);
      });
    },
  };
}
