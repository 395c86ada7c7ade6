/*
 * The definitions of the columns the desired indexes use, read once per table and column: what a
 * partial temporary copy is made of, and what decides which tables may share one.
 */
import { loadSqlParser } from '../../core/parse-tree.js';
import { tableKey, type LiveState } from '../../core/model.js';
import type { IndexToClone, TableColumn } from '../../core/canonical-batches.js';
import type { Session } from '../db.js';

/** By tableKey, then column name; null when a column is missing from the table (or not a plain table). */
export type ColumnCache = Map<string, Map<string, TableColumn | null>>;

const COLUMNS_SQL = `
SELECT w.schema, w.tab, w.col, quote_ident(a.attname) AS quoted, format_type(a.atttypid, a.atttypmod) AS type,
  CASE WHEN a.attcollation <> ty.typcollation THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
  a.attnotnull AS not_null, a.attgenerated <> '' AS generated,
  concat_ws(' ', a.atttypid, a.atttypmod, a.attcollation, a.attnotnull) AS key
FROM unnest($1::text[], $2::text[], $3::text[]) AS w(schema, tab, col)
JOIN pg_namespace n ON n.nspname = w.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tab AND c.relkind = 'r'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = w.col AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace`;

/**
 * For each plain table among `indexes`, the columns its indexes use together (by name), read from the
 * catalog (one query, for the columns not read yet): the columns of its partial copy, one per table at
 * most, so never more than a whole copy. A table is left out (copied whole) when one of its indexes
 * uses columns the parser cannot list, or a column that is missing or generated. Only when at least two
 * indexes need copies. Never fatal: without it, tables are copied whole.
 */
export async function readColumns(
  session: Session,
  indexes: readonly IndexToClone[],
  live: LiveState,
  cache: ColumnCache,
): Promise<Map<string, readonly TableColumn[]>> {
  if (indexes.length < 2) return new Map();
  await loadSqlParser();
  const used = new Map<string, { schema: string; table: string; names: Set<string> } | null>();
  for (const index of indexes) {
    const key = tableKey(index.schema, index.table);
    if (used.get(key) === null) continue;
    const names = live.tables.get(key)?.kind === 'table' ? index.columns?.() : undefined;
    if (!names || names.length === 0) {
      used.set(key, null);
      continue;
    }
    let entry = used.get(key);
    if (!entry) used.set(key, (entry = { schema: index.schema, table: index.table, names: new Set() }));
    for (const name of names) entry.names.add(name);
  }
  const wanted: [string, string, string][] = [];
  for (const [key, entry] of used) {
    if (!entry) continue;
    let known = cache.get(key);
    if (!known) cache.set(key, (known = new Map()));
    for (const name of entry.names) {
      if (known.has(name)) continue;
      known.set(name, null);
      wanted.push([entry.schema, entry.table, name]);
    }
  }
  if (wanted.length > 0) {
    try {
      const { rows } = await session.query<TableColumn & { schema: string; tab: string; col: string }>(COLUMNS_SQL, [
        wanted.map((w) => w[0]),
        wanted.map((w) => w[1]),
        wanted.map((w) => w[2]),
      ]);
      for (const { schema, tab, col, ...column } of rows) cache.get(tableKey(schema, tab))?.set(col, column);
    } catch {
      // A partial copy is only a saving: without it, tables are copied whole.
      for (const [schema, tab] of wanted) cache.delete(tableKey(schema, tab));
    }
  }
  const result = new Map<string, readonly TableColumn[]>();
  for (const [key, entry] of used) {
    if (!entry) continue;
    const known = cache.get(key);
    const found = [...entry.names].sort().map((name) => known?.get(name));
    if (found.every((c): c is TableColumn => c !== undefined && c !== null && !c.generated)) result.set(key, found);
  }
  return result;
}
