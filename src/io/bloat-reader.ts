/*
 * The figures core/bloat.ts works on, for every valid index with storage on the declared tables and their
 * partitions: one catalog query for the estimate (page counts, tuple counts, fillfactors, pg_stats widths),
 * and, with `exact`, pgstattuple's functions, one index at a time, each reading the whole index.
 */
import {
  BTREE_DEFAULT_FILLFACTOR,
  estimateBtreeBloat,
  ESTIMATED_METHODS,
  measureBtreeBloat,
  measureTupleBloat,
  MEASURED_METHODS,
  unmeasuredReason,
  type BloatFacts,
  type ColumnStats,
  type IndexBloat,
  type LeafIndex,
} from '../core/bloat.js';
import { deduplicationOf, distinctCount } from '../core/bloat-dedup.js';
import { UserError } from '../core/errors.js';
import { indexKey } from '../core/model.js';
import { qualify, quoteIdent } from '../core/sql.js';
import { readCatalog, type CatalogOptions, type TableName } from './catalog-snapshot.js';
import { DECLARED_CTE, TARGETS_CTE } from './catalog-sql.js';
import type { Session } from './db.js';

interface ColumnRow {
  readonly stats: boolean;
  readonly nullFraction: number | null;
  readonly averageWidth: number | null;
  readonly nDistinct: number | null;
  /** An expression: its statistics are the index's own. */
  readonly expression: boolean;
  readonly length: number;
  readonly align: string;
  readonly isName: boolean;
  /** A key column (not INCLUDE). */
  readonly key: boolean;
  /** The equalimage support function of its operator class (see core/bloat-dedup.ts); null: none. */
  readonly equalImage: string | null;
  readonly deterministic: boolean;
}

interface IndexRow {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  readonly method: string;
  readonly partitioned: boolean;
  readonly bytes: string;
  readonly tuples: number;
  readonly tableTuples: number;
  readonly unique: boolean;
  readonly partial: boolean;
  readonly fillfactor: string | null;
  readonly deduplicateItems: string | null;
  readonly columns: ColumnRow[] | null;
  /** For a partitioned index: its leaf indexes. */
  readonly leaves: { schema: string; table: string; name: string }[] | null;
}

