/*
 * What a fleet needs to know of a connection string without connecting: the server (host:port, the
 * unit --per-host limits), the database it names (two targets on one database and schema are an
 * error), the same string for another database (discovery), and its secrets.
 */
import { connectionStringPasswords, isKeyValueConnection, maskConnectionString, parseConninfo } from '../connection-string.js';

export interface ConnectionParts {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Host, port and database as libpq would default them (localhost, 5432, the user's name). */
export function connectionParts(text: string): ConnectionParts {
  if (isKeyValueConnection(text)) {
    const values = new Map(parseConninfo(text).pairs.map((pair) => [pair.keyword, pair.value] as const));
    const host = values.get('host') || values.get('hostaddr') || 'localhost';
    const user = values.get('user') ?? '';
    return { host: host.toLowerCase(), port: Number(values.get('port') || 5432), database: values.get('dbname') || user };
  }
  try {
    const url = new URL(text);
    const host = decoded(url.hostname) || url.searchParams.get('host') || 'localhost';
    const user = decoded(url.username);
    const database = decoded(url.pathname.replace(/^\//, '')) || url.searchParams.get('dbname') || user;
    return { host: host.toLowerCase().replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || url.searchParams.get('port') || 5432), database };
  } catch {
    return { host: 'localhost', port: 5432, database: '' };
  }
}

/** `host:port`, as --per-host and default discovery names count servers. */
export function serverOf(text: string): string {
  const { host, port } = connectionParts(text);
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The same connection for another database of the server. */
export function withDatabase(text: string, database: string): string {
  if (isKeyValueConnection(text)) {
    const quoted = database.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    // A later keyword wins in libpq's form.
    return `${text.trimEnd()} dbname='${quoted}'`;
  }
  const url = new URL(text);
  url.pathname = `/${encodeURIComponent(database)}`;
  url.searchParams.delete('dbname');
  return url.toString();
}

/** Passwords as written and percent-encoded: either may surface in a message. */
export function secretsOf(text: string): string[] {
  return connectionStringPasswords(text)
    .flatMap((password) => [password, encodeURIComponent(password)])
    .filter((secret, i, all) => secret.length > 0 && all.indexOf(secret) === i);
}

export function displayOf(text: string): string {
  return maskConnectionString(text);
}
