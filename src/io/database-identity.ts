/*
 * What identifies the database a check baseline was measured on: its name and the server's system
 * identifier. The identifier comes from pg_control_system(), which PostgreSQL lets every role call; a
 * service that revokes it gives null, and the name alone identifies the database.
 */
import type { DatabaseIdentity } from '../core/check-baseline.js';
import { DatabaseRefused } from '../core/errors.js';
import type { Session } from './db.js';

export async function readDatabaseIdentity(session: Session): Promise<DatabaseIdentity> {
  const name = (await session.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
  try {
    const row = (await session.query<{ id: string | null }>('SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()')).rows[0];
    return { name, systemIdentifier: row?.id ?? null };
  } catch (error) {
    if (error instanceof DatabaseRefused) return { name, systemIdentifier: null };
    throw error;
  }
}