// An index column is a table column (indkey <> 0: its statistics are the table's) or an expression
// (its statistics are the index's own, under the index attribute's name, after an ANALYZE of the table).
const INDEXES_SQL = `
WITH ${DECLARED_CTE}, ${TARGETS_CTE}
SELECT n.nspname AS schema, t.relname AS table, c.relname AS name, am.amname AS method, c.relkind = 'I' AS partitioned,
  (CASE WHEN c.relkind = 'I' THEN 0 ELSE pg_relation_size(c.oid) END)::bigint AS bytes,
  c.reltuples::float8 AS tuples, t.reltuples::float8 AS "tableTuples", i.indisunique AS unique, i.indpred IS NOT NULL AS partial,
  (SELECT o.option_value FROM pg_options_to_table(c.reloptions) o WHERE o.option_name = 'fillfactor') AS fillfactor,
  (SELECT o.option_value FROM pg_options_to_table(c.reloptions) o WHERE o.option_name = 'deduplicate_items') AS "deduplicateItems",
  (SELECT json_agg(json_build_object(
      'stats', s.avg_width IS NOT NULL, 'nullFraction', s.null_frac, 'averageWidth', s.avg_width,
      'nDistinct', s.n_distinct, 'expression', ta.attname IS NULL,
      'length', ty.typlen, 'align', ty.typalign, 'isName', a.atttypid = 'pg_catalog.name'::regtype,
      'key', a.attnum <= i.indnkeyatts, 'equalImage', eq.name,
      'deterministic', COALESCE((SELECT co.collisdeterministic FROM pg_collation co WHERE a.attnum <= i.indnkeyatts AND co.oid = i.indcollation[a.attnum - 1]), true)) ORDER BY a.attnum)
    FROM pg_attribute a
    JOIN pg_type ty ON ty.oid = a.atttypid
    -- The equalimage function (support number 4) of the key column's operator class, as _bt_allequalimage looks it up.
    LEFT JOIN LATERAL (SELECT CASE WHEN p.pronamespace = 'pg_catalog'::regnamespace THEN p.proname::text ELSE p.oid::regproc::text END AS name
      FROM pg_opclass oc
      JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily AND ap.amproclefttype = oc.opcintype AND ap.amprocrighttype = oc.opcintype AND ap.amprocnum = 4
      JOIN pg_proc p ON p.oid = ap.amproc
      WHERE a.attnum <= i.indnkeyatts AND oc.oid = i.indclass[a.attnum - 1]) eq ON true
    LEFT JOIN pg_attribute ta ON i.indkey[a.attnum - 1] <> 0 AND ta.attrelid = t.oid AND ta.attnum = i.indkey[a.attnum - 1]
    LEFT JOIN pg_stats s ON NOT s.inherited AND (
      (ta.attname IS NOT NULL AND s.schemaname = n.nspname AND s.tablename = t.relname AND s.attname = ta.attname)
      OR (ta.attname IS NULL AND s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname))
    WHERE a.attrelid = c.oid AND a.attnum > 0) AS columns,
  CASE WHEN c.relkind = 'I' THEN (SELECT json_agg(json_build_object('schema', ln.nspname, 'table', lt.relname, 'name', lc.relname) ORDER BY ln.nspname, lc.relname)
    FROM pg_partition_tree(c.oid) pt JOIN pg_class lc ON lc.oid = pt.relid JOIN pg_namespace ln ON ln.oid = lc.relnamespace
    JOIN pg_index li ON li.indexrelid = lc.oid JOIN pg_class lt ON lt.oid = li.indrelid
    WHERE pt.isleaf) END AS leaves
FROM targets x
JOIN pg_index i ON i.indrelid = x.oid
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = c.relam
WHERE i.indisvalid
ORDER BY 1, 3`;

const DEFAULT_FILLFACTOR: Readonly<Record<string, number>> = { btree: BTREE_DEFAULT_FILLFACTOR, gist: 90, hash: 75 };

export interface BloatOptions extends CatalogOptions {
  /** Measure with pgstattuple instead of estimating (reads every index whole). */
  readonly exact: boolean;
}

export async function readBloat(session: Session, tables: readonly TableName[], options: BloatOptions): Promise<BloatFacts> {
  const params = [tables.map((t) => t.schema), tables.map((t) => t.name)];
  const { rows, blockSize, maxAlign, serverVersionNum } = await readCatalog(session, tables, 'Reading index statistics', options, async () => {
    const settings = (
      await session.query<{ bs: string; version: string }>(`SELECT current_setting('block_size') AS bs, current_setting('server_version_num') AS version`)
    ).rows[0];
    return {
      rows: (await session.query<IndexRow>(INDEXES_SQL, params)).rows,
      blockSize: Number(settings?.bs ?? 8192),
      serverVersionNum: Number(settings?.version ?? 0),
      // Every platform PostgreSQL supports today is 64-bit, where MAXALIGN is 8.
      maxAlign: 8,
    };
  });
  const schema = options.exact ? await pgstattupleSchema(session) : undefined;
  const indexes = new Map<string, IndexBloat>();
  const leaves = new Map<string, readonly LeafIndex[]>();
  for (const row of rows) {
    const key = indexKey(row.schema, row.name);
    if (row.partitioned) {
      leaves.set(key, row.leaves ?? []);
      continue;
    }
    const fillfactor = Number(row.fillfactor ?? DEFAULT_FILLFACTOR[row.method] ?? 90);
    if (schema !== undefined && MEASURED_METHODS.includes(row.method)) {
      indexes.set(key, await measure(session, tables, options, schema, row, { blockSize, fillfactor }));
    } else if (!options.exact && ESTIMATED_METHODS.includes(row.method)) {
      indexes.set(key, estimate(row, serverVersionNum, { blockSize, maxAlign, fillfactor }));
    } else {
      indexes.set(key, { kind: 'unknown', reason: unmeasuredReason(row.method, options.exact) });
    }
  }
  return { method: options.exact ? 'measured' : 'estimated', indexes, leaves };
}

