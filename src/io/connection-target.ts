/*
 * Which database a command talks to: --database-url, DATABASE_URL or the PG* variables, with what may be
 * printed about it (the password masked) and the secrets to scrub from anything else.
 */
import { UserError } from '../core/errors.js';
import { scrubSecrets } from '../core/text.js';
import { connectionStringPasswords, maskConnectionString } from './connection-string.js';

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
