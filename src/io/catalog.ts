/*
 * Catalog introspection: the live state of the declared tables, their partitions and every index on
 * them, read in a constant number of queries whatever the number of tables (names are passed as arrays).
 *
 * The reads run in one REPEATABLE READ, READ ONLY transaction (one snapshot for tables and indexes)
 * with a short lock_timeout: pg_get_indexdef takes ACCESS SHARE on the table, so a read would otherwise
 * wait for as long as someone holds ACCESS EXCLUSIVE there (a migration left open, a VACUUM FULL). On a
 * timeout we name who holds the lock instead of waiting.
 */
import { UserError } from '../core/errors.js';
import {
  tableKey,
  type ConstraintType,
  type LiveIndex,
  type LivePartition,
  type LiveState,
  type LiveTable,
  type TableKind,
} from '../core/model.js';
import type { Session } from './db.js';
import { isLockTimeout } from '../core/retry.js';
import { oneLine } from '../core/text.js';
import { CONSTRAINT_JOIN, DECLARED_CTE, EXTENSION_MEMBERS_CTE, foreignKeysCte, TARGETS_CTE } from './catalog-sql.js';

export interface TableName {
  readonly schema: string;
  readonly name: string;
}

/** A declared table with the names of its declared indexes, whose names must be free in its schema. */
export interface DeclaredTableName extends TableName {
  readonly indexes?: readonly { readonly name: string }[];
}

export interface CatalogOptions {
  /** How long a catalog read may wait for a lock; default 3 s. */
  readonly lockTimeoutMs?: number;
}

export const DEFAULT_CATALOG_LOCK_TIMEOUT_MS = 3_000;

// ---- private row types: what pg hands back (int8 and numeric arrive as strings) ----

interface ServerRow {
  readonly version_num: number;
  readonly version: string;
  readonly role: string;
  readonly block_size: number;
  readonly methods: string[] | null;
}

interface ColumnJson {
  readonly name: string;
  readonly type: string;
}

interface PartitionJson {
  readonly schema: string;
  readonly name: string;
  readonly parentSchema: string;
  readonly parentName: string;
  readonly isLeaf: boolean;
  readonly relpages: number;
  readonly reltuples: number;
}

interface TableRow {
  readonly schema: string;
  readonly name: string;
  readonly relkind: string;
  readonly owner: string;
  readonly owned: boolean;
  readonly can_create: boolean;
  readonly relpages: number;
  readonly reltuples: number;
  readonly columns: ColumnJson[];
  readonly partitions: PartitionJson[];
}

interface IndexRow {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  readonly definition: string;
  readonly method: string;
  readonly valid: boolean;
  readonly ready: boolean;
  readonly unique: boolean;
  readonly partitioned: boolean;
  readonly constraint_name: string | null;
  readonly constraint_type: string | null;
  readonly foreign_keys: string[] | null;
  readonly parent_index: string | null;
  readonly extension: string | null;
  readonly replica_identity: boolean;
  readonly build_pid: number | null;
  readonly build_phase: string | null;
  readonly tablespace: string | null;
  readonly comment: string | null;
  readonly size_bytes: string;
  readonly scans: string;
  readonly last_scan: string | null;
}

interface PlacementRow {
  readonly tablespaces: { readonly name: string; readonly isDefault: boolean; readonly canCreate: boolean }[];
  readonly names: {
    readonly schema: string;
    readonly name: string;
    readonly relkind: string;
    readonly tableSchema: string | null;
    readonly tableName: string | null;
  }[];
}

interface BlockerRow {
  readonly pid: number;
  /** holds / waits for ACCESS EXCLUSIVE, or is ahead of such a waiter. */
  readonly role: 'holds' | 'waits' | 'ahead';
  readonly relation: string | null;
  readonly waiter: number | null;
  readonly application_name: string | null;
  readonly state: string | null;
  readonly query: string | null;
}

// ---- queries ----

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

// Only ACCESS EXCLUSIVE conflicts with the ACCESS SHARE our reads take. A request for it that is still
// waiting queues us too, so whoever that request waits for is named as well.
const BLOCKERS_SQL = `
WITH ${DECLARED_CTE}, ${TARGETS_CTE},
relations AS (
  SELECT oid FROM targets
  UNION
  SELECT i.indexrelid FROM pg_index i JOIN targets x ON x.oid = i.indrelid
),
exclusive AS (
  SELECT l.pid, bool_or(l.granted) AS granted, min(l.relation::regclass::text) AS relation
  FROM pg_locks l
  JOIN relations r ON r.oid = l.relation
  WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  GROUP BY l.pid
),
ahead AS (
  SELECT DISTINCT ON (b.pid) b.pid, e.pid AS waiter
  FROM exclusive e CROSS JOIN LATERAL unnest(pg_blocking_pids(e.pid)) AS b(pid)
  WHERE NOT e.granted AND b.pid <> pg_backend_pid() AND b.pid NOT IN (SELECT pid FROM exclusive)
  ORDER BY b.pid, e.pid
)
SELECT x.pid, x.role, x.relation, x.waiter, a.application_name, a.state, a.query
FROM (
  SELECT pid, CASE WHEN granted THEN 'holds' ELSE 'waits' END AS role, relation, NULL::int AS waiter FROM exclusive
  UNION ALL
  SELECT pid, 'ahead', NULL, waiter FROM ahead
) x
LEFT JOIN pg_stat_activity a ON a.pid = x.pid
ORDER BY CASE x.role WHEN 'holds' THEN 0 WHEN 'waits' THEN 1 ELSE 2 END, x.pid`;

