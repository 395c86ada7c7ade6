/*
 * The only module that imports `pg`. Everything else talks to PostgreSQL through `Session`.
 *
 * Every session pins the settings that change how definitions print or what literals mean
 * (search_path, TimeZone, DateStyle, IntervalStyle) at connection start-up, not with SET, so that
 * canonicalising, reading and building all see the same rules, even behind a transaction pooler; and
 * jit = off, except on the sessions that measure the application's queries (`reconcile check`).
 *
 * A connection is a URL or libpq's key=value form (connection-string.ts), as psql takes them.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { DatabaseRefused, UserError, type PgErrorLike } from '../core/errors.js';
import { searchPathSql } from '../core/search-path.js';
import { OWN_STATEMENTS_ONLY, PINNED_SETTINGS } from '../core/session-settings.js';
import { connectionStringPasswords, isKeyValueConnection, maskConnectionString, parseConninfo } from './connection-string.js';
import { scrubSecrets } from '../core/text.js';

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

/** The connection string (a URL or libpq's key=value form) with its password masked. */
export function maskUrl(url: string): string {
  return maskConnectionString(url);
}

/** The password a connection string (a URL or libpq's key=value form) carries, if any: it must never be printed. */
export function urlPassword(url: string): string | undefined {
  return connectionStringPasswords(url).at(-1);
}

const PG_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSERVICE'] as const;

