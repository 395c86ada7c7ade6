/*
 * What `reconcile export` reads: every index of the chosen tables in structured form, straight from the
 * catalogs (key columns or expressions, opclasses, collations, order, nulls, INCLUDE, predicate, storage
 * parameters), in one query. Parsing definitions is not needed: the catalogs hold each field.
 */
import type { ExportedIndex } from '../core/export.js';
import type { Session } from './db.js';

export interface ExportSelection {
  /** Schemas to export; empty means every non-system schema. */
  readonly schemas: readonly string[];
  /** Tables as `name` or `schema.name`; empty means every table of the schemas. */
  readonly tables: readonly string[];
}

interface KeyRow {
  column: string | null;
  expression: string | null;
  opclass: string | null;
  collation: string | null;
  desc: boolean;
  nulls_first: boolean;
  key: boolean;
}

interface IndexRow {
  schema: string;
  table: string;
  relkind: 'r' | 'p' | 'm';
  name: string;
  method: string;
  unique: boolean;
  nulls_not_distinct: boolean;
  keys: KeyRow[];
  predicate: string | null;
  reloptions: string[] | null;
  tablespace: string | null;
  comment: string | null;
  constraint_name: string | null;
  constraint_type: string | null;
  is_partition_child: boolean;
  extension: string | null;
  valid: boolean;
}

const EXPORT_SQL = `
SELECT n.nspname AS schema, t.relname AS table, t.relkind AS relkind, c.relname AS name, am.amname AS method,
  i.indisunique AS unique, COALESCE((to_jsonb(i)->>'indnullsnotdistinct')::bool, false) AS nulls_not_distinct,
  (SELECT json_agg(json_build_object(
      'column', a.attname,
      'expression', CASE WHEN k.attnum = 0 THEN pg_get_indexdef(c.oid, k.ord::int, false) END,
      'opclass', CASE WHEN k.ord > i.indnkeyatts OR opc.opcdefault THEN NULL
                      WHEN ocn.nspname = 'pg_catalog' THEN quote_ident(opc.opcname)
                      ELSE quote_ident(ocn.nspname) || '.' || quote_ident(opc.opcname) END,
      'collation', CASE WHEN k.ord > i.indnkeyatts OR i.indcollation[k.ord - 1] = 0 THEN NULL
                        WHEN k.attnum <> 0 AND i.indcollation[k.ord - 1] = a.attcollation THEN NULL
                        WHEN k.attnum = 0 AND i.indcollation[k.ord - 1] = 100 THEN NULL
                        WHEN coln.nspname = 'pg_catalog' THEN coll.collname::text
                        ELSE coln.nspname || '.' || coll.collname END,
      'desc', k.ord <= i.indnkeyatts AND (i.indoption[k.ord - 1] & 1) = 1,
      'nulls_first', k.ord <= i.indnkeyatts AND (i.indoption[k.ord - 1] & 2) = 2,
      'key', k.ord <= i.indnkeyatts) ORDER BY k.ord)
    FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
    LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[k.ord - 1]
    LEFT JOIN pg_namespace ocn ON ocn.oid = opc.opcnamespace
    LEFT JOIN pg_collation coll ON coll.oid = i.indcollation[k.ord - 1]
    LEFT JOIN pg_namespace coln ON coln.oid = coll.collnamespace) AS keys,
  pg_get_expr(i.indpred, i.indrelid) AS predicate,
  c.reloptions, ts.spcname AS tablespace, obj_description(c.oid, 'pg_class') AS comment,
  con.conname AS constraint_name, con.contype::text AS constraint_type,
  EXISTS (SELECT 1 FROM pg_inherits inh WHERE inh.inhrelid = c.oid) AS is_partition_child,
  (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.classid = 'pg_class'::regclass AND d.objid IN (c.oid, t.oid)
      AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' LIMIT 1) AS extension,
  i.indisvalid AS valid
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = c.relam
LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
LEFT JOIN pg_constraint con ON con.conindid = c.oid AND con.conrelid = t.oid AND con.contype IN ('p', 'u', 'x')
WHERE t.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
  AND (cardinality($2::text[]) = 0 OR t.relname = ANY ($2::text[]) OR n.nspname || '.' || t.relname = ANY ($2::text[]))
  -- A partition's own indexes belong to it; its table is exported only when named.
  AND (NOT t.relispartition OR t.relname = ANY ($2::text[]) OR n.nspname || '.' || t.relname = ANY ($2::text[]))
ORDER BY n.nspname, t.relname, c.relname`;

const CONSTRAINT_WORDS: Readonly<Record<string, string>> = { p: 'primary key', u: 'unique constraint', x: 'exclusion constraint' };

function leftOutReason(row: IndexRow): string | undefined {
  if (row.constraint_name) return `backs the ${CONSTRAINT_WORDS[row.constraint_type ?? ''] ?? 'constraint'} ${row.constraint_name}`;
  if (row.is_partition_child) return 'a partition index of a partitioned index';
  if (row.extension) return `belongs to the extension ${row.extension}`;
  if (!row.valid) return 'invalid (a failed or unfinished build)';
  return undefined;
}

function storageParameters(reloptions: readonly string[] | null): { name: string; value: string }[] {
  return (reloptions ?? []).map((option) => {
    const at = option.indexOf('=');
    return { name: option.slice(0, at), value: option.slice(at + 1) };
  });
}

export async function readIndexesForExport(session: Session, selection: ExportSelection): Promise<ExportedIndex[]> {
  const { rows } = await session.query<IndexRow>(EXPORT_SQL, [selection.schemas, selection.tables]);
  return rows.map((row) => {
    const keyRows = row.keys ?? [];
    const leftOut = leftOutReason(row);
    return {
      schema: row.schema,
      table: row.table,
      tableKind: row.relkind === 'p' ? 'partitioned' : row.relkind === 'm' ? 'matview' : 'table',
      name: row.name,
      method: row.method,
      unique: row.unique,
      nullsNotDistinct: row.nulls_not_distinct,
      keys: keyRows
        .filter((k) => k.key)
        .map((k) => ({
          ...(k.expression === null ? { column: k.column ?? '' } : { expression: k.expression }),
          ...(k.opclass === null ? {} : { opclass: k.opclass }),
          ...(k.collation === null ? {} : { collation: k.collation }),
          desc: k.desc,
          nullsFirst: k.nulls_first,
        })),
      include: keyRows.filter((k) => !k.key).map((k) => k.column ?? ''),
      ...(row.predicate === null ? {} : { predicate: row.predicate }),
      storage: storageParameters(row.reloptions),
      ...(row.tablespace === null ? {} : { tablespace: row.tablespace }),
      ...(row.comment === null ? {} : { comment: row.comment }),
      ...(leftOut === undefined ? {} : { leftOut }),
    };
  });
}