function estimate(row: IndexRow, serverVersionNum: number, layout: { blockSize: number; maxAlign: number; fillfactor: number }): IndexBloat {
  // 14+: -1 means never counted.
  const tuples = row.tuples < 0 ? undefined : row.tuples;
  const all = row.columns ?? [];
  const columns = all.map((c): ColumnStats | undefined => {
    if (!c.stats) return undefined;
    // A table column's statistics describe the table's rows; an expression's, the rows the index holds.
    const rows = c.expression || row.tableTuples < 0 ? (tuples ?? 0) : row.tableTuples;
    const distinct = c.nDistinct === null ? undefined : distinctCount(c.nDistinct, rows, row.partial ? (tuples ?? rows) : rows);
    return { nullFraction: c.nullFraction ?? 0, averageWidth: c.averageWidth ?? 0, length: c.length, align: c.align, ...(distinct === undefined ? {} : { distinct }) };
  });
  const keys = all.filter((c) => c.key);
  const deduplication = deduplicationOf({
    serverVersionNum,
    unique: row.unique,
    deduplicateItems: row.deduplicateItems ?? undefined,
    hasInclude: keys.length < all.length,
    keys: keys.map((c) => ({ equalImage: c.equalImage ?? undefined, deterministic: c.deterministic })),
  });
  return estimateBtreeBloat({
    ...layout,
    pages: Number(row.bytes) / layout.blockSize,
    tuples,
    columns,
    hasNameColumn: all.some((c) => c.isName),
    deduplication,
  });
}

/** The schema pgstattuple is installed in; a UserError when it is not installed. */
async function pgstattupleSchema(session: Session): Promise<string> {
  const { rows } = await session.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgstattuple'`,
  );
  const row = rows[0];
  if (!row) {
    throw new UserError(
      '--exact-bloat needs the pgstattuple extension, which this database does not have.',
      'Run CREATE EXTENSION pgstattuple (it comes with PostgreSQL\'s contrib), or leave out --exact-bloat for the estimate from statistics.',
    );
  }
  return row.schema;
}

async function measure(
  session: Session,
  tables: readonly TableName[],
  options: CatalogOptions,
  schema: string,
  row: IndexRow,
  layout: { blockSize: number; fillfactor: number },
): Promise<IndexBloat> {
  const target = qualify(row.schema, row.name);
  try {
    return await readCatalog(session, tables, `Measuring ${row.schema}.${row.name} with pgstattuple`, options, async () => {
      if (row.method === 'btree') {
        const { rows } = await session.query<{ index_size: string; internal_pages: string; leaf_pages: string; avg_leaf_density: number }>(
          `SELECT index_size, internal_pages, leaf_pages, avg_leaf_density FROM ${quoteIdent(schema)}.pgstatindex($1::regclass)`,
          [target],
        );
        const r = rows[0]!;
        return measureBtreeBloat({
          ...layout,
          indexBytes: Number(r.index_size),
          internalPages: Number(r.internal_pages),
          leafPages: Number(r.leaf_pages),
          averageLeafDensity: Number(r.avg_leaf_density),
        });
      }
      const { rows } = await session.query<{ table_len: string; tuple_count: string; tuple_len: string }>(
        `SELECT table_len, tuple_count, tuple_len FROM ${quoteIdent(schema)}.pgstattuple($1::regclass)`,
        [target],
      );
      const r = rows[0]!;
      return measureTupleBloat({ ...layout, indexBytes: Number(r.table_len), tupleCount: Number(r.tuple_count), tupleBytes: Number(r.tuple_len) });
    });
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      throw new UserError(
        `--exact-bloat: this role may not run pgstattuple's functions (${(error as Error).message}).`,
        'Grant the role pg_stat_scan_tables (GRANT pg_stat_scan_tables TO …), or leave out --exact-bloat for the estimate.',
      );
    }
    throw error;
  }
}
