/*
 * What node-postgres is given for a target: its connection (a URL or libpq's key=value form, with libpq's
 * meanings), our application name, and the settings every session pins at start-up.
 */
import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import { UserError } from '../core/errors.js';
import { searchPathSql } from '../core/search-path.js';
import { OWN_STATEMENTS_ONLY, PINNED_SETTINGS } from '../core/session-settings.js';
import { isKeyValueConnection, parseConninfo } from './connection-string.js';
import type { ConnectionTarget } from './connection-target.js';

export const APPLICATION_NAME = 'reconcile';

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
function urlConfig(connectionString: string, pinned: string): ClientConfig {
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
type Invalid = (problem: string, hint?: string) => UserError;

/** The honoured keywords' values; any other keyword is refused by name, never silently dropped. */
function conninfoValues(text: string, invalid: Invalid): Map<string, string> {
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
  return values;
}

function conninfoConfig(text: string, display: string, pinned: string): ClientConfig {
  const invalid: Invalid = (problem, hint) =>
    new UserError(
      `The connection string ${display} is not valid: ${problem}.`,
      hint ?? "Write it as host=db port=5432 dbname=app user=me, quoting a value with spaces or quotes in single quotes: password='it\\'s a secret'.",
    );
  const values = conninfoValues(text, invalid);
  const config: ClientConfig = joinOptions(values.get('options'), pinned);
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
  const ssl = conninfoTls(values, invalid);
  if (ssl !== undefined) config.ssl = ssl;
  return config;
}

/** TLS with libpq's meanings of sslmode; undefined leaves it to PGSSLMODE, as for a URL. */
function conninfoTls(values: ReadonlyMap<string, string>, invalid: Invalid): ClientConfig['ssl'] {
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
      return ca || cert || key ? files : undefined;
    case 'disable':
    case 'allow':
      return false;
    case 'prefer':
      return { ...files, rejectUnauthorized: false };
    case 'require':
      return ca ? { ...files, ...noHostCheck } : { ...files, rejectUnauthorized: false };
    case 'verify-ca':
      if (!ca) throw invalid('sslmode=verify-ca needs sslrootcert, the certificate of the authority to verify against');
      return { ...files, ...noHostCheck };
    case 'verify-full':
      return files;
    default:
      return undefined;
  }
}

/** What node-postgres is given for a target: its connection, our application name and pinned settings. */
export function clientConfig(target: ConnectionTarget, options: SessionOptions = {}): ClientConfig {
  const pinned = options.pin === false ? '' : startupOptions(options);
  const text = target.connectionString;
  const own: ClientConfig = { application_name: options.applicationName ?? APPLICATION_NAME };
  // bigint (int8) and numeric stay strings; we convert where we read them.
  if (text === undefined) return { ...own, ...joinOptions(undefined, pinned) };
  return { ...own, ...(isKeyValueConnection(text) ? conninfoConfig(text, target.display, pinned) : urlConfig(text, pinned)) };
}
