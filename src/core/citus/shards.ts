/*
 * Shards verified: for an index on a Citus table, which placements lack its shard index or have it
 * invalid. Citus can leave some shards without an index (or with an invalid one) while the coordinator's
 * index looks valid; the plan rebuilds a declared index whose shards are not all valid. Pure.
 */
import type { CitusPlacement, CitusTable } from './model.js';

export interface ShardVerdict {
  /** Placements counted: one per shard and node. */
  readonly total: number;
  /** Placements without the shard index. */
  readonly missing: readonly CitusPlacement[];
  /** Placements whose shard index is invalid. */
  readonly invalid: readonly CitusPlacement[];
  /** Placements that could not be read: not judged. */
  readonly unread: readonly CitusPlacement[];
}

/** Whether the table keeps one placement per shard (a distributed table), so a shard names a placement. */
function onePlacementPerShard(table: CitusTable): boolean {
  return table.placements.length === new Set(table.placements.map((p) => p.shardId)).size;
}

export function verifyShards(table: CitusTable, index: string): ShardVerdict {
  const names = table.shardIndexNames.get(index);
  const missing: CitusPlacement[] = [];
  const invalid: CitusPlacement[] = [];
  const unread: CitusPlacement[] = [];
  for (const placement of table.placements) {
    if (placement.error !== undefined) {
      unread.push(placement);
      continue;
    }
    const name = names?.get(placement.shardId);
    const found = name === undefined ? undefined : placement.indexes.get(name);
    if (!found) missing.push(placement);
    else if (!found.valid) invalid.push(placement);
  }
  return { total: table.placements.length, missing, invalid, unread };
}

export function shardsAllValid(verdict: ShardVerdict): boolean {
  return verdict.missing.length === 0 && verdict.invalid.length === 0;
}

/**
 * The verdict in words: `2 of 8 shards lack it: 102018, 102022; 1 has it invalid: 102019` (placements,
 * with their node, where a shard is kept on several nodes, as a reference table is).
 */
export function describeVerdict(table: CitusTable, verdict: ShardVerdict): string | undefined {
  if (shardsAllValid(verdict)) return undefined;
  const perShard = onePlacementPerShard(table);
  const noun = perShard ? 'shard' : 'placement';
  const name = (p: CitusPlacement): string => (perShard ? p.shardId : `${p.shardId} on ${p.node}`);
  const parts: string[] = [];
  const total = `${verdict.total} ${noun}${verdict.total === 1 ? '' : 's'}`;
  if (verdict.missing.length > 0) {
    parts.push(`${verdict.missing.length} of ${total} ${verdict.missing.length === 1 ? 'lacks' : 'lack'} it: ${verdict.missing.map(name).join(', ')}`);
  }
  if (verdict.invalid.length > 0) {
    const count = parts.length === 0 ? `${verdict.invalid.length} of ${total}` : `${verdict.invalid.length}`;
    parts.push(`${count} ${verdict.invalid.length === 1 ? 'has' : 'have'} it invalid: ${verdict.invalid.map(name).join(', ')}`);
  }
  return parts.join('; ');
}

/** One placement of each shard (the first that could be read): what a size or row count adds up once. */
export function onePerShard(table: CitusTable): CitusPlacement[] {
  const chosen = new Map<string, CitusPlacement>();
  for (const placement of table.placements) {
    const current = chosen.get(placement.shardId);
    if (!current || (current.error !== undefined && placement.error === undefined)) chosen.set(placement.shardId, placement);
  }
  return [...chosen.values()];
}

/** Estimated rows over the shards; undefined when a shard was never analyzed or could not be read. */
export function shardRows(table: CitusTable): number | undefined {
  let rows = 0;
  for (const placement of onePerShard(table)) {
    if (placement.error !== undefined || placement.rows === undefined) return undefined;
    rows += placement.rows;
  }
  return rows;
}

/** An index's size over its shards (one copy of each) and its scans on every placement. */
export function shardIndexUsage(table: CitusTable, index: string): { readonly sizeBytes: number; readonly scans: number } {
  const names = table.shardIndexNames.get(index);
  const at = (placement: CitusPlacement) => {
    const name = names?.get(placement.shardId);
    return name === undefined ? undefined : placement.indexes.get(name);
  };
  const sizeBytes = onePerShard(table).reduce((sum, placement) => sum + (at(placement)?.sizeBytes ?? 0), 0);
  const scans = table.placements.reduce((sum, placement) => sum + (at(placement)?.scans ?? 0), 0);
  return { sizeBytes, scans };
}

/** Nodes holding the table's placements. */
export function placementNodes(table: CitusTable): number {
  return new Set(table.placements.filter((p) => p.error === undefined).map((p) => p.node)).size;
}
