/*
 * What Citus refuses, found at plan time and reported at the index's manifest position: the canonical
 * forms are made on plain temporary copies of the tables, which accept what Citus would not. Pure.
 */
import type { CanonicalForms } from '../plan-classify.js';
import { indexKey, tableKey, type DesiredIndex, type DesiredState } from '../model.js';
import type { CitusState, CitusTable } from './model.js';

/** Access methods Citus's columnar tables can be indexed with. */
export const COLUMNAR_METHODS: readonly string[] = ['btree', 'hash'];

function uniqueWithoutDistributionColumn(index: DesiredIndex, table: CitusTable): string | undefined {
  const column = table.distributionColumn;
  if (!index.unique || table.type !== 'distributed' || column === undefined) return undefined;
  if (index.columns.some((part) => part.kind === 'column' && part.column === column)) return undefined;
  return (
    `a unique index on the distributed table ${table.schema}.${table.name} must have its distribution column "${column}" among its key columns: ` +
    `each shard holds only some of the rows and can enforce uniqueness only within them, so Citus refuses it. ` +
    `Add { column: ${column} } to columns, or drop unique: true.`
  );
}

function columnarMethod(index: DesiredIndex, schema: string, name: string): string {
  return (
    `${schema}.${name} is a columnar table, and Citus's columnar tables take only ${COLUMNAR_METHODS.join(' and ')} indexes, ` +
    `not ${index.method}. Use method: btree (or hash), or store the table as heap.`
  );
}

/** The message for each declared index Citus would refuse, by indexKey. */
export function citusRefusals(desired: DesiredState, citus: CitusState): Map<string, string> {
  const refusals = new Map<string, string>();
  for (const declared of desired.tables) {
    const key = tableKey(declared.schema, declared.name);
    const table = citus.tables.get(key);
    const columnar = citus.columnar.has(key);
    for (const index of declared.indexes) {
      const message =
        (table ? uniqueWithoutDistributionColumn(index, table) : undefined) ??
        (columnar && !COLUMNAR_METHODS.includes(index.method) ? columnarMethod(index, declared.schema, declared.name) : undefined);
      if (message !== undefined) refusals.set(indexKey(index.schema, index.name), message);
    }
  }
  return refusals;
}

/** The canonical forms with Citus's refusals in place of the forms the plain copies gave. */
export function withCitusRefusals(canonical: CanonicalForms, refusals: ReadonlyMap<string, string>): CanonicalForms {
  if (refusals.size === 0) return canonical;
  const desired = new Map(canonical.desired);
  for (const [key, message] of refusals) desired.set(key, { ok: false, message });
  return { ...canonical, desired };
}
