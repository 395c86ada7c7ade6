/*
 * What a REINDEX INDEX CONCURRENTLY leaves when it fails or is cancelled: the new copy, invalid, as
 * `<index>_ccnew` (before the swap), or the old one, invalid, as `<index>_ccold` (after it); either may
 * carry a digit, and the index name is shortened to fit. The index under the original name is valid
 * either way: only these leftovers are dropped, and only those that were not there before the step.
 */
import type { TableRef } from '../../core/actions.js';
import { isReindexLeftoverName, qualify } from '../../core/sql.js';
import type { Session } from '../db.js';
import { qualified, type RunContext, type Worker } from './context.js';
import { cleanupDrop } from './cleanup-drop.js';
import { session } from './worker.js';

export interface Leftover {
  readonly oid: string;
  readonly ref: TableRef;
  readonly valid: boolean;
}

/** Whether `leftover` is named after `index` (`<index, maybe shortened>_ccnew[N]` / `_ccold[N]`). */
export function isLeftoverOf(leftover: string, index: string): boolean {
  if (!isReindexLeftoverName(leftover)) return false;
  const stem = leftover.replace(/_cc(new|old)\d*$/, '');
  return stem.length > 0 && index.startsWith(stem);
}

/** The `_ccnew` / `_ccold` indexes on the table of `index` named after it. */
export async function readLeftovers(s: Session, index: TableRef): Promise<Leftover[]> {
  const { rows } = await s.query<{ oid: string; name: string; valid: boolean }>(
    `SELECT c.oid::text AS oid, c.relname AS name, i.indisvalid AS valid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = (SELECT x.indrelid FROM pg_index x WHERE x.indexrelid = to_regclass($1))
        AND c.relname ~ '_cc(new|old)[0-9]*$'`,
    [qualify(index.schema, index.name)],
  );
  return rows.filter((row) => isLeftoverOf(row.name, index.name)).map((row) => ({ oid: row.oid, ref: { schema: index.schema, name: row.name }, valid: row.valid }));
}

/** Drops the invalid leftovers of reindexing `index` that are not in `preexisting`; names what went and what stayed. */
export async function dropLeftovers(
  run: RunContext,
  worker: Worker,
  index: TableRef,
  preexisting: readonly string[],
): Promise<{ cleanedUp: string[]; leftBehind: string[] }> {
  const cleanedUp: string[] = [];
  const leftBehind: string[] = [];
  let leftovers: Leftover[];
  try {
    leftovers = (await readLeftovers(await session(run, worker), index)).filter((l) => !l.valid && !preexisting.includes(l.oid));
  } catch {
    return { cleanedUp, leftBehind: [`${qualified(index)}_ccnew (unchecked)`] };
  }
  for (const leftover of leftovers) {
    if (await dropOne(run, worker, leftover)) cleanedUp.push(qualified(leftover.ref));
    else leftBehind.push(qualified(leftover.ref));
  }
  return { cleanedUp, leftBehind };
}

function dropOne(run: RunContext, worker: Worker, leftover: Leftover): Promise<boolean> {
  return cleanupDrop(run, worker, async () => ({ ref: leftover.ref, concurrently: true }));
}
