/*
 * The catalog's rows as the live model: what pg hands back (int8 and numeric arrive as strings), turned
 * into tables, partitions, indexes and where new indexes would go.
 */
import {
  tableKey,
  type ConstraintType,
  type LiveIndex,
  type LivePartition,
  type LiveState,
  type LiveTable,
  type TableKind,
} from '../core/model.js';

export interface ServerRow {
  readonly version_num: number;
  readonly version: string;
  readonly role: string;
  readonly block_size: number;
  readonly methods: string[] | null;
}

export interface ColumnJson {
  readonly name: string;
  readonly type: string;
}

export interface PartitionJson {
  readonly schema: string;
  readonly name: string;
  readonly parentSchema: string;
  readonly parentName: string;
  readonly isLeaf: boolean;
  readonly relpages: number;
  readonly reltuples: number;
}

export interface TableRow {
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

export interface IndexRow {
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

export interface PlacementRow {
  readonly tablespaces: { readonly name: string; readonly isDefault: boolean; readonly canCreate: boolean }[];
  readonly names: {
    readonly schema: string;
    readonly name: string;
    readonly relkind: string;
    readonly tableSchema: string | null;
    readonly tableName: string | null;
  }[];
}

export type Placement = Pick<LiveState, 'defaultTablespace' | 'tablespaces' | 'namesInUse'>;


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

function toLiveTable(row: TableRow, kind: TableKind, server: ServerRow): LiveTable {
  const blockSize = server.block_size;
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
  return {
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
}

function toLiveIndex(row: IndexRow): LiveIndex {
  return {
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
  };
}

export function toLiveState(server: ServerRow, tableRows: readonly TableRow[], indexRows: readonly IndexRow[]): Omit<LiveState, keyof Placement> {
  const tables = new Map<string, LiveTable>();
  const notIndexable = new Map<string, string>();
  for (const row of tableRows) {
    const key = tableKey(row.schema, row.name);
    if (['r', 'p', 'm'].includes(row.relkind)) tables.set(key, toLiveTable(row, tableKind(row.relkind), server));
    else notIndexable.set(key, row.relkind);
  }
  return {
    serverVersionNum: server.version_num,
    serverVersion: server.version,
    currentRole: server.role,
    accessMethods: server.methods ?? [],
    tables,
    notIndexable,
    indexes: indexRows.map(toLiveIndex),
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

export function toPlacement(row: PlacementRow): Placement {
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
