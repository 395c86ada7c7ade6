/*
 * Catalog introspection: the live state of the declared tables, their partitions and every index on
 * them, read in a constant number of queries whatever the number of tables (names are passed as arrays).
 *
 * The reads run in one snapshot with a short lock_timeout (catalog-snapshot.ts): pg_get_indexdef takes
 * ACCESS SHARE on the table, so a read would otherwise wait for as long as someone holds ACCESS EXCLUSIVE
 * there. The rows become the live model in catalog-rows.ts.
 */
import type { LiveState } from '../core/model.js';
import type { Session } from './db.js';
import { CONSTRAINT_JOIN, DECLARED_CTE, EXTENSION_MEMBERS_CTE, foreignKeysCte, TARGETS_CTE } from './catalog-sql.js';
import { toLiveState, toPlacement, type IndexRow, type Placement, type PlacementRow, type ServerRow, type TableRow } from './catalog-rows.js';
import { nameArrays, readCatalog, type CatalogOptions, type TableName } from './catalog-snapshot.js';

/** A declared table with the names of its declared indexes, whose names must be free in its schema. */
export interface DeclaredTableName extends TableName {
  readonly indexes?: readonly { readonly name: string }[];
}


const SERVER_SQL = `
SELECT current_setting('server_version_num')::int AS version_num,
  current_setting('server_version') AS version,
  current_user::text AS role,
  current_setting('block_size')::int AS block_size,
  (SELECT array_agg(amname::text ORDER BY amname) FROM pg_am WHERE amtype = 'i') AS methods`;

const TABLES_SQL = `
WITH ${DECLARED_CTE}, ${TARGETS_CTE}
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS relkind,
  pg_get_userbyid(c.relowner) AS owner,
  pg_has_role(current_user, c.relowner, 'USAGE') AS owned,
  has_schema_privilege(c.relnamespace, 'CREATE') AS can_create,
  c.relpages, c.reltuples::float8 AS reltuples,
  COALESCE((SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
    FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns,
  COALESCE((SELECT json_agg(json_build_object('schema', pn.nspname, 'name', pc.relname,
      'parentSchema', qn.nspname, 'parentName', qc.relname, 'isLeaf', pt.isleaf,
      'relpages', pc.relpages, 'reltuples', pc.reltuples) ORDER BY pt.level, pn.nspname, pc.relname)
    FROM pg_partition_tree(c.oid) pt
    JOIN pg_class pc ON pc.oid = pt.relid
    JOIN pg_namespace pn ON pn.oid = pc.relnamespace
    JOIN pg_class qc ON qc.oid = pt.parentrelid
    JOIN pg_namespace qn ON qn.oid = qc.relnamespace
    WHERE c.relkind = 'p' AND pt.level > 0), '[]') AS partitions
FROM declared d
JOIN pg_class c ON c.oid = d.oid
JOIN pg_namespace n ON n.oid = c.relnamespace
UNION ALL
-- Declared names that are relations without indexes of their own (a view): the plan says what they are.
SELECT n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner), false, false, 0, 0, '[]'::json, '[]'::json
FROM unnest($1::text[], $2::text[]) AS w(schema, name)
JOIN pg_namespace n ON n.nspname = w.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name
WHERE c.relkind NOT IN ('r', 'p', 'm')
ORDER BY 1, 2`;

