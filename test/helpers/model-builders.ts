/* Small builders for desired and live model objects in pure unit tests. */
import {
  DEFAULT_SETTINGS,
  tableKey,
  type DesiredIndex,
  type DesiredState,
  type DesiredTable,
  type IndexKeyPart,
  type LiveIndex,
  type LiveState,
  type LiveTable,
  type SourceRef,
} from '../../src/core/model.js';
import type { ProgressRow } from '../../src/core/progress.js';

export function source(path: string, line = 1, column = 1): SourceRef {
  return { file: 'indexes.yaml', line, column, path };
}

export function column(name: string, extra: Partial<IndexKeyPart> = {}): IndexKeyPart {
  return { kind: 'column', column: name, source: source(`columns.${name}`), ...extra } as IndexKeyPart;
}

export function expression(text: string): IndexKeyPart {
  return { kind: 'expression', expression: text, source: source('columns.expr') };
}

export function desiredIndex(table: string, name: string, extra: Partial<DesiredIndex> = {}): DesiredIndex {
  return {
    name,
    schema: 'public',
    table,
    unique: false,
    method: 'btree',
    columns: [column('id')],
    include: [],
    with: [],
    nullsNotDistinct: false,
    queries: [],
    source: source(`tables.${table}.indexes.${name}`, 10, 7),
    ...extra,
  };
}

export function desiredTable(name: string, indexes: DesiredIndex[], extra: Partial<DesiredTable> = {}): DesiredTable {
  return { schema: 'public', name, key: name, prune: false, indexes, source: source(`tables.${name}`, 5, 3), ...extra };
}

export function desiredState(tables: DesiredTable[], settings: Partial<DesiredState['settings']> = {}): DesiredState {
  return { file: 'indexes.yaml', tables, settings: { ...DEFAULT_SETTINGS, ...settings }, budgets: {} };
}

export function liveTable(name: string, columns: string[], extra: Partial<LiveTable> = {}): LiveTable {
  return {
    schema: 'public',
    name,
    kind: 'table',
    owner: 'app',
    ownedByCurrentRole: true,
    canCreateInSchema: true,
    columns: columns.map((c) => ({ name: c, type: 'text' })),
    sizeBytes: 8192 * 1000,
    estimatedRows: 100_000,
    partitions: [],
    ...extra,
  };
}

export function liveIndex(table: string, name: string, definition: string, extra: Partial<LiveIndex> = {}): LiveIndex {
  return {
    schema: 'public',
    table,
    name,
    definition,
    method: 'btree',
    valid: true,
    ready: true,
    unique: definition.startsWith('CREATE UNIQUE'),
    partitioned: false,
    referencedByForeignKeys: [],
    replicaIdentity: false,
    sizeBytes: 8192,
    scans: 0,
    ...extra,
  };
}

export function liveState(tables: LiveTable[], indexes: LiveIndex[], extra: Partial<LiveState> = {}): LiveState {
  return {
    serverVersionNum: 180004,
    serverVersion: '18.4',
    currentRole: 'app',
    accessMethods: ['btree', 'hash', 'gist', 'gin', 'spgist', 'brin'],
    tables: new Map(tables.map((t) => [tableKey(t.schema, t.name), t])),
    indexes,
    defaultTablespace: 'pg_default',
    tablespaces: [
      { name: 'pg_default', canCreate: true },
      { name: 'pg_global', canCreate: true },
    ],
    namesInUse: [],
    ...extra,
  };
}

/** A row of pg_stat_progress_create_index in `phase`, every counter 0 unless given. */
export function progressRow(phase: string, extra: Partial<ProgressRow> = {}): ProgressRow {
  return {
    phase,
    blocksTotal: 0,
    blocksDone: 0,
    tuplesTotal: 0,
    tuplesDone: 0,
    lockersTotal: 0,
    lockersDone: 0,
    currentLockerPid: 0,
    partitionsTotal: 0,
    partitionsDone: 0,
    ...extra,
  };
}
