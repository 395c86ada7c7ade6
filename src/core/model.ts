/*
 * The domain model shared by every layer: the desired state read from the manifest and the live
 * state read from the catalog. Pure types and tiny helpers only.
 */

/** Where something came from in the manifest, for error messages. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Manifest path, e.g. `tables.users.indexes.idx_x.columns[0]`. */
  readonly path: string;
}

export type SortOrder = 'asc' | 'desc';
export type NullsOrder = 'first' | 'last';

interface IndexKeyPartBase {
  readonly opclass?: string;
  /** Operator class parameters (`siglen = 32`), printed `opclass (siglen='32')`; only with `opclass`. */
  readonly opclassParams?: readonly StorageParameter[];
  readonly collation?: string;
  readonly order?: SortOrder;
  readonly nulls?: NullsOrder;
  readonly source: SourceRef;
}

/** A key column taken literally as an identifier (`UserId` means `"UserId"`). */
export interface ColumnKeyPart extends IndexKeyPartBase {
  readonly kind: 'column';
  readonly column: string;
}

/** A key expression: an SQL fragment that passed the parser check. */
export interface ExpressionKeyPart extends IndexKeyPartBase {
  readonly kind: 'expression';
  readonly expression: string;
}

export type IndexKeyPart = ColumnKeyPart | ExpressionKeyPart;

/** A value for a query's `$n` parameter, as the manifest gives it. */
export type QueryParam = string | number | boolean | null;

/** A query an index claims to serve, checked by `reconcile check`. */
export interface DeclaredQuery {
  readonly sql: string;
  /** The highest `$n` the query uses; 0 when it has no parameters. */
  readonly parameters: number;
  /** Values for `$1…$n`, when the manifest gives them (then exactly one for each). */
  readonly params?: readonly QueryParam[];
  /** p95 budget in milliseconds, when given. */
  readonly p95Ms?: number;
  /** The deployment guide's category, when the manifest names it (else derived from the budget: see check-categories). */
  readonly category?: QueryCategory;
  readonly source: SourceRef;
}

/** The deployment guide's kinds of query, each with its p95 budget: common < 50 ms, search < 200 ms, analytics < 500 ms. */
export type QueryCategory = 'common' | 'search' | 'analytics';

/** A storage parameter, kept as text in manifest order (PostgreSQL prints them verbatim). */
export interface StorageParameter {
  readonly name: string;
  readonly value: string;
}

export interface DesiredIndex {
  readonly name: string;
  /** Schema of the index: always its table's schema. */
  readonly schema: string;
  readonly table: string;
  readonly unique: boolean;
  readonly method: string;
  readonly columns: readonly IndexKeyPart[];
  readonly include: readonly string[];
  readonly where?: string;
  readonly with: readonly StorageParameter[];
  readonly nullsNotDistinct: boolean;
  readonly tablespace?: string;
  readonly comment?: string;
  readonly queries: readonly DeclaredQuery[];
  readonly source: SourceRef;
}

/** `maintenance:` of a table, the top level's fields filled in where the table gives none. */
export interface Maintenance {
  /** Reindex a declared valid index when more than this share of it is wasted (0..1); unset: never. */
  readonly maxBloat?: number;
  /** Wasted bytes below this are ignored. */
  readonly minBloatBytes: number;
}

export interface DesiredTable {
  readonly schema: string;
  readonly name: string;
  /** The key as written in the manifest (`users` or `app.users`). */
  readonly key: string;
  readonly prune: boolean;
  /** Absent when neither the table nor the top level has a `maintenance:` block. */
  readonly maintenance?: Maintenance;
  readonly indexes: readonly DesiredIndex[];
  readonly source: SourceRef;
}

export interface Settings {
  readonly concurrency: number;
  readonly lockTimeoutMs: number;
  /** 0 means no limit. */
  readonly buildLockTimeoutMs: number;
  /** 0 means no limit. */
  readonly statementTimeoutMs: number;
  /** Bytes; undefined leaves the server's setting. */
  readonly maintenanceWorkMemBytes?: number;
  readonly maxParallelMaintenanceWorkers?: number;
  readonly retries: number;
  readonly analyzeAfterBuild: boolean;
  readonly allowLockingDrops: boolean;
  /**
   * Schemas that resolve the manifest's unqualified names, after pg_catalog; undefined: the search_path
   * the connecting role gets in the database.
   */
  readonly searchPath?: readonly string[];
  /** Citus: how to reach the workers for progress (a URL template with {host} and {port}). */
  readonly citus?: { readonly workerUrl?: string };
  /** Before each build, wait while a streaming replica is more than this many bytes behind; 0 or undefined: no gate. */
  readonly maxReplicaLagBytes?: number;
  /** How long one build waits for the replicas before it fails; default 30 min. */
  readonly maxReplicaLagWaitMs?: number;
}

export interface Budgets {
  readonly indexToTableRatio?: number;
}

export interface DesiredState {
  readonly file: string;
  readonly tables: readonly DesiredTable[];
  readonly settings: Settings;
  readonly budgets: Budgets;
}

