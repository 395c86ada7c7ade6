/*
 * The only module that imports `pg`. Everything else talks to PostgreSQL through `Session`.
 *
 * Every session pins the settings that change how definitions print or what literals mean
 * (search_path, TimeZone, DateStyle, IntervalStyle) at connection start-up, not with SET, so that
 * canonicalising, reading and building all see the same rules, even behind a transaction pooler.
 */
import pg from 'pg';
import { DatabaseRefused, UserError } from '../core/errors.js';
import { searchPathSql } from '../core/search-path.js';
import { OWN_STATEMENTS_ONLY, PINNED_SETTINGS } from '../core/session-settings.js';

export const APPLICATION_NAME = 'reconcile';


export interface ConnectionTarget {
  /** Passed to pg; may hold a password, never printed. */
  readonly connectionString?: string;
  /** What messages show: the URL with its password masked, or a summary of PG* variables. */
  readonly display: string;
  /** Secrets to scrub from anything we print. */
  readonly secrets: readonly string[];
}

export interface ConnectionSources {
  readonly databaseUrl?: string;
  readonly env: NodeJS.ProcessEnv;
}

export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL WHATWG can parse (a bad port, several hosts, a libpq key=value string): mask by pattern.
    return url.replace(USERINFO_PASSWORD, '$1***@').replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1***');
  }
}

/** `scheme://user:password@`, for URLs the URL class refuses. */
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i;

/** The password a connection string carries, if any: it must never be printed. */
export function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    const fromUserinfo = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]*)@/i.exec(url)?.[1];
    if (fromUserinfo) {
      try {
        return decodeURIComponent(fromUserinfo);
      } catch {
        return fromUserinfo;
      }
    }
    return /password\s*=\s*'?([^'\s]+)/i.exec(url)?.[1];
  }
}

const PG_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSERVICE'] as const;

/** --database-url, else DATABASE_URL, else the PG* variables; none of them is an error. */
export function resolveConnection(sources: ConnectionSources): ConnectionTarget {
  const url = sources.databaseUrl ?? (sources.env.DATABASE_URL || undefined);
  const envPassword = sources.env.PGPASSWORD;
  const secrets = [envPassword].filter((s): s is string => Boolean(s));
  if (url) {
    const password = urlPassword(url);
    return { connectionString: url, display: maskUrl(url), secrets: password ? [...secrets, password, encodeURIComponent(password)] : secrets };
  }
  const given = PG_VARIABLES.filter((name) => sources.env[name]);
  if (given.length > 0) {
    const env = sources.env;
    const display = `postgres://${env.PGUSER ?? ''}${env.PGUSER ? '@' : ''}${env.PGHOST ?? env.PGHOSTADDR ?? 'localhost'}:${env.PGPORT ?? 5432}/${env.PGDATABASE ?? ''} (from ${given.join(', ')})`;
    return { display, secrets };
  }
  throw new UserError(
    'No database connection given.',
    'Pass --database-url postgres://user@host:5432/db, set DATABASE_URL, or set the PGHOST/PGDATABASE/PGUSER variables. ' +
      '--embedded runs against a throwaway embedded PostgreSQL.',
  );
}

export function scrub(text: string, target: Pick<ConnectionTarget, 'secrets'>): string {
  let result = text;
  for (const secret of target.secrets) if (secret.length > 0) result = result.split(secret).join('***');
  return result;
}

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

export interface SessionOptions {
  /** Shown in pg_stat_activity; default `reconcile`. */
  readonly applicationName?: string;
  /**
   * Pin the session settings at start-up (default true). False gives the settings the role gets in the
   * database, for reading what they are.
   */
  readonly pin?: boolean;
  /**
   * The search_path to pin instead of pg_catalog alone: where the plan's statements are run, the one the
   * plan resolved the manifest's names through.
   */
  readonly searchPath?: readonly string[];
  /**
   * The session runs the application's queries to measure them (`reconcile check`): settings pinned only
   * for the tool's own statements (jit) keep the value the role, database or server gives.
   */
  readonly applicationQueries?: boolean;
}