/** --database-url, else DATABASE_URL, else the PG* variables; none of them is an error. */
export function resolveConnection(sources: ConnectionSources): ConnectionTarget {
  const url = sources.databaseUrl ?? (sources.env.DATABASE_URL || undefined);
  const envPassword = sources.env.PGPASSWORD;
  const secrets = [envPassword].filter((s): s is string => Boolean(s));
  if (url) {
    const passwords = connectionStringPasswords(url).flatMap((password) => [password, encodeURIComponent(password)]);
    return { connectionString: url, display: maskUrl(url), secrets: [...secrets, ...passwords] };
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
  return scrubSecrets(text, target.secrets);
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

/** A refusal, or a failure to connect with the socket's details. */
interface ConnectErrorLike extends PgErrorLike {
  readonly errno?: number;
  readonly syscall?: string;
  readonly hostname?: string;
}

/** Turns a connection failure into one clear line, password masked. */
export function connectionError(error: unknown, target: ConnectionTarget): UserError {
  const e = error as ConnectErrorLike;
  const where = target.display;
  const message = scrub(e.message ?? String(error), target);
  // Hints in the words of the form the connection was given in.
  const keyValue = target.connectionString !== undefined && isKeyValueConnection(target.connectionString);
  const inString = keyValue ? 'connection string' : 'connection URL';
  const line = ((): [string, string?] => {
    switch (e.code) {
      case 'ECONNREFUSED':
        return [`Cannot connect to ${where}: connection refused.`, 'Is the server running and accepting TCP connections on that host and port?'];
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return [`Cannot connect to ${where}: unknown host ${e.hostname ?? ''}.`.replace(' .', '.'), `Check the host name in the ${inString}.`];
      case 'ETIMEDOUT':
        return [`Cannot connect to ${where}: timed out.`, 'Check the host, port and any firewall in between.'];
      case '28P01':
        return [`Cannot connect to ${where}: password authentication failed.`, 'Check the user name and password.'];
      case '3D000':
        return [`Cannot connect to ${where}: ${message}.`, `Create the database first, or fix its name in the ${keyValue ? 'connection string' : 'URL'}.`];
      case '28000':
        if (/no encryption|SSL off/i.test(message)) {
          return [`Cannot connect to ${where}: the server requires TLS.`, keyValue ? 'Add sslmode=require to the connection string.' : 'Add ?sslmode=require to the connection URL.'];
        }
        return [`Cannot connect to ${where}: ${message}.`, 'The server refused this user from this host (pg_hba.conf).'];
      default:
        if (/does not support SSL/i.test(message)) {
          return [`Cannot connect to ${where}: the server does not support TLS.`, `Remove sslmode from the ${inString} or set sslmode=disable.`];
        }
        return [`Cannot connect to ${where}: ${message}.`];
    }
  })();
  return new UserError(line[0], line[1]);
}

/** Turns an error PostgreSQL raised into our DatabaseRefused, scrubbed of secrets. */
export function refusal(error: unknown, target?: Pick<ConnectionTarget, 'secrets'>): DatabaseRefused | Error {
  const e = error as ConnectErrorLike;
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    const clean = (s: string | undefined): string | undefined => (s && target ? scrub(s, target) : s);
    return new DatabaseRefused(clean(e.message) ?? '', e.code, clean(e.detail), clean(e.hint));
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Startup options: the user's own (from the connection string) first, ours after them, so ours win;
 * none at all leaves the field out.
 */
function joinOptions(theirs: string | undefined, ours: string): { options?: string } {
  const options = [theirs?.trim(), ours].filter(Boolean).join(' ');
  return options === '' ? {} : { options };
}

/**
 * A URL for node-postgres. `sslmode` gets libpq's meaning, as psql users expect (`require` encrypts
 * without verifying): node-postgres treats require/prefer/verify-ca as verify-full, and warns on
 * stderr, unless asked for libpq semantics. An `options` parameter would replace our pinned settings
 * wholesale: it is taken out and put before them instead.
 */
function urlConfig(connectionString: string, pinned: string): pg.ClientConfig {
  try {
    const url = new URL(connectionString);
    if (url.searchParams.has('sslmode') && !url.searchParams.has('uselibpqcompat')) url.searchParams.set('uselibpqcompat', 'true');
    const theirs = url.searchParams.get('options') ?? undefined;
    url.searchParams.delete('options');
    return { connectionString: url.toString(), ...joinOptions(theirs, pinned) };
  } catch {
    return { connectionString, ...joinOptions(undefined, pinned) };
  }
}

/** The keywords of libpq's key=value form that are honoured. */
const CONNINFO_KEYWORDS = [
  'host',
  'hostaddr',
  'port',
  'dbname',
  'user',
  'password',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'options',
  'connect_timeout',
  'client_encoding',
] as const;

/** libpq keywords accepted with the values that ask for nothing node-postgres would do differently. */
const CONNINFO_NO_OPS: Readonly<Record<string, (value: string) => boolean>> = {
  fallback_application_name: () => true,
  gssencmode: (value) => value === 'disable' || value === 'prefer',
  target_session_attrs: (value) => value === 'any',
  channel_binding: (value) => value === 'disable' || value === 'prefer',
};

/** The rest of libpq's keywords: known, so "not supported" rather than "invalid". */
const CONNINFO_UNSUPPORTED = new Set([
  'service', 'passfile', 'require_auth', 'keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count',
  'tcp_user_timeout', 'replication', 'sslnegotiation', 'sslcompression', 'sslpassword', 'sslcertmode', 'sslcrl',
  'sslcrldir', 'sslsni', 'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'krbsrvname',
  'gsslib', 'gssdelegation', 'load_balance_hosts',
]);

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/**
 * libpq's key=value form as a node-postgres configuration (node-postgres reads only URLs). TLS follows
 * the same libpq meanings as a URL's sslmode; a setting node-postgres cannot honour is refused, never
 * silently dropped.
 */
function conninfoConfig(text: string, display: string, pinned: string): pg.ClientConfig {
  const invalid = (problem: string, hint?: string): UserError =>
    new UserError(
      `The connection string ${display} is not valid: ${problem}.`,
      hint ?? "Write it as host=db port=5432 dbname=app user=me, quoting a value with spaces or quotes in single quotes: password='it\\'s a secret'.",
    );
  const { pairs, error } = parseConninfo(text);
  if (error) throw invalid(error.message);
  const values = new Map<string, string>();
  for (const { keyword, value } of pairs) {
    if ((CONNINFO_KEYWORDS as readonly string[]).includes(keyword)) {
      values.set(keyword, value);
      continue;
    }
    const supported = `reconcile reads these: ${CONNINFO_KEYWORDS.join(', ')}.`;
    const noOp = CONNINFO_NO_OPS[keyword];
    if (noOp?.(value)) continue;
    // Values of the no-op keywords are modes, never secrets; sslpassword's is one: name the keyword only.
    if (noOp) throw invalid(`${keyword}=${value} is not supported`, supported);
    if (CONNINFO_UNSUPPORTED.has(keyword)) throw invalid(`the option ${keyword} is not supported`, supported);
    throw invalid(`invalid connection option "${keyword}"`, supported);
  }
  const config: pg.ClientConfig = joinOptions(values.get('options'), pinned);
  const host = values.get('host') || values.get('hostaddr');
  if (host) {
    if (host.includes(',')) throw invalid(`several hosts (${host}) are not supported`, 'Give one host.');
    config.host = host;
  }
  const port = values.get('port');
  if (port) {
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw invalid(`invalid port number: "${port}"`);
    config.port = Number(port);
  }
  const database = values.get('dbname');
  if (database) config.database = database;
  const user = values.get('user');
  if (user) config.user = user;
  const password = values.get('password');
  if (password !== undefined) config.password = password;
  const applicationName = values.get('application_name');
  if (applicationName) config.application_name = applicationName;
  const clientEncoding = values.get('client_encoding');
  if (clientEncoding) config.client_encoding = clientEncoding;
  const timeout = values.get('connect_timeout');
  if (timeout) {
    if (!/^-?\d+$/.test(timeout)) throw invalid(`invalid integer value "${timeout}" for connection option "connect_timeout"`);
    // libpq: zero or less waits forever; less than 2 seconds is taken as 2.
    if (Number(timeout) > 0) config.connectionTimeoutMillis = Math.max(2, Number(timeout)) * 1000;
  }
  const mode = values.get('sslmode');
  if (mode !== undefined && !SSL_MODES.includes(mode)) throw invalid(`invalid sslmode value: "${mode}"`, `sslmode takes one of ${SSL_MODES.join(', ')}.`);
  const file = (keyword: 'sslrootcert' | 'sslcert' | 'sslkey'): string | undefined => {
    const path = values.get(keyword);
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (readError) {
      throw invalid(`cannot read the ${keyword} file ${path}: ${(readError as NodeJS.ErrnoException).code ?? String(readError)}`, 'Check the path.');
    }
  };
  const [ca, cert, key] = [file('sslrootcert'), file('sslcert'), file('sslkey')];
  const files = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  const noHostCheck = { checkServerIdentity: (): undefined => undefined };
  switch (mode) {
    case undefined:
      // No sslmode: certificates given mean a verified connection; nothing given leaves it to PGSSLMODE, as for a URL.
      if (ca || cert || key) config.ssl = files;
      break;
    case 'disable':
    case 'allow':
      config.ssl = false;
      break;
    case 'prefer':
      config.ssl = { ...files, rejectUnauthorized: false };
      break;
    case 'require':
      config.ssl = ca ? { ...files, ...noHostCheck } : { ...files, rejectUnauthorized: false };
      break;
    case 'verify-ca':
      if (!ca) throw invalid('sslmode=verify-ca needs sslrootcert, the certificate of the authority to verify against');
      config.ssl = { ...files, ...noHostCheck };
      break;
    case 'verify-full':
      config.ssl = files;
      break;
  }
  return config;
}

/** What node-postgres is given for a target: its connection, our application name and pinned settings. */
export function clientConfig(target: ConnectionTarget, options: SessionOptions = {}): pg.ClientConfig {
  const pinned = options.pin === false ? '' : startupOptions(options);
  const text = target.connectionString;
  const own: pg.ClientConfig = { application_name: options.applicationName ?? APPLICATION_NAME };
  // bigint (int8) and numeric stay strings; we convert where we read them.
  if (text === undefined) return { ...own, ...joinOptions(undefined, pinned) };
  return { ...own, ...(isKeyValueConnection(text) ? conninfoConfig(text, target.display, pinned) : urlConfig(text, pinned)) };
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