export const DEFAULT_SETTINGS: Settings = {
  concurrency: 2,
  lockTimeoutMs: 5_000,
  buildLockTimeoutMs: 0,
  statementTimeoutMs: 0,
  retries: 3,
  analyzeAfterBuild: true,
  allowLockingDrops: false,
};

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated. */
export const MAX_IDENTIFIER_BYTES = 63;

export type TableKind = 'table' | 'partitioned' | 'matview';

export interface LiveColumn {
  readonly name: string;
  readonly type: string;
}

export interface LiveTable {
  readonly schema: string;
  readonly name: string;
  readonly kind: TableKind;
  readonly owner: string;
  /** Whether the current role may create indexes on it (owner, member of owner, or superuser). */
  readonly ownedByCurrentRole: boolean;
  /** Whether the current role has CREATE on the table's schema, which CREATE INDEX needs too. */
  readonly canCreateInSchema: boolean;
  readonly columns: readonly LiveColumn[];
  /** From relpages × block size: needs no lock. */
  readonly sizeBytes: number;
  /** From reltuples; undefined when the table was never analyzed. */
  readonly estimatedRows?: number;
  /** Leaf and intermediate partitions of a partitioned table, in tree order. */
  readonly partitions: readonly LivePartition[];
  /** On a Citus coordinator: how the table is spread (size and rows are then its shards'). */
  readonly citus?: LiveCitusTable;
}

export interface LiveCitusTable {
  readonly type: 'distributed' | 'reference' | 'citus-local';
  readonly shards: number;
  /** Nodes holding its placements. */
  readonly nodes: number;
  readonly distributionColumn?: string;
}

export interface LivePartition {
  readonly schema: string;
  readonly name: string;
  /** The partitioned table (or intermediate partition) this one is attached to. */
  readonly parentSchema: string;
  readonly parentName: string;
  readonly isLeaf: boolean;
  readonly sizeBytes: number;
}

export type ConstraintType = 'p' | 'u' | 'x';

export interface LiveIndex {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  /** `pg_get_indexdef`, with pinned session settings. */
  readonly definition: string;
  readonly method: string;
  readonly valid: boolean;
  readonly ready: boolean;
  readonly unique: boolean;
  readonly partitioned: boolean;
  readonly constraint?: { readonly name: string; readonly type: ConstraintType };
  readonly referencedByForeignKeys: readonly string[];
  /** Set when this is a partition's child index attached to a partitioned index. */
  readonly parentIndex?: string;
  readonly extension?: string;
  readonly replicaIdentity: boolean;
  /** A build of this index (or on its table) running right now. */
  readonly build?: { readonly pid: number; readonly phase: string };
  readonly tablespace?: string;
  readonly comment?: string;
  readonly sizeBytes: number;
  readonly scans: number;
  readonly lastScan?: string;
  /** Citus: shards that lack this index or have it invalid, in words; the plan rebuilds a declared one. */
  readonly shardProblem?: string;
}

export interface LiveTablespace {
  readonly name: string;
  /** Whether the current role may create in it (CREATE INDEX … TABLESPACE needs that, except in the default). */
  readonly canCreate: boolean;
}

/** A relation that already has the name of a declared index in that index's schema, and is no index on its table. */
export interface NameInUse {
  readonly schema: string;
  readonly name: string;
  /** What it is, in words: `index`, `table`, `sequence`, `view`, … */
  readonly kind: string;
  /** For an index: the table it is on. */
  readonly table?: { readonly schema: string; readonly name: string };
}

export interface LiveState {
  /** `server_version_num`, e.g. 180004. */
  readonly serverVersionNum: number;
  readonly serverVersion: string;
  readonly currentRole: string;
  readonly accessMethods: readonly string[];
  /** Declared tables that exist, keyed by `tableKey(schema, name)`. */
  readonly tables: ReadonlyMap<string, LiveTable>;
  /**
   * Declared names that exist as relations that cannot have indexes (a view), keyed by `tableKey`, with
   * their `pg_class.relkind`; absent means none.
   */
  readonly notIndexable?: ReadonlyMap<string, string>;
  /** Every index on the declared tables that exist. */
  readonly indexes: readonly LiveIndex[];
  /** The database's default tablespace (pg_database.dattablespace); its indexes have no tablespace of their own. */
  readonly defaultTablespace: string;
  readonly tablespaces: readonly LiveTablespace[];
  /** Other relations already using the names of declared indexes: building those would fail. */
  readonly namesInUse: readonly NameInUse[];
}

/**
 * A map key for a schema-qualified name: `schema.name`, with a part that holds a dot or a double quote
 * written in double quotes, so that `"a.b".c` and `a."b.c"` never share a key.
 */
function qualifiedKey(schema: string, name: string): string {
  return `${keyPart(schema)}.${keyPart(name)}`;
}

function keyPart(part: string): string {
  return /[."]/.test(part) ? `"${part.replace(/"/g, '""')}"` : part;
}

export function tableKey(schema: string, name: string): string {
  return qualifiedKey(schema, name);
}

export function indexKey(schema: string, name: string): string {
  return qualifiedKey(schema, name);
}

export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