function startupOptions(options: Pick<SessionOptions, 'searchPath' | 'applicationQueries'> = {}): string {
  const { searchPath } = options;
  const settings = searchPath === undefined ? PINNED_SETTINGS : { ...PINNED_SETTINGS, search_path: searchPathSql(searchPath) };
  // libpq `options` syntax: -c name=value, spaces in values escaped with a backslash.
  return Object.entries(settings)
    .filter(([name]) => !(options.applicationQueries && OWN_STATEMENTS_ONLY.has(name)))
    .map(([name, value]) => `-c ${name}=${value.replace(/ /g, '\\ ')}`)
    .join(' ');
}

interface PgErrorLike {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  errno?: number;
  syscall?: string;
  hostname?: string;
}

/** Turns a connection failure into one clear line, password masked. */
export function connectionError(error: unknown, target: ConnectionTarget): UserError {
  const e = error as PgErrorLike;
  const where = target.display;
  const message = scrub(e.message ?? String(error), target);
  const line = ((): [string, string?] => {
    switch (e.code) {
      case 'ECONNREFUSED':
        return [`Cannot connect to ${where}: connection refused.`, 'Is the server running and accepting TCP connections on that host and port?'];
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return [`Cannot connect to ${where}: unknown host ${e.hostname ?? ''}.`.replace(' .', '.'), 'Check the host name in the connection URL.'];
      case 'ETIMEDOUT':
        return [`Cannot connect to ${where}: timed out.`, 'Check the host, port and any firewall in between.'];
      case '28P01':
        return [`Cannot connect to ${where}: password authentication failed.`, 'Check the user name and password.'];
      case '3D000':
        return [`Cannot connect to ${where}: ${message}.`, 'Create the database first, or fix its name in the URL.'];
      case '28000':
        if (/no encryption|SSL off/i.test(message)) {
          return [`Cannot connect to ${where}: the server requires TLS.`, 'Add ?sslmode=require to the connection URL.'];
        }
        return [`Cannot connect to ${where}: ${message}.`, 'The server refused this user from this host (pg_hba.conf).'];
      default:
        if (/does not support SSL/i.test(message)) {
          return [`Cannot connect to ${where}: the server does not support TLS.`, 'Remove sslmode from the connection URL or set sslmode=disable.'];
        }
        return [`Cannot connect to ${where}: ${message}.`];
    }
  })();
  return new UserError(line[0], line[1]);
}

/** Turns an error PostgreSQL raised into our DatabaseRefused, scrubbed of secrets. */
export function refusal(error: unknown, target?: Pick<ConnectionTarget, 'secrets'>): DatabaseRefused | Error {
  const e = error as PgErrorLike;
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    const clean = (s: string | undefined): string | undefined => (s && target ? scrub(s, target) : s);
    return new DatabaseRefused(clean(e.message) ?? '', e.code, clean(e.detail), clean(e.hint));
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * `sslmode` with libpq's meaning, as psql users expect (`require` encrypts without verifying): node-postgres
 * treats require/prefer/verify-ca as verify-full, and warns on stderr, unless asked for libpq semantics.
 */
function withLibpqSslModes(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.searchParams.has('sslmode') && !url.searchParams.has('uselibpqcompat')) url.searchParams.set('uselibpqcompat', 'true');
    return url.toString();
  } catch {
    return connectionString;
  }
}

export async function connect(target: ConnectionTarget, options: SessionOptions = {}): Promise<Session> {
  const config: pg.ClientConfig = {
    application_name: options.applicationName ?? APPLICATION_NAME,
    ...(options.pin === false ? {} : { options: startupOptions(options) }),
    // bigint (int8) and numeric stay strings; we convert where we read them.
  };
  if (target.connectionString) config.connectionString = withLibpqSslModes(target.connectionString);
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
        await other.query('SELECT pg_cancel_backend($1)', [pid]);
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
