/*
 * What a Citus coordinator knows about the declared tables, read after the ordinary catalog: which are
 * distributed, reference or Citus-local tables, their distribution column, size over their shards
 * (citus_table_size), and, from every shard placement on every node, its pages, rows and shard indexes.
 *
 * Workers hide shard relations from plain catalog queries (citus.override_table_visibility); the
 * placements are read through run_command_on_placements, whose connections see them. One statement
 * per Citus table, whatever the number of indexes; nothing at all on a database without Citus.
 */
import type { CitusNode, CitusPlacement, CitusState, CitusTable, CitusTableType, ShardIndex } from '../../core/citus/model.js';
import { tableKey } from '../../core/model.js';
import { oneLine } from '../../core/text.js';
import type { Session } from '../db.js';

export interface CitusTableName {
  readonly schema: string;
  readonly name: string;
}

interface TableRow {
  readonly schema: string;
  readonly name: string;
  readonly partmethod: string;
  readonly repmodel: string;
  readonly dist_column: string | null;
  readonly access_method: string | null;
  readonly size: string | null;
  readonly shards: string[] | null;
  readonly shard_indexes: { readonly index: string; readonly shard: string; readonly name: string }[] | null;
}

interface NodeRow {
  readonly host: string;
  readonly port: number;
  readonly coordinator: boolean;
}

interface PlacementRow {
  readonly host: string;
  readonly port: number;
  readonly shard: string;
  readonly success: boolean;
  readonly result: string | null;
}

/** [name, valid, ready, pages, scans] for each index of one shard. */
type ShardIndexTuple = [string, boolean, boolean, number, number | string];

interface PlacementJson {
  readonly bytes: number | string;
  readonly tuples: number;
  readonly indexes: ShardIndexTuple[] | null;
}

const CITUS_SQL = `SELECT extversion AS version FROM pg_extension WHERE extname = 'citus'`;

// Citus's own tables exist only where the extension does: asked only then.
const COORDINATOR_SQL = `SELECT (SELECT groupid FROM pg_dist_local_group) = 0 AS coordinator`;

const NODES_SQL = `
SELECT nodename AS host, nodeport AS port, groupid = 0 AS coordinator
FROM pg_dist_node WHERE isactive AND noderole = 'primary' ORDER BY groupid, nodeid`;

// A partitioned table's size is its leaves'; shard_name(index, shard, false) is always schema-qualified,
// so the name is the last part of parse_ident (Citus shortens long names with a hash: never guessed here).
const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, p.partmethod::text AS partmethod, p.repmodel::text AS repmodel,
  CASE WHEN p.partmethod <> 'n' THEN column_to_column_name(p.logicalrelid, p.partkey) END AS dist_column,
  am.amname AS access_method,
  (CASE WHEN c.relkind = 'p'
    THEN (SELECT COALESCE(sum(citus_table_size(pt.relid)), 0) FROM pg_partition_tree(c.oid) pt WHERE pt.isleaf)
    ELSE citus_table_size(c.oid) END)::text AS size,
  (SELECT array_agg(s.shardid::text ORDER BY s.shardid) FROM pg_dist_shard s WHERE s.logicalrelid = c.oid) AS shards,
  (SELECT json_agg(json_build_object('index', ic.relname, 'shard', s.shardid::text,
      'name', (parse_ident(shard_name(i.indexrelid::regclass, s.shardid, false)))[2]) ORDER BY ic.relname, s.shardid)
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
    CROSS JOIN pg_dist_shard s
    WHERE i.indrelid = c.oid AND s.logicalrelid = c.oid) AS shard_indexes
