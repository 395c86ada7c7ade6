/*
 * What `reconcile export` reads: every index of the chosen tables in structured form, straight from the
 * catalogs (key columns or expressions, opclasses and their parameters, collations, order, nulls, INCLUDE,
 * predicate, storage parameters), in one query. Parsing definitions is not needed: the catalogs hold each
 * field. What is left out is decided by the same policy the plan applies (core/policy.ts).
 */
import type { ExportedIndex } from '../core/export.js';
import type { ConstraintType } from '../core/model.js';
import { indexPolicy, type OwnershipFacts } from '../core/policy.js';
import { searchPathValue, type ResolutionPath } from '../core/search-path.js';
import type { Session } from './db.js';
import { CONSTRAINT_JOIN, EXTENSION_MEMBERS_CTE, foreignKeysCte } from './catalog-sql.js';

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
  /** Operator class parameters (`siglen=32`), from the index column's attoptions. */
  opclass_options: string[] | null;
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
  foreign_keys: string[] | null;
  replica_identity: boolean;
  /** The partitioned index this one is attached to, and the top of that tree. */
  parent_index: string | null;
  root_index: { schema: string; name: string } | null;
  extension: string | null;
  valid: boolean;
}

const EXPORT_SQL = `
WITH ${foreignKeysCte()},
${EXTENSION_MEMBERS_CTE}
SELECT n.nspname AS schema, t.relname AS table, t.relkind AS relkind, c.relname AS name, am.amname AS method,
  i.indisunique AS unique, COALESCE((to_jsonb(i)->>'indnullsnotdistinct')::bool, false) AS nulls_not_distinct,
  (SELECT json_agg(json_build_object(
      'column', a.attname,
      'expression', CASE WHEN k.attnum = 0 THEN pg_get_indexdef(c.oid, k.ord::int, false) END,
      -- parameters are written beside their opclass, so a default opclass with parameters is named too
      'opclass', CASE WHEN k.ord > i.indnkeyatts OR (opc.opcdefault AND ia.attoptions IS NULL) THEN NULL
                      WHEN pg_opclass_is_visible(opc.oid) THEN quote_ident(opc.opcname)
                      ELSE quote_ident(ocn.nspname) || '.' || quote_ident(opc.opcname) END,
      'opclass_options', CASE WHEN k.ord <= i.indnkeyatts THEN ia.attoptions END,
      'collation', CASE WHEN k.ord > i.indnkeyatts OR i.indcollation[k.ord - 1] = 0 THEN NULL
                        WHEN k.attnum <> 0 AND i.indcollation[k.ord - 1] = a.attcollation THEN NULL
                        WHEN k.attnum = 0 AND i.indcollation[k.ord - 1] = 100 THEN NULL
                        WHEN pg_collation_is_visible(coll.oid) THEN coll.collname::text
                        ELSE coln.nspname || '.' || coll.collname END,
      'desc', k.ord <= i.indnkeyatts AND (i.indoption[k.ord - 1] & 1) = 1,
      'nulls_first', k.ord <= i.indnkeyatts AND (i.indoption[k.ord - 1] & 2) = 2,
      'key', k.ord <= i.indnkeyatts) ORDER BY k.ord)
    FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
    LEFT JOIN pg_attribute ia ON ia.attrelid = c.oid AND ia.attnum = k.ord
    LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[k.ord - 1]
    LEFT JOIN pg_namespace ocn ON ocn.oid = opc.opcnamespace
    LEFT JOIN pg_collation coll ON coll.oid = i.indcollation[k.ord - 1]
    LEFT JOIN pg_namespace coln ON coln.oid = coll.collnamespace) AS keys,
  pg_get_expr(i.indpred, i.indrelid) AS predicate,
  c.reloptions, ts.spcname AS tablespace, obj_description(c.oid, 'pg_class') AS comment,
  con.conname AS constraint_name, con.contype::text AS constraint_type,
  fks.names AS foreign_keys, i.indisreplident AS replica_identity,
  (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits h
    JOIN pg_class pc ON pc.oid = h.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
    WHERE h.inhrelid = c.oid LIMIT 1) AS parent_index,
  (SELECT json_build_object('schema', rn.nspname, 'name', rc.relname) FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace
    WHERE c.relispartition AND rc.oid = pg_partition_root(c.oid)) AS root_index,
  COALESCE(ei.extname, et.extname) AS extension,
  i.indisvalid AS valid
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = c.relam
LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
${CONSTRAINT_JOIN}
LEFT JOIN fks ON fks.conindid = c.oid
LEFT JOIN ext ei ON ei.objid = c.oid
LEFT JOIN ext et ON et.objid = t.oid
WHERE t.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
  AND (cardinality($2::text[]) = 0 OR t.relname = ANY ($2::text[]) OR n.nspname || '.' || t.relname = ANY ($2::text[]))
ORDER BY n.nspname, t.relname, c.relname`;

function ownershipFacts(row: IndexRow): OwnershipFacts {
  return {
    ...(row.constraint_name !== null && row.constraint_type !== null
      ? { constraint: { name: row.constraint_name, type: row.constraint_type as ConstraintType } }
      : {}),
    ...(row.parent_index !== null ? { parentIndex: row.parent_index } : {}),
    ...(row.extension !== null ? { extension: row.extension } : {}),
    referencedByForeignKeys: [...(row.foreign_keys ?? [])].sort(),
    replicaIdentity: row.replica_identity,
  };
}

function leftOutReason(row: IndexRow): string | undefined {
  const policy = indexPolicy(ownershipFacts(row));
  if (policy.kind === 'owned') return `owned by ${policy.by}`;
  // Plan drops or rebuilds an invalid index; declaring it would only make the manifest say so.
  if (!row.valid) return 'invalid (a failed or unfinished build)';
  return undefined;
}

function storageParameters(reloptions: readonly string[] | null): { name: string; value: string }[] {
  return (reloptions ?? []).map((option) => {
    const at = option.indexOf('=');
    return { name: option.slice(0, at), value: option.slice(at + 1) };
  });
}

/**
 * The indexes to export. Names print as the search path `searchPath` (the one a plan of the exported
 * manifest will resolve them through) finds them: unqualified where it finds the same object, qualified
 * otherwise; without it, everything outside pg_catalog is qualified.
 */
export async function readIndexesForExport(session: Session, selection: ExportSelection, searchPath?: ResolutionPath): Promise<ExportedIndex[]> {
  const rows = await withSearchPath(session, searchPath, () => session.query<IndexRow>(EXPORT_SQL, [selection.schemas, selection.tables]));
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
          ...(k.opclass_options === null || k.opclass_options.length === 0 ? {} : { opclassParams: storageParameters(k.opclass_options) }),
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
      ...(row.root_index === null ? {} : { partOf: row.root_index }),
    };
  });
}

/** Runs `read` in a read-only transaction whose search_path is `searchPath`, when given. */
async function withSearchPath<R>(session: Session, searchPath: ResolutionPath | undefined, read: () => Promise<{ rows: R[] }>): Promise<R[]> {
  if (searchPath === undefined) return (await read()).rows;
  await session.query('BEGIN READ ONLY');
  try {
    await session.query(`SET LOCAL search_path = ${searchPathValue(searchPath)}`);
    return (await read()).rows;
  } finally {
    await session.query('ROLLBACK');
  }
}
