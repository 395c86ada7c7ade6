/*
 * The live state as a Citus coordinator really has it: a Citus table's size and rows are its shards',
 * not the coordinator's empty shell's; its indexes' sizes and scans are summed over their shard indexes;
 * and an index some of whose shards lack it or have it invalid is not valid. Pure.
 */
import { indexKey, tableKey, type LiveIndex, type LiveState, type LiveTable } from '../model.js';
import type { CitusState, CitusTable } from './model.js';
import { describeVerdict, placementNodes, shardIndexUsage, shardRows, verifyShards } from './shards.js';

export interface CitusLiveOptions {
  /** Which indexes a shard problem makes invalid (the plan: declared ones; status: all). */
  readonly judge: (index: LiveIndex) => boolean;
}

function citusTable(table: LiveTable, citus: CitusTable): LiveTable {
  const rows = shardRows(citus);
  const { estimatedRows: _ignored, ...rest } = table;
  return {
    ...rest,
    sizeBytes: citus.sizeBytes,
    ...(rows === undefined ? {} : { estimatedRows: rows }),
    citus: {
      type: citus.type,
      shards: citus.shardIds.length,
      nodes: placementNodes(citus),
      ...(citus.distributionColumn === undefined ? {} : { distributionColumn: citus.distributionColumn }),
    },
  };
}

function citusIndex(index: LiveIndex, citus: CitusTable, options: CitusLiveOptions): LiveIndex {
  const usage = shardIndexUsage(citus, index.name);
  const measured: LiveIndex = { ...index, sizeBytes: usage.sizeBytes, scans: usage.scans };
  // An index the coordinator holds invalid is rebuilt for that reason already; constraints own theirs.
  if (!index.valid || index.constraint !== undefined || !options.judge(index)) return measured;
  const problem = describeVerdict(citus, verifyShards(citus, index.name));
  return problem === undefined ? measured : { ...measured, valid: false, shardProblem: problem };
}

export function withCitus(live: LiveState, citus: CitusState, options: CitusLiveOptions): LiveState {
  if (citus.tables.size === 0) return live;
  const tables = new Map(live.tables);
  for (const [key, table] of live.tables) {
    const found = citus.tables.get(key);
    if (found) tables.set(key, citusTable(table, found));
  }
  const indexes = live.indexes.map((index) => {
    const found = citus.tables.get(tableKey(index.schema, index.table));
    return found ? citusIndex(index, found, options) : index;
  });
  return { ...live, tables, indexes };
}

/** Placements that could not be read, and undeclared indexes whose shards are not all valid: said, not acted on. */
export function citusWarnings(live: LiveState, citus: CitusState, declared: ReadonlySet<string>): string[] {
  const warnings: string[] = [];
  for (const table of citus.tables.values()) {
    const unread = table.placements.filter((p) => p.error !== undefined);
    if (unread.length > 0) {
      const first = unread[0]!;
      warnings.push(
        `Citus: ${unread.length} of ${table.placements.length} placements of ${table.schema}.${table.name} could not be read (${first.node}: ${first.error}); their shard indexes were not verified.`,
      );
    }
  }
  for (const index of live.indexes) {
    const table = citus.tables.get(tableKey(index.schema, index.table));
    if (!table || !index.valid || declared.has(indexKey(index.schema, index.name)) || index.constraint !== undefined) continue;
    const problem = describeVerdict(table, verifyShards(table, index.name));
    if (problem !== undefined) warnings.push(`Citus: ${index.schema}.${index.name} is not declared, and ${problem}.`);
  }
  return warnings;
}
