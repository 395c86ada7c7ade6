/*
 * Discovery: the databases of a server, or the schemas of a database, whose names match a LIKE pattern.
 * One short session each; names in the server's own order of bytes (COLLATE "C"), the same every run.
 */
import { withSession, type ConnectionTarget } from '../db.js';

const DATABASES_SQL = `
SELECT datname AS name FROM pg_catalog.pg_database
WHERE datallowconn AND NOT datistemplate AND datname LIKE $1
ORDER BY datname COLLATE "C"`;

// System schemas are never tenants: pg_catalog, pg_toast, pg_temp_N and the like, information_schema.
const SCHEMAS_SQL = `
SELECT nspname AS name FROM pg_catalog.pg_namespace
WHERE nspname LIKE $1 AND nspname !~ '^pg_' AND nspname <> 'information_schema'
ORDER BY nspname COLLATE "C"`;

export async function discoverNames(target: ConnectionTarget, kind: 'databases' | 'schemas', pattern: string): Promise<string[]> {
  return withSession(target, async (session) => {
    const { rows } = await session.query<{ name: string }>(kind === 'databases' ? DATABASES_SQL : SCHEMAS_SQL, [pattern]);
    return rows.map((row) => row.name);
  });
}
