/* An index as the catalog has it now: what cleanup, the validity check and dependencies go by. */
import type { TableRef } from '../../core/actions.js';
import type { Session } from '../db.js';

export interface IndexState {
  readonly oid: string;
  readonly valid: boolean;
  /** A partitioned index (ON ONLY a partitioned table), which cannot be dropped concurrently. */
  readonly partitioned: boolean;
}

/** The index under `ref`'s name now, or undefined when there is none. */
export async function readIndex(session: Session, ref: TableRef): Promise<IndexState | undefined> {
  const { rows } = await session.query<{ oid: string; valid: boolean; partitioned: boolean }>(
    `SELECT c.oid::text AS oid, i.indisvalid AS valid, c.relkind = 'I' AS partitioned
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid
      WHERE n.nspname = $1 AND c.relname = $2`,
    [ref.schema, ref.name],
  );
  const row = rows[0];
  return row ? { oid: row.oid, valid: row.valid, partitioned: row.partitioned } : undefined;
}