// Set-based on purpose: a correlated subquery per index over pg_constraint (no index on conindid; on
// 18 every NOT NULL column has a row there), pg_depend or the pg_stat_all_indexes view made the read
// grow with indexes × constraints (10,000 indexes on 1,000 tables: 8 s of server CPU instead of 0.4 s).
// Partitioned indexes have no storage and no statistics of their own: their leaves are summed.
// pg_stat_get_lastscan (last_idx_scan) exists from 16 on; before, the column is NULL.
function indexesSql(serverVersionNum: number): string {
  const lastScan = (oid: string): string => (serverVersionNum >= 160000 ? `pg_stat_get_lastscan(${oid})` : 'NULL::timestamptz');
  return `
WITH ${DECLARED_CTE}, ${TARGETS_CTE},
idx AS (
  SELECT i.indexrelid FROM targets x JOIN pg_index i ON i.indrelid = x.oid
),
${foreignKeysCte('SELECT indexrelid FROM idx')},
${EXTENSION_MEMBERS_CTE},
progress AS MATERIALIZED (
  SELECT p.pid, p.phase, p.relid, p.index_relid FROM pg_stat_progress_create_index p
)
SELECT n.nspname AS schema, t.relname AS table, c.relname AS name,
  pg_get_indexdef(c.oid) AS definition, am.amname AS method,
  i.indisvalid AS valid, i.indisready AS ready, i.indisunique AS unique, c.relkind = 'I' AS partitioned,
  con.conname AS constraint_name, con.contype AS constraint_type,
  fks.names AS foreign_keys,
  (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits h
    JOIN pg_class pc ON pc.oid = h.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
    WHERE h.inhrelid = c.oid LIMIT 1) AS parent_index,
  COALESCE(ei.extname, et.extname) AS extension,
  i.indisreplident AS replica_identity,
  COALESCE(prog.pid, locker.pid) AS build_pid, COALESCE(prog.phase, locker.phase) AS build_phase,
  ts.spcname AS tablespace,
  ds.description AS comment,
  (CASE WHEN c.relkind = 'I'
    THEN (SELECT COALESCE(sum(lc.relpages), 0) FROM pg_partition_tree(c.oid) pt JOIN pg_class lc ON lc.oid = pt.relid WHERE pt.isleaf)
    ELSE c.relpages END)::bigint * current_setting('block_size')::bigint AS size_bytes,
  (CASE WHEN c.relkind = 'I'
    THEN (SELECT COALESCE(sum(pg_stat_get_numscans(pt.relid)), 0) FROM pg_partition_tree(c.oid) pt WHERE pt.isleaf)
    ELSE pg_stat_get_numscans(c.oid) END)::bigint AS scans,
  to_jsonb(CASE WHEN c.relkind = 'I'
    THEN (SELECT max(${lastScan('pt.relid')}) FROM pg_partition_tree(c.oid) pt WHERE pt.isleaf)
    ELSE ${lastScan('c.oid')} END) #>> '{}' AS last_scan
FROM idx x
JOIN pg_index i ON i.indexrelid = x.indexrelid
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = c.relam
LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
${CONSTRAINT_JOIN}
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
LEFT JOIN fks ON fks.conindid = c.oid
LEFT JOIN ext ei ON ei.objid = c.oid
LEFT JOIN ext et ON et.objid = t.oid
LEFT JOIN LATERAL (SELECT p.pid, p.phase FROM progress p
  WHERE p.relid = t.oid AND p.index_relid IN (c.oid, 0) ORDER BY p.index_relid DESC LIMIT 1) prog ON true
-- Another role's build shows in the progress view without its table unless we may read all statistics;
-- pg_locks shows everyone: a client session holding SHARE UPDATE EXCLUSIVE (what a concurrent build holds
-- throughout) may be building an invalid index, so it is left alone rather than dropped under it.
LEFT JOIN LATERAL (SELECT l.pid, 'not visible to this role (grant it pg_read_all_stats to see the phase)'::text AS phase
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE NOT i.indisvalid AND l.locktype = 'relation' AND l.relation = t.oid AND l.mode = 'ShareUpdateExclusiveLock'
    -- backend_type is hidden (null) for other roles' sessions too, and those are what this is for
    AND l.granted AND l.pid <> pg_backend_pid() AND COALESCE(a.backend_type, 'client backend') = 'client backend'
    -- a build whose progress we can read is building the index that row names, not this one
    AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index v WHERE v.pid = l.pid AND v.relid IS NOT NULL)
  ORDER BY l.pid LIMIT 1) locker ON true
ORDER BY 1, 2, 3`;
}

/**
 * Where declared indexes would go, in one round trip: every tablespace (pg_tablespace is readable by every
 * role; has_tablespace_privilege is true for a superuser), and the relations named like a declared index in
 * its schema ($1 schemas, $2 index names, $3 their tables) other than an index on that very table (the plan
 * handles those): CREATE INDEX would fail on any of them.
 */
const PLACEMENT_SQL = `
SELECT
  (SELECT json_agg(json_build_object('name', t.spcname, 'isDefault', t.oid = d.dattablespace,
      'canCreate', has_tablespace_privilege(t.oid, 'CREATE')) ORDER BY t.spcname)
    FROM pg_tablespace t
    CROSS JOIN (SELECT dattablespace FROM pg_database WHERE datname = current_database()) d) AS tablespaces,
  (SELECT COALESCE(json_agg(json_build_object('schema', n.nspname, 'name', c.relname, 'relkind', c.relkind,
      'tableSchema', tn.nspname, 'tableName', t.relname) ORDER BY n.nspname, c.relname), '[]')
    FROM unnest($1::text[], $2::text[], $3::text[]) AS w(schema, name, tbl)
    JOIN pg_namespace n ON n.nspname = w.schema
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name
    LEFT JOIN pg_index i ON i.indexrelid = c.oid
    LEFT JOIN pg_class t ON t.oid = i.indrelid
    LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
    WHERE i.indexrelid IS NULL OR t.relname <> w.tbl OR tn.nspname <> w.schema) AS names`;

export async function readLiveState(
  session: Session,
  tables: readonly DeclaredTableName[],
  options: CatalogOptions = {},
): Promise<LiveState> {
  const params = nameArrays(tables);
  return readCatalog(session, tables, 'Reading the catalog', options, async () => {
    const server = (await session.query<ServerRow>(SERVER_SQL)).rows[0]!;
    const tableRows = (await session.query<TableRow>(TABLES_SQL, params)).rows;
    const indexRows = (await session.query<IndexRow>(indexesSql(server.version_num), params)).rows;
    return { ...toLiveState(server, tableRows, indexRows), ...(await readPlacement(session, tables)) };
  });
}


/** Where declared indexes would go: the tablespaces, and the relations already using their names. */
async function readPlacement(session: Session, tables: readonly DeclaredTableName[]): Promise<Placement> {
  const declared = tables.flatMap((table) => (table.indexes ?? []).map((index) => ({ schema: table.schema, name: index.name, table: table.name })));
  const params = [declared.map((d) => d.schema), declared.map((d) => d.name), declared.map((d) => d.table)];
  return toPlacement((await session.query<PlacementRow>(PLACEMENT_SQL, params)).rows[0]!);
}
