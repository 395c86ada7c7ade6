/*
 * What a Citus coordinator says about the declared tables: how each is spread (distributed, reference,
 * Citus-local), its shards and their placements on the nodes, and what each placement holds (its pages,
 * rows, and the shard indexes with their validity, size and scans). Pure data, read by io/citus/catalog.ts.
 */

export type CitusTableType = 'distributed' | 'reference' | 'citus-local';

export interface CitusNode {
  readonly host: string;
  readonly port: number;
  /** The coordinator's own group (0) holds reference and Citus-local placements. */
  readonly isCoordinator: boolean;
}

/** One shard index as a placement holds it. */
export interface ShardIndex {
  readonly valid: boolean;
  readonly ready: boolean;
  readonly sizeBytes: number;
  readonly scans: number;
}

/** One placement of one shard: what the node holding it says, or why it could not be asked. */
export interface CitusPlacement {
  readonly shardId: string;
  /** `host:port`. */
  readonly node: string;
  readonly error?: string;
  readonly tableBytes: number;
  /** reltuples; undefined when the shard was never analyzed. */
  readonly rows?: number;
  /** By shard index name (`<index>_<shardid>`). */
  readonly indexes: ReadonlyMap<string, ShardIndex>;
}

export interface CitusTable {
  readonly schema: string;
  readonly name: string;
  readonly type: CitusTableType;
  readonly distributionColumn?: string;
  /** The table's access method (`heap`, `columnar`). */
  readonly accessMethod: string;
  /** citus_table_size: the table over all its shards, one copy of each. */
  readonly sizeBytes: number;
  readonly shardIds: readonly string[];
  readonly placements: readonly CitusPlacement[];
  /** For each index on the coordinator's table: its name on each shard, by shard id. */
  readonly shardIndexNames: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export interface CitusState {
  readonly version: string;
  readonly nodes: readonly CitusNode[];
  /** Declared tables Citus knows, by tableKey. */
  readonly tables: ReadonlyMap<string, CitusTable>;
  /** Declared tables stored by Citus's columnar access method, by tableKey (distributed or not). */
  readonly columnar: ReadonlySet<string>;
}