FROM unnest($1::text[], $2::text[]) AS w(schema, name)
JOIN pg_namespace n ON n.nspname = w.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name
JOIN pg_dist_partition p ON p.logicalrelid = c.oid
LEFT JOIN pg_am am ON am.oid = c.relam
ORDER BY 1, 2`;

const COLUMNAR_SQL = `
SELECT n.nspname AS schema, c.relname AS name
FROM unnest($1::text[], $2::text[]) AS w(schema, name)
JOIN pg_namespace n ON n.nspname = w.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name
JOIN pg_am am ON am.oid = c.relam
WHERE am.amname = 'columnar'`;

// Run on every placement, '%s' being the shard's qualified name (a literal percent sign would be %%).
const PLACEMENT_COMMAND = `SELECT json_build_object('bytes', pg_table_size(t.oid), 'tuples', t.reltuples,
  'indexes', (SELECT json_agg(json_build_array(c.relname, i.indisvalid, i.indisready, pg_relation_size(c.oid), pg_stat_get_numscans(c.oid)))
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = t.oid))
FROM pg_class t WHERE t.oid = '%s'::regclass`;

const PLACEMENTS_SQL = `
SELECT nodename AS host, nodeport AS port, shardid::text AS shard, success, result
FROM run_command_on_placements(format('%I.%I', $1::text, $2::text)::regclass, $3::text)
ORDER BY shardid, nodename, nodeport`;

function tableType(row: TableRow): CitusTableType {
  if (row.partmethod !== 'n') return 'distributed';
  return row.repmodel === 't' ? 'reference' : 'citus-local';
}

function toPlacement(row: PlacementRow): CitusPlacement {
  const base = { shardId: row.shard, node: `${row.host}:${row.port}` };
  if (!row.success || row.result === null) {
    return { ...base, error: oneLine(row.result ?? 'no answer'), tableBytes: 0, indexes: new Map() };
  }
  const json = JSON.parse(row.result) as PlacementJson;
  const indexes = new Map<string, ShardIndex>();
  for (const [name, valid, ready, bytes, scans] of json.indexes ?? []) {
    indexes.set(name, { valid, ready, sizeBytes: Number(bytes), scans: Number(scans) });
  }
  return {
    ...base,
    tableBytes: Number(json.bytes),
    ...(json.tuples >= 0 ? { rows: Math.round(json.tuples) } : {}),
    indexes,
  };
}

async function readPlacements(session: Session, row: TableRow): Promise<CitusPlacement[]> {
  try {
    const { rows } = await session.query<PlacementRow>(PLACEMENTS_SQL, [row.schema, row.name, PLACEMENT_COMMAND]);
    return rows.map(toPlacement);
  } catch (error) {
    // A node that cannot be reached fails the whole call: every shard is then unknown, not missing.
    const message = oneLine(error instanceof Error ? error.message : String(error));
    return (row.shards ?? []).map((shardId) => ({ shardId, node: 'unknown', error: message, tableBytes: 0, indexes: new Map() }));
  }
}

function shardIndexNames(row: TableRow): Map<string, Map<string, string>> {
  const names = new Map<string, Map<string, string>>();
  for (const entry of row.shard_indexes ?? []) {
    const byShard = names.get(entry.index) ?? new Map<string, string>();
    byShard.set(entry.shard, entry.name);
    names.set(entry.index, byShard);
  }
  return names;
}

/** Citus's view of the declared tables; undefined when the database is not a Citus coordinator. */
export async function readCitusState(session: Session, tables: readonly CitusTableName[]): Promise<CitusState | undefined> {
  const citus = (await session.query<{ version: string }>(CITUS_SQL)).rows[0];
  if (!citus) return undefined;
  // A worker has the extension too, and shows the distributed tables; only the coordinator plans them.
  if ((await session.query<{ coordinator: boolean | null }>(COORDINATOR_SQL)).rows[0]?.coordinator !== true) return undefined;
  const nodes: CitusNode[] = (await session.query<NodeRow>(NODES_SQL)).rows.map((row) => ({ host: row.host, port: row.port, isCoordinator: row.coordinator }));
  const names = [tables.map((t) => t.schema), tables.map((t) => t.name)];
  const rows = (await session.query<TableRow>(TABLES_SQL, names)).rows;
  const columnar = (await session.query<CitusTableName>(COLUMNAR_SQL, names)).rows.map((row) => tableKey(row.schema, row.name));
  const result = new Map<string, CitusTable>();
  for (const row of rows) {
    const table: CitusTable = {
      schema: row.schema,
      name: row.name,
      type: tableType(row),
      ...(row.dist_column === null ? {} : { distributionColumn: row.dist_column }),
      accessMethod: row.access_method ?? 'heap',
      sizeBytes: Number(row.size ?? 0),
      shardIds: row.shards ?? [],
      placements: await readPlacements(session, row),
      shardIndexNames: shardIndexNames(row),
    };
    result.set(tableKey(row.schema, row.name), table);
  }
  return { version: citus.version, nodes, tables: result, columnar: new Set(columnar) };
}
