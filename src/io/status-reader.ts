/*
 * The catalog facts `status` needs beyond readLiveState: each index's key columns (opclass, collation,
 * order), INCLUDE columns and predicate, on-disk sizes, and when this database's statistics were last
 * reset. Two queries whatever the number of tables.
 *
 * Sizes are what is on disk now (pg_relation_size / pg_table_size, as the deployment guide measures
 * them), not relpages, which only VACUUM, ANALYZE and index builds update. Those functions take ACCESS
 * SHARE for a moment, so the reads run with a short lock_timeout, as the catalog reads do.
 */
import { indexKey, tableKey } from '../core/model.js';
import type { LiveIndexKey, LiveIndexShape, StatusFacts } from '../core/status.js';
import { readCatalog, type CatalogOptions, type TableName } from './catalog-snapshot.js';
import type { Session } from './db.js';
import { DECLARED_CTE } from './catalog-sql.js';

// ---- private row types (int8 arrives as a string) ----

interface TablesRow {
  readonly stats_reset: string | null;
  readonly tables: { readonly schema: string; readonly name: string; readonly size: number | string }[] | null;
}

interface IndexRow {
  readonly schema: string;
  readonly name: string;
  readonly keys: { readonly expression: string; readonly opclass: string | null; readonly collation: string | null; readonly options: number }[] | null;
  readonly include: string[] | null;
  readonly predicate: string | null;
  readonly size: string;
}

// A partitioned table or index has no storage of its own: its size is its leaves'.
const TABLES_SQL = `
WITH ${DECLARED_CTE}
SELECT to_char((SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AT TIME ZONE 'UTC',
    'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS stats_reset,
  (SELECT json_agg(json_build_object('schema', d.schema, 'name', d.name, 'size',
      CASE WHEN d.relkind = 'p'
        THEN (SELECT COALESCE(sum(pg_table_size(pt.relid)), 0) FROM pg_partition_tree(d.oid) pt WHERE pt.isleaf)
        ELSE pg_table_size(d.oid) END))
    FROM declared d) AS tables`;

// indclass, indcollation and indoption hold key columns only; they are int2vector/oidvector: 0-based.
const INDEXES_SQL = `
WITH ${DECLARED_CTE}
SELECT n.nspname AS schema, c.relname AS name,
  (SELECT json_agg(json_build_object(
      'expression', pg_get_indexdef(i.indexrelid, k, true),
      'opclass', (SELECT oc.opcname FROM pg_opclass oc WHERE oc.oid = i.indclass[k - 1]),
      'collation', (SELECT co.collname FROM pg_collation co WHERE co.oid = i.indcollation[k - 1]),
      'options', i.indoption[k - 1]) ORDER BY k)
    FROM generate_series(1, i.indnkeyatts) k) AS keys,
  ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(i.indnkeyatts + 1, i.indnatts) k ORDER BY k) AS include,
  pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
  (CASE WHEN c.relkind = 'I'
    THEN (SELECT COALESCE(sum(pg_relation_size(pt.relid)), 0) FROM pg_partition_tree(c.oid) pt WHERE pt.isleaf)
    ELSE pg_relation_size(c.oid) END)::bigint AS size
FROM declared d
JOIN pg_index i ON i.indrelid = d.oid
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY 1, 2`;

export async function readStatusFacts(session: Session, tables: readonly TableName[], options: CatalogOptions = {}): Promise<StatusFacts> {
  const params = [tables.map((t) => t.schema), tables.map((t) => t.name)];
  return readCatalog(session, tables, 'Reading index sizes', options, async () => {
    const tablesRow = (await session.query<TablesRow>(TABLES_SQL, params)).rows[0]!;
    const indexRows = (await session.query<IndexRow>(INDEXES_SQL, params)).rows;
    return toFacts(tablesRow, indexRows);
  });
}

function toFacts(tablesRow: TablesRow, indexRows: readonly IndexRow[]): StatusFacts {
  const tableBytes = new Map<string, number>();
  for (const t of tablesRow.tables ?? []) tableBytes.set(tableKey(t.schema, t.name), Number(t.size));
  const shapes = new Map<string, LiveIndexShape>();
  const indexBytes = new Map<string, number>();
  for (const row of indexRows) {
    const key = indexKey(row.schema, row.name);
    const keys: LiveIndexKey[] = (row.keys ?? []).map((k) => ({
      expression: k.expression,
      opclass: k.opclass ?? '',
      collation: k.collation ?? '',
      options: k.options,
    }));
    shapes.set(key, { keys, include: row.include ?? [], ...(row.predicate === null ? {} : { predicate: row.predicate }) });
    indexBytes.set(key, Number(row.size));
  }
  return {
    ...(tablesRow.stats_reset === null ? {} : { statsReset: tablesRow.stats_reset }),
    shapes,
    indexBytes,
    tableBytes,
  };
}
