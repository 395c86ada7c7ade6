/*
 * `status` on a Citus coordinator: the coordinator's tables are empty shells, so a Citus table's size is
 * citus_table_size and each index's size is summed over its shard indexes (one copy of each shard); scans
 * are counted on every placement. Pure.
 */
import { indexKey, tableKey } from '../model.js';
import type { StatusFacts } from '../status.js';
import type { CitusState } from './model.js';
import { shardIndexUsage } from './shards.js';

export function citusStatusFacts(facts: StatusFacts, citus: CitusState): StatusFacts {
  if (citus.tables.size === 0) return facts;
  const tableBytes = new Map(facts.tableBytes);
  const indexBytes = new Map(facts.indexBytes);
  for (const table of citus.tables.values()) {
    tableBytes.set(tableKey(table.schema, table.name), table.sizeBytes);
    for (const index of table.shardIndexNames.keys()) {
      indexBytes.set(indexKey(table.schema, index), shardIndexUsage(table, index).sizeBytes);
    }
  }
  return { ...facts, tableBytes, indexBytes };
}
