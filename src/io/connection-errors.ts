/*
 * What a failed connection or a refused statement tells the user: one clear line and a next step, in the
 * words of the form the connection was given in, with every secret scrubbed.
 */
import { DatabaseRefused, UserError, type PgErrorLike } from '../core/errors.js';
import { isKeyValueConnection } from './connection-string.js';
import { scrub, type ConnectionTarget } from './connection-target.js';

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
    return new DatabaseRefused(clean(e.message) ?? '', e.code, clean(e.detail), clean(e.hint), clean(e.where));
  }
  return error instanceof Error ? error : new Error(String(error));
}
