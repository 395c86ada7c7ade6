/*
 * The only module that talks to `pg` (client-config.ts imports its types). Everything else talks to
 * PostgreSQL through `Session`.
 *
 * Every session pins the settings that change how definitions print or what literals mean
 * (search_path, TimeZone, DateStyle, IntervalStyle) at connection start-up, not with SET, so that
 * canonicalising, reading and building all see the same rules, even behind a transaction pooler; and
 * jit = off, except on the sessions that measure the application's queries (`reconcile check`). The
 * start-up options and the connection's configuration are made in client-config.ts.
 */
import pg from 'pg';
import { UserError } from '../core/errors.js';
import { clientConfig, type SessionOptions } from './client-config.js';
import { connectionError, refusal } from './connection-errors.js';
import { scrub, type ConnectionTarget } from './connection-target.js';

export { APPLICATION_NAME, clientConfig, type SessionOptions } from './client-config.js';
export { connectionError, refusal } from './connection-errors.js';
export { maskUrl, resolveConnection, scrub, urlPassword, type ConnectionSources, type ConnectionTarget } from './connection-target.js';

export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

export interface Session {
  /** Backend pid of this connection. */
  readonly pid: number;
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Sends `sql` as one simple query (one round trip) and returns one result per statement, in order;
   * a single statement gives an array of one. No parameters: values must already be quoted. When a
   * statement fails, the server skips the rest of the string and an open transaction block stays
   * open, aborted: the caller must ROLLBACK.
   */
  queryAll(sql: string): Promise<QueryResult<Record<string, unknown>>[]>;
  /** Asks the server to cancel this session's running statement (from another connection). */
  cancel(): Promise<void>;
  end(): Promise<void>;
  /** Fired when the connection dies unexpectedly. */
  onError(listener: (error: Error) => void): void;
}


export async function connect(target: ConnectionTarget, options: SessionOptions = {}): Promise<Session> {
  const config = clientConfig(target, options);
  let client: pg.Client;
  try {
    client = new pg.Client(config);
  } catch (error) {
    // node-postgres parses the URL here: a malformed one is the user's to fix, not a bug.
    throw new UserError(
      `The connection URL ${target.display} is not valid: ${scrub(error instanceof Error ? error.message : String(error), target)}.`,
      'Write it as postgres://user:password@host:5432/database (percent-encode special characters in the password).',
    );
  }
  const listeners: ((error: Error) => void)[] = [];
  // An idle client whose server goes away emits 'error'; without a listener it would crash the process.
  client.on('error', (error) => listeners.forEach((listener) => listener(error)));
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(error, target);
  }
  const pidResult = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = pidResult.rows[0]!.pid;
  return {
    pid,
    async query<R>(sql: string, params?: readonly unknown[]) {
      try {
        const result = await client.query(sql, params as unknown[] | undefined);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      } catch (error) {
        throw refusal(error, target);
      }
    },
    async queryAll(sql: string) {
      try {
        // Without parameters pg uses the simple query protocol: an array of results for several statements.
        const result = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
        return (Array.isArray(result) ? result : [result]).map((r) => ({ rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount ?? 0 }));
      } catch (error) {
        throw refusal(error, target);
      }
    },
    async cancel() {
      const other = new pg.Client(config);
      other.on('error', () => undefined);
      try {
        await other.connect();
        // Typed: Citus adds pg_cancel_backend(bigint), which makes an untyped parameter ambiguous.
        await other.query('SELECT pg_cancel_backend($1::int)', [pid]);
      } finally {
        await other.end().catch(() => undefined);
      }
    },
    async end() {
      await client.end().catch(() => undefined);
    },
    onError(listener) {
      listeners.push(listener);
    },
  };
}

export async function withSession<T>(
  target: ConnectionTarget,
  work: (session: Session) => Promise<T>,
  options?: SessionOptions,
): Promise<T> {
  const session = await connect(target, options);
  try {
    return await work(session);
  } finally {
    await session.end();
  }
}