function nameArrays(tables: readonly TableName[]): [string[], string[]] {
  return [tables.map((t) => t.schema), tables.map((t) => t.name)];
}

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

type Placement = Pick<LiveState, 'defaultTablespace' | 'tablespaces' | 'namesInUse'>;

/** Where declared indexes would go: the tablespaces, and the relations already using their names. */
async function readPlacement(session: Session, tables: readonly DeclaredTableName[]): Promise<Placement> {
  const declared = tables.flatMap((table) => (table.indexes ?? []).map((index) => ({ schema: table.schema, name: index.name, table: table.name })));
  const params = [declared.map((d) => d.schema), declared.map((d) => d.name), declared.map((d) => d.table)];
  return toPlacement((await session.query<PlacementRow>(PLACEMENT_SQL, params)).rows[0]!);
}

/**
 * Runs `read` in one REPEATABLE READ, READ ONLY transaction with a short lock_timeout (two round trips
 * around it). A lock timeout becomes a UserError naming who blocks the declared tables; `what` starts
 * its message ("Reading the catalog").
 */
export async function readCatalog<T>(
  session: Session,
  tables: readonly TableName[],
  what: string,
  options: CatalogOptions,
  read: () => Promise<T>,
): Promise<T> {
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_CATALOG_LOCK_TIMEOUT_MS;
  await session.query(`BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
  try {
    const result = await read();
    await session.query('COMMIT');
    return result;
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    if (isLockTimeout(error)) throw await lockTimeoutError(session, tables, what, lockTimeoutMs);
    throw error;
  }
}

// ---- rows to model, in one place ----

function estimatedRows(relpages: number, reltuples: number, serverVersionNum: number): number | undefined {
  // 14+: -1 means never vacuumed or analyzed. 13 has no such marker: 0 rows on 0 pages may be either.
  if (reltuples < 0) return undefined;
  if (serverVersionNum < 140000 && reltuples === 0 && relpages === 0) return undefined;
  return Math.round(reltuples);
}

// Partitioned tables and indexes have no storage: relpages is 0, or -1 on recent versions.
function pages(relpages: number): number {
  return Math.max(0, relpages);
}

function tableKind(relkind: string): TableKind {
  switch (relkind) {
    case 'r':
      return 'table';
    case 'p':
      return 'partitioned';
    case 'm':
      return 'matview';
    default:
      throw new Error(`unexpected relkind ${relkind} for a declared table`);
  }
}

function toLiveState(server: ServerRow, tableRows: readonly TableRow[], indexRows: readonly IndexRow[]): Omit<LiveState, keyof Placement> {
  const blockSize = server.block_size;
  const tables = new Map<string, LiveTable>();
  const notIndexable = new Map<string, string>();
  for (const row of tableRows) {
    if (!['r', 'p', 'm'].includes(row.relkind)) {
      notIndexable.set(tableKey(row.schema, row.name), row.relkind);
      continue;
    }
    const kind = tableKind(row.relkind);
    const partitions: LivePartition[] = row.partitions.map((p) => ({
      schema: p.schema,
      name: p.name,
      parentSchema: p.parentSchema,
      parentName: p.parentName,
      isLeaf: p.isLeaf,
      sizeBytes: pages(p.relpages) * blockSize,
    }));
    let sizeBytes = pages(row.relpages) * blockSize;
    let rows = estimatedRows(row.relpages, row.reltuples, server.version_num);
    if (kind === 'partitioned') {
      // The parent has no storage: what a build reads is its leaves.
      const leaves = row.partitions.filter((p) => p.isLeaf);
      sizeBytes = leaves.reduce((sum, p) => sum + pages(p.relpages) * blockSize, 0);
      const leafRows = leaves.map((p) => estimatedRows(p.relpages, p.reltuples, server.version_num));
      rows = leafRows.some((r) => r === undefined) ? undefined : leafRows.reduce<number>((sum, r) => sum + (r ?? 0), 0);
    }
    const table: LiveTable = {
      schema: row.schema,
      name: row.name,
      kind,
      owner: row.owner,
      ownedByCurrentRole: row.owned,
      canCreateInSchema: row.can_create,
      columns: row.columns.map((c) => ({ name: c.name, type: c.type })),
      sizeBytes,
      ...(rows === undefined ? {} : { estimatedRows: rows }),
      partitions,
    };
    tables.set(tableKey(row.schema, row.name), table);
  }
  const indexes: LiveIndex[] = indexRows.map((row) => ({
    schema: row.schema,
    table: row.table,
    name: row.name,
    definition: row.definition,
    method: row.method,
    valid: row.valid,
    ready: row.ready,
    unique: row.unique,
    partitioned: row.partitioned,
    ...(row.constraint_name !== null && row.constraint_type !== null
      ? { constraint: { name: row.constraint_name, type: row.constraint_type as ConstraintType } }
      : {}),
    referencedByForeignKeys: [...(row.foreign_keys ?? [])].sort(),
    ...(row.parent_index !== null ? { parentIndex: row.parent_index } : {}),
    ...(row.extension !== null ? { extension: row.extension } : {}),
    replicaIdentity: row.replica_identity,
    ...(row.build_pid !== null ? { build: { pid: row.build_pid, phase: row.build_phase ?? '' } } : {}),
    ...(row.tablespace !== null ? { tablespace: row.tablespace } : {}),
    ...(row.comment !== null ? { comment: row.comment } : {}),
    sizeBytes: Number(row.size_bytes),
    scans: Number(row.scans),
    ...(row.last_scan !== null ? { lastScan: row.last_scan } : {}),
  }));
  return {
    serverVersionNum: server.version_num,
    serverVersion: server.version,
    currentRole: server.role,
    accessMethods: server.methods ?? [],
    tables,
    notIndexable,
    indexes,
  };
}

const RELATION_KINDS: Readonly<Record<string, string>> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  S: 'sequence',
  f: 'foreign table',
  c: 'composite type',
  t: 'TOAST table',
  i: 'index',
  I: 'partitioned index',
};

function toPlacement(row: PlacementRow): Placement {
  return {
    defaultTablespace: row.tablespaces.find((t) => t.isDefault)?.name ?? 'pg_default',
    tablespaces: row.tablespaces.map((t) => ({ name: t.name, canCreate: t.canCreate })),
    namesInUse: row.names.map((n) => ({
      schema: n.schema,
      name: n.name,
      kind: RELATION_KINDS[n.relkind] ?? `relation (relkind ${n.relkind})`,
      ...(n.tableSchema !== null && n.tableName !== null ? { table: { schema: n.tableSchema, name: n.tableName } } : {}),
    })),
  };
}

// ---- lock timeouts ----

export { isLockTimeout } from '../core/retry.js';

/**
 * The error for a read that timed out waiting for a lock on the declared tables (or their partitions
 * or indexes): names who holds or waits for an ACCESS EXCLUSIVE lock there. Run after the failed
 * transaction has been rolled back.
 */
export async function lockTimeoutError(
  session: Session,
  tables: readonly TableName[],
  what: string,
  lockTimeoutMs: number,
): Promise<UserError> {
  let blockers: BlockerRow[] = [];
  try {
    blockers = (await session.query<BlockerRow>(BLOCKERS_SQL, nameArrays(tables))).rows;
  } catch {
    // Naming the blocker is a courtesy; the timeout itself is the error to report.
  }
  const seconds = `${lockTimeoutMs / 1000}s`;
  if (blockers.length === 0) {
    return new UserError(
      `${what} waited more than ${seconds} for a lock on a declared table; the lock holder has gone since.`,
      'Run the command again.',
    );
  }
  const lines = blockers.map((b) => {
    const about = [b.application_name ? `application "${b.application_name}"` : 'no application_name', b.state].filter(Boolean).join(', ');
    const what =
      b.role === 'ahead'
        ? `holds a lock that pid ${b.waiter} waits for`
        : `${b.role === 'holds' ? 'holds' : 'waits for'} ACCESS EXCLUSIVE on ${b.relation}${b.role === 'waits' ? ' (reads queue behind it)' : ''}`;
    // An idle transaction's query is the last one it ran, not necessarily the one that took the lock.
    const label = b.state === 'active' ? 'running' : 'last query';
    return `pid ${b.pid} (${about}) ${what}; ${label}: ${b.query ? oneLine(b.query) : '(not visible to this role)'}`;
  });
  const holders = blockers.filter((b) => b.role !== 'waits').map((b) => b.pid);
  const toEnd = holders.length > 0 ? holders : blockers.map((b) => b.pid);
  return new UserError(
    `${what} waited more than ${seconds} for a lock on a declared table. Blocked by:\n  ${lines.join('\n  ')}`,
    `Let that transaction finish, or end it (${toEnd.map((pid) => `SELECT pg_terminate_backend(${pid})`).join('; ')}), then run again.`,
  );
}
